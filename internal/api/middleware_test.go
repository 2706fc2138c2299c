package api

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"ftpanel/internal/hosting"
)

func TestAuthenticate(t *testing.T) {
	e := newTestEnv(t, nil)
	revoked, _ := e.mustToken(hosting.TokenCreate{Customer: "alice"})
	if err := e.Service.DeleteToken(e.Admin(context.Background()), tokenKey(revoked)); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, auth string
		status     int
		code       hosting.Code
		challenge  string
	}{
		{"Missing", "", 401, hosting.CodeUnauthorized, `Bearer realm="ftpanel"`},
		{"OtherScheme", "Basic YWRtaW46YWRtaW4=", 401, hosting.CodeUnauthorized, `Bearer realm="ftpanel", error="invalid_token"`},
		{"Garbage", "Bearer nonsense", 401, hosting.CodeUnauthorized, `Bearer realm="ftpanel", error="invalid_token"`},
		{"WrongSecret", "Bearer " + e.admin[:len(e.admin)-4] + "AAAA", 401, hosting.CodeUnauthorized, `Bearer realm="ftpanel", error="invalid_token"`},
		{"Revoked", "Bearer " + revoked, 401, hosting.CodeUnauthorized, `Bearer realm="ftpanel", error="invalid_token"`},
		{"LowercaseScheme", "bearer " + e.admin, 200, "", ""},
		{"Admin", "Bearer " + e.admin, 200, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var hdr []string
			if tc.auth != "" {
				hdr = []string{"Authorization", tc.auth}
			}
			r := e.do(t, "", "GET", "/api/v1/accounts", nil, hdr...)
			if tc.status == 200 {
				r.want(t, 200)
				return
			}
			r.wantError(t, tc.status, tc.code, "")
			if got := r.header.Get("WWW-Authenticate"); got != tc.challenge {
				t.Errorf("WWW-Authenticate=%q, want %q", got, tc.challenge)
			}
		})
	}
	t.Run("OpenAPIIsPublic", func(t *testing.T) {
		e.do(t, "", "GET", "/api/v1/openapi.json", nil).want(t, 200)
	})
}

func TestAuthenticate_RateLimit(t *testing.T) {
	e := newTestEnv(t, func(o *Options) { o.AuthBurst = 3; o.AuthRefill = time.Hour })
	bad := "ftpanel_AAAAAAAAAAAA_wrong"
	for range 3 {
		e.do(t, bad, "GET", "/api/v1/accounts", nil).wantError(t, 401, hosting.CodeUnauthorized, "")
	}
	r := e.do(t, bad, "GET", "/api/v1/accounts", nil)
	r.wantError(t, 429, hosting.CodeUnauthorized, "")
	secs, err := strconv.Atoi(r.header.Get("Retry-After"))
	if err != nil || secs < 3000 || secs > 3600 {
		t.Errorf("Retry-After=%q, want about an hour", r.header.Get("Retry-After"))
	}
	// The address has used up its allowance: even a valid token waits, so
	// that the answer gives a guesser no hint.
	e.do(t, e.admin, "GET", "/api/v1/accounts", nil).wantError(t, 429, hosting.CodeUnauthorized, "")
	// Requests without a token are not guesses and are not limited.
	e.do(t, "", "GET", "/api/v1/accounts", nil).wantError(t, 401, hosting.CodeUnauthorized, "")
}

func TestLimiter(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := newLimiter(2, 10*time.Second, func() time.Time { return now })
	step := func(d time.Duration) { now = now.Add(d) }
	tests := []struct {
		name string
		do   func()
		keys []string
		want time.Duration
	}{
		{"Fresh", func() {}, []string{"addr:a", "key:k"}, 0},
		{"OneFailure", func() { l.fail("addr:a", "key:k") }, []string{"addr:a"}, 0},
		{"Exhausted", func() { l.fail("addr:a", "key:k") }, []string{"addr:a"}, 10 * time.Second},
		{"KeyFromOtherAddress", func() {}, []string{"addr:b", "key:k"}, 10 * time.Second},
		{"OtherKeyOtherAddress", func() {}, []string{"addr:b", "key:j"}, 0},
		{"PartlyRefilled", func() { step(4 * time.Second) }, []string{"addr:a"}, 6 * time.Second},
		{"Refilled", func() { step(6 * time.Second) }, []string{"addr:a"}, 0},
		{"NotBeyondBurst", func() { step(time.Hour); l.fail("addr:a"); l.fail("addr:a") }, []string{"addr:a"}, 10 * time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.do()
			if got := l.wait(tc.keys...); got != tc.want {
				t.Errorf("wait=%v, want %v", got, tc.want)
			}
		})
	}
}

func TestLimiter_Sweep(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := newLimiter(1, time.Second, func() time.Time { return now })
	for i := range maxBuckets {
		l.fail("addr:" + strconv.Itoa(i))
	}
	now = now.Add(time.Minute)
	l.fail("addr:new")
	if got := len(l.buckets); got != 1 {
		t.Errorf("buckets after sweep=%d, want 1 (the refilled ones dropped)", got)
	}
}

func TestAddrBucket(t *testing.T) {
	tests := []struct{ in, want string }{
		{"192.0.2.1", "192.0.2.1"},
		{"::ffff:192.0.2.1", "192.0.2.1"},
		{"2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"},
		{"not-an-ip", "not-an-ip"},
	}
	for _, tc := range tests {
		if got := addrBucket(tc.in); got != tc.want {
			t.Errorf("addrBucket(%q)=%q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestRecoverPanics(t *testing.T) {
	logs := &syncBuffer{}
	h := newHandler(nil, Options{Logger: slog.New(slog.NewTextHandler(logs, nil))})
	boom := http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") })
	rec := httptest.NewRecorder()
	chain(boom, h.logRequests, h.recoverPanics).ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/x", nil))
	if rec.Code != 500 || !strings.Contains(rec.Body.String(), `"code":"internal"`) || strings.Contains(rec.Body.String(), "boom") {
		t.Errorf("answer %d %s, want a 500 internal error without the panic text", rec.Code, rec.Body)
	}
	if got := logs.String(); !strings.Contains(got, "status=500") || !strings.Contains(got, "panic: boom") {
		t.Errorf("log %q, want the 500 with its cause", got)
	}
}

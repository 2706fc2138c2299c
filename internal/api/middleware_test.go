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
	e := newTestEnv(t, nil)
	e.Service.Guard().Configure(hosting.GuardConfig{MaxFailures: 3, BanTime: time.Hour})
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
	// The address is banned: even a valid token waits, so that the
	// answer gives a guesser no hint.
	e.do(t, e.admin, "GET", "/api/v1/accounts", nil).wantError(t, 429, hosting.CodeUnauthorized, "")
	// Requests without a token are not guesses and are not limited.
	e.do(t, "", "GET", "/api/v1/accounts", nil).wantError(t, 401, hosting.CodeUnauthorized, "")
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

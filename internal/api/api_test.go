package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"ftpanel/internal/hosting"
	"ftpanel/internal/hosting/hostingtest"
)

// testEnv is the API over a real SQLite-backed service, served on
// 127.0.0.1, with tokens for an administrator and two customers:
// alice (site alice.example, account alice1) and bob (site bob.example,
// account bob1).
type testEnv struct {
	*hostingtest.Env
	t    *testing.T
	srv  *httptest.Server
	api  *openAPI
	logs *syncBuffer

	admin, alice, bob          string // bearer tokens
	adminID, aliceID, bobID    int64  // token IDs
	aliceMain, bobMain         string // main account logins
	aliceCustomer, bobCustomer *hosting.Customer
}

// syncBuffer collects the server's log output.
type syncBuffer = hostingtest.LogBuffer

func newTestEnv(t *testing.T, edit func(*Options)) *testEnv {
	t.Helper()
	return newTestEnvWith(t, nil, edit)
}

// newTestEnvWith is newTestEnv with a changed policy (pol may be nil).
func newTestEnvWith(t *testing.T, pol func(*hosting.Policy), edit func(*Options)) *testEnv {
	t.Helper()
	e := &testEnv{Env: hostingtest.NewWithPolicy(t, pol), t: t, api: mustOpenAPI(t), logs: &syncBuffer{}}
	o := Options{Logger: slog.New(slog.NewTextHandler(e.logs, nil)), FTPHost: "ftp.example.net"}
	if edit != nil {
		edit(&o)
	}
	e.srv = httptest.NewServer(NewHandler(e.Service, o))
	t.Cleanup(e.srv.Close)

	e.aliceCustomer = e.MustCustomer(t, "alice")
	e.bobCustomer = e.MustCustomer(t, "bob")
	_, am := e.MustSite(t, "alice", "alice.example")
	_, bm := e.MustSite(t, "bob", "bob.example")
	e.aliceMain, e.bobMain = am.Login, bm.Login
	e.MustAccount(t, "alice.example", "alice1", "")
	e.MustAccount(t, "bob.example", "bob1", "")
	e.admin, e.adminID = e.mustToken(hosting.TokenCreate{Admin: true})
	e.alice, e.aliceID = e.mustToken(hosting.TokenCreate{Customer: "alice"})
	e.bob, e.bobID = e.mustToken(hosting.TokenCreate{Customer: "bob"})
	return e
}

func (e *testEnv) mustToken(in hosting.TokenCreate) (string, int64) {
	e.t.Helper()
	nt, err := e.Service.CreateToken(e.Admin(context.Background()), in)
	if err != nil {
		e.t.Fatalf("CreateToken: %v", err)
	}
	return nt.Secret, nt.Token.ID
}

// response is an answer, already checked against the OpenAPI document.
type response struct {
	status int
	header http.Header
	body   []byte
}

// do sends a request with token (none when "") and body (nil, a string
// sent as is, or a value sent as JSON), then validates the answer against
// the OpenAPI document. hdr holds extra header name/value pairs.
func (e *testEnv) do(t testing.TB, token, method, path string, body any, hdr ...string) response {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatalf("marshal body: %v", err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		t.Fatalf("new request: %v", err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	if err := e.api.checkResponse(method, path, res.StatusCode, b); err != nil {
		t.Errorf("%s %s: answer does not match the OpenAPI document: %v\nbody: %s", method, path, err, b)
	}
	if res.StatusCode != http.StatusNoContent {
		if ct := res.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("%s %s: Content-Type=%q, want application/json", method, path, ct)
		}
	}
	return response{status: res.StatusCode, header: res.Header, body: b}
}

// want fails the test unless the answer has status.
func (r response) want(t testing.TB, status int) response {
	t.Helper()
	if r.status != status {
		t.Fatalf("status=%d, want %d; body: %s", r.status, status, r.body)
	}
	return r
}

// wantError fails the test unless the answer is an error with status,
// code and (when field is not "") field.
func (r response) wantError(t testing.TB, status int, code hosting.Code, field string) {
	t.Helper()
	var e errorBody
	if err := json.Unmarshal(r.body, &e); err != nil {
		t.Fatalf("error body: %v: %s", err, r.body)
	}
	if r.status != status || e.Error.Code != code {
		t.Fatalf("status=%d code=%q, want %d %q; body: %s", r.status, e.Error.Code, status, code, r.body)
	}
	if field != "" && e.Error.Field != field {
		t.Errorf("field=%q, want %q; body: %s", e.Error.Field, field, r.body)
	}
	if e.Error.Message == "" {
		t.Errorf("empty error message")
	}
}

// decodeAs decodes an answer body.
func decodeAs[T any](t testing.TB, r response) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("decode %T: %v: %s", v, err, r.body)
	}
	return v
}

func TestNewHandler_Fallback(t *testing.T) {
	e := newTestEnv(t, nil)
	tests := []struct {
		name, method, path string
		status             int
		code               hosting.Code
		allow              string
	}{
		{"UnknownPath", "GET", "/api/v1/nothing", 404, hosting.CodeNotFound, ""},
		{"UnknownNested", "GET", "/api/v1/accounts/a/b/c", 404, hosting.CodeNotFound, ""},
		{"WrongMethod", "PUT", "/api/v1/accounts", 405, hosting.CodeInvalidInput, "GET, POST"},
		{"WrongMethodItem", "POST", "/api/v1/accounts/alice1", 405, hosting.CodeInvalidInput, "GET, PATCH, DELETE"},
		{"OutsideAPI", "GET", "/other", 404, hosting.CodeNotFound, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do(t, e.admin, tc.method, tc.path, nil)
			r.wantError(t, tc.status, tc.code, "")
			if got := r.header.Get("Allow"); got != tc.allow {
				t.Errorf("Allow=%q, want %q", got, tc.allow)
			}
		})
	}
}

func TestNewHandler_Headers(t *testing.T) {
	e := newTestEnv(t, nil)
	r := e.do(t, e.admin, "GET", "/api/v1/accounts", nil).want(t, 200)
	for k, want := range map[string]string{"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"} {
		if got := r.header.Get(k); got != want {
			t.Errorf("%s=%q, want %q", k, got, want)
		}
	}
}

// TestNewHandler_NoPasswordsInLogs creates and changes accounts with given
// and generated passwords and checks none reaches the log.
func TestNewHandler_NoPasswordsInLogs(t *testing.T) {
	e := newTestEnv(t, nil)
	const pw = "Zebra-Quartz-9140"
	e.do(t, e.admin, "POST", "/api/v1/accounts", map[string]any{"site": "alice.example", "login": "logged", "password": pw}).want(t, 201)
	gen := decodeAs[accountJSON](t, e.do(t, e.admin, "POST", "/api/v1/accounts/logged/password", nil).want(t, 200)).Password
	e.do(t, e.admin, "POST", "/api/v1/accounts", map[string]any{"site": "alice.example", "login": "weak", "password": "short"}).want(t, 422)
	logs := e.logs.String()
	if !strings.Contains(logs, "/api/v1/accounts/logged/password") {
		t.Fatalf("requests were not logged: %s", logs)
	}
	for _, secret := range []string{pw, gen, "short", e.admin} {
		if strings.Contains(logs, secret) {
			t.Errorf("log contains a secret %q:\n%s", secret, logs)
		}
	}
}

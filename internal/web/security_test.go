package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"ftpanel/internal/hosting/hostingtest"
	"ftpanel/internal/web"
)

// TestLogin_NextStaysOnPanel signs in with the hostile next values of
// issue 17 item 6 (as the login page's query string carries them) and
// checks that every redirect stays on the panel.
func TestLogin_NextStaysOnPanel(t *testing.T) {
	p := newPanel(t, web.Options{})
	for _, raw := range []string{"%2F%09%2Fevil.example%2Fphish", "%2F%5Cevil.example", "%2F%2Fevil.example",
		"%2F%0D%0A%2Fevil.example", "javascript%3Aalert(1)", "%2F%E2%88%95evil.example"} {
		t.Run(raw, func(t *testing.T) {
			next, err := url.QueryUnescape(raw)
			if err != nil {
				t.Fatal(err)
			}
			c := p.client(t)
			r := c.get("/login?next=" + raw)
			wantStatus(t, "GET /login", r, http.StatusOK)
			r = c.post("/login", url.Values{"login": {"alice"}, "password": {hostingtest.Password}, "next": {next}})
			wantStatus(t, "POST /login", r, http.StatusSeeOther)
			if r.location != "/accounts" {
				t.Errorf("Location=%q, want /accounts", r.location)
			}
		})
	}
}

// TestLogin_Guard: the panel's login form goes through the service's
// guard (issue 17 item 1).
func TestLogin_Guard(t *testing.T) {
	h := &hostingtest.CountingHasher{}
	env := hostingtest.NewWith(t, hostingtest.Config{Hasher: h})
	if _, _, err := env.Service.CreateAdmin(env.Admin(context.Background()), "admin", adminPassword); err != nil {
		t.Fatal(err)
	}
	hd, err := web.NewHandler(env.Service, web.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(hd)
	t.Cleanup(srv.Close)
	p := &panel{env: env, srv: srv}
	n := hostingtest.CheckGuard(t, hostingtest.GuardCase{Service: env.Service, Evaluations: h.Verifies,
		Try: func(t testing.TB, right bool) bool {
			pw := "Wrong-pass1"
			if right {
				pw = adminPassword
			}
			c := p.client(t.(*testing.T))
			c.get("/login")
			r := c.post("/login", url.Values{"login": {"admin"}, "password": {pw}})
			switch r.status {
			case http.StatusSeeOther:
				return true
			case http.StatusUnauthorized, http.StatusTooManyRequests:
				return false
			}
			t.Errorf("POST /login: status %d", r.status)
			return false
		}})
	t.Logf("burst of 50 wrong passwords: %d verifications", n)
}

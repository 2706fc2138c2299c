package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"ftpanel/internal/hosting"
	"ftpanel/internal/hosting/hostingtest"
	"ftpanel/internal/web"
)

var secretRe = regexp.MustCompile(`id="tf-secret">([A-Z2-7 ]+)<`)

// enrol turns two-factor sign-in on through the pages and returns the
// secret and the recovery codes shown once.
func enrol(t *testing.T, c *client) (string, []string) {
	t.Helper()
	wantBody(t, "GET /2fa", c.get("/2fa"), "Two-factor sign-in is off", `action="/2fa/setup"`)
	wantStatus(t, "POST setup", c.post("/2fa/setup", nil), http.StatusSeeOther)
	r := c.get("/2fa")
	wantBody(t, "GET /2fa enrolling", r, `src="data:image/png;base64,`, `id="tf-code"`)
	m := secretRe.FindStringSubmatch(r.body)
	if m == nil {
		t.Fatalf("no secret on the page: %s", excerpt(r.body))
	}
	secret := strings.ReplaceAll(m[1], " ", "")
	r = c.post("/2fa/enable", url.Values{"code": {"000000"}})
	wantStatus(t, "POST enable wrong code", r, http.StatusUnprocessableEntity)
	wantBody(t, "POST enable wrong code", r, "data-error-summary", `id="tf-code-error"`)
	code, _ := totp.GenerateCode(secret, time.Now())
	page := c.reveal("POST enable", c.post("/2fa/enable", url.Values{"code": {code}}))
	var codes []string
	for _, m := range regexp.MustCompile(`id="recovery-\d+">([a-z2-9-]+)<`).FindAllStringSubmatch(page.body, -1) {
		codes = append(codes, m[1])
	}
	if len(codes) != 10 {
		t.Fatalf("%d recovery codes shown, want 10", len(codes))
	}
	return secret, codes
}

func TestTwoFactorSignIn(t *testing.T) {
	p := newPanel(t, web.Options{})
	alice := p.loggedIn(t, "alice")
	secret, codes := enrol(t, alice)
	wantBody(t, "GET /2fa on", alice.get("/2fa"), "Two-factor sign-in is on", "10 recovery codes left")

	signIn := func(c *client) response {
		t.Helper()
		c.get("/login")
		r := c.post("/login", url.Values{"login": {"alice"}, "password": {hostingtest.Password}})
		if r.status != http.StatusSeeOther || r.location != "/login/2fa" {
			t.Fatalf("password step: %d %q, want 303 /login/2fa", r.status, r.location)
		}
		return c.get("/login/2fa")
	}

	t.Run("NoSessionBeforeCode", func(t *testing.T) {
		c := p.client(t)
		r := signIn(c)
		wantBody(t, "code form", r, `autocomplete="one-time-code"`)
		r = c.get("/accounts")
		if r.status != http.StatusSeeOther || !strings.HasPrefix(r.location, "/login") {
			t.Errorf("/accounts before the code: %d %q, want a redirect to sign in", r.status, r.location)
		}
	})

	t.Run("TOTP", func(t *testing.T) {
		c := p.client(t)
		signIn(c)
		wantStatus(t, "wrong code", c.post("/login/2fa", url.Values{"code": {"123456"}}), http.StatusUnauthorized)
		code, _ := totp.GenerateCode(secret, time.Now().Add(30*time.Second)) // the enrol code's step is used
		r := c.post("/login/2fa", url.Values{"code": {code}})
		if r.status != http.StatusSeeOther || r.location != "/accounts" {
			t.Fatalf("right code: %d %q, want 303 /accounts", r.status, r.location)
		}
		wantStatus(t, "signed in", c.get("/accounts"), http.StatusOK)
		// The same code does not work twice.
		c2 := p.client(t)
		signIn(c2)
		wantStatus(t, "replayed code", c2.post("/login/2fa", url.Values{"code": {code}}), http.StatusUnauthorized)
	})

	t.Run("RecoveryCodeOnce", func(t *testing.T) {
		c := p.client(t)
		signIn(c)
		wantStatus(t, "recovery code", c.post("/login/2fa", url.Values{"code": {strings.ToUpper(codes[0])}}), http.StatusSeeOther)
		c2 := p.client(t)
		signIn(c2)
		wantStatus(t, "recovery code again", c2.post("/login/2fa", url.Values{"code": {codes[0]}}), http.StatusUnauthorized)
	})

	t.Run("CLIResetTurnsOff", func(t *testing.T) {
		if err := p.env.Service.ResetTwoFactor(p.ctx(), hosting.ActorCustomer, "alice"); err != nil {
			t.Fatal(err)
		}
		c := p.client(t)
		c.get("/login")
		r := c.post("/login", url.Values{"login": {"alice"}, "password": {hostingtest.Password}})
		if r.location != "/accounts" {
			t.Errorf("after reset the password alone goes to %q, want /accounts", r.location)
		}
	})
	t.Run("Throttled", func(t *testing.T) {
		_, codes := enrol(t, alice)
		c := p.client(t)
		signIn(c)
		var r response
		for range 6 {
			r = c.post("/login/2fa", url.Values{"code": {"999999"}})
		}
		wantStatus(t, "sixth wrong code", r, http.StatusTooManyRequests)
		wantBody(t, "sixth wrong code", r, "Too many failed sign-in attempts")
		wantStatus(t, "right recovery code while blocked", c.post("/login/2fa", url.Values{"code": {codes[1]}}), http.StatusTooManyRequests)
	})
}

func TestTwoFactorRequiredForAdmins(t *testing.T) {
	p := newPanel(t, web.Options{Require2FAForAdmins: true})
	admin := p.client(t)
	admin.get("/login")
	admin.post("/login", url.Values{"login": {"admin"}, "password": {adminPassword}})
	for _, path := range []string{"/accounts", "/customers", "/tokens"} {
		r := admin.get(path)
		if r.status != http.StatusSeeOther || r.location != "/2fa" {
			t.Errorf("GET %s without 2FA: %d %q, want 303 /2fa", path, r.status, r.location)
		}
	}
	admin.get("/2fa")
	wantStatus(t, "POST without 2FA", admin.post("/customers/new", url.Values{"login": {"x"}}), http.StatusForbidden)
	wantBody(t, "2fa page", admin.get("/2fa"), "requires two-factor sign-in for administrators")
	enrol(t, admin)
	wantStatus(t, "GET /customers after enrolling", admin.get("/customers"), http.StatusOK)
	wantStatus(t, "turn off refused", admin.post("/2fa/disable", url.Values{"code": {"1"}}), http.StatusForbidden)
	// Customers are not concerned.
	alice := p.loggedIn(t, "alice")
	wantStatus(t, "customer GET /accounts", alice.get("/accounts"), http.StatusOK)
}

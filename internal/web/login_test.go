package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"ftpanel/internal/hosting"
	"ftpanel/internal/hosting/hostingtest"
	"ftpanel/internal/web"
)

func TestNewHandler(t *testing.T) {
	t.Run("ErrNilService", func(t *testing.T) {
		if _, err := web.NewHandler(nil, web.Options{}); err == nil {
			t.Fatal("NewHandler(nil) err=nil, want an error")
		}
	})
}

func TestLogin(t *testing.T) {
	p := newPanel(t, web.Options{})

	t.Run("Form", func(t *testing.T) {
		c := p.client(t)
		r := c.get("/login")
		wantStatus(t, "GET /login", r, http.StatusOK)
		wantBody(t, "GET /login", r, `<label for="login">Login</label>`, `<label for="password">Password</label>`, `name="csrf"`)
		if got := r.header.Get("Content-Security-Policy"); !strings.Contains(got, "default-src 'self'") {
			t.Errorf("Content-Security-Policy=%q, want default-src 'self'", got)
		}
		if got, want := r.header.Get("X-Frame-Options"), "DENY"; got != want {
			t.Errorf("X-Frame-Options=%q, want %q", got, want)
		}
	})

	for _, login := range []string{"admin", "alice"} {
		t.Run("OK_"+login, func(t *testing.T) {
			c := p.client(t)
			c.get("/login")
			r := c.post("/login", url.Values{"login": {login}, "password": {hostingtest.Password}})
			wantStatus(t, "POST /login", r, http.StatusSeeOther)
			if got, want := r.location, "/accounts"; got != want {
				t.Errorf("Location=%q, want %q", got, want)
			}
			var sess *http.Cookie
			for _, ck := range r.cookies {
				if ck.Name == "ftpanel_session" {
					sess = ck
				}
			}
			if sess == nil {
				t.Fatalf("no session cookie in %v", r.cookies)
			}
			if !sess.HttpOnly || sess.SameSite != http.SameSiteLaxMode || sess.Secure {
				t.Errorf("cookie HttpOnly=%v SameSite=%v Secure=%v, want true Lax false", sess.HttpOnly, sess.SameSite, sess.Secure)
			}
			if len(sess.Value) < 40 {
				t.Errorf("session id %q is too short for 32 random bytes", sess.Value)
			}
			a := c.get("/accounts")
			wantStatus(t, "GET /accounts", a, http.StatusOK)
			wantBody(t, "GET /accounts", a, `<span class="userbox-login">`+login+`</span>`)
		})
	}

	t.Run("NextIsKept", func(t *testing.T) {
		c := p.client(t)
		r := c.get("/connections")
		wantStatus(t, "GET /connections signed out", r, http.StatusSeeOther)
		if got, want := r.location, "/login?next=%2Fconnections"; got != want {
			t.Fatalf("Location=%q, want %q", got, want)
		}
		c.get(r.location)
		r = c.post("/login", url.Values{"login": {"alice"}, "password": {hostingtest.Password}, "next": {"/connections"}})
		if got, want := r.location, "/connections"; got != want {
			t.Errorf("Location=%q, want %q", got, want)
		}
	})

	t.Run("NextOffSiteIgnored", func(t *testing.T) {
		c := p.client(t)
		c.get("/login")
		r := c.post("/login", url.Values{"login": {"alice"}, "password": {hostingtest.Password}, "next": {"//evil.example/x"}})
		if got, want := r.location, "/accounts"; got != want {
			t.Errorf("Location=%q, want %q", got, want)
		}
	})

	t.Run("ErrWrongPassword", func(t *testing.T) {
		c := p.client(t)
		c.get("/login")
		r := c.post("/login", url.Values{"login": {"alice"}, "password": {"wrong-Password1"}})
		wantStatus(t, "POST /login", r, http.StatusUnauthorized)
		wantBody(t, "POST /login", r, "Wrong login or password.", `value="alice"`)
	})

	t.Run("TwoTabs", func(t *testing.T) {
		c := p.client(t)
		c.get("/login")
		first := c.csrf
		c.get("/login") // a second tab
		r := c.post("/login", url.Values{"login": {"alice"}, "password": {hostingtest.Password}, "csrf": {first}})
		wantStatus(t, "POST /login with the first tab's token", r, http.StatusSeeOther)
	})

	t.Run("ErrCSRFMissing", func(t *testing.T) {
		c := p.client(t)
		c.get("/login")
		r := c.postRaw("/login", url.Values{"login": {"alice"}, "password": {hostingtest.Password}})
		wantStatus(t, "POST /login without token", r, http.StatusForbidden)
	})

	t.Run("ErrCSRFNoCookie", func(t *testing.T) {
		c := p.client(t)
		r := c.postRaw("/login", url.Values{"login": {"alice"}, "password": {hostingtest.Password}, "csrf": {"forged"}})
		wantStatus(t, "POST /login with a forged token", r, http.StatusForbidden)
	})

	t.Run("ErrSuspended", func(t *testing.T) {
		p.env.MustCustomer(t, "carol")
		if _, err := p.env.Service.SetCustomerStatus(p.ctx(), "carol", hosting.StatusSuspended); err != nil {
			t.Fatal(err)
		}
		c := p.client(t)
		c.get("/login")
		r := c.post("/login", url.Values{"login": {"carol"}, "password": {hostingtest.Password}})
		wantStatus(t, "POST /login suspended", r, http.StatusForbidden)
		wantBody(t, "POST /login suspended", r, "Your account is suspended.")
	})
}

func TestLogin_Throttle(t *testing.T) {
	p := newPanel(t, web.Options{})
	p.env.Service.Guard().Configure(hosting.GuardConfig{MaxFailures: 5})
	c := p.client(t)
	c.get("/login")
	for range 5 {
		r := c.post("/login", url.Values{"login": {"alice"}, "password": {"Wrong-pass1"}})
		wantStatus(t, "failed login", r, http.StatusUnauthorized)
	}
	r := c.post("/login", url.Values{"login": {"alice"}, "password": {hostingtest.Password}})
	wantStatus(t, "login after 5 failures", r, http.StatusTooManyRequests)
	wantBody(t, "login after 5 failures", r, "Too many failed sign-in attempts from your address.")
	if r.header.Get("Retry-After") == "" {
		t.Error("no Retry-After header")
	}
}

func TestLogout(t *testing.T) {
	p := newPanel(t, web.Options{})
	c := p.loggedIn(t, "alice")

	r := c.postRaw("/logout", url.Values{})
	wantStatus(t, "POST /logout without token", r, http.StatusForbidden)
	wantStatus(t, "GET /accounts still signed in", c.get("/accounts"), http.StatusOK)

	r = c.post("/logout", nil)
	wantStatus(t, "POST /logout", r, http.StatusSeeOther)
	if got, want := r.location, "/login"; got != want {
		t.Errorf("Location=%q, want %q", got, want)
	}
	r = c.get("/accounts")
	wantStatus(t, "GET /accounts after logout", r, http.StatusSeeOther)
}

func TestSession_SecureCookies(t *testing.T) {
	p := newPanel(t, web.Options{SecureCookies: true})
	c := p.client(t)
	r := c.get("/login")
	var login *http.Cookie
	for _, ck := range r.cookies {
		if ck.Name == "__Host-ftpanel_login" {
			login = ck
		}
	}
	if login == nil || !login.Secure || !login.HttpOnly {
		t.Fatalf("login cookie %+v, want __Host-ftpanel_login Secure HttpOnly", login)
	}
	// The jar does not send Secure cookies over http, so post by hand.
	form := url.Values{"login": {"alice"}, "password": {hostingtest.Password}, "csrf": {login.Value}}
	req, _ := http.NewRequest(http.MethodPost, p.srv.URL+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(login)
	res := c.do(req)
	wantStatus(t, "POST /login", res, http.StatusSeeOther)
	var sess *http.Cookie
	for _, ck := range res.cookies {
		if ck.Name == "__Host-ftpanel_session" {
			sess = ck
		}
	}
	if sess == nil || !sess.Secure || !sess.HttpOnly || sess.Path != "/" {
		t.Fatalf("session cookie %+v, want __Host-ftpanel_session Secure HttpOnly Path=/", sess)
	}
	if got := res.header.Get("Strict-Transport-Security"); got == "" {
		t.Error("no Strict-Transport-Security header with SecureCookies")
	}
}

func TestSession_Ends(t *testing.T) {
	p := newPanel(t, web.Options{})

	t.Run("CustomerSuspended", func(t *testing.T) {
		c := p.loggedIn(t, "bob")
		if _, err := p.env.Service.SetCustomerStatus(p.ctx(), "bob", hosting.StatusSuspended); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _, _ = p.env.Service.SetCustomerStatus(p.ctx(), "bob", hosting.StatusActive) })
		r := c.get("/accounts")
		wantStatus(t, "GET /accounts after suspension", r, http.StatusSeeOther)
	})

	t.Run("AdminDeleted", func(t *testing.T) {
		if _, _, err := p.env.Service.CreateAdmin(p.ctx(), "admin2", hostingtest.Password); err != nil {
			t.Fatal(err)
		}
		c := p.client(t)
		c.login("admin2", hostingtest.Password)
		if err := p.env.Service.DeleteAdmin(p.ctx(), "admin2"); err != nil {
			t.Fatal(err)
		}
		r := c.get("/accounts")
		wantStatus(t, "GET /accounts after admin deletion", r, http.StatusSeeOther)
	})

	t.Run("UnknownCookie", func(t *testing.T) {
		c := p.client(t)
		req, _ := http.NewRequest(http.MethodGet, p.srv.URL+"/accounts", nil)
		req.AddCookie(&http.Cookie{Name: "ftpanel_session", Value: "not-a-session"})
		r := c.do(req)
		wantStatus(t, "GET /accounts with a made-up cookie", r, http.StatusSeeOther)
	})
}

func TestHome(t *testing.T) {
	p := newPanel(t, web.Options{})
	c := p.client(t)
	if got, want := c.get("/").location, "/login"; got != want {
		t.Errorf("signed out: Location=%q, want %q", got, want)
	}
	c.login("alice", hostingtest.Password)
	if got, want := c.get("/").location, "/accounts"; got != want {
		t.Errorf("signed in: Location=%q, want %q", got, want)
	}
	r := c.get("/no/such/page")
	wantStatus(t, "GET unknown", r, http.StatusNotFound)
	wantBody(t, "GET unknown", r, "Page not found")
}

func TestStatic(t *testing.T) {
	p := newPanel(t, web.Options{})
	c := p.client(t)
	for _, tc := range []struct {
		path, ctype string
		status      int
	}{
		{"/static/style.css", "text/css", http.StatusOK},
		{"/static/app.js", "javascript", http.StatusOK},
		{"/static/favicon.svg", "image/svg+xml", http.StatusOK},
		{"/static/nope.js", "", http.StatusNotFound},
		{"/static/", "", http.StatusNotFound},
	} {
		r := c.get(tc.path)
		if r.status != tc.status {
			t.Errorf("GET %s: status %d, want %d", tc.path, r.status, tc.status)
			continue
		}
		if got := r.header.Get("Content-Type"); !strings.Contains(got, tc.ctype) {
			t.Errorf("GET %s: Content-Type=%q, want %q", tc.path, got, tc.ctype)
		}
	}
	// Pages link the static files with a version tag.
	wantBody(t, "GET /login", c.get("/login"), `href="/static/style.css?v=`, `src="/static/app.js?v=`)
}

package web_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"ftpanel/internal/hosting"
	"ftpanel/internal/hosting/hostingtest"
	"ftpanel/internal/web"
)

// adminPassword is the panel password of the test administrator "admin".
const adminPassword = hostingtest.Password

// panel is a running panel over a real SQLite-backed service.
type panel struct {
	env *hostingtest.Env
	srv *httptest.Server
}

// newPanel starts the panel on 127.0.0.1 with an administrator "admin",
// customers "alice" (site example.com, account "web1") and "bob" (site
// bob.example, account "bobftp").
func newPanel(t testing.TB, o web.Options) *panel {
	t.Helper()
	env := hostingtest.New(t)
	ctx := env.Admin(context.Background())
	if _, _, err := env.Service.CreateAdmin(ctx, "admin", adminPassword); err != nil {
		t.Fatalf("CreateAdmin: %v", err)
	}
	env.MustCustomer(t, "alice")
	env.MustSite(t, "alice", "example.com")
	env.MustAccount(t, "example.com", "web1", "")
	env.MustCustomer(t, "bob")
	env.MustSite(t, "bob", "bob.example")
	env.MustAccount(t, "bob.example", "bobftp", "")
	h, err := web.NewHandler(env.Service, o)
	if err != nil {
		t.Fatalf("NewHandler: %v", err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &panel{env: env, srv: srv}
}

// ctx returns an admin context for direct service calls.
func (p *panel) ctx() context.Context { return p.env.Admin(context.Background()) }

// client is one browser: a cookie jar and the last CSRF token seen.
type client struct {
	t    testing.TB
	p    *panel
	http *http.Client
	csrf string
}

func (p *panel) client(t testing.TB) *client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &client{t: t, p: p, http: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// response is a finished request.
type response struct {
	status   int
	body     string
	location string
	header   http.Header
	cookies  []*http.Cookie
}

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (c *client) do(req *http.Request) response {
	c.t.Helper()
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatalf("read body: %v", err)
	}
	r := response{status: res.StatusCode, body: string(b), location: res.Header.Get("Location"), header: res.Header, cookies: res.Cookies()}
	if m := csrfRe.FindStringSubmatch(r.body); m != nil {
		c.csrf = m[1]
	}
	return r
}

// get fetches path.
func (c *client) get(path string) response {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.p.srv.URL+path, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	return c.do(req)
}

// post submits form to path with the last CSRF token seen (when the form
// has none).
func (c *client) post(path string, form url.Values) response {
	c.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["csrf"]; !ok {
		form.Set("csrf", c.csrf)
	}
	return c.postRaw(path, form)
}

// postRaw submits form exactly as given.
func (c *client) postRaw(path string, form url.Values) response {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.p.srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

// login signs in and fails the test unless it lands on /accounts.
func (c *client) login(login, password string) {
	c.t.Helper()
	c.get("/login")
	r := c.post("/login", url.Values{"login": {login}, "password": {password}})
	if r.status != http.StatusSeeOther || r.location != "/accounts" {
		c.t.Fatalf("login %s: status %d location %q, want 303 /accounts; body: %s", login, r.status, r.location, excerpt(r.body))
	}
	c.get("/accounts") // picks up the session's CSRF token
}

// loggedIn returns a client signed in as login.
func (p *panel) loggedIn(t testing.TB, login string) *client {
	t.Helper()
	c := p.client(t)
	pw := hostingtest.Password
	if login == "admin" {
		pw = adminPassword
	}
	c.login(login, pw)
	return c
}

// wantStatus fails unless r has status want.
func wantStatus(t testing.TB, what string, r response, want int) {
	t.Helper()
	if r.status != want {
		t.Fatalf("%s: status %d, want %d; body: %s", what, r.status, want, excerpt(r.body))
	}
}

// wantBody fails unless the body contains every one of subs.
func wantBody(t testing.TB, what string, r response, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(r.body, s) {
			t.Errorf("%s: body does not contain %q; body: %s", what, s, excerpt(r.body))
		}
	}
}

// wantNoBody fails if the body contains any of subs.
func wantNoBody(t testing.TB, what string, r response, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if strings.Contains(r.body, s) {
			t.Errorf("%s: body contains %q", what, s)
		}
	}
}

// excerpt returns the main part of a page for failure messages.
func excerpt(body string) string {
	if i := strings.Index(body, `<main`); i >= 0 {
		body = body[i:]
	}
	if len(body) > 3000 {
		body = body[:3000] + "…"
	}
	return body
}

// account returns an account by login through the service, as admin.
func (p *panel) account(t testing.TB, login string) (*hosting.Account, error) {
	t.Helper()
	return p.env.Service.Account(p.ctx(), login)
}

// reveal follows the redirect of a POST that made a secret to its
// one-time page and returns that page; a second visit must not show it
// again.
func (c *client) reveal(what string, r response) response {
	c.t.Helper()
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.location, "/done/") {
		c.t.Fatalf("%s: status %d location %q, want 303 to /done/…; body: %s", what, r.status, r.location, excerpt(r.body))
	}
	page := c.get(r.location)
	wantStatus(c.t, what+" once-page", page, http.StatusOK)
	if page.header.Get("Cache-Control") != "no-store" {
		c.t.Errorf("%s: once-page Cache-Control=%q, want no-store", what, page.header.Get("Cache-Control"))
	}
	again := c.get(r.location)
	if again.status != http.StatusSeeOther || strings.Contains(again.body, "cred-password") {
		c.t.Errorf("%s: second visit status %d, want 303 and no secret", what, again.status)
	}
	return page
}

package web_test

import (
	"context"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"ftpanel/internal/hosting"
	"ftpanel/internal/web"
)

var loopback = netip.MustParseAddr("127.0.0.1")

func TestAccountList(t *testing.T) {
	p := newPanel(t, web.Options{FTPHost: "ftp.host.example", FTPPort: 2121,
		FileManagerURL: "https://files.example.net/?site={site}"})
	p.env.MustSite(t, "alice", "bücher.example")
	if err := p.env.Service.RecordUsage(p.ctx(), mustAccount(t, p, "web1").ID, 30<<20); err != nil {
		t.Fatal(err)
	}
	q := int64(100 << 20)
	if _, err := p.env.Service.UpdateAccount(p.ctx(), "web1", hosting.AccountUpdate{QuotaBytes: &q}); err != nil {
		t.Fatal(err)
	}
	alice := p.loggedIn(t, "alice")

	t.Run("Cards", func(t *testing.T) {
		r := alice.get("/accounts")
		wantStatus(t, "GET /accounts", r, http.StatusOK)
		wantBody(t, "GET /accounts", r,
			`<h3 class="account-login">web1</h3>`,
			`bücher.example`, // Unicode display of xn--bcher-kva.example
			`href="http://example.com"`,
			`href="/sites/example.com/accounts"`,
			`href="/sites/xn--bcher-kva.example/accounts"`,
			`<code>ftp.host.example</code>`,
			`<code>2121</code>`,
			`<code class="home">/</code>`,
			`30 MB <span class="muted">/ 100 MB`,
			`aria-valuenow="30"`,
			`<span class="badge badge-active">Active</span>`,
			`href="/accounts/web1/edit"`,
			`href="/accounts/web1/delete"`,
			`href="https://files.example.net/?site=example.com"`,
			`>+</span> Add account`,
			`<option value="xn--bcher-kva.example">bücher.example</option>`,
		)
		wantNoBody(t, "GET /accounts", r, "bobftp", "bob.example")
	})

	t.Run("Suspended", func(t *testing.T) {
		if _, err := p.env.Service.SetSiteStatus(p.ctx(), "example.com", hosting.StatusSuspended); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _, _ = p.env.Service.SetSiteStatus(p.ctx(), "example.com", hosting.StatusActive) })
		r := alice.get("/accounts")
		wantBody(t, "GET /accounts", r, `<span class="badge badge-suspended">Suspended</span>`, "The site is suspended.")
	})

	t.Run("Search", func(t *testing.T) {
		r := alice.get("/accounts?q=web")
		wantBody(t, "GET /accounts?q=web", r, `<h3 class="account-login">web1</h3>`)
		r = alice.get("/accounts?q=zzz")
		wantBody(t, "GET /accounts?q=zzz", r, "No account matches")
	})

	t.Run("AdminSeesAll", func(t *testing.T) {
		r := p.loggedIn(t, "admin").get("/accounts")
		wantBody(t, "admin GET /accounts", r, `<h3 class="account-login">web1</h3>`, `<h3 class="account-login">bobftp</h3>`)
	})

	t.Run("BuiltInFileManager", func(t *testing.T) {
		p2 := newPanel(t, web.Options{})
		r := p2.loggedIn(t, "alice").get("/accounts")
		// Without FileManagerURL the button opens the built-in one (issue 15).
		wantBody(t, "GET /accounts", r, `href="/sites/example.com/files"`)
		// Without FTPHost, the host the panel was reached at is shown.
		wantBody(t, "GET /accounts", r, `<code>127.0.0.1</code>`, `<code>21</code>`)
	})
}

func mustAccount(t *testing.T, p *panel, login string) *hosting.Account {
	t.Helper()
	a, err := p.account(t, login)
	if err != nil {
		t.Fatalf("account %s: %v", login, err)
	}
	return a
}

var (
	credLoginRe    = regexp.MustCompile(`<code id="cred-login">([^<]+)</code>`)
	credPasswordRe = regexp.MustCompile(`<code id="cred-password">([^<]+)</code>`)
)

// credentials reads the login and password shown once on a created page.
func credentials(t *testing.T, body string) (login, password string) {
	t.Helper()
	m := credLoginRe.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no login on the page: %s", excerpt(body))
	}
	login = m[1]
	if m := credPasswordRe.FindStringSubmatch(body); m != nil {
		password = htmlUnescape(m[1])
	}
	return login, password
}

func htmlUnescape(s string) string {
	return strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">", "&#43;", "+", "&#34;", `"`, "&#39;", "'", "&#61;", "=").Replace(s)
}

func TestAccountCreateSimple(t *testing.T) {
	p := newPanel(t, web.Options{})
	alice := p.loggedIn(t, "alice")

	t.Run("OK", func(t *testing.T) {
		r := alice.reveal("POST /accounts", alice.post("/accounts", url.Values{"site": {"example.com"}}))
		wantBody(t, "POST /accounts", r, "FTP account created", `data-copy="cred-password"`, "shown only once")
		if got := r.header.Get("Cache-Control"); got != "no-store" {
			t.Errorf("Cache-Control=%q, want no-store", got)
		}
		login, pw := credentials(t, r.body)
		if pw == "" {
			t.Fatal("no generated password shown")
		}
		a, err := p.env.Service.AuthenticateFTP(context.Background(), login, pw, loopback)
		if err != nil {
			t.Fatalf("AuthenticateFTP(%s, shown password): %v", login, err)
		}
		if got, want := a.SiteName, "example.com"; got != want {
			t.Errorf("SiteName=%q, want %q", got, want)
		}
		if got, want := a.Home, "/httpdocs"; got != want { // simple mode: the site's web folder
			t.Errorf("Home=%q, want %q", got, want)
		}
	})

	t.Run("ErrCSRFMissing", func(t *testing.T) {
		n := countAccounts(t, p)
		r := alice.postRaw("/accounts", url.Values{"site": {"example.com"}})
		wantStatus(t, "POST /accounts without token", r, http.StatusForbidden)
		r = alice.postRaw("/accounts", url.Values{"site": {"example.com"}, "csrf": {"wrong"}})
		wantStatus(t, "POST /accounts with a wrong token", r, http.StatusForbidden)
		if got := countAccounts(t, p); got != n {
			t.Errorf("accounts=%d after refused posts, want %d", got, n)
		}
	})

	t.Run("ErrOtherCustomersSite", func(t *testing.T) {
		n := countAccounts(t, p)
		r := alice.post("/accounts", url.Values{"site": {"bob.example"}})
		wantStatus(t, "POST /accounts to bob's site", r, http.StatusUnprocessableEntity)
		wantBody(t, "POST /accounts to bob's site", r, `id="add-site-error"`, "not found")
		if got := countAccounts(t, p); got != n {
			t.Errorf("accounts=%d, want %d", got, n)
		}
	})

	t.Run("ErrLimitExceeded", func(t *testing.T) {
		zero := 0
		if _, err := p.env.Service.UpdateCustomer(p.ctx(), "alice", hosting.CustomerUpdate{MaxFTPAccounts: &zero}); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			u := hosting.Unlimited
			_, _ = p.env.Service.UpdateCustomer(p.ctx(), "alice", hosting.CustomerUpdate{MaxFTPAccounts: &u})
		})
		r := alice.post("/accounts", url.Values{"site": {"example.com"}})
		wantStatus(t, "POST /accounts over the limit", r, http.StatusUnprocessableEntity)
		wantBody(t, "POST /accounts over the limit", r, `id="add-site-error"`, `<option value="example.com" selected>`)
	})
}

func countAccounts(t *testing.T, p *panel) int {
	t.Helper()
	n, err := p.env.Service.CountAccounts(p.ctx(), hosting.AccountFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestSiteAccountList(t *testing.T) {
	p := newPanel(t, web.Options{})
	site, err := p.env.Service.Site(p.ctx(), "example.com")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(site.Root, "httpdocs", "uploads"), 0o755); err != nil {
		t.Fatal(err)
	}
	alice := p.loggedIn(t, "alice")

	r := alice.get("/sites/example.com/accounts")
	wantStatus(t, "GET /sites/example.com/accounts", r, http.StatusOK)
	wantBody(t, "GET site accounts", r,
		`<h3 class="account-login">web1</h3>`,
		`<option value="/httpdocs/uploads"></option>`,
		`data-folder="/httpdocs/uploads"`,
		`<label for="f-login">Login</label>`,
		`name="create_missing"`,
		`1 additional account`,
	)

	t.Run("ErrOtherCustomer", func(t *testing.T) {
		bob := p.loggedIn(t, "bob")
		r := bob.get("/sites/example.com/accounts")
		wantStatus(t, "bob GET alice's site", r, http.StatusNotFound)
		wantNoBody(t, "bob GET alice's site", r, "web1")
	})
	t.Run("ErrNoSuchSite", func(t *testing.T) {
		wantStatus(t, "GET unknown site", alice.get("/sites/nope.example/accounts"), http.StatusNotFound)
	})
}

func TestSiteAccountCreate(t *testing.T) {
	p := newPanel(t, web.Options{})
	alice := p.loggedIn(t, "alice")
	alice.get("/sites/example.com/accounts")
	form := func(kv ...string) url.Values {
		v := url.Values{"login": {"upload1"}, "password": {"Secret-Pass9"}, "home": {"/httpdocs/up"},
			"create_missing": {"1"}, "quota": {"50"}, "quota_unit": {"MB"}, "read": {"1"}}
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i+1] == "" {
				v.Del(kv[i])
			} else {
				v.Set(kv[i], kv[i+1])
			}
		}
		return v
	}

	t.Run("OK", func(t *testing.T) {
		r := alice.reveal("POST advanced", alice.post("/sites/example.com/accounts", form()))
		login, pw := credentials(t, r.body)
		if got, want := login, "upload1"; got != want {
			t.Errorf("login=%q, want %q", got, want)
		}
		if pw != "" {
			t.Errorf("password %q shown, want none (it was typed)", pw)
		}
		a := mustAccount(t, p, "upload1")
		if a.Home != "/httpdocs/up" || a.QuotaBytes != 50<<20 || !a.Read || a.Write {
			t.Errorf("account home=%q quota=%d read=%v write=%v, want /httpdocs/up 50 MiB true false", a.Home, a.QuotaBytes, a.Read, a.Write)
		}
		if _, err := p.env.Service.AuthenticateFTP(context.Background(), "upload1", "Secret-Pass9", loopback); err != nil {
			t.Errorf("AuthenticateFTP: %v", err)
		}
	})

	t.Run("OKGenerated", func(t *testing.T) {
		r := alice.reveal("POST advanced generate", alice.post("/sites/example.com/accounts", form("login", "gen1", "password", "", "generate", "1", "home", "/httpdocs")))
		login, pw := credentials(t, r.body)
		if login != "gen1" || pw == "" {
			t.Fatalf("login=%q password=%q, want gen1 and a generated one", login, pw)
		}
		if _, err := p.env.Service.AuthenticateFTP(context.Background(), login, pw, loopback); err != nil {
			t.Errorf("AuthenticateFTP with the shown password: %v", err)
		}
	})

	for _, tc := range []struct {
		name  string
		form  url.Values
		field string // id of the error paragraph
		text  string
	}{
		{"ErrWeakPassword", form("login", "weak1", "password", "short"), "f-password-error", "at least 8 characters"},
		{"ErrNoPassword", form("login", "nopw1", "password", ""), "f-password-error", "Enter a password, or tick Generate"},
		{"ErrInvalidLogin", form("login", "Bad Login"), "f-login-error", "is invalid"},
		{"ErrReservedLogin", form("login", "root"), "f-login-error", "reserved"},
		{"ErrLoginTaken", form("login", "web1"), "f-login-error", ""},
		{"ErrHomeNotFound", form("login", "home1", "home", "/httpdocs/missing", "create_missing", ""), "f-home-error", ""},
		{"ErrHomeOutside", form("login", "home2", "home", "/../etc"), "f-home-error", "leaves the site"},
		{"ErrTopLevelDir", form("login", "home3", "home", "/newtop"), "f-home-error", ""},
		{"ErrQuota", form("login", "quota1", "quota", "lots"), "f-quota-error", "Enter a size"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := countAccounts(t, p)
			r := alice.post("/sites/example.com/accounts", tc.form)
			wantStatus(t, "POST advanced", r, http.StatusUnprocessableEntity)
			wantBody(t, "POST advanced", r, `id="`+tc.field+`"`, tc.text,
				`value="`+tc.form.Get("login")+`"`, `value="`+tc.form.Get("home")+`"`)
			if got := countAccounts(t, p); got != n {
				t.Errorf("accounts=%d after a failed create, want %d", got, n)
			}
		})
	}

	t.Run("ErrAllAtOnce", func(t *testing.T) {
		// A taken login, a weak password, a folder outside the site, a bad
		// quota, date and address: every problem is listed in one answer,
		// each on its own field only, and the password is not written back.
		n := countAccounts(t, p)
		f := form("login", "web1", "password", "shortT", "home", "../etc", "quota", "lots",
			"expires", "31/12/2030", "allowed_ips", "10.0.0.0/8 nonsense")
		r := alice.post("/sites/example.com/accounts", f)
		wantStatus(t, "POST advanced with six errors", r, http.StatusUnprocessableEntity)
		wantBody(t, "POST advanced with six errors", r, `data-error-summary`, "There are 6 problems",
			`href="#f-login"`, `href="#f-password"`, `href="#f-home"`, `href="#f-quota"`, `href="#f-expires"`, `href="#f-allowed-ips"`,
			`id="f-login-error"`, `id="f-password-error"`, `id="f-home-error"`, `id="f-quota-error"`, `id="f-expires-error"`, `id="f-allowed-ips-error"`,
			"already taken", "leaves the site", `value="web1"`, `nonsense`)
		wantNoBody(t, "POST advanced with six errors", r, "shortT")
		if i := strings.Index(r.body, `data-error-summary`); i < 0 || i > strings.Index(r.body, `id="f-login"`) {
			t.Errorf("error summary not before the first field")
		}
		if got := countAccounts(t, p); got != n {
			t.Errorf("accounts=%d after a failed create, want %d", got, n)
		}
	})

	t.Run("ErrHomeOnlyOnHomeField", func(t *testing.T) {
		r := alice.post("/sites/example.com/accounts", form("login", "only1", "home", "../etc"))
		wantStatus(t, "POST advanced bad home", r, http.StatusUnprocessableEntity)
		wantBody(t, "POST advanced bad home", r, "There is a problem", `<div class="field field-check"><label class="check"><input type="checkbox" name="create_missing"`)
		wantNoBody(t, "POST advanced bad home", r, `id="f-login-error"`, `id="f-quota-error"`, "Secret-Pass9")
	})

	t.Run("OKExpiryAndAddresses", func(t *testing.T) {
		r := alice.reveal("POST advanced expiry", alice.post("/sites/example.com/accounts",
			form("login", "exp1", "expires", "2031-01-31", "allowed_ips", "203.0.113.0/24\n198.51.100.7")))
		wantBody(t, "once-page", r, "exp1")
		a := mustAccount(t, p, "exp1")
		if a.ExpiresAt == nil || a.ExpiresAt.Format("2006-01-02") != "2031-01-31" || len(a.AllowedIPs) != 2 {
			t.Errorf("expires=%v allowed=%v, want 2031-01-31 and two entries", a.ExpiresAt, a.AllowedIPs)
		}
		r = alice.get("/accounts/exp1/edit")
		wantBody(t, "edit exp1", r, `value="2031-01-31"`, "203.0.113.0/24")
	})

	t.Run("ErrOtherCustomer", func(t *testing.T) {
		bob := p.loggedIn(t, "bob")
		r := bob.post("/sites/example.com/accounts", form("login", "sneaky"))
		wantStatus(t, "bob POST to alice's site", r, http.StatusNotFound)
		if _, err := p.account(t, "sneaky"); hosting.ErrorCode(err) != hosting.CodeNotFound {
			t.Errorf("sneaky exists: err=%v", err)
		}
	})

	t.Run("ErrCSRFMissing", func(t *testing.T) {
		f := form("login", "nocsrf")
		r := alice.postRaw("/sites/example.com/accounts", f)
		wantStatus(t, "POST without token", r, http.StatusForbidden)
	})
}

func TestAccountEdit(t *testing.T) {
	p := newPanel(t, web.Options{})
	site, err := p.env.Service.Site(p.ctx(), "example.com")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(site.Root, "httpdocs", "img"), 0o755); err != nil {
		t.Fatal(err)
	}
	alice := p.loggedIn(t, "alice")

	t.Run("Form", func(t *testing.T) {
		r := alice.get("/accounts/web1/edit")
		wantStatus(t, "GET edit", r, http.StatusOK)
		wantBody(t, "GET edit", r, `<label for="f-password">New password</label>`, `id="f-home" name="home" type="text" value="/"`,
			`data-folder="/httpdocs/img"`, `id="f-read"`, `checked`)
		wantNoBody(t, "GET edit", r, `id="f-login"`)
	})

	t.Run("OKPasswordAndHome", func(t *testing.T) {
		alice.get("/accounts/web1/edit")
		r := alice.post("/accounts/web1/edit", url.Values{"password": {"New-Secret7"}, "home": {"/httpdocs/img"},
			"quota": {"2"}, "quota_unit": {"GB"}, "read": {"1"}, "write": {"1"}})
		wantStatus(t, "POST edit", r, http.StatusSeeOther)
		a := mustAccount(t, p, "web1")
		if a.Home != "/httpdocs/img" || a.QuotaBytes != 2<<30 {
			t.Errorf("home=%q quota=%d, want /httpdocs/img 2 GiB", a.Home, a.QuotaBytes)
		}
		if _, err := p.env.Service.AuthenticateFTP(context.Background(), "web1", "New-Secret7", loopback); err != nil {
			t.Errorf("AuthenticateFTP with the new password: %v", err)
		}
		r = alice.get(r.location)
		wantBody(t, "after edit", r, "Account web1 saved.")
	})

	t.Run("OKGeneratePassword", func(t *testing.T) {
		r := alice.reveal("POST edit generate", alice.post("/accounts/web1/edit", url.Values{"generate": {"1"}, "home": {"/httpdocs/img"}, "read": {"1"}, "write": {"1"}}))
		wantBody(t, "POST edit generate", r, "New password set")
		_, pw := credentials(t, r.body)
		if _, err := p.env.Service.AuthenticateFTP(context.Background(), "web1", pw, loopback); err != nil {
			t.Errorf("AuthenticateFTP with the generated password: %v", err)
		}
	})

	t.Run("OKKeepPassword", func(t *testing.T) {
		before := mustAccount(t, p, "web1").PasswordHash
		r := alice.post("/accounts/web1/edit", url.Values{"home": {"/httpdocs"}, "read": {"1"}, "write": {"1"}})
		wantStatus(t, "POST edit without password", r, http.StatusSeeOther)
		if mustAccount(t, p, "web1").PasswordHash != before {
			t.Error("password changed although the field was empty")
		}
	})

	t.Run("ErrHomeOutside", func(t *testing.T) {
		r := alice.post("/accounts/web1/edit", url.Values{"home": {"../../etc"}, "read": {"1"}})
		wantStatus(t, "POST edit bad home", r, http.StatusUnprocessableEntity)
		wantBody(t, "POST edit bad home", r, `id="f-home-error"`, `value="../../etc"`)
		if got := mustAccount(t, p, "web1").Home; got != "/httpdocs" {
			t.Errorf("home=%q after a failed edit, want /httpdocs", got)
		}
	})

	t.Run("ErrWeakPassword", func(t *testing.T) {
		r := alice.post("/accounts/web1/edit", url.Values{"password": {"abc"}, "home": {"/httpdocs"}, "read": {"1"}})
		wantStatus(t, "POST edit weak", r, http.StatusUnprocessableEntity)
		wantBody(t, "POST edit weak", r, `id="f-password-error"`)
	})

	t.Run("MainAccountHomeFixed", func(t *testing.T) {
		main := mainAccount(t, p, "example.com")
		r := alice.get("/accounts/" + main + "/edit")
		wantStatus(t, "GET edit main", r, http.StatusOK)
		wantBody(t, "GET edit main", r, "The main account always opens the whole site.")
		r = alice.post("/accounts/"+main+"/edit", url.Values{"quota": {"1"}, "quota_unit": {"GB"}, "read": {"1"}, "write": {"1"}})
		wantStatus(t, "POST edit main", r, http.StatusSeeOther)
	})

	t.Run("ErrOtherCustomer", func(t *testing.T) {
		bob := p.loggedIn(t, "bob")
		wantStatus(t, "bob GET alice's edit", bob.get("/accounts/web1/edit"), http.StatusNotFound)
		r := bob.post("/accounts/web1/edit", url.Values{"password": {"Bob-Owns-It9"}, "read": {"1"}})
		wantStatus(t, "bob POST alice's edit", r, http.StatusNotFound)
		if _, err := p.env.Service.AuthenticateFTP(context.Background(), "web1", "Bob-Owns-It9", loopback); err == nil {
			t.Error("bob changed alice's password")
		}
	})

	t.Run("ErrCSRFMissing", func(t *testing.T) {
		r := alice.postRaw("/accounts/web1/edit", url.Values{"password": {"Csrf-Less-1"}})
		wantStatus(t, "POST edit without token", r, http.StatusForbidden)
	})
}

func mainAccount(t *testing.T, p *panel, site string) string {
	t.Helper()
	s, err := p.env.Service.Site(p.ctx(), site)
	if err != nil {
		t.Fatal(err)
	}
	yes := true
	list, err := p.env.Service.Accounts(p.ctx(), hosting.AccountFilter{SiteID: &s.ID, Main: &yes})
	if err != nil || len(list) != 1 {
		t.Fatalf("main account of %s: %v %v", site, list, err)
	}
	return list[0].Login
}

func TestAccountDelete(t *testing.T) {
	p := newPanel(t, web.Options{})
	p.env.MustAccount(t, "example.com", "gone1", "")
	alice := p.loggedIn(t, "alice")

	t.Run("ConfirmPage", func(t *testing.T) {
		r := alice.get("/accounts/gone1/delete")
		wantStatus(t, "GET delete", r, http.StatusOK)
		wantBody(t, "GET delete", r, "Delete FTP account?", `action="/accounts/gone1/delete"`, "are kept")
	})

	t.Run("ErrCSRFMissing", func(t *testing.T) {
		r := alice.postRaw("/accounts/gone1/delete", url.Values{})
		wantStatus(t, "POST delete without token", r, http.StatusForbidden)
		mustAccount(t, p, "gone1")
	})

	t.Run("ErrOtherCustomer", func(t *testing.T) {
		bob := p.loggedIn(t, "bob")
		wantStatus(t, "bob GET delete", bob.get("/accounts/gone1/delete"), http.StatusNotFound)
		wantStatus(t, "bob POST delete", bob.post("/accounts/gone1/delete", nil), http.StatusNotFound)
		mustAccount(t, p, "gone1")
	})

	t.Run("OK", func(t *testing.T) {
		alice.get("/accounts/gone1/delete")
		r := alice.post("/accounts/gone1/delete", url.Values{"back": {"/sites/example.com/accounts"}})
		wantStatus(t, "POST delete", r, http.StatusSeeOther)
		if got, want := r.location, "/sites/example.com/accounts"; got != want {
			t.Errorf("Location=%q, want %q", got, want)
		}
		if _, err := p.account(t, "gone1"); hosting.ErrorCode(err) != hosting.CodeNotFound {
			t.Errorf("gone1 still exists: err=%v", err)
		}
		wantBody(t, "after delete", alice.get(r.location), "Account gone1 deleted.")
		wantStatus(t, "GET delete of a deleted account", alice.get("/accounts/gone1/delete"), http.StatusNotFound)
	})

	t.Run("ErrMainAccount", func(t *testing.T) {
		main := mainAccount(t, p, "example.com")
		r := alice.get("/accounts/" + main + "/delete")
		wantBody(t, "GET delete main", r, "cannot be deleted")
		r = alice.post("/accounts/"+main+"/delete", nil)
		wantStatus(t, "POST delete main", r, http.StatusSeeOther)
		mustAccount(t, p, main)
		wantBody(t, "after delete main", alice.get("/accounts"), `flash-error`, "cannot be deleted")
	})

	t.Run("OffSiteBackIgnored", func(t *testing.T) {
		p.env.MustAccount(t, "example.com", "gone2", "")
		r := alice.post("/accounts/gone2/delete", url.Values{"back": {"https://evil.example/"}})
		if got, want := r.location, "/accounts"; got != want {
			t.Errorf("Location=%q, want %q", got, want)
		}
	})
}

package web_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"ftpanel/internal/hosting"
	"ftpanel/internal/hosting/hostingtest"
	"ftpanel/internal/web"
)

// TestPanelAdmin_Customer404 checks that a customer reaches none of the
// new admin pages: each answers 404 and changes nothing.
func TestPanelAdmin_Customer404(t *testing.T) {
	p := newPanel(t, web.Options{})
	alice := p.loggedIn(t, "alice")
	for _, path := range []string{"/customers/new", "/customers/bob/edit", "/customers/bob/delete", "/sites/new",
		"/sites/bob.example/edit", "/sites/bob.example/delete", "/tokens", "/bans"} {
		wantStatus(t, "customer GET "+path, alice.get(path), http.StatusNotFound)
	}
	for _, path := range []string{"/customers/new", "/customers/bob/edit", "/customers/bob/password", "/customers/bob/delete",
		"/sites/new", "/sites/example.com/edit", "/sites/example.com/delete", "/tokens", "/tokens/x/delete", "/bans/delete"} {
		r := alice.post(path, url.Values{"login": {"evil"}, "name": {"evil.example"}, "customer": {"alice"}, "confirm": {"bob"}})
		wantStatus(t, "customer POST "+path, r, http.StatusNotFound)
	}
	if _, err := p.env.Service.Customer(p.ctx(), "evil"); hosting.ErrorCode(err) != hosting.CodeNotFound {
		t.Errorf("customer evil exists: %v", err)
	}
	if _, err := p.env.Service.Customer(p.ctx(), "bob"); err != nil {
		t.Errorf("bob gone: %v", err)
	}
	wantNoBody(t, "customer nav", alice.get("/accounts"), `href="/tokens"`, `href="/bans"`)
}

func TestPanelAdmin_Customers(t *testing.T) {
	p := newPanel(t, web.Options{})
	admin := p.loggedIn(t, "admin")

	t.Run("CreateGenerated", func(t *testing.T) {
		wantBody(t, "GET new", admin.get("/customers/new"), `id="c-login"`, `id="c-email"`)
		r := admin.reveal("POST new", admin.post("/customers/new", url.Values{"login": {"carol"}, "name": {"Carol C"},
			"email": {"carol@example.net"}, "max_ftp_accounts": {"5"}}))
		login, pw := credentials(t, r.body)
		if login != "carol" || pw == "" {
			t.Fatalf("shown %q / %q, want carol and a generated password", login, pw)
		}
		if _, err := p.env.Service.AuthenticatePanel(context.Background(), "carol", pw, hosting.ViaWeb, "127.0.0.1"); err != nil {
			t.Errorf("carol cannot sign in with the shown password: %v", err)
		}
		c, err := p.env.Service.Customer(p.ctx(), "carol")
		if err != nil || c.Name != "Carol C" || c.Email != "carol@example.net" || c.MaxFTPAccounts != 5 {
			t.Errorf("carol = %+v, %v", c, err)
		}
	})

	t.Run("ErrAllAtOnce", func(t *testing.T) {
		r := admin.post("/customers/new", url.Values{"login": {"alice"}, "email": {"not-mail"}, "max_ftp_accounts": {"-7"}, "password": {"Weak-pw"}})
		wantStatus(t, "POST new bad", r, http.StatusUnprocessableEntity)
		wantBody(t, "POST new bad", r, "There are 4 problems", `href="#c-login"`, `href="#c-email"`, `href="#c-max"`, `href="#c-password"`, "already exists")
		wantNoBody(t, "POST new bad", r, "Weak-pw")
	})

	t.Run("Edit", func(t *testing.T) {
		wantBody(t, "GET edit", admin.get("/customers/bob/edit"), `id="c-name"`, `action="/customers/bob/password"`)
		r := admin.post("/customers/bob/edit", url.Values{"name": {"Bob B"}, "email": {"bob@example.org"}, "max_ftp_accounts": {""}})
		wantStatus(t, "POST edit", r, http.StatusSeeOther)
		c, _ := p.env.Service.Customer(p.ctx(), "bob")
		if c.Name != "Bob B" || c.Email != "bob@example.org" || c.MaxFTPAccounts != hosting.Unlimited {
			t.Errorf("bob = %+v", c)
		}
		r = admin.post("/customers/bob/edit", url.Values{"max_ftp_accounts": {"many"}})
		wantStatus(t, "POST edit bad", r, http.StatusUnprocessableEntity)
		wantBody(t, "POST edit bad", r, `id="c-max-error"`)
	})

	t.Run("ResetPassword", func(t *testing.T) {
		r := admin.reveal("POST reset", admin.post("/customers/bob/password", nil))
		_, pw := credentials(t, r.body)
		if _, err := p.env.Service.AuthenticatePanel(context.Background(), "bob", pw, hosting.ViaWeb, "127.0.0.1"); err != nil {
			t.Errorf("bob cannot sign in with the reset password: %v", err)
		}
		if _, err := p.env.Service.AuthenticatePanel(context.Background(), "bob", hostingtest.Password, hosting.ViaWeb, "127.0.0.1"); err == nil {
			t.Error("bob's old password still works")
		}
	})

	t.Run("Delete", func(t *testing.T) {
		r := admin.get("/customers/bob/delete")
		wantBody(t, "GET delete bob", r, "still owns 1 site")
		wantNoBody(t, "GET delete bob", r, `id="confirm-name"`)
		r = admin.get("/customers/carol/delete")
		wantBody(t, "GET delete carol", r, `id="confirm-name"`, "No file on disk is touched")
		r = admin.post("/customers/carol/delete", url.Values{"confirm": {"caro"}})
		wantStatus(t, "POST delete mistyped", r, http.StatusUnprocessableEntity)
		wantBody(t, "POST delete mistyped", r, "data-error-summary", `href="#confirm-name"`)
		if _, err := p.env.Service.Customer(p.ctx(), "carol"); err != nil {
			t.Fatalf("carol deleted after a mistyped confirmation: %v", err)
		}
		r = admin.post("/customers/carol/delete", url.Values{"confirm": {"carol"}})
		wantStatus(t, "POST delete", r, http.StatusSeeOther)
		if _, err := p.env.Service.Customer(p.ctx(), "carol"); hosting.ErrorCode(err) != hosting.CodeNotFound {
			t.Errorf("carol still exists: %v", err)
		}
		r = admin.post("/customers/bob/delete", url.Values{"confirm": {"bob"}})
		wantStatus(t, "POST delete bob with a site", r, http.StatusConflict)
	})
}

func TestPanelAdmin_Sites(t *testing.T) {
	p := newPanel(t, web.Options{})
	admin := p.loggedIn(t, "admin")

	t.Run("Create", func(t *testing.T) {
		wantBody(t, "GET new", admin.get("/sites/new?customer=bob"), `<option value="bob" selected>`)
		r := admin.reveal("POST new", admin.post("/sites/new", url.Values{"name": {"shop.example"}, "customer": {"bob"},
			"ip": {"192.0.2.10"}, "system_user": {"1001:1002"}, "max_ftp_accounts": {"4"}, "default_quota": {"2"}, "quota_unit": {"GB"},
			"main_login": {"shopmain"}}))
		login, pw := credentials(t, r.body)
		if login != "shopmain" || pw == "" {
			t.Fatalf("shown %q / %q, want the main account and its password", login, pw)
		}
		s, err := p.env.Service.Site(p.ctx(), "shop.example")
		if err != nil || s.CustomerLogin != "bob" || s.IP != "192.0.2.10" || s.UID != 1001 || s.GID != 1002 || s.MaxFTPAccounts != 4 || s.DefaultQuota != 2<<30 {
			t.Fatalf("site = %+v, %v", s, err)
		}
	})

	t.Run("CreateNoSystemUser", func(t *testing.T) {
		admin.reveal("POST new plain", admin.post("/sites/new", url.Values{"name": {"plain.example"}, "customer": {"bob"}}))
		s, err := p.env.Service.Site(p.ctx(), "plain.example")
		if err != nil || s.UID != -1 || s.GID != -1 || s.MaxFTPAccounts != hosting.Unlimited || s.DefaultQuota != hosting.Unlimited {
			t.Fatalf("site = %+v, %v", s, err)
		}
	})

	t.Run("ErrAllAtOnce", func(t *testing.T) {
		r := admin.post("/sites/new", url.Values{"name": {"example.com"}, "customer": {""}, "ip": {"nope"}, "system_user": {"1:x"},
			"max_ftp_accounts": {"x"}, "default_quota": {"y"}})
		wantStatus(t, "POST new bad", r, http.StatusUnprocessableEntity)
		wantBody(t, "POST new bad", r, "There are 6 problems", `href="#s-name"`, `href="#s-customer"`, `href="#s-ip"`, `href="#s-user"`, `href="#s-max"`, `href="#s-quota"`)
	})

	t.Run("EditMove", func(t *testing.T) {
		wantBody(t, "GET edit", admin.get("/sites/shop.example/edit"), `value="1001:1002"`, `value="192.0.2.10"`)
		r := admin.post("/sites/shop.example/edit", url.Values{"customer": {"alice"}, "ip": {""}, "system_user": {""},
			"max_ftp_accounts": {""}, "default_quota": {"100"}, "quota_unit": {"MB"}})
		wantStatus(t, "POST edit", r, http.StatusSeeOther)
		s, _ := p.env.Service.Site(p.ctx(), "shop.example")
		if s.CustomerLogin != "alice" || s.IP != "" || s.UID != -1 || s.MaxFTPAccounts != hosting.Unlimited || s.DefaultQuota != 100<<20 {
			t.Errorf("site after edit = %+v", s)
		}
	})

	t.Run("Delete", func(t *testing.T) {
		s, _ := p.env.Service.Site(p.ctx(), "shop.example")
		r := admin.get("/sites/shop.example/delete")
		wantBody(t, "GET delete", r, "The files stay on disk in "+s.Root, "1 FTP account")
		wantStatus(t, "POST delete mistyped", admin.post("/sites/shop.example/delete", url.Values{"confirm": {"shop"}}), http.StatusUnprocessableEntity)
		r = admin.post("/sites/shop.example/delete", url.Values{"confirm": {"shop.example"}})
		wantStatus(t, "POST delete", r, http.StatusSeeOther)
		if _, err := p.env.Service.Site(p.ctx(), "shop.example"); hosting.ErrorCode(err) != hosting.CodeNotFound {
			t.Errorf("site still exists: %v", err)
		}
		if _, err := p.account(t, "shopmain"); hosting.ErrorCode(err) != hosting.CodeNotFound {
			t.Errorf("main account still exists: %v", err)
		}
	})
}

func TestPanelAdmin_TokensBans(t *testing.T) {
	p := newPanel(t, web.Options{})
	admin := p.loggedIn(t, "admin")
	wantBody(t, "GET tokens", admin.get("/tokens"), "No tokens yet", `id="t-kind"`)

	r := admin.reveal("POST token", admin.post("/tokens", url.Values{"kind": {"api"}, "owner": {"bob"}, "description": {"deploy"}}))
	wantBody(t, "token once-page", r, `id="cred-secret"`, "shown only once")
	toks, err := p.env.Service.Tokens(p.ctx(), hosting.TokenFilter{})
	if err != nil || len(toks) != 1 || toks[0].CustomerLogin != "bob" || toks[0].Description != "deploy" {
		t.Fatalf("tokens = %v, %v", toks, err)
	}
	secret := htmlUnescape(regexpFind(t, `id="cred-secret">([^<]+)<`, r.body))
	if _, err := p.env.Service.AuthenticateToken(context.Background(), secret, hosting.ViaAPI, "127.0.0.1"); err != nil {
		t.Errorf("shown bearer token does not authenticate: %v", err)
	}
	r = admin.reveal("POST hestia key", admin.post("/tokens", url.Values{"kind": {"hestia"}, "owner": {""}}))
	wantBody(t, "hestia once-page", r, `id="cred-key"`, `id="cred-secret"`)
	r = admin.get("/tokens")
	wantBody(t, "GET tokens", r, "HestiaCP key", "Customer bob", "deploy")
	wantNoBody(t, "GET tokens", r, secret)
	wantStatus(t, "POST bad kind", admin.post("/tokens", url.Values{"kind": {"ssh"}}), http.StatusUnprocessableEntity)

	wantStatus(t, "POST revoke", admin.post("/tokens/"+toks[0].Key+"/delete", nil), http.StatusSeeOther)
	if _, err := p.env.Service.AuthenticateToken(context.Background(), secret, hosting.ViaAPI, "127.0.0.1"); err == nil {
		t.Error("revoked token still authenticates")
	}

	now := p.env.Service.Now()
	if err := p.env.Service.Ban(p.ctx(), &hosting.Ban{Addr: "198.51.100.9", Until: now.Add(time.Hour), Strikes: 2, Reason: "5 failed logins", Node: "n1", CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	wantBody(t, "GET bans", admin.get("/bans"), `data-ban="198.51.100.9"`, "5 failed logins")
	wantStatus(t, "POST lift", admin.post("/bans/delete", url.Values{"addr": {"198.51.100.9"}}), http.StatusSeeOther)
	if b, err := p.env.Service.BanOf(p.ctx(), "198.51.100.9"); err == nil && b != nil {
		t.Errorf("ban still there: %+v", b)
	}
	wantBody(t, "GET bans after", admin.get("/bans"), "No address is banned", "Ban of 198.51.100.9 lifted")
}

func TestPanel_OwnPassword(t *testing.T) {
	p := newPanel(t, web.Options{})
	alice := p.loggedIn(t, "alice")
	wantBody(t, "GET /password", alice.get("/password"), `id="p-current"`, `autocomplete="current-password"`)
	r := alice.post("/password", url.Values{"current": {"wrong-one"}, "password": {"abc"}, "confirm": {"abd"}})
	wantStatus(t, "POST bad", r, http.StatusUnprocessableEntity)
	wantBody(t, "POST bad", r, "There are 3 problems", "current password is wrong", "differ")
	wantNoBody(t, "POST bad", r, "wrong-one")
	const np = "Fresh-Panel-Pass-8"
	r = alice.post("/password", url.Values{"current": {hostingtest.Password}, "password": {np}, "confirm": {np}})
	wantStatus(t, "POST ok", r, http.StatusSeeOther)
	if _, err := p.env.Service.AuthenticatePanel(context.Background(), "alice", np, hosting.ViaWeb, "127.0.0.1"); err != nil {
		t.Errorf("new password does not work: %v", err)
	}
	admin := p.loggedIn(t, "admin")
	r = admin.post("/password", url.Values{"current": {adminPassword}, "password": {np}, "confirm": {np}})
	wantStatus(t, "admin POST ok", r, http.StatusSeeOther)
	if _, err := p.env.Service.AuthenticatePanel(context.Background(), "admin", np, hosting.ViaWeb, "127.0.0.1"); err != nil {
		t.Errorf("admin's new password does not work: %v", err)
	}
}

func TestPanel_AccountStatus(t *testing.T) {
	p := newPanel(t, web.Options{})
	alice := p.loggedIn(t, "alice")
	wantBody(t, "cards", alice.get("/accounts"), `data-suspend="web1"`, `action="/accounts/web1/status"`)
	r := alice.post("/accounts/web1/status", url.Values{"status": {"suspended"}})
	wantStatus(t, "POST suspend", r, http.StatusSeeOther)
	if _, err := p.env.Service.AuthenticateFTP(context.Background(), "web1", hostingtest.Password, loopback); err == nil {
		t.Error("suspended web1 can still log in")
	}
	wantBody(t, "cards after", alice.get("/accounts"), `data-resume="web1"`, "suspended; it cannot log in")
	wantStatus(t, "POST resume", alice.post("/accounts/web1/status", url.Values{"status": {"active"}}), http.StatusSeeOther)
	if a := mustAccount(t, p, "web1"); a.Status != hosting.StatusActive {
		t.Errorf("web1 status %q, want active", a.Status)
	}
	wantStatus(t, "POST bob's", alice.post("/accounts/bobftp/status", url.Values{"status": {"suspended"}}), http.StatusNotFound)
	wantStatus(t, "POST bad status", alice.post("/accounts/web1/status", url.Values{"status": {"gone"}}), http.StatusBadRequest)
	if a := mustAccount(t, p, "bobftp"); a.Status != hosting.StatusActive {
		t.Errorf("bobftp status %q, want active", a.Status)
	}
}

func regexpFind(t *testing.T, re, s string) string {
	t.Helper()
	m := regexp.MustCompile(re).FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("no %s in the page: %s", re, excerpt(s))
	}
	return m[1]
}

func TestPanel_SimpleHome(t *testing.T) {
	for _, tc := range []struct {
		name, opt, want string
		mkWeb           bool
	}{
		{"WebFolder", "", "/httpdocs", true},
		{"NoWebFolder", "", "/", false},
		{"PolicyWholeSite", "/", "/", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newPanel(t, web.Options{SimpleHome: tc.opt})
			site, err := p.env.Service.Site(p.ctx(), "example.com")
			if err != nil {
				t.Fatal(err)
			}
			if !tc.mkWeb {
				if err := os.RemoveAll(filepath.Join(site.Root, "httpdocs")); err != nil {
					t.Fatal(err)
				}
			}
			alice := p.loggedIn(t, "alice")
			r := alice.reveal("POST /accounts", alice.post("/accounts", url.Values{"site": {"example.com"}}))
			login, _ := credentials(t, r.body)
			if a := mustAccount(t, p, login); a.Home != tc.want {
				t.Errorf("home %q, want %q", a.Home, tc.want)
			}
		})
	}
}

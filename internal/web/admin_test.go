package web_test

import (
	"net/http"
	"net/url"
	"testing"

	"ftpanel/internal/hosting"
	"ftpanel/internal/web"
)

func TestAdminPages_Customer404(t *testing.T) {
	p := newPanel(t, web.Options{})
	alice := p.loggedIn(t, "alice")
	for _, path := range []string{"/customers", "/sites", "/audit"} {
		r := alice.get(path)
		wantStatus(t, "customer GET "+path, r, http.StatusNotFound)
		wantNoBody(t, "customer GET "+path, r, "bob")
	}
	for _, path := range []string{"/customers/bob/status", "/customers/bob/limits", "/sites/bob.example/status", "/sites/bob.example/limits",
		"/customers/alice/status", "/sites/example.com/status"} {
		r := alice.post(path, url.Values{"status": {"suspended"}, "max_ftp_accounts": {"1"}})
		wantStatus(t, "customer POST "+path, r, http.StatusNotFound)
	}
	if c, err := p.env.Service.Customer(p.ctx(), "bob"); err != nil || c.Status != hosting.StatusActive {
		t.Errorf("bob = %+v, %v; want active", c, err)
	}
	// The customer's navigation has no admin entries.
	wantNoBody(t, "customer nav", alice.get("/accounts"), `href="/customers"`, `href="/audit"`)
}

func TestCustomerList(t *testing.T) {
	p := newPanel(t, web.Options{})
	admin := p.loggedIn(t, "admin")

	r := admin.get("/customers")
	wantStatus(t, "GET /customers", r, http.StatusOK)
	wantBody(t, "GET /customers", r, `data-customer="alice"`, `data-customer="bob"`, `action="/customers/bob/status"`,
		`name="max_ftp_accounts"`)

	t.Run("Suspend", func(t *testing.T) {
		r := admin.post("/customers/bob/status", url.Values{"status": {"suspended"}})
		wantStatus(t, "POST suspend", r, http.StatusSeeOther)
		if c, _ := p.env.Service.Customer(p.ctx(), "bob"); c.Status != hosting.StatusSuspended {
			t.Errorf("bob status=%q, want suspended", c.Status)
		}
		r = admin.get("/customers")
		wantBody(t, "after suspend", r, "Customer bob suspended", `<input type="hidden" name="status" value="active"><button type="submit" class="btn btn-sm">Unsuspend</button>`)
		wantBody(t, "accounts after suspend", admin.get("/accounts?q=bobftp"), `badge-suspended`, "The customer is suspended.")
		r = admin.post("/customers/bob/status", url.Values{"status": {"active"}})
		wantStatus(t, "POST unsuspend", r, http.StatusSeeOther)
		if c, _ := p.env.Service.Customer(p.ctx(), "bob"); c.Status != hosting.StatusActive {
			t.Errorf("bob status=%q, want active", c.Status)
		}
	})

	t.Run("Limits", func(t *testing.T) {
		r := admin.post("/customers/bob/limits", url.Values{"max_ftp_accounts": {"3"}})
		wantStatus(t, "POST limits", r, http.StatusSeeOther)
		if c, _ := p.env.Service.Customer(p.ctx(), "bob"); c.MaxFTPAccounts != 3 {
			t.Errorf("bob max=%d, want 3", c.MaxFTPAccounts)
		}
		r = admin.post("/customers/bob/limits", url.Values{"max_ftp_accounts": {""}})
		wantStatus(t, "POST limits unlimited", r, http.StatusSeeOther)
		if c, _ := p.env.Service.Customer(p.ctx(), "bob"); c.MaxFTPAccounts != hosting.Unlimited {
			t.Errorf("bob max=%d, want unlimited", c.MaxFTPAccounts)
		}
	})

	t.Run("ErrLimits", func(t *testing.T) {
		r := admin.post("/customers/bob/limits", url.Values{"max_ftp_accounts": {"many"}})
		wantStatus(t, "POST bad limit", r, http.StatusUnprocessableEntity)
		wantBody(t, "POST bad limit", r, `id="max-bob-error"`, `value="many"`)
	})

	t.Run("ErrStatus", func(t *testing.T) {
		wantStatus(t, "POST bad status", admin.post("/customers/bob/status", url.Values{"status": {"gone"}}), http.StatusBadRequest)
		wantStatus(t, "POST unknown customer", admin.post("/customers/nobody/status", url.Values{"status": {"suspended"}}), http.StatusNotFound)
	})

	t.Run("ErrCSRFMissing", func(t *testing.T) {
		wantStatus(t, "POST without token", admin.postRaw("/customers/bob/status", url.Values{"status": {"suspended"}}), http.StatusForbidden)
		if c, _ := p.env.Service.Customer(p.ctx(), "bob"); c.Status != hosting.StatusActive {
			t.Errorf("bob status=%q, want active", c.Status)
		}
	})
}

func TestSiteList(t *testing.T) {
	p := newPanel(t, web.Options{})
	p.env.MustSite(t, "alice", "bücher.example")
	admin := p.loggedIn(t, "admin")

	r := admin.get("/sites")
	wantStatus(t, "GET /sites", r, http.StatusOK)
	wantBody(t, "GET /sites", r, `data-site="example.com"`, `data-site="bob.example"`, "bücher.example",
		`action="/sites/xn--bcher-kva.example/limits"`)

	t.Run("Suspend", func(t *testing.T) {
		r := admin.post("/sites/example.com/status", url.Values{"status": {"suspended"}})
		wantStatus(t, "POST suspend site", r, http.StatusSeeOther)
		if s, _ := p.env.Service.Site(p.ctx(), "example.com"); s.Status != hosting.StatusSuspended {
			t.Errorf("status=%q, want suspended", s.Status)
		}
		r = admin.post("/sites/example.com/status", url.Values{"status": {"active"}})
		wantStatus(t, "POST unsuspend site", r, http.StatusSeeOther)
		if s, _ := p.env.Service.Site(p.ctx(), "example.com"); s.Status != hosting.StatusActive {
			t.Errorf("status=%q, want active", s.Status)
		}
	})

	t.Run("Limits", func(t *testing.T) {
		r := admin.post("/sites/example.com/limits", url.Values{"max_ftp_accounts": {"5"}, "default_quota": {"1"}, "quota_unit": {"GB"}, "ip": {"192.0.2.10"}})
		wantStatus(t, "POST site limits", r, http.StatusSeeOther)
		s, _ := p.env.Service.Site(p.ctx(), "example.com")
		if s.MaxFTPAccounts != 5 || s.DefaultQuota != 1<<30 || s.IP != "192.0.2.10" {
			t.Errorf("site max=%d quota=%d ip=%q, want 5 1GiB 192.0.2.10", s.MaxFTPAccounts, s.DefaultQuota, s.IP)
		}
		// The site's IP is now what the cards show (no FTPHost configured).
		wantBody(t, "accounts after ip", admin.get("/accounts?q=web1"), "<code>192.0.2.10</code>")
	})

	for _, tc := range []struct {
		name string
		form url.Values
		text string
	}{
		{"ErrIP", url.Values{"max_ftp_accounts": {"5"}, "ip": {"not-an-ip"}}, "is not an IP address"},
		{"ErrMax", url.Values{"max_ftp_accounts": {"-5"}}, "Enter a number"},
		{"ErrQuota", url.Values{"default_quota": {"x"}, "quota_unit": {"MB"}}, "Enter a size"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := admin.post("/sites/example.com/limits", tc.form)
			wantStatus(t, "POST bad site limits", r, http.StatusUnprocessableEntity)
			wantBody(t, "POST bad site limits", r, tc.text)
		})
	}

	t.Run("ErrUnknownSite", func(t *testing.T) {
		wantStatus(t, "POST unknown site", admin.post("/sites/nope.example/status", url.Values{"status": {"suspended"}}), http.StatusNotFound)
	})
}

func TestAuditList(t *testing.T) {
	p := newPanel(t, web.Options{})
	admin := p.loggedIn(t, "admin")
	r := admin.get("/audit")
	wantStatus(t, "GET /audit", r, http.StatusOK)
	wantBody(t, "GET /audit", r, "<code>account.create</code>", "<code>panel.login</code>", "account web1")

	r = admin.get("/audit?object=web1")
	wantBody(t, "GET /audit?object=web1", r, "account web1")
	wantNoBody(t, "GET /audit?object=web1", r, "bobftp")
	for i := range 105 {
		if err := p.env.Service.Audit(p.ctx(), "test.event", "test", "object", ""); err != nil {
			t.Fatalf("Audit %d: %v", i, err)
		}
	}
	r = admin.get("/audit")
	wantBody(t, "GET /audit page 1", r, "Older events")
}

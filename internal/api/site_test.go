package api

import (
	"context"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ftpanel/internal/hosting"
)

func TestAPI_Sites(t *testing.T) {
	e := newTestEnv(t, nil)

	t.Run("Create", func(t *testing.T) {
		r := e.do(t, e.admin, "POST", "/api/v1/sites", map[string]any{"name": "carol.example", "customer": "alice",
			"ip": "192.0.2.10", "max_ftp_accounts": 5, "default_quota": 1 << 30, "main_login": "carolmain"}).want(t, 201)
		s := decodeAs[siteJSON](t, r)
		if s.Name != "carol.example" || s.Customer != "alice" || s.IP != "192.0.2.10" || s.MaxFTPAccounts != 5 ||
			s.DefaultQuota != 1<<30 || s.Root != filepath.Join(e.SitesDir, "carol.example") || s.UID != -1 {
			t.Errorf("created %+v", s)
		}
		if s.MainAccount == nil || s.MainAccount.Login != "carolmain" || !s.MainAccount.Main || s.MainAccount.Password == "" {
			t.Fatalf("main account %+v, want carolmain with a generated password", s.MainAccount)
		}
		if _, err := e.Service.AuthenticateFTP(context.Background(), "carolmain", s.MainAccount.Password, netip.MustParseAddr("127.0.0.1")); err != nil {
			t.Errorf("main password does not log in: %v", err)
		}
		if fi, err := os.Stat(filepath.Join(s.Root, "httpdocs")); err != nil || !fi.IsDir() {
			t.Errorf("skeleton not created: %v", err)
		}
		if got, want := r.header.Get("Location"), "/api/v1/sites/carol.example"; got != want {
			t.Errorf("Location=%q, want %q", got, want)
		}
		if got := decodeAs[siteJSON](t, e.do(t, e.admin, "GET", "/api/v1/sites/carol.example", nil).want(t, 200)); got.MainAccount != nil {
			t.Errorf("main account (and password) shown again")
		}
	})
	t.Run("CreateUnicode", func(t *testing.T) {
		s := decodeAs[siteJSON](t, e.do(t, e.admin, "POST", "/api/v1/sites", map[string]any{"name": "bücher.example", "customer": "bob", "main_password": "Kx9-Secret-77"}).want(t, 201))
		if s.Name != "xn--bcher-kva.example" || s.DisplayName != "bücher.example" {
			t.Errorf("name=%q display=%q", s.Name, s.DisplayName)
		}
		if s.MainAccount == nil || s.MainAccount.Password != "" {
			t.Errorf("main account %+v, want one without a password (it was given)", s.MainAccount)
		}
		got := decodeAs[siteJSON](t, e.do(t, e.bob, "GET", "/api/v1/sites/"+url.PathEscape("bücher.example"), nil).want(t, 200))
		if got.ID != s.ID {
			t.Errorf("by Unicode name: id=%d, want %d", got.ID, s.ID)
		}
	})
	t.Run("List", func(t *testing.T) {
		l := decodeAs[list[siteJSON]](t, e.do(t, e.admin, "GET", "/api/v1/sites?customer=alice", nil).want(t, 200))
		if len(l.Items) != 2 || l.Items[0].Name != "alice.example" || l.Items[1].Name != "carol.example" {
			t.Errorf("alice's sites: %+v", l.Items)
		}
		l = decodeAs[list[siteJSON]](t, e.do(t, e.admin, "GET", "/api/v1/sites?limit=3", nil).want(t, 200))
		if len(l.Items) != 3 || l.NextCursor == nil {
			t.Fatalf("page 1: %d items, next %v", len(l.Items), l.NextCursor)
		}
		l = decodeAs[list[siteJSON]](t, e.do(t, e.admin, "GET", "/api/v1/sites?limit=3&cursor="+*l.NextCursor, nil).want(t, 200))
		if len(l.Items) != 1 || l.NextCursor != nil {
			t.Errorf("page 2: %d items, next %v", len(l.Items), l.NextCursor)
		}
		l = decodeAs[list[siteJSON]](t, e.do(t, e.bob, "GET", "/api/v1/sites", nil).want(t, 200))
		if len(l.Items) != 2 {
			t.Errorf("bob sees %d sites, want 2", len(l.Items))
		}
		for _, s := range l.Items {
			if s.Customer != "bob" {
				t.Errorf("bob sees %s of %s", s.Name, s.Customer)
			}
		}
	})
	t.Run("Update", func(t *testing.T) {
		s := decodeAs[siteJSON](t, e.do(t, e.admin, "PATCH", "/api/v1/sites/carol.example", map[string]any{"ip": "192.0.2.11", "max_ftp_accounts": -1, "customer": "bob"}).want(t, 200))
		if s.IP != "192.0.2.11" || s.MaxFTPAccounts != -1 || s.Customer != "bob" {
			t.Errorf("updated %+v", s)
		}
		a := decodeAs[accountJSON](t, e.do(t, e.bob, "GET", "/api/v1/accounts/carolmain", nil).want(t, 200))
		if a.Customer != "bob" {
			t.Errorf("main account moved to %q, want bob", a.Customer)
		}
	})
	t.Run("SuspendUnsuspend", func(t *testing.T) {
		s := decodeAs[siteJSON](t, e.do(t, e.admin, "POST", "/api/v1/sites/alice.example/suspend", nil).want(t, 200))
		if s.Status != hosting.StatusSuspended || s.EffectiveStatus != hosting.StatusSuspended {
			t.Errorf("site %s/%s", s.Status, s.EffectiveStatus)
		}
		a := decodeAs[accountJSON](t, e.do(t, e.alice, "GET", "/api/v1/accounts/alice1", nil).want(t, 200))
		if a.EffectiveStatus != hosting.StatusSuspended {
			t.Errorf("account effective status %s, want suspended", a.EffectiveStatus)
		}
		s = decodeAs[siteJSON](t, e.do(t, e.admin, "POST", "/api/v1/sites/alice.example/unsuspend", nil).want(t, 200))
		if s.Status != hosting.StatusActive {
			t.Errorf("site %s", s.Status)
		}
	})
	t.Run("Delete", func(t *testing.T) {
		e.do(t, e.admin, "DELETE", "/api/v1/sites/carol.example", nil).want(t, 204)
		e.do(t, e.admin, "GET", "/api/v1/sites/carol.example", nil).wantError(t, 404, hosting.CodeNotFound, "")
		e.do(t, e.admin, "GET", "/api/v1/accounts/carolmain", nil).wantError(t, 404, hosting.CodeNotFound, "")
	})

	errs := []struct {
		name, method, path string
		body               any
		status             int
		code               hosting.Code
		field              string
	}{
		{"NameTaken", "POST", "/api/v1/sites", map[string]any{"name": "alice.example", "customer": "alice"}, 409, hosting.CodeConflict, ""},
		{"MainLoginTaken", "POST", "/api/v1/sites", map[string]any{"name": "new.example", "customer": "alice", "main_login": "alice1"}, 409, hosting.CodeLoginTaken, ""},
		{"UnknownCustomer", "POST", "/api/v1/sites", map[string]any{"name": "new.example", "customer": "nobody"}, 404, hosting.CodeNotFound, "customer"},
		{"InvalidName", "POST", "/api/v1/sites", map[string]any{"name": "not a domain", "customer": "alice"}, 400, hosting.CodeInvalidInput, "name"},
		{"InvalidIP", "POST", "/api/v1/sites", map[string]any{"name": "new.example", "customer": "alice", "ip": "300.1.1.1"}, 400, hosting.CodeInvalidInput, "ip"},
		{"RelativeRoot", "POST", "/api/v1/sites", map[string]any{"name": "new.example", "customer": "alice", "root": "srv/x"}, 400, hosting.CodeInvalidInput, "root"},
		{"InvalidMainLogin", "POST", "/api/v1/sites", map[string]any{"name": "new.example", "customer": "alice", "main_login": "-x"}, 422, hosting.CodeInvalidLogin, "login"},
		{"WeakMainPassword", "POST", "/api/v1/sites", map[string]any{"name": "new.example", "customer": "alice", "main_password": "abc"}, 422, hosting.CodeWeakPassword, "password"},
		{"UIDWithoutGID", "POST", "/api/v1/sites", map[string]any{"name": "new.example", "customer": "alice", "uid": 1000}, 400, hosting.CodeInvalidInput, "system_user"},
		{"NotFound", "GET", "/api/v1/sites/none.example", nil, 404, hosting.CodeNotFound, ""},
		{"UpdateNotFound", "PATCH", "/api/v1/sites/none.example", map[string]any{"ip": ""}, 404, hosting.CodeNotFound, ""},
		{"UpdateInvalidIP", "PATCH", "/api/v1/sites/alice.example", map[string]any{"ip": "x"}, 400, hosting.CodeInvalidInput, "ip"},
		{"UpdateUnknownCustomer", "PATCH", "/api/v1/sites/alice.example", map[string]any{"customer": "nobody"}, 404, hosting.CodeNotFound, "customer"},
		{"DeleteNotFound", "DELETE", "/api/v1/sites/none.example", nil, 404, hosting.CodeNotFound, ""},
		{"SuspendNotFound", "POST", "/api/v1/sites/none.example/suspend", nil, 404, hosting.CodeNotFound, ""},
		{"ListUnknownCustomer", "GET", "/api/v1/sites?customer=nobody", nil, 404, hosting.CodeNotFound, "customer"},
		{"ListBadCursor", "GET", "/api/v1/sites?cursor=abc", nil, 400, hosting.CodeInvalidInput, "cursor"},
	}
	for _, tc := range errs {
		t.Run("Err"+tc.name, func(t *testing.T) {
			e.do(t, e.admin, tc.method, tc.path, tc.body).wantError(t, tc.status, tc.code, tc.field)
		})
	}
	t.Run("ErrInternal", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "file")
		if err := os.WriteFile(file, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		e.do(t, e.admin, "POST", "/api/v1/sites", map[string]any{"name": "new.example", "customer": "alice", "root": filepath.Join(file, "root")}).
			wantError(t, 500, hosting.CodeInternal, "")
		if logs := e.logs.String(); !strings.Contains(logs, "level=ERROR") || !strings.Contains(logs, "not a directory") {
			t.Errorf("the cause of the internal error was not logged: %s", logs)
		}
	})
	t.Run("ErrChangedNothing", func(t *testing.T) {
		if _, err := os.Stat(filepath.Join(e.SitesDir, "new.example")); !os.IsNotExist(err) {
			t.Errorf("a refused create left its root behind: %v", err)
		}
	})
	t.Run("ErrForbiddenForCustomer", func(t *testing.T) {
		e.do(t, e.alice, "POST", "/api/v1/sites", map[string]any{"name": "new.example", "customer": "alice"}).wantError(t, 403, hosting.CodeForbidden, "")
		e.do(t, e.alice, "PATCH", "/api/v1/sites/alice.example", map[string]any{"max_ftp_accounts": -1}).wantError(t, 403, hosting.CodeForbidden, "")
		e.do(t, e.alice, "POST", "/api/v1/sites/alice.example/unsuspend", nil).wantError(t, 403, hosting.CodeForbidden, "")
		e.do(t, e.alice, "DELETE", "/api/v1/sites/alice.example", nil).wantError(t, 403, hosting.CodeForbidden, "")
	})
}

package api

import (
	"context"
	"strings"
	"testing"

	"ftpanel/internal/hosting"
)

func TestAPI_Customers(t *testing.T) {
	e := newTestEnv(t, nil)

	t.Run("CreateGenerated", func(t *testing.T) {
		r := e.do(t, e.admin, "POST", "/api/v1/customers", map[string]any{"login": "carol", "name": "Carol", "email": "carol@example.com", "max_ftp_accounts": 3}).want(t, 201)
		c := decodeAs[customerJSON](t, r)
		if c.Login != "carol" || c.Name != "Carol" || c.Email != "carol@example.com" || c.MaxFTPAccounts != 3 || c.Status != hosting.StatusActive {
			t.Errorf("created %+v", c)
		}
		if c.Password == "" {
			t.Errorf("generated password missing")
		}
		if got, want := r.header.Get("Location"), "/api/v1/customers/carol"; got != want {
			t.Errorf("Location=%q, want %q", got, want)
		}
		if _, err := e.Service.AuthenticatePanel(context.Background(), "carol", c.Password, hosting.ViaWeb, ""); err != nil {
			t.Errorf("generated password does not log in: %v", err)
		}
		// Shown once: not in later reads.
		if got := decodeAs[customerJSON](t, e.do(t, e.admin, "GET", "/api/v1/customers/carol", nil).want(t, 200)); got.Password != "" {
			t.Errorf("password shown again")
		}
	})
	t.Run("CreateGiven", func(t *testing.T) {
		c := decodeAs[customerJSON](t, e.do(t, e.admin, "POST", "/api/v1/customers", map[string]any{"login": "dave", "password": "Kx9-Secret-77"}).want(t, 201))
		if c.Password != "" || c.MaxFTPAccounts != -1 {
			t.Errorf("created %+v, want no password and unlimited accounts", c)
		}
	})
	t.Run("List", func(t *testing.T) {
		var logins []string
		cursor := ""
		for range 10 {
			l := decodeAs[list[customerJSON]](t, e.do(t, e.admin, "GET", "/api/v1/customers?limit=2"+cursor, nil).want(t, 200))
			for _, c := range l.Items {
				logins = append(logins, c.Login)
			}
			if l.NextCursor == nil {
				break
			}
			cursor = "&cursor=" + *l.NextCursor
		}
		if got, want := strings.Join(logins, ","), "alice,bob,carol,dave"; got != want {
			t.Errorf("pages=%s, want %s", got, want)
		}
		l := decodeAs[list[customerJSON]](t, e.do(t, e.admin, "GET", "/api/v1/customers?q=ar", nil).want(t, 200))
		if len(l.Items) != 1 || l.Items[0].Login != "carol" {
			t.Errorf("q=ar: %+v", l.Items)
		}
		// A customer sees only itself.
		l = decodeAs[list[customerJSON]](t, e.do(t, e.alice, "GET", "/api/v1/customers", nil).want(t, 200))
		if len(l.Items) != 1 || l.Items[0].Login != "alice" {
			t.Errorf("alice sees %+v", l.Items)
		}
	})
	t.Run("Update", func(t *testing.T) {
		c := decodeAs[customerJSON](t, e.do(t, e.admin, "PATCH", "/api/v1/customers/carol", map[string]any{"name": "Carol B", "max_ftp_accounts": -1}).want(t, 200))
		if c.Name != "Carol B" || c.MaxFTPAccounts != -1 || c.Email != "carol@example.com" {
			t.Errorf("updated %+v", c)
		}
	})
	t.Run("SuspendUnsuspend", func(t *testing.T) {
		c := decodeAs[customerJSON](t, e.do(t, e.admin, "POST", "/api/v1/customers/alice/suspend", nil).want(t, 200))
		if c.Status != hosting.StatusSuspended {
			t.Errorf("status=%s", c.Status)
		}
		a := decodeAs[accountJSON](t, e.do(t, e.admin, "GET", "/api/v1/accounts/alice1", nil).want(t, 200))
		if a.Status != hosting.StatusActive || a.EffectiveStatus != hosting.StatusSuspended {
			t.Errorf("account status=%s effective=%s, want active/suspended", a.Status, a.EffectiveStatus)
		}
		// A suspended customer's token is refused.
		e.do(t, e.alice, "GET", "/api/v1/accounts", nil).wantError(t, 403, hosting.CodeSuspended, "")
		c = decodeAs[customerJSON](t, e.do(t, e.admin, "POST", "/api/v1/customers/alice/unsuspend", "{}").want(t, 200))
		if c.Status != hosting.StatusActive {
			t.Errorf("status=%s", c.Status)
		}
		e.do(t, e.alice, "GET", "/api/v1/accounts", nil).want(t, 200)
	})
	t.Run("Delete", func(t *testing.T) {
		e.do(t, e.admin, "DELETE", "/api/v1/customers/dave", nil).want(t, 204)
		e.do(t, e.admin, "GET", "/api/v1/customers/dave", nil).wantError(t, 404, hosting.CodeNotFound, "")
	})

	errs := []struct {
		name, method, path string
		body               any
		status             int
		code               hosting.Code
		field              string
	}{
		{"InvalidLogin", "POST", "/api/v1/customers", map[string]any{"login": "Bad Login"}, 422, hosting.CodeInvalidLogin, "login"},
		{"ReservedLogin", "POST", "/api/v1/customers", map[string]any{"login": "root"}, 422, hosting.CodeReservedLogin, "login"},
		{"LoginTaken", "POST", "/api/v1/customers", map[string]any{"login": "alice"}, 409, hosting.CodeLoginTaken, ""},
		{"WeakPassword", "POST", "/api/v1/customers", map[string]any{"login": "erin", "password": "password"}, 422, hosting.CodeWeakPassword, "password"},
		{"InvalidEmail", "POST", "/api/v1/customers", map[string]any{"login": "erin", "email": "not an address"}, 400, hosting.CodeInvalidInput, "email"},
		{"InvalidLimit", "POST", "/api/v1/customers", map[string]any{"login": "erin", "max_ftp_accounts": -7}, 400, hosting.CodeInvalidInput, "max_ftp_accounts"},
		{"UnknownField", "POST", "/api/v1/customers", map[string]any{"login": "erin", "admin": true}, 400, hosting.CodeInvalidInput, "admin"},
		{"WrongType", "POST", "/api/v1/customers", map[string]any{"login": 5}, 400, hosting.CodeInvalidInput, "login"},
		{"BadJSON", "POST", "/api/v1/customers", `{"login":`, 400, hosting.CodeInvalidInput, ""},
		{"NotAnObject", "POST", "/api/v1/customers", `["erin"]`, 400, hosting.CodeInvalidInput, ""},
		{"TrailingData", "POST", "/api/v1/customers", `{"login":"erin"} {}`, 400, hosting.CodeInvalidInput, ""},
		{"EmptyBody", "POST", "/api/v1/customers", nil, 400, hosting.CodeInvalidInput, ""},
		{"TooLarge", "POST", "/api/v1/customers", `{"name":"` + strings.Repeat("x", 2<<20) + `"}`, 413, hosting.CodeInvalidInput, ""},
		{"NotFound", "GET", "/api/v1/customers/nobody", nil, 404, hosting.CodeNotFound, ""},
		{"UpdateNotFound", "PATCH", "/api/v1/customers/nobody", map[string]any{"name": "x"}, 404, hosting.CodeNotFound, ""},
		{"UpdateEmptyBody", "PATCH", "/api/v1/customers/alice", nil, 400, hosting.CodeInvalidInput, ""},
		{"SuspendBody", "POST", "/api/v1/customers/alice/suspend", map[string]any{"why": "x"}, 400, hosting.CodeInvalidInput, "why"},
		{"DeleteWithSites", "DELETE", "/api/v1/customers/alice", nil, 409, hosting.CodeConflict, ""},
		{"DeleteNotFound", "DELETE", "/api/v1/customers/nobody", nil, 404, hosting.CodeNotFound, ""},
		{"BadStatusFilter", "GET", "/api/v1/customers?status=gone", nil, 400, hosting.CodeInvalidInput, "status"},
		{"BadLimit", "GET", "/api/v1/customers?limit=501", nil, 400, hosting.CodeInvalidInput, "limit"},
		{"UnknownParam", "GET", "/api/v1/customers?sort=login", nil, 400, hosting.CodeInvalidInput, "sort"},
	}
	for _, tc := range errs {
		t.Run("Err"+tc.name, func(t *testing.T) {
			e.do(t, e.admin, tc.method, tc.path, tc.body).wantError(t, tc.status, tc.code, tc.field)
		})
	}
	t.Run("ErrUnsupportedMediaType", func(t *testing.T) {
		e.do(t, e.admin, "POST", "/api/v1/customers", `login=erin`, "Content-Type", "application/x-www-form-urlencoded").
			wantError(t, 415, hosting.CodeInvalidInput, "")
	})
	t.Run("ErrForbiddenForCustomer", func(t *testing.T) {
		e.do(t, e.alice, "POST", "/api/v1/customers", map[string]any{"login": "erin"}).wantError(t, 403, hosting.CodeForbidden, "")
		e.do(t, e.alice, "PATCH", "/api/v1/customers/alice", map[string]any{"max_ftp_accounts": -1}).wantError(t, 403, hosting.CodeForbidden, "")
	})
	t.Run("ErrChangedNothing", func(t *testing.T) {
		// None of the refused creates left a customer behind.
		l := decodeAs[list[customerJSON]](t, e.do(t, e.admin, "GET", "/api/v1/customers", nil).want(t, 200))
		if len(l.Items) != 3 {
			t.Errorf("customers=%d, want 3 (alice, bob, carol)", len(l.Items))
		}
	})
}

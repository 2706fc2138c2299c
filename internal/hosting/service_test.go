package hosting_test

import (
	"context"
	"io/fs"
	"net/netip"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"ftpanel/internal/hosting"
	"ftpanel/internal/hosting/hostingtest"
)

// pw is the password the tests give accounts; hostingtest uses it too.
const pw = hostingtest.Password

func ptr[T any](v T) *T { return &v }

// wantCode fails the test unless err carries the code want ("" = no error).
func wantCode(tb testing.TB, err error, want hosting.Code) {
	tb.Helper()
	if got := hosting.ErrorCode(err); got != want {
		tb.Fatalf("code = %q, want %q (err: %v)", got, want, err)
	}
}

// admin returns a context with an administrator actor.
func admin(env *hostingtest.Env) context.Context { return env.Admin(context.Background()) }

// as returns a context with the actor of customer login.
func as(env *hostingtest.Env, login string) context.Context {
	return env.As(context.Background(), login)
}

var localhost = netip.MustParseAddr("127.0.0.1")

// ftpLogin tries an FTP login from 127.0.0.1.
func ftpLogin(env *hostingtest.Env, login, password string) error {
	_, err := env.Service.AuthenticateFTP(context.Background(), login, password, localhost)
	return err
}

// tree lists every path under dir (without following symlinks), relative
// to dir, so that tests can check that a failed request left nothing.
func tree(tb testing.TB, dir string) []string {
	tb.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		out = append(out, strings.TrimPrefix(p, dir))
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

func sameTree(tb testing.TB, before, after []string) {
	tb.Helper()
	if !slices.Equal(before, after) {
		tb.Fatalf("files changed by a failed request:\nbefore %q\nafter  %q", before, after)
	}
}

// accountExists reports whether login exists, read straight from the store.
func accountExists(tb testing.TB, env *hostingtest.Env, login string) bool {
	tb.Helper()
	_, err := env.Store.AccountByLogin(context.Background(), login)
	if err != nil && hosting.ErrorCode(err) != hosting.CodeNotFound {
		tb.Fatal(err)
	}
	return err == nil
}

// countAdditional counts the non-main accounts of a site.
func countAdditional(tb testing.TB, env *hostingtest.Env, siteID int64) int {
	tb.Helper()
	n, err := env.Service.CountAccounts(admin(env), hosting.AccountFilter{SiteID: &siteID, Main: ptr(false)})
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

func TestService_Unauthorized(t *testing.T) {
	t.Parallel()
	env := hostingtest.New(t)
	env.MustCustomer(t, "alice")
	env.MustSite(t, "alice", "a.example")
	ctx := context.Background() // no actor
	tests := []struct {
		name string
		call func() error
	}{
		{"CreateAdmin", func() error { _, _, err := env.Service.CreateAdmin(ctx, "root2", ""); return err }},
		{"Admins", func() error { _, err := env.Service.Admins(ctx); return err }},
		{"CreateCustomer", func() error {
			_, _, err := env.Service.CreateCustomer(ctx, hosting.CustomerCreate{Login: "bob"})
			return err
		}},
		{"Customer", func() error { _, err := env.Service.Customer(ctx, "alice"); return err }},
		{"Customers", func() error { _, err := env.Service.Customers(ctx, hosting.CustomerFilter{}); return err }},
		{"CreateSite", func() error {
			_, _, _, err := env.Service.CreateSite(ctx, hosting.SiteCreate{Name: "b.example", Customer: "alice"})
			return err
		}},
		{"Site", func() error { _, err := env.Service.Site(ctx, "a.example"); return err }},
		{"Sites", func() error { _, err := env.Service.Sites(ctx, hosting.SiteFilter{}); return err }},
		{"CreateAccount", func() error {
			_, _, err := env.Service.CreateAccount(ctx, hosting.AccountCreate{Site: "a.example", Login: "web", Password: pw})
			return err
		}},
		{"Accounts", func() error { _, err := env.Service.Accounts(ctx, hosting.AccountFilter{}); return err }},
		{"CountAccounts", func() error { _, err := env.Service.CountAccounts(ctx, hosting.AccountFilter{}); return err }},
		{"Sessions", func() error { _, err := env.Service.Sessions(ctx, hosting.SessionFilter{}); return err }},
		{"AuditEvents", func() error { _, err := env.Service.AuditEvents(ctx, hosting.AuditFilter{}); return err }},
		{"CreateToken", func() error {
			_, err := env.Service.CreateToken(ctx, hosting.TokenCreate{Admin: true})
			return err
		}},
		{"Bans", func() error { _, err := env.Service.Bans(ctx); return err }},
		{"empty actor", func() error {
			_, err := env.Service.Sites(hosting.WithActor(ctx, hosting.Actor{}), hosting.SiteFilter{})
			return err
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantCode(t, tc.call(), hosting.CodeUnauthorized)
		})
	}
}

func TestService_Forbidden(t *testing.T) {
	t.Parallel()
	env := hostingtest.New(t)
	env.MustCustomer(t, "alice")
	env.MustSite(t, "alice", "a.example")
	ctx := as(env, "alice")
	tests := []struct {
		name string
		call func() error
	}{
		{"CreateAdmin", func() error { _, _, err := env.Service.CreateAdmin(ctx, "boss", ""); return err }},
		{"Admins", func() error { _, err := env.Service.Admins(ctx); return err }},
		{"SetAdminPassword", func() error { _, err := env.Service.SetAdminPassword(ctx, "admin", ""); return err }},
		{"DeleteAdmin", func() error { return env.Service.DeleteAdmin(ctx, "admin") }},
		{"CreateCustomer", func() error {
			_, _, err := env.Service.CreateCustomer(ctx, hosting.CustomerCreate{Login: "bob"})
			return err
		}},
		{"UpdateCustomer", func() error {
			_, err := env.Service.UpdateCustomer(ctx, "alice", hosting.CustomerUpdate{MaxFTPAccounts: ptr(100)})
			return err
		}},
		{"SetCustomerStatus", func() error {
			_, err := env.Service.SetCustomerStatus(ctx, "alice", hosting.StatusActive)
			return err
		}},
		{"DeleteCustomer", func() error { return env.Service.DeleteCustomer(ctx, "alice") }},
		{"CreateSite", func() error {
			_, _, _, err := env.Service.CreateSite(ctx, hosting.SiteCreate{Name: "b.example", Customer: "alice"})
			return err
		}},
		{"UpdateSite", func() error {
			_, err := env.Service.UpdateSite(ctx, "a.example", hosting.SiteUpdate{MaxFTPAccounts: ptr(100)})
			return err
		}},
		{"SetSiteStatus", func() error {
			_, err := env.Service.SetSiteStatus(ctx, "a.example", hosting.StatusActive)
			return err
		}},
		{"DeleteSite", func() error { return env.Service.DeleteSite(ctx, "a.example") }},
		{"CreateToken", func() error {
			_, err := env.Service.CreateToken(ctx, hosting.TokenCreate{Customer: "alice"})
			return err
		}},
		{"Tokens", func() error { _, err := env.Service.Tokens(ctx, hosting.TokenFilter{}); return err }},
		{"DeleteToken", func() error { return env.Service.DeleteToken(ctx, "nokey") }},
		{"Bans", func() error { _, err := env.Service.Bans(ctx); return err }},
		{"DeleteBan", func() error { return env.Service.DeleteBan(ctx, "192.0.2.1") }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantCode(t, tc.call(), hosting.CodeForbidden)
		})
	}
	// Nothing changed.
	c, err := env.Service.Customer(admin(env), "alice")
	wantCode(t, err, "")
	if c.MaxFTPAccounts != hosting.Unlimited || c.Status != hosting.StatusActive {
		t.Fatalf("customer changed by forbidden calls: %+v", c)
	}
}

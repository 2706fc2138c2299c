package hostingtest_test

import (
	"context"
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"ftpanel/internal/hosting"
	"ftpanel/internal/hosting/hostingtest"
)

func TestEnv(t *testing.T) {
	env := hostingtest.New(t)
	ctx := context.Background()
	c := env.MustCustomer(t, "bob")
	site, main := env.MustSite(t, "bob", "example.com")
	if got, want := site.Root, filepath.Join(env.SitesDir, "example.com"); got != want {
		t.Errorf("Root=%q, want %q", got, want)
	}
	if fi, err := os.Stat(site.Root); err != nil || !fi.IsDir() {
		t.Errorf("site root not created: %v", err)
	}
	if !main.Main || main.SiteID != site.ID {
		t.Errorf("main account = %+v, want main of site %d", main, site.ID)
	}
	a := env.MustAccount(t, "example.com", "web1", "")
	if got, want := a.CustomerID, c.ID; got != want {
		t.Errorf("CustomerID=%d, want %d", got, want)
	}
	got, err := env.Service.AuthenticateFTP(ctx, "web1", hostingtest.Password, mustAddr(t, "127.0.0.1"))
	if err != nil {
		t.Fatalf("AuthenticateFTP: %v", err)
	}
	if got.ID != a.ID {
		t.Errorf("AuthenticateFTP ID=%d, want %d", got.ID, a.ID)
	}
	// A customer sees its own account; another customer does not.
	env.MustCustomer(t, "eve")
	if _, err := env.Service.Account(env.As(ctx, "bob"), "web1"); err != nil {
		t.Errorf("bob: Account: %v", err)
	}
	if _, err := env.Service.Account(env.As(ctx, "eve"), "web1"); hosting.ErrorCode(err) != hosting.CodeNotFound {
		t.Errorf("eve: Account err=%v, want not_found", err)
	}
	if _, err := os.Stat(filepath.Join(env.Dir, "ftpanel.db")); err != nil {
		t.Errorf("database not in Dir: %v", err)
	}
}

func TestNewWithPolicy(t *testing.T) {
	env := hostingtest.NewWithPolicy(t, func(p *hosting.Policy) { p.Namespace = hosting.NamespaceSuffix })
	env.MustCustomer(t, "bob")
	env.MustSite(t, "bob", "example.com")
	a := env.MustAccount(t, "example.com", "web1", "")
	if got, want := a.Login, "web1.bob"; got != want {
		t.Errorf("Login=%q, want %q", got, want)
	}
	if got := env.Service.Policy().SitesDir; got != env.SitesDir {
		t.Errorf("Policy().SitesDir=%q, want %q", got, env.SitesDir)
	}
}

func mustAddr(t *testing.T, s string) netip.Addr {
	t.Helper()
	a, err := netip.ParseAddr(s)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

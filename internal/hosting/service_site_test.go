package hosting_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"ftpanel/internal/hosting"
	"ftpanel/internal/hosting/hostingtest"
)

func TestService_CreateSite(t *testing.T) {
	t.Parallel()
	env := hostingtest.New(t)
	env.MustCustomer(t, "alice")
	env.MustSite(t, "alice", "taken.example")
	_, takenMain := env.MustSite(t, "alice", "main.example")
	ctx := admin(env)
	tests := []struct {
		name     string
		in       hosting.SiteCreate
		want     hosting.Code
		wantName string
	}{
		{"OK", hosting.SiteCreate{Name: "a.example", Customer: "alice", IP: "192.0.2.10", MaxFTPAccounts: ptr(5),
			DefaultQuota: ptr(int64(1 << 20)), MainLogin: "amain", MainPassword: pw}, "", "a.example"},
		{"OK/generated main account", hosting.SiteCreate{Name: "Gen.Example.", Customer: "alice"}, "", "gen.example"},
		{"OK/IDN", hosting.SiteCreate{Name: "bücher.example", Customer: "alice"}, "", "xn--bcher-kva.example"},
		{"OK/explicit root", hosting.SiteCreate{Name: "root.example", Customer: "alice", Root: "{dir}/custom/www"}, "", "root.example"},
		{"ErrInvalidInput/domain", hosting.SiteCreate{Name: "bad_domain.example", Customer: "alice"}, hosting.CodeInvalidInput, ""},
		{"ErrInvalidInput/no dot", hosting.SiteCreate{Name: "localhost", Customer: "alice"}, hosting.CodeInvalidInput, ""},
		{"ErrInvalidInput/traversal", hosting.SiteCreate{Name: "../../etc", Customer: "alice"}, hosting.CodeInvalidInput, ""},
		{"ErrInvalidInput/ip", hosting.SiteCreate{Name: "b.example", Customer: "alice", IP: "300.1.1.1"}, hosting.CodeInvalidInput, ""},
		{"ErrInvalidInput/uid without gid", hosting.SiteCreate{Name: "b.example", Customer: "alice", UID: ptr(1000)}, hosting.CodeInvalidInput, ""},
		{"ErrInvalidInput/negative uid", hosting.SiteCreate{Name: "b.example", Customer: "alice", UID: ptr(-5), GID: ptr(1)}, hosting.CodeInvalidInput, ""},
		{"ErrInvalidInput/limit", hosting.SiteCreate{Name: "b.example", Customer: "alice", MaxFTPAccounts: ptr(-2)}, hosting.CodeInvalidInput, ""},
		{"ErrInvalidInput/quota", hosting.SiteCreate{Name: "b.example", Customer: "alice", DefaultQuota: ptr(int64(-3))}, hosting.CodeInvalidInput, ""},
		{"ErrInvalidInput/relative root", hosting.SiteCreate{Name: "b.example", Customer: "alice", Root: "sites/b"}, hosting.CodeInvalidInput, ""},
		{"ErrInvalidInput/root is a file", hosting.SiteCreate{Name: "b.example", Customer: "alice", Root: "{dir}/file"}, hosting.CodeInvalidInput, ""},
		{"ErrNotFound/customer", hosting.SiteCreate{Name: "b.example", Customer: "nobody1"}, hosting.CodeNotFound, ""},
		{"ErrConflict", hosting.SiteCreate{Name: "taken.example", Customer: "alice"}, hosting.CodeConflict, ""},
		{"ErrConflict/other spelling", hosting.SiteCreate{Name: "TAKEN.example.", Customer: "alice"}, hosting.CodeConflict, ""},
		{"ErrLoginTaken/main login", hosting.SiteCreate{Name: "b.example", Customer: "alice", MainLogin: takenMain.Login}, hosting.CodeLoginTaken, ""},
		{"ErrInvalidLogin/main login", hosting.SiteCreate{Name: "b.example", Customer: "alice", MainLogin: "Main"}, hosting.CodeInvalidLogin, ""},
		{"ErrReservedLogin/main login", hosting.SiteCreate{Name: "b.example", Customer: "alice", MainLogin: "ftp"}, hosting.CodeReservedLogin, ""},
		{"ErrWeakPassword/main password", hosting.SiteCreate{Name: "b.example", Customer: "alice", MainPassword: "password"}, hosting.CodeWeakPassword, ""},
	}
	if err := os.WriteFile(filepath.Join(env.Dir, "file"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			in.Root = strings.ReplaceAll(in.Root, "{dir}", env.Dir)
			before := tree(t, env.Dir)
			site, main, gen, err := env.Service.CreateSite(ctx, in)
			wantCode(t, err, tc.want)
			if err != nil {
				if tc.want != hosting.CodeConflict {
					// Nothing half-made: no folder (the database file changes, the tree does not).
					sameTree(t, before, tree(t, env.Dir))
				}
				if tc.want == hosting.CodeLoginTaken {
					if _, err := env.Store.SiteByName(context.Background(), "b.example"); hosting.ErrorCode(err) != hosting.CodeNotFound {
						t.Fatalf("site row left behind (err %v)", err)
					}
				}
				return
			}
			if site.Name != tc.wantName || site.Status != hosting.StatusActive {
				t.Fatalf("site = %+v, want name %q, active", site, tc.wantName)
			}
			wantRoot := filepath.Join(env.SitesDir, tc.wantName)
			if in.Root != "" {
				wantRoot = in.Root
			}
			if site.Root != wantRoot {
				t.Errorf("root = %q, want %q", site.Root, wantRoot)
			}
			for _, d := range []string{"httpdocs", "private"} {
				if fi, err := os.Stat(filepath.Join(site.Root, d)); err != nil || !fi.IsDir() {
					t.Errorf("skeleton folder %s missing: %v", d, err)
				}
			}
			if !main.Main || main.Home != "/" || main.SiteID != site.ID || !main.Read || !main.Write {
				t.Fatalf("main account = %+v, want main, home /, read+write", main)
			}
			if in.MainLogin != "" && main.Login != in.MainLogin {
				t.Errorf("main login = %q, want %q", main.Login, in.MainLogin)
			}
			if err := env.Service.Policy().CheckName(main.Login); err != nil {
				t.Errorf("main login %q refused by the policy: %v", main.Login, err)
			}
			password := in.MainPassword
			if password == "" {
				if err := env.Service.Policy().CheckPassword(gen, main.Login); err != nil {
					t.Fatalf("generated main password refused by the policy: %v", err)
				}
				password = gen
			} else if gen != "" {
				t.Errorf("generated %q although a password was given", gen)
			}
			stored, err := env.Store.AccountByLogin(context.Background(), main.Login)
			wantCode(t, err, "")
			if stored.PasswordHash == password || !strings.HasPrefix(stored.PasswordHash, "$argon2id$") {
				t.Fatalf("password stored as %q, want an argon2id hash", stored.PasswordHash)
			}
			wantCode(t, ftpLogin(env, main.Login, password), "")
			got, err := env.Service.Site(ctx, in.Name)
			wantCode(t, err, "")
			if got.ID != site.ID {
				t.Fatalf("Site(%q).ID = %d, want %d", in.Name, got.ID, site.ID)
			}
		})
	}
	t.Run("IDN display", func(t *testing.T) {
		if got, want := hosting.DisplayDomain("xn--bcher-kva.example"), "bücher.example"; got != want {
			t.Fatalf("DisplayDomain = %q, want %q", got, want)
		}
	})
}

// TestService_CreateSite_Concurrent races creates of one site: exactly one
// wins, and the losers do not take the winner's folders with them.
func TestService_CreateSite_Concurrent(t *testing.T) {
	t.Parallel()
	env := hostingtest.New(t)
	env.MustCustomer(t, "alice")
	const n = 10
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			_, _, _, errs[i] = env.Service.CreateSite(admin(env), hosting.SiteCreate{Name: "race.example", Customer: "alice",
				MainLogin: "race" + string(rune('a'+i)), MainPassword: pw})
		})
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch hosting.ErrorCode(err) {
		case "":
			ok++
		case hosting.CodeConflict:
		default:
			t.Errorf("unexpected error: %v", err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d creates succeeded, want exactly 1", ok)
	}
	for _, d := range []string{"httpdocs", "private"} {
		if _, err := os.Stat(filepath.Join(env.SitesDir, "race.example", d)); err != nil {
			t.Errorf("winner's folder %s is gone: %v", d, err)
		}
	}
}

// TestService_CreateSite_FailureKeepsOtherSites: a failed create whose
// root sits in a fresh folder never removes what another site put there.
func TestService_CreateSite_FailureKeepsOtherSites(t *testing.T) {
	t.Parallel()
	env := hostingtest.New(t)
	env.MustCustomer(t, "alice")
	_, main := env.MustSite(t, "alice", "a.example")
	ctx := admin(env)
	_, _, _, err := env.Service.CreateSite(ctx, hosting.SiteCreate{Name: "b.example", Customer: "alice",
		Root: filepath.Join(env.Dir, "shared", "b"), MainPassword: pw})
	wantCode(t, err, "")
	before := tree(t, env.Dir)
	_, _, _, err = env.Service.CreateSite(ctx, hosting.SiteCreate{Name: "c.example", Customer: "alice",
		Root: filepath.Join(env.Dir, "shared", "c", "www"), MainLogin: main.Login})
	wantCode(t, err, hosting.CodeLoginTaken)
	sameTree(t, before, tree(t, env.Dir))
}

func TestService_Site_Isolation(t *testing.T) {
	t.Parallel()
	env := hostingtest.New(t)
	env.MustCustomer(t, "alice")
	env.MustCustomer(t, "bob")
	siteA, _ := env.MustSite(t, "alice", "a.example")
	siteB, _ := env.MustSite(t, "bob", "b.example")
	bob := as(env, "bob")
	t.Run("Site", func(t *testing.T) {
		_, err := env.Service.Site(bob, "a.example")
		wantCode(t, err, hosting.CodeNotFound)
		s, err := env.Service.Site(bob, "b.example")
		wantCode(t, err, "")
		if s.ID != siteB.ID {
			t.Fatalf("ID = %d, want %d", s.ID, siteB.ID)
		}
	})
	t.Run("SiteByID", func(t *testing.T) {
		_, err := env.Service.SiteByID(bob, siteA.ID)
		wantCode(t, err, hosting.CodeNotFound)
	})
	t.Run("Sites", func(t *testing.T) {
		list, err := env.Service.Sites(bob, hosting.SiteFilter{})
		wantCode(t, err, "")
		if len(list) != 1 || list[0].ID != siteB.ID {
			t.Fatalf("Sites as bob = %v, want only b.example", list)
		}
		list, err = env.Service.Sites(bob, hosting.SiteFilter{CustomerID: &siteA.CustomerID})
		wantCode(t, err, "")
		if len(list) != 0 {
			t.Fatalf("Sites(customer alice) as bob = %v, want none", list)
		}
	})
	t.Run("SiteFolders", func(t *testing.T) {
		_, err := env.Service.SiteFolders(bob, "a.example", 2, 100)
		wantCode(t, err, hosting.CodeNotFound)
		list, err := env.Service.SiteFolders(bob, "b.example", 2, 100)
		wantCode(t, err, "")
		if want := []string{"/", "/httpdocs", "/private"}; strings.Join(list, ",") != strings.Join(want, ",") {
			t.Fatalf("SiteFolders = %q, want %q", list, want)
		}
	})
	t.Run("UpdateSite by admin of unknown", func(t *testing.T) {
		_, err := env.Service.UpdateSite(admin(env), "nowhere.example", hosting.SiteUpdate{IP: ptr("192.0.2.1")})
		wantCode(t, err, hosting.CodeNotFound)
	})
}

func TestService_SiteFolders_StaysInside(t *testing.T) {
	t.Parallel()
	env := hostingtest.New(t)
	env.MustCustomer(t, "alice")
	site, _ := env.MustSite(t, "alice", "a.example")
	outside := filepath.Join(env.Dir, "outside", "secret")
	if err := os.MkdirAll(outside, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../../outside", filepath.Join(site.Root, "httpdocs", "out")); err != nil {
		t.Fatal(err)
	}
	list, err := env.Service.SiteFolders(admin(env), "a.example", 5, 100)
	wantCode(t, err, "")
	for _, f := range list {
		if strings.Contains(f, "secret") {
			t.Fatalf("SiteFolders = %q lists a folder outside the site", list)
		}
	}
}

func TestService_UpdateSite(t *testing.T) {
	t.Parallel()
	env := hostingtest.New(t)
	env.MustCustomer(t, "alice")
	env.MustCustomer(t, "bob")
	site, _ := env.MustSite(t, "alice", "a.example")
	env.MustAccount(t, "a.example", "web", "")
	ctx := admin(env)
	tests := []struct {
		name string
		u    hosting.SiteUpdate
		want hosting.Code
	}{
		{"OK", hosting.SiteUpdate{IP: ptr("2001:db8::1"), MaxFTPAccounts: ptr(7), DefaultQuota: ptr(int64(4096))}, ""},
		{"OK/system user", hosting.SiteUpdate{UID: ptr(1000), GID: ptr(1000)}, ""},
		{"ErrInvalidInput/ip", hosting.SiteUpdate{IP: ptr("example.com")}, hosting.CodeInvalidInput},
		{"ErrInvalidInput/uid only", hosting.SiteUpdate{UID: ptr(1000)}, hosting.CodeInvalidInput},
		{"ErrInvalidInput/limit", hosting.SiteUpdate{MaxFTPAccounts: ptr(-9)}, hosting.CodeInvalidInput},
		{"ErrInvalidInput/quota", hosting.SiteUpdate{DefaultQuota: ptr(int64(-9))}, hosting.CodeInvalidInput},
		{"ErrNotFound/customer", hosting.SiteUpdate{Customer: ptr("carol")}, hosting.CodeNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := env.Service.UpdateSite(ctx, "a.example", tc.u)
			wantCode(t, err, tc.want)
		})
	}
	got, err := env.Service.SiteByID(ctx, site.ID)
	wantCode(t, err, "")
	if got.IP != "2001:db8::1" || got.MaxFTPAccounts != 7 || got.DefaultQuota != 4096 || got.UID != 1000 || got.GID != 1000 {
		t.Fatalf("site = %+v, want the OK updates only", got)
	}
	t.Run("ErrLimitExceeded/move to a customer without room", func(t *testing.T) {
		_, _, err := env.Service.CreateCustomer(ctx, hosting.CustomerCreate{Login: "carol", Password: pw, MaxFTPAccounts: ptr(0)})
		wantCode(t, err, "")
		_, err = env.Service.UpdateSite(ctx, "a.example", hosting.SiteUpdate{Customer: ptr("carol")})
		wantCode(t, err, hosting.CodeLimitExceeded)
		s, err := env.Service.SiteByID(ctx, site.ID)
		wantCode(t, err, "")
		if s.CustomerLogin != "alice" {
			t.Fatalf("owner = %q after a refused move, want alice", s.CustomerLogin)
		}
	})
	t.Run("OK/move to another customer", func(t *testing.T) {
		s, err := env.Service.UpdateSite(ctx, "a.example", hosting.SiteUpdate{Customer: ptr("bob")})
		wantCode(t, err, "")
		if s.CustomerLogin != "bob" {
			t.Fatalf("owner = %q, want bob", s.CustomerLogin)
		}
		a, err := env.Service.Account(as(env, "bob"), "web")
		wantCode(t, err, "")
		if a.CustomerLogin != "bob" {
			t.Fatalf("account owner = %q, want bob", a.CustomerLogin)
		}
		_, err = env.Service.Account(as(env, "alice"), "web")
		wantCode(t, err, hosting.CodeNotFound)
	})
}

func TestService_DeleteSite(t *testing.T) {
	t.Parallel()
	env := hostingtest.New(t)
	env.MustCustomer(t, "alice")
	site, main := env.MustSite(t, "alice", "a.example")
	web := env.MustAccount(t, "a.example", "web", "")
	ctx := admin(env)
	wantCode(t, env.Service.DeleteSite(ctx, "nowhere.example"), hosting.CodeNotFound)
	wantCode(t, env.Service.DeleteSite(ctx, "a.example"), "")
	for _, l := range []string{main.Login, web.Login} {
		if accountExists(t, env, l) {
			t.Errorf("account %s survived its site", l)
		}
		wantCode(t, ftpLogin(env, l, pw), hosting.CodeUnauthorized)
	}
	if _, err := os.Stat(filepath.Join(site.Root, "httpdocs")); err != nil {
		t.Fatalf("site files removed, want them kept: %v", err)
	}
	_, err := env.Service.Site(ctx, "a.example")
	wantCode(t, err, hosting.CodeNotFound)
}

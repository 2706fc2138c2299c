package hosting_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ftpanel/internal/hosting"
	"ftpanel/internal/hosting/hostingtest"
)

func TestService_CreateAccount(t *testing.T) {
	t.Parallel()
	env := hostingtest.New(t)
	env.MustCustomer(t, "alice")
	env.MustCustomer(t, "bob")
	site, main := env.MustSite(t, "alice", "a.example")
	env.MustSite(t, "bob", "b.example")
	env.MustAccount(t, "b.example", "bobweb", "")
	env.MustAccount(t, "a.example", "taken", "")
	if err := os.WriteFile(filepath.Join(site.Root, "httpdocs", "index.html"), []byte("hi"), 0o644); err != nil {
		t.Fatal(err)
	}
	expires := time.Now().Add(24 * time.Hour).Truncate(time.Second)
	tests := []struct {
		name      string
		ctx       context.Context
		in        hosting.AccountCreate
		want      hosting.Code
		wantLogin string
		wantHome  string
	}{
		{"OK", as(env, "alice"), hosting.AccountCreate{Site: "a.example", Login: "web", Password: pw, Home: "/httpdocs",
			QuotaBytes: ptr(int64(1000)), Read: ptr(true), Write: ptr(false), ExpiresAt: &expires,
			AllowedIPs: []string{"10.1.2.3/8", " 127.0.0.1 "}}, "", "web", "/httpdocs"},
		{"OK/by site ID", admin(env), hosting.AccountCreate{SiteID: site.ID, Login: "byid", Password: pw}, "", "byid", "/"},
		{"OK/seed password jdnHHbe6Gc", admin(env), hosting.AccountCreate{Site: "a.example", Login: "seed1", Password: "jdnHHbe6Gc"}, "", "seed1", "/"},
		{"OK/seed password J7chhend", admin(env), hosting.AccountCreate{Site: "a.example", Login: "seed2", Password: "J7chhend"}, "", "seed2", "/"},
		{"OK/home as host path of the site", admin(env), hosting.AccountCreate{Site: "a.example", Login: "hostpath", Password: pw,
			Home: site.Root + "/private"}, "", "hostpath", "/private"},
		{"OK/create missing nested", admin(env), hosting.AccountCreate{Site: "a.example", Login: "nested", Password: pw,
			Home: "/httpdocs/up/loads", CreateMissing: true}, "", "nested", "/httpdocs/up/loads"},
		{"OK/Unicode site name", admin(env), hosting.AccountCreate{Site: "A.EXAMPLE.", Login: "upper", Password: pw}, "", "upper", "/"},
		{"ErrInvalidLogin", admin(env), hosting.AccountCreate{Site: "a.example", Login: "Web", Password: pw}, hosting.CodeInvalidLogin, "", ""},
		{"ErrInvalidLogin/too long", admin(env), hosting.AccountCreate{Site: "a.example", Login: "abcdefghijklmnopq", Password: pw}, hosting.CodeInvalidLogin, "", ""},
		{"ErrInvalidLogin/namespaced", admin(env), hosting.AccountCreate{Site: "a.example", Login: "web.alice", Password: pw}, hosting.CodeInvalidLogin, "", ""},
		{"ErrReservedLogin", admin(env), hosting.AccountCreate{Site: "a.example", Login: "root", Password: pw}, hosting.CodeReservedLogin, "", ""},
		{"ErrReservedLogin/anonymous", admin(env), hosting.AccountCreate{Site: "a.example", Login: "anonymous", Password: pw}, hosting.CodeReservedLogin, "", ""},
		{"ErrLoginTaken", admin(env), hosting.AccountCreate{Site: "a.example", Login: "taken", Password: pw}, hosting.CodeLoginTaken, "", ""},
		{"ErrLoginTaken/main account", admin(env), hosting.AccountCreate{Site: "a.example", Login: main.Login, Password: pw}, hosting.CodeLoginTaken, "", ""},
		{"ErrLoginTaken/other customer", as(env, "alice"), hosting.AccountCreate{Site: "a.example", Login: "bobweb", Password: pw}, hosting.CodeLoginTaken, "", ""},
		{"ErrLoginTaken/folder removed", admin(env), hosting.AccountCreate{Site: "a.example", Login: "taken", Password: pw,
			Home: "/httpdocs/fresh/deeper", CreateMissing: true}, hosting.CodeLoginTaken, "", ""},
		{"ErrWeakPassword/short", admin(env), hosting.AccountCreate{Site: "a.example", Login: "weak", Password: "Ab1!"}, hosting.CodeWeakPassword, "", ""},
		{"ErrWeakPassword/classes", admin(env), hosting.AccountCreate{Site: "a.example", Login: "weak", Password: "alllowercase"}, hosting.CodeWeakPassword, "", ""},
		{"ErrWeakPassword/contains login", admin(env), hosting.AccountCreate{Site: "a.example", Login: "weak", Password: "xWeak-9999"}, hosting.CodeWeakPassword, "", ""},
		{"ErrWeakPassword/common", admin(env), hosting.AccountCreate{Site: "a.example", Login: "weak", Password: "Qwerty123!"}, hosting.CodeWeakPassword, "", ""},
		{"ErrInvalidHome/control", admin(env), hosting.AccountCreate{Site: "a.example", Login: "home", Password: pw, Home: "/httpdocs\n"}, hosting.CodeInvalidHome, "", ""},
		{"ErrInvalidHome/NUL", admin(env), hosting.AccountCreate{Site: "a.example", Login: "home", Password: pw, Home: "/a\x00b", CreateMissing: true}, hosting.CodeInvalidHome, "", ""},
		{"ErrInvalidHome/file", admin(env), hosting.AccountCreate{Site: "a.example", Login: "home", Password: pw, Home: "/httpdocs/index.html"}, hosting.CodeInvalidHome, "", ""},
		{"ErrHomeOutsideSite", admin(env), hosting.AccountCreate{Site: "a.example", Login: "home", Password: pw, Home: "../b.example"}, hosting.CodeHomeOutsideSite, "", ""},
		{"ErrHomeOutsideSite/encoded", admin(env), hosting.AccountCreate{Site: "a.example", Login: "home", Password: pw, Home: "%2e%2e/b.example", CreateMissing: true}, hosting.CodeHomeOutsideSite, "", ""},
		{"ErrHomeOutsideSite/backslashes", admin(env), hosting.AccountCreate{Site: "a.example", Login: "home", Password: pw, Home: `..\..\etc`}, hosting.CodeHomeOutsideSite, "", ""},
		{"ErrHomeNotFound", admin(env), hosting.AccountCreate{Site: "a.example", Login: "home", Password: pw, Home: "/httpdocs/missing"}, hosting.CodeHomeNotFound, "", ""},
		{"ErrHomeNotFound/host path", admin(env), hosting.AccountCreate{Site: "a.example", Login: "home", Password: pw, Home: "/etc"}, hosting.CodeHomeNotFound, "", ""},
		{"ErrTopLevelDirForbidden", admin(env), hosting.AccountCreate{Site: "a.example", Login: "home", Password: pw, Home: "/uploads/x", CreateMissing: true}, hosting.CodeTopLevelDirForbidden, "", ""},
		{"ErrInvalidInput/no site", admin(env), hosting.AccountCreate{Login: "nosite", Password: pw}, hosting.CodeInvalidInput, "", ""},
		{"ErrInvalidInput/quota", admin(env), hosting.AccountCreate{Site: "a.example", Login: "quota", Password: pw, QuotaBytes: ptr(int64(-2))}, hosting.CodeInvalidInput, "", ""},
		{"ErrInvalidInput/allowed ips", admin(env), hosting.AccountCreate{Site: "a.example", Login: "ips", Password: pw, AllowedIPs: []string{"10.0.0.0/33"}}, hosting.CodeInvalidInput, "", ""},
		{"ErrInvalidInput/password and hash", admin(env), hosting.AccountCreate{Site: "a.example", Login: "both", Password: pw, PasswordHash: sha512Hash}, hosting.CodeInvalidInput, "", ""},
		{"ErrInvalidInput/unknown hash", admin(env), hosting.AccountCreate{Site: "a.example", Login: "hash", PasswordHash: "{MD5}abcdef"}, hosting.CodeInvalidInput, "", ""},
		{"ErrInvalidInput/plain text as hash", admin(env), hosting.AccountCreate{Site: "a.example", Login: "hash", PasswordHash: pw}, hosting.CodeInvalidInput, "", ""},
		{"ErrNotFound/site", admin(env), hosting.AccountCreate{Site: "nowhere.example", Login: "lost", Password: pw}, hosting.CodeNotFound, "", ""},
		{"ErrNotFound/site ID", admin(env), hosting.AccountCreate{SiteID: 99999, Login: "lost", Password: pw}, hosting.CodeNotFound, "", ""},
		{"ErrNotFound/other customer's site", as(env, "bob"), hosting.AccountCreate{Site: "a.example", Login: "intruder", Password: pw}, hosting.CodeNotFound, "", ""},
		{"ErrNotFound/other customer's site ID", as(env, "bob"), hosting.AccountCreate{SiteID: site.ID, Login: "intruder", Password: pw}, hosting.CodeNotFound, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := tree(t, env.SitesDir)
			a, gen, err := env.Service.CreateAccount(tc.ctx, tc.in)
			wantCode(t, err, tc.want)
			if err != nil {
				sameTree(t, before, tree(t, env.SitesDir))
				if tc.want != hosting.CodeLoginTaken && tc.in.Login != "" && accountExists(t, env, tc.in.Login) {
					t.Fatalf("account %q exists after a failed create", tc.in.Login)
				}
				if hosting.ErrorMessage(err) == "" || strings.Contains(hosting.ErrorMessage(err), pw) {
					t.Fatalf("message = %q, want a text without the password", hosting.ErrorMessage(err))
				}
				return
			}
			if gen != "" {
				t.Errorf("generated password %q although one was given", gen)
			}
			if a.Login != tc.wantLogin || a.Home != tc.wantHome || a.Main || a.Status != hosting.StatusActive {
				t.Fatalf("account = %+v, want login %q, home %q, not main, active", a, tc.wantLogin, tc.wantHome)
			}
			stored, err := env.Service.Account(admin(env), a.Login)
			wantCode(t, err, "")
			if stored.Home != tc.wantHome || stored.SiteID != site.ID || stored.CustomerLogin != "alice" {
				t.Fatalf("stored = %+v", stored)
			}
			if fi, err := os.Stat(filepath.Join(site.Root, stored.Home)); err != nil || !fi.IsDir() {
				t.Fatalf("home folder missing: %v", err)
			}
			if stored.PasswordHash == tc.in.Password || !strings.HasPrefix(stored.PasswordHash, "$argon2id$") {
				t.Fatalf("password stored as %q, want an argon2id hash", stored.PasswordHash)
			}
			wantCode(t, ftpLogin(env, a.Login, tc.in.Password), "")
		})
	}
	t.Run("OK/fields", func(t *testing.T) {
		a, err := env.Service.Account(admin(env), "web")
		wantCode(t, err, "")
		if a.QuotaBytes != 1000 || !a.Read || a.Write {
			t.Errorf("quota %d read %v write %v, want 1000 true false", a.QuotaBytes, a.Read, a.Write)
		}
		if a.ExpiresAt == nil || !a.ExpiresAt.Equal(expires) {
			t.Errorf("ExpiresAt = %v, want %v", a.ExpiresAt, expires)
		}
		if got, want := strings.Join(a.AllowedIPs, ","), "10.0.0.0/8,127.0.0.1"; got != want {
			t.Errorf("AllowedIPs = %q, want %q", got, want)
		}
		d, err := env.Service.Account(admin(env), "byid")
		wantCode(t, err, "")
		if d.QuotaBytes != site.DefaultQuota || !d.Read || !d.Write {
			t.Errorf("defaults: quota %d read %v write %v, want %d true true", d.QuotaBytes, d.Read, d.Write, site.DefaultQuota)
		}
	})
}

// sha512Hash is `openssl passwd -6 -salt abcdefgh 'Secret-pw1'`.
const sha512Hash = "$6$abcdefgh$fGfxcHcfOaMHxfjfpjYQFHhO8OZ9I7wn0BtTMrcydK3c5D5.hl0bAkpq1l30PdCCgVhAnuTa2qYGIjjc2X9PP0"

func TestService_CreateAccount_SimpleMode(t *testing.T) {
	t.Parallel()
	for _, ns := range []hosting.Namespace{hosting.NamespaceNone, hosting.NamespaceSuffix, hosting.NamespacePrefix, hosting.NamespaceDomain} {
		t.Run(string(ns), func(t *testing.T) {
			env := hostingtest.NewWithPolicy(t, func(p *hosting.Policy) { p.Namespace = ns })
			env.MustCustomer(t, "alice")
			env.MustSite(t, "alice", "shop.example")
			seen := make(map[string]bool)
			for range 3 {
				a, gen, err := env.Service.CreateAccount(as(env, "alice"), hosting.AccountCreate{Site: "shop.example"})
				wantCode(t, err, "")
				if seen[a.Login] {
					t.Fatalf("login %q generated twice", a.Login)
				}
				seen[a.Login] = true
				name := a.Login
				switch ns {
				case hosting.NamespaceSuffix:
					name = strings.TrimSuffix(a.Login, ".alice")
				case hosting.NamespacePrefix:
					name = strings.TrimPrefix(a.Login, "alice_")
				case hosting.NamespaceDomain:
					name = strings.TrimSuffix(a.Login, "@shop.example")
				}
				if want := env.Service.Policy().FullLogin(name, "alice", "shop.example"); a.Login != want {
					t.Fatalf("login = %q, want the namespaced %q", a.Login, want)
				}
				if err := env.Service.Policy().CheckName(name); err != nil {
					t.Fatalf("generated name %q refused by the policy: %v", name, err)
				}
				if gen == "" {
					t.Fatal("no password returned")
				}
				if err := env.Service.Policy().CheckPassword(gen, a.Login); err != nil {
					t.Fatalf("generated password refused by the policy: %v", err)
				}
				if a.Home != "/" {
					t.Errorf("home = %q, want /", a.Home)
				}
				stored, err := env.Store.AccountByLogin(context.Background(), a.Login)
				wantCode(t, err, "")
				if strings.Contains(stored.PasswordHash, gen) || !strings.HasPrefix(stored.PasswordHash, "$argon2id$") {
					t.Fatalf("password stored as %q, want only an argon2id hash", stored.PasswordHash)
				}
				wantCode(t, ftpLogin(env, a.Login, gen), "")
				// The password is shown once: reading the account again never returns it.
				again, err := env.Service.Account(admin(env), a.Login)
				wantCode(t, err, "")
				if strings.Contains(again.PasswordHash, gen) {
					t.Fatal("password readable after creation")
				}
			}
		})
	}
}

func TestService_Namespace(t *testing.T) {
	t.Parallel()
	tests := []struct {
		ns         hosting.Namespace
		wantAlice  string
		wantBob    string
		bobAllowed bool // whether bob may also use the name "web"
	}{
		{hosting.NamespaceNone, "web", "", false},
		{hosting.NamespaceSuffix, "web.alice", "web.bob", true},
		{hosting.NamespacePrefix, "alice_web", "bob_web", true},
		{hosting.NamespaceDomain, "web@a.example", "web@b.example", true},
	}
	for _, tc := range tests {
		t.Run(string(tc.ns), func(t *testing.T) {
			env := hostingtest.NewWithPolicy(t, func(p *hosting.Policy) { p.Namespace = tc.ns })
			env.MustCustomer(t, "alice")
			env.MustCustomer(t, "bob")
			env.MustSite(t, "alice", "a.example")
			env.MustSite(t, "bob", "b.example")
			a, _, err := env.Service.CreateAccount(as(env, "alice"), hosting.AccountCreate{Site: "a.example", Login: "web", Password: pw})
			wantCode(t, err, "")
			if a.Login != tc.wantAlice {
				t.Fatalf("login = %q, want %q", a.Login, tc.wantAlice)
			}
			b, _, err := env.Service.CreateAccount(as(env, "bob"), hosting.AccountCreate{Site: "b.example", Login: "web", Password: pw})
			if !tc.bobAllowed {
				wantCode(t, err, hosting.CodeLoginTaken)
				return
			}
			wantCode(t, err, "")
			if b.Login != tc.wantBob {
				t.Fatalf("login = %q, want %q", b.Login, tc.wantBob)
			}
			_, _, err = env.Service.CreateAccount(as(env, "bob"), hosting.AccountCreate{Site: "b.example", Login: "web", Password: pw})
			wantCode(t, err, hosting.CodeLoginTaken)
			// The password rule sees the name inside the namespaced login.
			_, _, err = env.Service.CreateAccount(as(env, "bob"), hosting.AccountCreate{Site: "b.example", Login: "upload", Password: "Upload-2024!"})
			wantCode(t, err, hosting.CodeWeakPassword)
			// Renames are namespaced too.
			r, err := env.Service.UpdateAccount(as(env, "bob"), tc.wantBob, hosting.AccountUpdate{Login: ptr("site")})
			wantCode(t, err, "")
			if want := env.Service.Policy().FullLogin("site", "bob", "b.example"); r.Login != want {
				t.Fatalf("renamed login = %q, want %q", r.Login, want)
			}
		})
	}
}

func TestService_CreateAccount_Limits(t *testing.T) {
	t.Parallel()
	env := hostingtest.New(t)
	env.MustCustomer(t, "alice")
	ctx := admin(env)
	if _, err := env.Service.UpdateCustomer(ctx, "alice", hosting.CustomerUpdate{MaxFTPAccounts: ptr(3)}); err != nil {
		t.Fatal(err)
	}
	s1, _, _, err := env.Service.CreateSite(ctx, hosting.SiteCreate{Name: "one.example", Customer: "alice", MaxFTPAccounts: ptr(2), MainPassword: pw})
	wantCode(t, err, "")
	s2, _ := env.MustSite(t, "alice", "two.example")
	z, _, _, err := env.Service.CreateSite(ctx, hosting.SiteCreate{Name: "zero.example", Customer: "alice", MaxFTPAccounts: ptr(0), MainPassword: pw})
	wantCode(t, err, "") // the main account does not count against a limit of 0
	create := func(site, login string) error {
		_, _, err := env.Service.CreateAccount(as(env, "alice"), hosting.AccountCreate{Site: site, Login: login, Password: pw,
			Home: "/httpdocs/" + login, CreateMissing: true})
		return err
	}
	steps := []struct {
		name string
		site string
		want hosting.Code
	}{
		{"one-a", "one.example", ""},
		{"one-b", "one.example", ""},
		{"one-c", "one.example", hosting.CodeLimitExceeded}, // site limit 2
		{"zero-a", "zero.example", hosting.CodeLimitExceeded},
		{"two-a", "two.example", ""},
		{"two-b", "two.example", hosting.CodeLimitExceeded}, // customer limit 3 over both sites
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			err := create(st.site, strings.ReplaceAll(st.name, "-", ""))
			wantCode(t, err, st.want)
			if err != nil {
				root := filepath.Join(env.SitesDir, st.site, "httpdocs", strings.ReplaceAll(st.name, "-", ""))
				if _, err := os.Stat(root); err == nil {
					t.Fatalf("home folder %s left behind by a refused create", root)
				}
			}
		})
	}
	if got := countAdditional(t, env, s1.ID) + countAdditional(t, env, s2.ID) + countAdditional(t, env, z.ID); got != 3 {
		t.Fatalf("additional accounts = %d, want 3", got)
	}
	// Deleting one frees a place; raising a limit too.
	wantCode(t, env.Service.DeleteAccount(as(env, "alice"), "onea"), "")
	wantCode(t, create("two.example", "twob"), "")
	wantCode(t, create("two.example", "twoc"), hosting.CodeLimitExceeded)
	if _, err := env.Service.UpdateCustomer(ctx, "alice", hosting.CustomerUpdate{MaxFTPAccounts: ptr(hosting.Unlimited)}); err != nil {
		t.Fatal(err)
	}
	wantCode(t, create("two.example", "twoc"), "")
	wantCode(t, create("one.example", "onec"), "")
	wantCode(t, create("one.example", "oned"), hosting.CodeLimitExceeded)
}

func TestService_MainAccount(t *testing.T) {
	t.Parallel()
	env := hostingtest.New(t)
	env.MustCustomer(t, "alice")
	_, main := env.MustSite(t, "alice", "a.example")
	ctx := as(env, "alice")
	t.Run("ErrMainAccount/delete", func(t *testing.T) {
		wantCode(t, env.Service.DeleteAccount(ctx, main.Login), hosting.CodeMainAccount)
		wantCode(t, env.Service.DeleteAccount(admin(env), main.Login), hosting.CodeMainAccount)
		if !accountExists(t, env, main.Login) {
			t.Fatal("main account deleted")
		}
	})
	t.Run("ErrMainAccount/home", func(t *testing.T) {
		_, err := env.Service.UpdateAccount(ctx, main.Login, hosting.AccountUpdate{Home: ptr("/httpdocs")})
		wantCode(t, err, hosting.CodeMainAccount)
	})
	t.Run("OK/home stays root", func(t *testing.T) {
		_, err := env.Service.UpdateAccount(ctx, main.Login, hosting.AccountUpdate{Home: ptr("/")})
		wantCode(t, err, "")
	})
	t.Run("OK/edit", func(t *testing.T) {
		_, err := env.Service.UpdateAccount(ctx, main.Login, hosting.AccountUpdate{Password: ptr("Another-pw-42"), QuotaBytes: ptr(int64(5000))})
		wantCode(t, err, "")
		wantCode(t, ftpLogin(env, main.Login, "Another-pw-42"), "")
	})
	t.Run("OK/suspend", func(t *testing.T) {
		_, err := env.Service.SetAccountStatus(ctx, main.Login, hosting.StatusSuspended)
		wantCode(t, err, "")
		wantCode(t, ftpLogin(env, main.Login, "Another-pw-42"), hosting.CodeSuspended)
	})
}

func TestService_Account_Isolation(t *testing.T) {
	t.Parallel()
	env := hostingtest.New(t)
	env.MustCustomer(t, "alice")
	env.MustCustomer(t, "bob")
	_, mainA := env.MustSite(t, "alice", "a.example")
	env.MustSite(t, "bob", "b.example")
	webA := env.MustAccount(t, "a.example", "aliceweb", "")
	env.MustAccount(t, "b.example", "bobweb", "")
	bob := as(env, "bob")
	tests := []struct {
		name string
		call func() error
	}{
		{"Account", func() error { _, err := env.Service.Account(bob, "aliceweb"); return err }},
		{"AccountByID", func() error { _, err := env.Service.AccountByID(bob, webA.ID); return err }},
		{"UpdateAccount", func() error {
			_, err := env.Service.UpdateAccount(bob, "aliceweb", hosting.AccountUpdate{Password: ptr("Hijack-pw-1")})
			return err
		}},
		{"SetAccountPassword", func() error { _, err := env.Service.SetAccountPassword(bob, "aliceweb", ""); return err }},
		{"SetAccountStatus", func() error {
			_, err := env.Service.SetAccountStatus(bob, "aliceweb", hosting.StatusSuspended)
			return err
		}},
		{"DeleteAccount", func() error { return env.Service.DeleteAccount(bob, "aliceweb") }},
		{"DeleteAccount/main", func() error { return env.Service.DeleteAccount(bob, mainA.Login) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantCode(t, tc.call(), hosting.CodeNotFound)
		})
	}
	t.Run("Accounts", func(t *testing.T) {
		list, err := env.Service.Accounts(bob, hosting.AccountFilter{})
		wantCode(t, err, "")
		for _, a := range list {
			if a.CustomerLogin != "bob" {
				t.Fatalf("bob sees %s of %s", a.Login, a.CustomerLogin)
			}
		}
		if len(list) != 2 {
			t.Fatalf("len(Accounts) = %d, want 2 (main + bobweb)", len(list))
		}
		list, err = env.Service.Accounts(bob, hosting.AccountFilter{SiteID: &webA.SiteID})
		wantCode(t, err, "")
		if len(list) != 0 {
			t.Fatalf("Accounts(alice's site) as bob = %d accounts, want 0", len(list))
		}
		n, err := env.Service.CountAccounts(bob, hosting.AccountFilter{CustomerID: &webA.CustomerID})
		wantCode(t, err, "")
		if n != 0 {
			t.Fatalf("CountAccounts(alice) as bob = %d, want 0", n)
		}
	})
	// alice's account is untouched.
	wantCode(t, ftpLogin(env, "aliceweb", pw), "")
}

func TestService_UpdateAccount(t *testing.T) {
	t.Parallel()
	env := hostingtest.New(t)
	env.MustCustomer(t, "alice")
	site, _ := env.MustSite(t, "alice", "a.example")
	env.MustAccount(t, "a.example", "web", "")
	env.MustAccount(t, "a.example", "other", "")
	if err := os.Symlink("/", filepath.Join(site.Root, "httpdocs", "slash")); err != nil {
		t.Fatal(err)
	}
	ctx := as(env, "alice")
	tests := []struct {
		name string
		u    hosting.AccountUpdate
		want hosting.Code
	}{
		{"ErrWeakPassword/empty", hosting.AccountUpdate{Password: ptr("")}, hosting.CodeWeakPassword},
		{"ErrWeakPassword/short", hosting.AccountUpdate{Password: ptr("Aa1!")}, hosting.CodeWeakPassword},
		{"ErrWeakPassword/contains login", hosting.AccountUpdate{Password: ptr("My-web-pass-1")}, hosting.CodeWeakPassword},
		{"ErrLoginTaken", hosting.AccountUpdate{Login: ptr("other")}, hosting.CodeLoginTaken},
		{"ErrLoginTaken/created folders removed", hosting.AccountUpdate{Login: ptr("other"), Home: ptr("/httpdocs/fresh/deeper"), CreateMissing: true}, hosting.CodeLoginTaken},
		{"ErrWeakPassword/nothing else changed", hosting.AccountUpdate{Password: ptr("weak"), Home: ptr("/httpdocs/fresh"), CreateMissing: true}, hosting.CodeWeakPassword},
		{"ErrInvalidLogin", hosting.AccountUpdate{Login: ptr("Other!")}, hosting.CodeInvalidLogin},
		{"ErrReservedLogin", hosting.AccountUpdate{Login: ptr("admin")}, hosting.CodeReservedLogin},
		{"ErrHomeNotFound", hosting.AccountUpdate{Home: ptr("/httpdocs/missing")}, hosting.CodeHomeNotFound},
		{"ErrHomeOutsideSite", hosting.AccountUpdate{Home: ptr("/httpdocs/../..")}, hosting.CodeHomeOutsideSite},
		{"ErrHomeOutsideSite/symlink", hosting.AccountUpdate{Home: ptr("/httpdocs/slash/tmp"), CreateMissing: true}, hosting.CodeHomeOutsideSite},
		{"ErrInvalidHome", hosting.AccountUpdate{Home: ptr("/httpdocs/\x7f")}, hosting.CodeInvalidHome},
		{"ErrTopLevelDirForbidden", hosting.AccountUpdate{Home: ptr("/newtop"), CreateMissing: true}, hosting.CodeTopLevelDirForbidden},
		{"ErrInvalidInput/quota", hosting.AccountUpdate{QuotaBytes: ptr(int64(-5))}, hosting.CodeInvalidInput},
		{"ErrInvalidInput/allowed ips", hosting.AccountUpdate{AllowedIPs: &[]string{"not-an-ip"}}, hosting.CodeInvalidInput},
		{"ErrInvalidInput/hestia rename", hosting.AccountUpdate{Login: ptr("x@y"), Compat: hosting.CompatHestia}, hosting.CodeInvalidLogin},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := tree(t, env.SitesDir)
			_, err := env.Service.UpdateAccount(ctx, "web", tc.u)
			wantCode(t, err, tc.want)
			sameTree(t, before, tree(t, env.SitesDir))
			a, err := env.Service.Account(ctx, "web")
			wantCode(t, err, "")
			if a.Home != "/" || a.QuotaBytes != hosting.Unlimited || len(a.AllowedIPs) != 0 {
				t.Fatalf("account changed by a failed update: %+v", a)
			}
			wantCode(t, ftpLogin(env, "web", pw), "")
		})
	}
	t.Run("ErrNotFound", func(t *testing.T) {
		_, err := env.Service.UpdateAccount(ctx, "nobody1", hosting.AccountUpdate{QuotaBytes: ptr(int64(1))})
		wantCode(t, err, hosting.CodeNotFound)
	})
	t.Run("OK", func(t *testing.T) {
		past := time.Now().Add(-time.Hour)
		a, err := env.Service.UpdateAccount(ctx, "web", hosting.AccountUpdate{
			Home: ptr("/httpdocs/new/deeper"), CreateMissing: true, QuotaBytes: ptr(int64(77)),
			Read: ptr(true), Write: ptr(false), AllowedIPs: &[]string{"192.0.2.0/24"}, ExpiresAt: ptr(&past),
		})
		wantCode(t, err, "")
		if a.Home != "/httpdocs/new/deeper" || a.QuotaBytes != 77 || a.Write || a.ExpiresAt == nil {
			t.Fatalf("account = %+v", a)
		}
		if fi, err := os.Stat(filepath.Join(site.Root, "httpdocs", "new", "deeper")); err != nil || !fi.IsDir() {
			t.Fatalf("home not created: %v", err)
		}
		wantCode(t, ftpLogin(env, "web", pw), hosting.CodeUnauthorized) // expired
		a, err = env.Service.UpdateAccount(ctx, "web", hosting.AccountUpdate{ExpiresAt: ptr[*time.Time](nil), AllowedIPs: &[]string{}})
		wantCode(t, err, "")
		if a.ExpiresAt != nil || len(a.AllowedIPs) != 0 {
			t.Fatalf("expiry and addresses not cleared: %+v", a)
		}
		wantCode(t, ftpLogin(env, "web", pw), "")
	})
	t.Run("OK/rename", func(t *testing.T) {
		a, err := env.Service.UpdateAccount(ctx, "web", hosting.AccountUpdate{Login: ptr("renamed")})
		wantCode(t, err, "")
		if a.Login != "renamed" {
			t.Fatalf("login = %q, want renamed", a.Login)
		}
		wantCode(t, ftpLogin(env, "web", pw), hosting.CodeUnauthorized)
		wantCode(t, ftpLogin(env, "renamed", pw), "")
	})
	t.Run("OK/password", func(t *testing.T) {
		gen, err := env.Service.SetAccountPassword(ctx, "renamed", "")
		wantCode(t, err, "")
		if err := env.Service.Policy().CheckPassword(gen, "renamed"); err != nil {
			t.Fatalf("generated password refused: %v", err)
		}
		wantCode(t, ftpLogin(env, "renamed", pw), hosting.CodeUnauthorized)
		wantCode(t, ftpLogin(env, "renamed", gen), "")
		_, err = env.Service.SetAccountPassword(ctx, "renamed", "Chosen-pw-55")
		wantCode(t, err, "")
		wantCode(t, ftpLogin(env, "renamed", gen), hosting.CodeUnauthorized)
		wantCode(t, ftpLogin(env, "renamed", "Chosen-pw-55"), "")
	})
	t.Run("ErrInvalidInput/status", func(t *testing.T) {
		_, err := env.Service.SetAccountStatus(ctx, "renamed", "frozen")
		wantCode(t, err, hosting.CodeInvalidInput)
	})
}

func TestService_UpdateAccount_OnMissingHome(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		policy   hosting.MissingHome
		u        hosting.AccountUpdate
		want     hosting.Code
		wantHome string
	}{
		{"error/missing", hosting.MissingHomeError, hosting.AccountUpdate{Home: ptr("/httpdocs/gone")}, hosting.CodeHomeNotFound, "/httpdocs"},
		{"reset/missing", hosting.MissingHomeReset, hosting.AccountUpdate{Home: ptr("/httpdocs/gone")}, "", "/"},
		{"reset/existing", hosting.MissingHomeReset, hosting.AccountUpdate{Home: ptr("/private")}, "", "/private"},
		{"reset/create missing still creates", hosting.MissingHomeReset, hosting.AccountUpdate{Home: ptr("/private/new"), CreateMissing: true}, "", "/private/new"},
		{"reset/outside still refused", hosting.MissingHomeReset, hosting.AccountUpdate{Home: ptr("../x")}, hosting.CodeHomeOutsideSite, "/httpdocs"},
		{"reset/top level still refused", hosting.MissingHomeReset, hosting.AccountUpdate{Home: ptr("/top"), CreateMissing: true}, hosting.CodeTopLevelDirForbidden, "/httpdocs"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := hostingtest.NewWithPolicy(t, func(p *hosting.Policy) { p.OnMissingHome = tc.policy })
			env.MustCustomer(t, "alice")
			env.MustSite(t, "alice", "a.example")
			_, _, err := env.Service.CreateAccount(admin(env), hosting.AccountCreate{Site: "a.example", Login: "web", Password: pw, Home: "/httpdocs"})
			wantCode(t, err, "")
			// Creating with a missing home is an error under both policies.
			_, _, err = env.Service.CreateAccount(admin(env), hosting.AccountCreate{Site: "a.example", Login: "web2", Password: pw, Home: "/httpdocs/gone"})
			wantCode(t, err, hosting.CodeHomeNotFound)
			_, err = env.Service.UpdateAccount(as(env, "alice"), "web", tc.u)
			wantCode(t, err, tc.want)
			a, err := env.Service.Account(admin(env), "web")
			wantCode(t, err, "")
			if a.Home != tc.wantHome {
				t.Fatalf("home = %q, want %q", a.Home, tc.wantHome)
			}
		})
	}
}

func TestService_CompatHestia(t *testing.T) {
	t.Parallel()
	env := hostingtest.New(t)
	env.MustCustomer(t, "alice")
	site, _ := env.MustSite(t, "alice", "a.example")
	ctx := admin(env)
	tests := []struct {
		name      string
		in        hosting.AccountCreate
		want      hosting.Code
		wantLogin string
	}{
		{"OK", hosting.AccountCreate{Site: "a.example", Login: "Ftp.1", Password: pw, Home: "/public_html/up/loads"}, "", "alice_Ftp.1"},
		{"OK/prefix given twice", hosting.AccountCreate{Site: "a.example", Login: "alice_x", Password: pw}, "", "alice_alice_x"},
		{"OK/home root", hosting.AccountCreate{Site: "a.example", Login: "rootftp", Password: pw}, "", "alice_rootftp"},
		{"ErrInvalidLogin", hosting.AccountCreate{Site: "a.example", Login: "x@y", Password: pw}, hosting.CodeInvalidLogin, ""},
		{"ErrInvalidLogin/too long", hosting.AccountCreate{Site: "a.example", Login: strings.Repeat("a", 25), Password: pw}, hosting.CodeInvalidLogin, ""},
		{"ErrInvalidLogin/trailing dot", hosting.AccountCreate{Site: "a.example", Login: "ftp.", Password: pw}, hosting.CodeInvalidLogin, ""},
		{"ErrLoginTaken", hosting.AccountCreate{Site: "a.example", Login: "Ftp.1", Password: pw}, hosting.CodeLoginTaken, ""},
		{"ErrHomeOutsideSite", hosting.AccountCreate{Site: "a.example", Login: "out", Password: pw, Home: "/../../etc"}, hosting.CodeHomeOutsideSite, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			in.Compat = hosting.CompatHestia
			a, _, err := env.Service.CreateAccount(ctx, in)
			wantCode(t, err, tc.want)
			if err != nil {
				return
			}
			if a.Login != tc.wantLogin {
				t.Fatalf("login = %q, want %q", a.Login, tc.wantLogin)
			}
			if in.Home != "" {
				if fi, err := os.Stat(filepath.Join(site.Root, in.Home)); err != nil || !fi.IsDir() {
					t.Fatalf("missing folders not created: %v", err)
				}
			}
			wantCode(t, ftpLogin(env, a.Login, pw), "")
		})
	}
	t.Run("OK/change path creates the folder", func(t *testing.T) {
		a, err := env.Service.UpdateAccount(ctx, "alice_Ftp.1", hosting.AccountUpdate{Home: ptr("/newtop/x"), Compat: hosting.CompatHestia})
		wantCode(t, err, "")
		if a.Home != "/newtop/x" {
			t.Fatalf("home = %q", a.Home)
		}
	})
	t.Run("OK/rename with the full name", func(t *testing.T) {
		a, err := env.Service.UpdateAccount(ctx, "alice_Ftp.1", hosting.AccountUpdate{Login: ptr("alice_Ftp.2"), Compat: hosting.CompatHestia})
		wantCode(t, err, "")
		if a.Login != "alice_Ftp.2" {
			t.Fatalf("login = %q", a.Login)
		}
	})
	t.Run("ErrReservedLogin/rename", func(t *testing.T) {
		_, err := env.Service.UpdateAccount(ctx, "alice_Ftp.2", hosting.AccountUpdate{Login: ptr("root"), Compat: hosting.CompatHestia})
		wantCode(t, err, hosting.CodeReservedLogin)
	})
	t.Run("ErrTopLevelDirForbidden without compat", func(t *testing.T) {
		_, err := env.Service.UpdateAccount(ctx, "alice_Ftp.2", hosting.AccountUpdate{Home: ptr("/othertop"), CreateMissing: true})
		wantCode(t, err, hosting.CodeTopLevelDirForbidden)
	})
}

func TestService_DeleteAccount(t *testing.T) {
	t.Parallel()
	env := hostingtest.New(t)
	env.MustCustomer(t, "alice")
	site, _ := env.MustSite(t, "alice", "a.example")
	_, _, err := env.Service.CreateAccount(admin(env), hosting.AccountCreate{Site: "a.example", Login: "web", Password: pw,
		Home: "/httpdocs/web", CreateMissing: true})
	wantCode(t, err, "")
	ctx := as(env, "alice")
	wantCode(t, ftpLogin(env, "web", pw), "") // fills the login cache
	wantCode(t, env.Service.DeleteAccount(ctx, "web"), "")
	wantCode(t, env.Service.DeleteAccount(ctx, "web"), hosting.CodeNotFound)
	wantCode(t, ftpLogin(env, "web", pw), hosting.CodeUnauthorized)
	if _, err := os.Stat(filepath.Join(site.Root, "httpdocs", "web")); err != nil {
		t.Fatalf("files removed with the account, want them kept: %v", err)
	}
	// The login is free again.
	_, _, err = env.Service.CreateAccount(ctx, hosting.AccountCreate{Site: "a.example", Login: "web", Password: "Fresh-pw-123"})
	wantCode(t, err, "")
	wantCode(t, ftpLogin(env, "web", pw), hosting.CodeUnauthorized)
	wantCode(t, ftpLogin(env, "web", "Fresh-pw-123"), "")
}

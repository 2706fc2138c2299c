package hosting_test

import (
	"context"
	"net/netip"
	"strings"
	"testing"
	"time"

	"ftpanel/internal/hosting"
	"ftpanel/internal/hosting/hostingtest"
)

func TestService_AuthenticateFTP(t *testing.T) {
	t.Parallel()
	env := hostingtest.New(t)
	env.MustCustomer(t, "alice")
	env.MustSite(t, "alice", "a.example")
	ctx := admin(env)
	past, future := time.Now().Add(-time.Minute), time.Now().Add(time.Hour)
	for _, in := range []hosting.AccountCreate{
		{Login: "plain"},
		{Login: "expired", ExpiresAt: &past},
		{Login: "later", ExpiresAt: &future},
		{Login: "cidr", AllowedIPs: []string{"10.0.0.0/8", "2001:db8::/32"}},
		{Login: "single", AllowedIPs: []string{"192.0.2.7"}},
	} {
		in.Site, in.Password = "a.example", pw
		if _, _, err := env.Service.CreateAccount(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name            string
		login, password string
		ip              string
		want            hosting.Code
	}{
		{"OK", "plain", pw, "127.0.0.1", ""},
		{"OK/not yet expired", "later", pw, "127.0.0.1", ""},
		{"OK/in CIDR", "cidr", pw, "10.20.30.40", ""},
		{"OK/in IPv6 CIDR", "cidr", pw, "2001:db8::5", ""},
		{"OK/IPv4-mapped in CIDR", "cidr", pw, "::ffff:10.1.1.1", ""},
		{"OK/single address", "single", pw, "192.0.2.7", ""},
		{"ErrUnauthorized/wrong password", "plain", pw + "!", "127.0.0.1", hosting.CodeUnauthorized},
		{"ErrUnauthorized/case of password", "plain", strings.ToUpper(pw), "127.0.0.1", hosting.CodeUnauthorized},
		{"ErrUnauthorized/empty password", "plain", "", "127.0.0.1", hosting.CodeUnauthorized},
		{"ErrUnauthorized/unknown login", "nobody1", pw, "127.0.0.1", hosting.CodeUnauthorized},
		{"ErrUnauthorized/empty login", "", pw, "127.0.0.1", hosting.CodeUnauthorized},
		{"ErrUnauthorized/expired", "expired", pw, "127.0.0.1", hosting.CodeUnauthorized},
		{"ErrUnauthorized/expired, wrong password", "expired", "nope", "127.0.0.1", hosting.CodeUnauthorized},
		{"ErrForbidden/outside CIDR", "cidr", pw, "192.0.2.1", hosting.CodeForbidden},
		{"ErrForbidden/other address", "single", pw, "192.0.2.8", hosting.CodeForbidden},
		{"ErrUnauthorized/outside CIDR, wrong password", "cidr", "nope", "192.0.2.1", hosting.CodeUnauthorized},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Twice: the second answer may come from the login cache and must agree.
			for i := range 2 {
				a, err := env.Service.AuthenticateFTP(context.Background(), tc.login, tc.password, netip.MustParseAddr(tc.ip))
				wantCode(t, err, tc.want)
				if err == nil && (a.Login != tc.login || a.LastLoginAt == nil) {
					t.Fatalf("try %d: account = %+v, want %s with a last login", i, a, tc.login)
				}
				if err != nil && strings.Contains(err.Error(), tc.password) && tc.password != "" {
					t.Fatalf("error %q contains the password", err)
				}
			}
		})
	}
	t.Run("last login recorded", func(t *testing.T) {
		a, err := env.Service.Account(ctx, "plain")
		wantCode(t, err, "")
		if a.LastLoginAt == nil {
			t.Fatal("LastLoginAt not recorded")
		}
	})
}

func TestService_AuthenticateFTP_ImportedHash(t *testing.T) {
	t.Parallel()
	// Generated with: openssl passwd -6|-5|-1 -salt abcdefgh 'Secret-pw1'
	tests := []struct {
		name string
		hash string
	}{
		{"sha512-crypt", sha512Hash},
		{"sha256-crypt", "$5$abcdefgh$L8Gw4HBoAiGT5yeHTFFriFaPvtdQDCFLPgQA6geV953"},
		{"md5-crypt", "$1$abcdefgh$4k.rgKt9vMU6lbt4y3iYY."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := hostingtest.New(t)
			env.MustCustomer(t, "alice")
			env.MustSite(t, "alice", "a.example")
			a, gen, err := env.Service.CreateAccount(admin(env), hosting.AccountCreate{Site: "a.example", Login: "imported", PasswordHash: tc.hash})
			wantCode(t, err, "")
			if gen != "" {
				t.Fatalf("generated a password %q for an imported hash", gen)
			}
			stored, err := env.Store.AccountByID(context.Background(), a.ID)
			wantCode(t, err, "")
			if stored.PasswordHash != tc.hash {
				t.Fatalf("stored hash = %q, want the imported one", stored.PasswordHash)
			}
			wantCode(t, ftpLogin(env, "imported", "Secret-pw2"), hosting.CodeUnauthorized)
			stored, _ = env.Store.AccountByID(context.Background(), a.ID)
			if stored.PasswordHash != tc.hash {
				t.Fatalf("hash changed by a failed login: %q", stored.PasswordHash)
			}
			wantCode(t, ftpLogin(env, "imported", "Secret-pw1"), "")
			stored, err = env.Store.AccountByID(context.Background(), a.ID)
			wantCode(t, err, "")
			if !strings.HasPrefix(stored.PasswordHash, "$argon2id$") {
				t.Fatalf("hash after login = %q, want it upgraded to argon2id", stored.PasswordHash)
			}
			wantCode(t, ftpLogin(env, "imported", "Secret-pw1"), "")
			wantCode(t, ftpLogin(env, "imported", "Secret-pw2"), hosting.CodeUnauthorized)
		})
	}
}

func TestService_Suspension(t *testing.T) {
	t.Parallel()
	env := hostingtest.New(t)
	env.MustCustomer(t, "alice")
	env.MustCustomer(t, "bob")
	_, main1 := env.MustSite(t, "alice", "one.example")
	_, main2 := env.MustSite(t, "alice", "two.example")
	env.MustSite(t, "bob", "b.example")
	env.MustAccount(t, "one.example", "active1", "")
	env.MustAccount(t, "one.example", "own", "")
	env.MustAccount(t, "two.example", "active2", "")
	env.MustAccount(t, "b.example", "bobweb", "")
	ctx := admin(env)
	_, err := env.Service.SetAccountStatus(as(env, "alice"), "own", hosting.StatusSuspended)
	wantCode(t, err, "")

	check := func(t *testing.T, want map[string]hosting.Code) {
		t.Helper()
		for login, code := range want {
			if err := ftpLogin(env, login, pw); hosting.ErrorCode(err) != code {
				t.Errorf("login %s: code = %q, want %q (err %v)", login, hosting.ErrorCode(err), code, err)
			}
		}
	}
	all := func(code hosting.Code) map[string]hosting.Code {
		return map[string]hosting.Code{main1.Login: code, main2.Login: code, "active1": code, "active2": code,
			"own": hosting.CodeSuspended, "bobweb": ""}
	}
	t.Run("account on its own", func(t *testing.T) {
		check(t, all(""))
	})
	t.Run("customer suspended", func(t *testing.T) {
		_, err := env.Service.SetCustomerStatus(ctx, "alice", hosting.StatusSuspended)
		wantCode(t, err, "")
		check(t, all(hosting.CodeSuspended))
		a, err := env.Service.Account(ctx, "active1")
		wantCode(t, err, "")
		if a.Status != hosting.StatusActive || a.EffectiveStatus() != hosting.StatusSuspended {
			t.Fatalf("own status %q, effective %q; want active, suspended", a.Status, a.EffectiveStatus())
		}
		_, err = env.Service.AuthenticatePanel(context.Background(), "alice", pw, hosting.ViaWeb, "")
		wantCode(t, err, hosting.CodeSuspended)
		site, err := env.Service.Site(ctx, "one.example")
		wantCode(t, err, "")
		if site.Status != hosting.StatusActive || site.EffectiveStatus() != hosting.StatusSuspended {
			t.Fatalf("site own status %q, effective %q; want active, suspended", site.Status, site.EffectiveStatus())
		}
	})
	t.Run("customer unsuspended", func(t *testing.T) {
		_, err := env.Service.SetCustomerStatus(ctx, "alice", hosting.StatusActive)
		wantCode(t, err, "")
		check(t, all(""))
		_, err = env.Service.AuthenticatePanel(context.Background(), "alice", pw, hosting.ViaWeb, "")
		wantCode(t, err, "")
	})
	t.Run("site suspended", func(t *testing.T) {
		_, err := env.Service.SetSiteStatus(ctx, "one.example", hosting.StatusSuspended)
		wantCode(t, err, "")
		check(t, map[string]hosting.Code{main1.Login: hosting.CodeSuspended, "active1": hosting.CodeSuspended,
			"own": hosting.CodeSuspended, main2.Login: "", "active2": ""})
	})
	t.Run("customer suspended over a suspended site", func(t *testing.T) {
		_, err := env.Service.SetCustomerStatus(ctx, "alice", hosting.StatusSuspended)
		wantCode(t, err, "")
		check(t, all(hosting.CodeSuspended))
		_, err = env.Service.SetCustomerStatus(ctx, "alice", hosting.StatusActive)
		wantCode(t, err, "")
		// The site keeps its own suspension.
		check(t, map[string]hosting.Code{main1.Login: hosting.CodeSuspended, "active1": hosting.CodeSuspended,
			"own": hosting.CodeSuspended, main2.Login: "", "active2": ""})
	})
	t.Run("site unsuspended", func(t *testing.T) {
		_, err := env.Service.SetSiteStatus(ctx, "one.example", hosting.StatusActive)
		wantCode(t, err, "")
		check(t, all(""))
	})
	t.Run("account unsuspended", func(t *testing.T) {
		_, err := env.Service.SetAccountStatus(as(env, "alice"), "own", hosting.StatusActive)
		wantCode(t, err, "")
		wantCode(t, ftpLogin(env, "own", pw), "")
	})
	t.Run("ErrInvalidInput", func(t *testing.T) {
		_, err := env.Service.SetCustomerStatus(ctx, "alice", "paused")
		wantCode(t, err, hosting.CodeInvalidInput)
		_, err = env.Service.SetSiteStatus(ctx, "one.example", "")
		wantCode(t, err, hosting.CodeInvalidInput)
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		_, err := env.Service.SetCustomerStatus(ctx, "carol", hosting.StatusSuspended)
		wantCode(t, err, hosting.CodeNotFound)
		_, err = env.Service.SetSiteStatus(ctx, "nowhere.example", hosting.StatusSuspended)
		wantCode(t, err, hosting.CodeNotFound)
	})
}

func TestService_Tokens(t *testing.T) {
	t.Parallel()
	env := hostingtest.New(t)
	c := env.MustCustomer(t, "alice")
	ctx := admin(env)
	adminTok, err := env.Service.CreateToken(ctx, hosting.TokenCreate{Admin: true, Description: "automation"})
	wantCode(t, err, "")
	custTok, err := env.Service.CreateToken(ctx, hosting.TokenCreate{Customer: "alice"})
	wantCode(t, err, "")
	hestiaTok, err := env.Service.CreateToken(ctx, hosting.TokenCreate{Kind: hosting.TokenHestia, Customer: "alice"})
	wantCode(t, err, "")
	hestiaAdmin, err := env.Service.CreateToken(ctx, hosting.TokenCreate{Kind: hosting.TokenHestia, Admin: true})
	wantCode(t, err, "")

	t.Run("create errors", func(t *testing.T) {
		tests := []struct {
			name string
			in   hosting.TokenCreate
			want hosting.Code
		}{
			{"ErrInvalidInput/kind", hosting.TokenCreate{Kind: "ssh", Admin: true}, hosting.CodeInvalidInput},
			{"ErrInvalidInput/admin and customer", hosting.TokenCreate{Admin: true, Customer: "alice"}, hosting.CodeInvalidInput},
			{"ErrInvalidInput/neither", hosting.TokenCreate{}, hosting.CodeInvalidInput},
			{"ErrInvalidInput/description", hosting.TokenCreate{Admin: true, Description: "a\nb"}, hosting.CodeInvalidInput},
			{"ErrNotFound/customer", hosting.TokenCreate{Customer: "carol"}, hosting.CodeNotFound},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				_, err := env.Service.CreateToken(ctx, tc.in)
				wantCode(t, err, tc.want)
			})
		}
	})
	t.Run("API", func(t *testing.T) {
		if !strings.HasPrefix(adminTok.Secret, "ftpanel_"+adminTok.Token.Key+"_") {
			t.Fatalf("bearer = %q, want ftpanel_<key>_<secret>", adminTok.Secret)
		}
		tests := []struct {
			name     string
			bearer   string
			want     hosting.Code
			wantKind hosting.ActorKind
			wantCust int64
		}{
			{"OK/admin", adminTok.Secret, "", hosting.ActorAdmin, 0},
			{"OK/customer", custTok.Secret, "", hosting.ActorCustomer, c.ID},
			{"ErrUnauthorized/wrong secret", adminTok.Secret[:len(adminTok.Secret)-1] + "x", hosting.CodeUnauthorized, "", 0},
			{"ErrUnauthorized/no prefix", strings.TrimPrefix(adminTok.Secret, "ftpanel_"), hosting.CodeUnauthorized, "", 0},
			{"ErrUnauthorized/empty", "", hosting.CodeUnauthorized, "", 0},
			{"ErrUnauthorized/key only", "ftpanel_" + adminTok.Token.Key, hosting.CodeUnauthorized, "", 0},
			{"ErrUnauthorized/hestia key as bearer", "ftpanel_" + hestiaTok.Token.Key + "_" + hestiaTok.Secret, hosting.CodeUnauthorized, "", 0},
			{"ErrUnauthorized/too long", adminTok.Secret + strings.Repeat("x", 300), hosting.CodeUnauthorized, "", 0},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				act, err := env.Service.AuthenticateToken(context.Background(), tc.bearer, hosting.ViaAPI, "127.0.0.1")
				wantCode(t, err, tc.want)
				if err != nil {
					return
				}
				if act.Kind != tc.wantKind || act.CustomerID != tc.wantCust || act.Via != hosting.ViaAPI || act.TokenID == 0 {
					t.Fatalf("actor = %+v, want kind %s, customer %d", act, tc.wantKind, tc.wantCust)
				}
			})
		}
	})
	t.Run("Hestia", func(t *testing.T) {
		if got, want := len(hestiaTok.Token.Key), 20; got != want {
			t.Errorf("access key length = %d, want %d", got, want)
		}
		if got, want := len(hestiaTok.Secret), 40; got != want {
			t.Errorf("secret key length = %d, want %d", got, want)
		}
		tests := []struct {
			name           string
			access, secret string
			want           hosting.Code
			wantKind       hosting.ActorKind
		}{
			{"OK/customer", hestiaTok.Token.Key, hestiaTok.Secret, "", hosting.ActorCustomer},
			{"OK/admin", hestiaAdmin.Token.Key, hestiaAdmin.Secret, "", hosting.ActorAdmin},
			{"ErrUnauthorized/wrong secret", hestiaTok.Token.Key, hestiaAdmin.Secret, hosting.CodeUnauthorized, ""},
			{"ErrUnauthorized/empty secret", hestiaTok.Token.Key, "", hosting.CodeUnauthorized, ""},
			{"ErrUnauthorized/api token as hestia key", adminTok.Token.Key + "xxxxxxxx", adminTok.Secret, hosting.CodeUnauthorized, ""},
			{"ErrUnauthorized/unknown", strings.Repeat("A", 20), hestiaTok.Secret, hosting.CodeUnauthorized, ""},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				act, err := env.Service.AuthenticateHestiaKey(context.Background(), tc.access, tc.secret, hosting.ViaHestia, "")
				wantCode(t, err, tc.want)
				if err == nil && act.Kind != tc.wantKind {
					t.Fatalf("actor kind = %q, want %q", act.Kind, tc.wantKind)
				}
			})
		}
	})
	t.Run("stored hashed", func(t *testing.T) {
		list, err := env.Service.Tokens(ctx, hosting.TokenFilter{})
		wantCode(t, err, "")
		if got, want := len(list), 4; got != want {
			t.Fatalf("len(Tokens) = %d, want %d", got, want)
		}
		for _, tok := range list {
			for _, secret := range []string{adminTok.Secret, custTok.Secret, hestiaTok.Secret, hestiaAdmin.Secret} {
				if tok.SecretHash == "" || strings.Contains(secret, tok.SecretHash) || strings.Contains(tok.SecretHash, secret) {
					t.Fatalf("token %s stores %q, want a hash of the secret", tok.Key, tok.SecretHash)
				}
			}
		}
	})
	t.Run("suspended customer", func(t *testing.T) {
		_, err := env.Service.SetCustomerStatus(ctx, "alice", hosting.StatusSuspended)
		wantCode(t, err, "")
		_, err = env.Service.AuthenticateToken(context.Background(), custTok.Secret, hosting.ViaAPI, "")
		wantCode(t, err, hosting.CodeSuspended)
		_, err = env.Service.AuthenticateHestiaKey(context.Background(), hestiaTok.Token.Key, hestiaTok.Secret, hosting.ViaHestia, "")
		wantCode(t, err, hosting.CodeSuspended)
		_, err = env.Service.SetCustomerStatus(ctx, "alice", hosting.StatusActive)
		wantCode(t, err, "")
	})
	t.Run("revoke", func(t *testing.T) {
		wantCode(t, env.Service.DeleteToken(ctx, custTok.Token.Key), "")
		_, err := env.Service.AuthenticateToken(context.Background(), custTok.Secret, hosting.ViaAPI, "")
		wantCode(t, err, hosting.CodeUnauthorized)
		wantCode(t, env.Service.DeleteToken(ctx, hestiaTok.Token.Key), "")
		_, err = env.Service.AuthenticateHestiaKey(context.Background(), hestiaTok.Token.Key, hestiaTok.Secret, hosting.ViaHestia, "")
		wantCode(t, err, hosting.CodeUnauthorized)
		wantCode(t, env.Service.DeleteToken(ctx, custTok.Token.Key), hosting.CodeNotFound)
		_, err = env.Service.AuthenticateToken(context.Background(), adminTok.Secret, hosting.ViaAPI, "")
		wantCode(t, err, "")
	})
}

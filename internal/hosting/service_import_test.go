package hosting_test

import (
	"context"
	"net/netip"
	"testing"

	"ftpanel/internal/hosting"
	"ftpanel/internal/hosting/hostingtest"
)

// md5-crypt of "Imp0rt-pass" (openssl passwd -1 -salt impsalt Imp0rt-pass).
const importHash = "$1$impsalt$fF69WQ2sQij4FIK7J14/I0"

func TestService_ImportAccount(t *testing.T) {
	t.Parallel()
	type tc struct {
		compat hosting.Compat
		login  string
		code   hosting.Code
	}
	// One service per namespace mode (each costs argon2id hashes).
	for ns, cases := range map[hosting.Namespace][]tc{
		hosting.NamespaceNone: {{"", "keep", ""}, {"", "Upper", hosting.CodeInvalidLogin}, {"", "webmaster", hosting.CodeReservedLogin},
			{hosting.CompatHestia, "alice_Web.1", ""}, {hosting.CompatHestia, "bob_web", hosting.CodeInvalidLogin}},
		hosting.NamespacePrefix: {{"", "alice_web", ""}, {"", "web", hosting.CodeInvalidLogin}},
		hosting.NamespaceSuffix: {{"", "web.alice", ""}, {"", "web.bob", hosting.CodeInvalidLogin}},
		hosting.NamespaceDomain: {{"", "web@a.example", ""}, {"", "web@b.example", hosting.CodeInvalidLogin}},
	} {
		t.Run(string(ns), func(t *testing.T) {
			t.Parallel()
			env := hostingtest.NewWithPolicy(t, func(p *hosting.Policy) { p.Namespace = ns })
			env.MustCustomer(t, "alice")
			env.MustSite(t, "alice", "a.example")
			ctx := env.Admin(context.Background())
			for i, tt := range cases {
				a, out, err := env.Service.ImportAccount(ctx, hosting.AccountImport{Site: "a.example", Login: tt.login,
					PasswordHash: importHash, Compat: tt.compat})
				if hosting.ErrorCode(err) != tt.code {
					t.Errorf("ImportAccount(%q) = %v, want code %q", tt.login, err, tt.code)
					continue
				}
				if tt.code != "" {
					continue
				}
				if out != hosting.ImportCreated || a.Login != tt.login || a.PasswordHash != importHash {
					t.Errorf("ImportAccount = %+v, %q", a, out)
				}
				if i > 0 {
					continue // one login per service is enough
				}
				if _, err := env.Service.AuthenticateFTP(context.Background(), tt.login, "Imp0rt-pass", netip.MustParseAddr("127.0.0.1")); err != nil {
					t.Errorf("login with the imported password: %v", err)
				}
			}
		})
	}
}

func TestService_ImportAccountRules(t *testing.T) {
	t.Parallel()
	env := hostingtest.New(t)
	env.MustCustomer(t, "alice")
	env.MustSite(t, "alice", "a.example")
	ctx := env.Admin(context.Background())
	imp := func(in hosting.AccountImport) (hosting.ImportOutcome, error) {
		in.Site = "a.example"
		_, out, err := env.Service.ImportAccount(ctx, in)
		return out, err
	}
	q := int64(1000)
	base := hosting.AccountImport{Login: "web", PasswordHash: importHash, Home: "/httpdocs", QuotaBytes: &q, AllowedIPs: []string{"10.0.0.0/8"}}
	dry := base
	dry.DryRun = true
	if out, err := imp(dry); err != nil || out != hosting.ImportCreated {
		t.Fatalf("dry run = %q, %v", out, err)
	}
	if _, err := env.Service.Account(ctx, "web"); hosting.ErrorCode(err) != hosting.CodeNotFound {
		t.Fatalf("dry run created the account: %v", err)
	}
	if out, err := imp(base); err != nil || out != hosting.ImportCreated {
		t.Fatalf("import = %q, %v", out, err)
	}
	if out, err := imp(base); err != nil || out != hosting.ImportUnchanged {
		t.Fatalf("same import again = %q, %v; want unchanged", out, err)
	}
	for name, edit := range map[string]func(*hosting.AccountImport){
		"other home":  func(in *hosting.AccountImport) { in.Home = "/private" },
		"other hash":  func(in *hosting.AccountImport) { in.PasswordHash = "$1$impsalt$xxxxxxxxxxxxxxxxxxxxxx" },
		"other quota": func(in *hosting.AccountImport) { in.QuotaBytes = nil },
		"other IPs":   func(in *hosting.AccountImport) { in.AllowedIPs = nil },
		"read-only":   func(in *hosting.AccountImport) { f := false; in.Write = &f },
	} {
		in := base
		edit(&in)
		if _, err := imp(in); hosting.ErrorCode(err) != hosting.CodeLoginTaken {
			t.Errorf("%s: %v, want login_taken", name, err)
		}
	}
	// The imported hash is upgraded to argon2id at the first login; the
	// same import is still unchanged afterwards.
	if _, err := env.Service.AuthenticateFTP(context.Background(), "web", "Imp0rt-pass", netip.MustParseAddr("10.1.2.3")); err != nil {
		t.Fatal(err)
	}
	if a, _ := env.Service.Account(ctx, "web"); a.PasswordHash == importHash {
		t.Log("hash not upgraded at login; the unchanged check below is then trivial")
	}
	if out, err := imp(base); err != nil || out != hosting.ImportUnchanged {
		t.Errorf("after the upgrade at login = %q, %v; want unchanged", out, err)
	}
	for name, in := range map[string]hosting.AccountImport{
		"unknown hash":   {Login: "x1", PasswordHash: "{SHA}abc"},
		"empty hash":     {Login: "x2"},
		"apr1":           {Login: "x3", PasswordHash: "$apr1$salt$abcdefghijklmnopqrstuv"},
		"hash and pw":    {Login: "x4", PasswordHash: importHash, Password: "Gr8-Passw0rd!"},
		"bad quota":      {Login: "x5", PasswordHash: importHash, QuotaBytes: new(int64(-5))},
		"bad IP":         {Login: "x6", PasswordHash: importHash, AllowedIPs: []string{"nope"}},
		"home leaves":    {Login: "x7", PasswordHash: importHash, Home: "/../x"},
		"home not found": {Login: "x8", PasswordHash: importHash, Home: "/nope"},
	} {
		if _, err := imp(in); err == nil {
			t.Errorf("%s: imported", name)
		}
		if _, err := env.Service.Account(ctx, in.Login); hosting.ErrorCode(err) != hosting.CodeNotFound {
			t.Errorf("%s: account exists after a refusal", name)
		}
	}
	// Customers cannot import.
	if _, _, err := env.Service.ImportAccount(env.As(context.Background(), "alice"), base); hosting.ErrorCode(err) != hosting.CodeForbidden {
		t.Errorf("customer import: %v, want forbidden", err)
	}
}

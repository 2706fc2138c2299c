package hosting_test

import (
	"context"
	"strings"
	"testing"

	"ftpanel/internal/hosting"
	"ftpanel/internal/hosting/hostingtest"
)

func TestService_Bootstrap(t *testing.T) {
	t.Parallel()
	env := hostingtest.New(t)
	ctx := context.Background()
	login, password, created, err := env.Service.Bootstrap(ctx)
	wantCode(t, err, "")
	if !created || login != "admin" {
		t.Fatalf("Bootstrap = %q, created %v; want admin, true", login, created)
	}
	if err := env.Service.Policy().CheckPassword(password, login); err != nil {
		t.Fatalf("generated admin password refused by the policy: %v", err)
	}
	act, err := env.Service.AuthenticatePanel(ctx, "admin", password, hosting.ViaWeb, "127.0.0.1")
	wantCode(t, err, "")
	if act.Kind != hosting.ActorAdmin || !act.IsAdmin() {
		t.Fatalf("actor = %+v, want an admin", act)
	}
	a, err := env.Store.AdminByLogin(ctx, "admin")
	wantCode(t, err, "")
	if a.PasswordHash == password || !strings.HasPrefix(a.PasswordHash, "$argon2id$") {
		t.Fatalf("admin password stored as %q, want an argon2id hash", a.PasswordHash)
	}
	_, _, created, err = env.Service.Bootstrap(ctx)
	wantCode(t, err, "")
	if created {
		t.Fatalf("second Bootstrap created an admin, want none")
	}
}

func TestService_CreateAdmin(t *testing.T) {
	t.Parallel()
	env := hostingtest.New(t)
	env.MustCustomer(t, "alice")
	ctx := admin(env)
	_, _, err := env.Service.CreateAdmin(ctx, "boss", "Chef-pw-123")
	wantCode(t, err, "")
	tests := []struct {
		name     string
		login    string
		password string
		want     hosting.Code
	}{
		{"OK/generated password", "chief", "", ""},
		{"ErrInvalidLogin", "Boss!", "", hosting.CodeInvalidLogin},
		{"ErrReservedLogin", "root", "", hosting.CodeReservedLogin},
		{"ErrLoginTaken", "boss", "", hosting.CodeLoginTaken},
		{"ErrLoginTaken/customer", "alice", "", hosting.CodeLoginTaken},
		{"ErrWeakPassword", "deputy", "short", hosting.CodeWeakPassword},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, gen, err := env.Service.CreateAdmin(ctx, tc.login, tc.password)
			wantCode(t, err, tc.want)
			if err != nil {
				return
			}
			if a.Login != tc.login || gen == "" {
				t.Fatalf("CreateAdmin = %q, generated %q; want %q and a password", a.Login, gen, tc.login)
			}
			if _, err := env.Service.AuthenticatePanel(context.Background(), tc.login, gen, hosting.ViaWeb, ""); err != nil {
				t.Fatalf("login with the generated password: %v", err)
			}
		})
	}
}

func TestService_DeleteAdmin(t *testing.T) {
	t.Parallel()
	env := hostingtest.New(t)
	ctx := admin(env)
	for _, l := range []string{"one", "two"} {
		if _, _, err := env.Service.CreateAdmin(ctx, l, ""); err != nil {
			t.Fatal(err)
		}
	}
	wantCode(t, env.Service.DeleteAdmin(ctx, "nobody1"), hosting.CodeNotFound)
	wantCode(t, env.Service.DeleteAdmin(ctx, "one"), "")
	wantCode(t, env.Service.DeleteAdmin(ctx, "two"), hosting.CodeConflict)
	list, err := env.Service.Admins(ctx)
	wantCode(t, err, "")
	if len(list) != 1 || list[0].Login != "two" {
		t.Fatalf("admins = %v, want [two]", list)
	}
}

func TestService_SetAdminPassword(t *testing.T) {
	t.Parallel()
	env := hostingtest.New(t)
	ctx := admin(env)
	if _, _, err := env.Service.CreateAdmin(ctx, "boss", "Chef-pw-123"); err != nil {
		t.Fatal(err)
	}
	_, err := env.Service.SetAdminPassword(ctx, "boss", "weak")
	wantCode(t, err, hosting.CodeWeakPassword)
	_, err = env.Service.SetAdminPassword(ctx, "nobody1", "")
	wantCode(t, err, hosting.CodeNotFound)
	gen, err := env.Service.SetAdminPassword(ctx, "boss", "")
	wantCode(t, err, "")
	_, err = env.Service.AuthenticatePanel(context.Background(), "boss", "Chef-pw-123", hosting.ViaWeb, "")
	wantCode(t, err, hosting.CodeUnauthorized)
	_, err = env.Service.AuthenticatePanel(context.Background(), "boss", gen, hosting.ViaWeb, "")
	wantCode(t, err, "")
}

func TestService_CreateCustomer(t *testing.T) {
	t.Parallel()
	env := hostingtest.New(t)
	ctx := admin(env)
	if _, _, err := env.Service.CreateAdmin(ctx, "boss", ""); err != nil {
		t.Fatal(err)
	}
	env.MustCustomer(t, "taken")
	tests := []struct {
		name string
		in   hosting.CustomerCreate
		want hosting.Code
	}{
		{"OK", hosting.CustomerCreate{Login: "alice", Name: "Alice Ltd", Email: "alice@example.com", Password: "Wonder-pw-99", MaxFTPAccounts: ptr(5)}, ""},
		{"OK/generated password", hosting.CustomerCreate{Login: "bob"}, ""},
		{"OK/login trimmed", hosting.CustomerCreate{Login: " carol "}, ""},
		{"ErrInvalidLogin/upper case", hosting.CustomerCreate{Login: "Dave"}, hosting.CodeInvalidLogin},
		{"ErrInvalidLogin/empty", hosting.CustomerCreate{Login: ""}, hosting.CodeInvalidLogin},
		{"ErrInvalidLogin/dot", hosting.CustomerCreate{Login: "d.ave"}, hosting.CodeInvalidLogin},
		{"ErrReservedLogin/root", hosting.CustomerCreate{Login: "root"}, hosting.CodeReservedLogin},
		{"ErrReservedLogin/admin", hosting.CustomerCreate{Login: "admin"}, hosting.CodeReservedLogin},
		{"ErrLoginTaken", hosting.CustomerCreate{Login: "taken"}, hosting.CodeLoginTaken},
		{"ErrLoginTaken/admin login", hosting.CustomerCreate{Login: "boss"}, hosting.CodeLoginTaken},
		{"ErrWeakPassword/short", hosting.CustomerCreate{Login: "erin", Password: "Ab1!"}, hosting.CodeWeakPassword},
		{"ErrWeakPassword/contains login", hosting.CustomerCreate{Login: "erin", Password: "Erin-2024-x"}, hosting.CodeWeakPassword},
		{"ErrInvalidInput/email", hosting.CustomerCreate{Login: "erin", Email: "not an address"}, hosting.CodeInvalidInput},
		{"ErrInvalidInput/email with name", hosting.CustomerCreate{Login: "erin", Email: "Erin <erin@example.com>"}, hosting.CodeInvalidInput},
		{"ErrInvalidInput/name control character", hosting.CustomerCreate{Login: "erin", Name: "Erin\x00"}, hosting.CodeInvalidInput},
		{"ErrInvalidInput/name too long", hosting.CustomerCreate{Login: "erin", Name: strings.Repeat("x", 201)}, hosting.CodeInvalidInput},
		{"ErrInvalidInput/limit", hosting.CustomerCreate{Login: "erin", MaxFTPAccounts: ptr(-2)}, hosting.CodeInvalidInput},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, gen, err := env.Service.CreateCustomer(ctx, tc.in)
			wantCode(t, err, tc.want)
			login := strings.TrimSpace(tc.in.Login)
			if err != nil {
				if tc.want != hosting.CodeLoginTaken && login != "" {
					if _, err := env.Store.CustomerByLogin(context.Background(), login); hosting.ErrorCode(err) != hosting.CodeNotFound {
						t.Fatalf("customer %q exists after a failed create (err %v)", login, err)
					}
				}
				return
			}
			if c.Login != login || c.Status != hosting.StatusActive {
				t.Fatalf("customer = %+v, want login %q, active", c, login)
			}
			wantMax := hosting.Unlimited
			if tc.in.MaxFTPAccounts != nil {
				wantMax = *tc.in.MaxFTPAccounts
			}
			if c.MaxFTPAccounts != wantMax {
				t.Errorf("MaxFTPAccounts = %d, want %d", c.MaxFTPAccounts, wantMax)
			}
			password := tc.in.Password
			if password == "" {
				if gen == "" {
					t.Fatalf("no password given and none generated")
				}
				if err := env.Service.Policy().CheckPassword(gen, login); err != nil {
					t.Fatalf("generated password %q refused by the policy: %v", gen, err)
				}
				password = gen
			} else if gen != "" {
				t.Fatalf("generated %q although a password was given", gen)
			}
			stored, err := env.Store.CustomerByLogin(context.Background(), login)
			wantCode(t, err, "")
			if stored.PasswordHash == password || !strings.HasPrefix(stored.PasswordHash, "$argon2id$") {
				t.Fatalf("password stored as %q, want an argon2id hash", stored.PasswordHash)
			}
			act, err := env.Service.AuthenticatePanel(context.Background(), login, password, hosting.ViaWeb, "")
			wantCode(t, err, "")
			if act.Kind != hosting.ActorCustomer || act.CustomerID != c.ID {
				t.Fatalf("actor = %+v, want customer %d", act, c.ID)
			}
		})
	}
}

func TestService_Customer(t *testing.T) {
	t.Parallel()
	env := hostingtest.New(t)
	a := env.MustCustomer(t, "alice")
	env.MustCustomer(t, "bob")
	tests := []struct {
		name  string
		ctx   context.Context
		login string
		want  hosting.Code
	}{
		{"OK/admin", admin(env), "bob", ""},
		{"OK/self", as(env, "alice"), "alice", ""},
		{"ErrNotFound/other customer", as(env, "alice"), "bob", hosting.CodeNotFound},
		{"ErrNotFound/unknown", admin(env), "carol", hosting.CodeNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := env.Service.Customer(tc.ctx, tc.login)
			wantCode(t, err, tc.want)
			if err == nil && c.Login != tc.login {
				t.Fatalf("login = %q, want %q", c.Login, tc.login)
			}
		})
	}
	t.Run("Customers/customer sees only itself", func(t *testing.T) {
		list, err := env.Service.Customers(as(env, "alice"), hosting.CustomerFilter{})
		wantCode(t, err, "")
		if len(list) != 1 || list[0].ID != a.ID {
			t.Fatalf("Customers = %v, want only alice", list)
		}
		list, err = env.Service.Customers(as(env, "alice"), hosting.CustomerFilter{Login: ptr("bob")})
		wantCode(t, err, "")
		if len(list) != 0 {
			t.Fatalf("Customers(login bob) as alice = %v, want none", list)
		}
	})
	t.Run("Customers/admin sees all", func(t *testing.T) {
		list, err := env.Service.Customers(admin(env), hosting.CustomerFilter{})
		wantCode(t, err, "")
		if got, want := len(list), 2; got != want {
			t.Fatalf("len(Customers) = %d, want %d", got, want)
		}
	})
}

func TestService_UpdateCustomer(t *testing.T) {
	t.Parallel()
	env := hostingtest.New(t)
	env.MustCustomer(t, "alice")
	ctx := admin(env)
	tests := []struct {
		name  string
		login string
		u     hosting.CustomerUpdate
		want  hosting.Code
	}{
		{"OK", "alice", hosting.CustomerUpdate{Name: ptr("Alice GmbH"), Email: ptr("a@example.org"), MaxFTPAccounts: ptr(3)}, ""},
		{"OK/nothing", "alice", hosting.CustomerUpdate{}, ""},
		{"ErrNotFound", "nobody1", hosting.CustomerUpdate{Name: ptr("x")}, hosting.CodeNotFound},
		{"ErrInvalidInput/email", "alice", hosting.CustomerUpdate{Email: ptr("@")}, hosting.CodeInvalidInput},
		{"ErrInvalidInput/limit", "alice", hosting.CustomerUpdate{MaxFTPAccounts: ptr(-7)}, hosting.CodeInvalidInput},
		{"ErrInvalidInput/name", "alice", hosting.CustomerUpdate{Name: ptr("a\nb")}, hosting.CodeInvalidInput},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := env.Service.UpdateCustomer(ctx, tc.login, tc.u)
			wantCode(t, err, tc.want)
		})
	}
	c, err := env.Service.Customer(ctx, "alice")
	wantCode(t, err, "")
	if c.Name != "Alice GmbH" || c.Email != "a@example.org" || c.MaxFTPAccounts != 3 {
		t.Fatalf("customer = %+v, want the OK update and nothing else", c)
	}
}

func TestService_SetCustomerPassword(t *testing.T) {
	t.Parallel()
	env := hostingtest.New(t)
	env.MustCustomer(t, "alice")
	env.MustCustomer(t, "bob")
	tests := []struct {
		name     string
		ctx      context.Context
		login    string
		password string
		want     hosting.Code
	}{
		{"OK/self", as(env, "alice"), "alice", "New-pass-77", ""},
		{"OK/admin generates", admin(env), "bob", "", ""},
		{"ErrWeakPassword", as(env, "alice"), "alice", "weakling", hosting.CodeWeakPassword},
		{"ErrWeakPassword/contains login", as(env, "alice"), "alice", "Alice-pass-77", hosting.CodeWeakPassword},
		{"ErrNotFound/other customer", as(env, "alice"), "bob", "Other-pass-77", hosting.CodeNotFound},
		{"ErrUnauthorized", context.Background(), "alice", "Other-pass-77", hosting.CodeUnauthorized},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			gen, err := env.Service.SetCustomerPassword(tc.ctx, tc.login, tc.password)
			wantCode(t, err, tc.want)
			if err != nil {
				return
			}
			password := tc.password
			if password == "" {
				password = gen
			}
			_, err = env.Service.AuthenticatePanel(context.Background(), tc.login, password, hosting.ViaWeb, "")
			wantCode(t, err, "")
		})
	}
	// bob's password was not changed by alice.
	_, err := env.Service.AuthenticatePanel(context.Background(), "bob", "Other-pass-77", hosting.ViaWeb, "")
	wantCode(t, err, hosting.CodeUnauthorized)
}

func TestService_DeleteCustomer(t *testing.T) {
	t.Parallel()
	env := hostingtest.New(t)
	env.MustCustomer(t, "alice")
	env.MustCustomer(t, "bob")
	env.MustSite(t, "alice", "a.example")
	ctx := admin(env)
	wantCode(t, env.Service.DeleteCustomer(ctx, "alice"), hosting.CodeConflict)
	wantCode(t, env.Service.DeleteCustomer(ctx, "carol"), hosting.CodeNotFound)
	wantCode(t, env.Service.DeleteCustomer(ctx, "bob"), "")
	_, err := env.Service.Customer(ctx, "bob")
	wantCode(t, err, hosting.CodeNotFound)
	wantCode(t, env.Service.DeleteSite(ctx, "a.example"), "")
	wantCode(t, env.Service.DeleteCustomer(ctx, "alice"), "")
}

func TestService_AuthenticatePanel(t *testing.T) {
	t.Parallel()
	env := hostingtest.New(t)
	env.MustCustomer(t, "alice")
	if _, err := env.Service.SetCustomerStatus(admin(env), "alice", hosting.StatusSuspended); err != nil {
		t.Fatal(err)
	}
	env.MustCustomer(t, "bob")
	tests := []struct {
		name            string
		login, password string
		want            hosting.Code
	}{
		{"OK", "bob", pw, ""},
		{"ErrUnauthorized/wrong password", "bob", pw + "x", hosting.CodeUnauthorized},
		{"ErrUnauthorized/empty password", "bob", "", hosting.CodeUnauthorized},
		{"ErrUnauthorized/unknown", "carol", pw, hosting.CodeUnauthorized},
		{"ErrSuspended", "alice", pw, hosting.CodeSuspended},
		{"ErrUnauthorized/suspended with wrong password", "alice", "nope", hosting.CodeUnauthorized},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			act, err := env.Service.AuthenticatePanel(context.Background(), tc.login, tc.password, hosting.ViaWeb, "192.0.2.7")
			wantCode(t, err, tc.want)
			if err == nil && (act.Login != tc.login || act.Via != hosting.ViaWeb || act.RemoteAddr != "192.0.2.7") {
				t.Fatalf("actor = %+v", act)
			}
		})
	}
}

// Package hostingtest builds a real hosting.Service for tests: a SQLite
// store in a temporary data folder, the real password hasher and a temp
// sites folder. Nothing is mocked; everything is removed when the test
// ends.
package hostingtest

import (
	"context"
	"path/filepath"
	"sync/atomic"
	"testing"

	"ftpanel/internal/hosting"
	"ftpanel/internal/password"
	"ftpanel/internal/store/sqlite"
)

// Env is a service over a fresh store, with helpers to create objects.
type Env struct {
	// Service is the service under test.
	Service *hosting.Service
	// Store is the SQLite store the service uses (closed at cleanup).
	Store hosting.Store
	// Dir is the temporary data folder holding the database.
	Dir string
	// SitesDir is Policy.SitesDir: site roots default to SitesDir/<domain>.
	SitesDir string

	tb testing.TB
}

// Password is a password every default policy accepts; the Must helpers
// use it when given "".
const Password = "Tr0ub4dor&3x"

// New returns an Env with the default policy (plus SitesDir).
func New(tb testing.TB) *Env {
	tb.Helper()
	return NewWithPolicy(tb, nil)
}

// NewWithPolicy returns an Env whose policy is hosting.DefaultPolicy()
// with SitesDir set, then changed by edit (when not nil).
func NewWithPolicy(tb testing.TB, edit func(*hosting.Policy)) *Env {
	tb.Helper()
	return NewWith(tb, Config{Policy: edit})
}

// Config changes what NewWith builds.
type Config struct {
	// Policy edits the default policy (with SitesDir set); nil keeps it.
	Policy func(*hosting.Policy)
	// Hasher replaces the real password hasher, e.g. by a CountingHasher
	// around it; nil = password.Hasher{}.
	Hasher hosting.Hasher
	// WrapStore wraps the SQLite store the service uses (Env.Store stays
	// the store itself); nil uses it as it is.
	WrapStore func(hosting.Store) hosting.Store
	// Options are the service's options. A zero Guard.MaxFailures is set
	// to TestMaxFailures: every test client comes from one loopback
	// address, and tests that make failed logins on purpose would ban it
	// for the tests that follow; tests of the guard set their own.
	Options hosting.Options
}

// TestMaxFailures is the guard's limit in test services (see Config).
const TestMaxFailures = 1000

// NewWith returns an Env built as c says.
func NewWith(tb testing.TB, c Config) *Env {
	tb.Helper()
	dir := tb.TempDir()
	sites := filepath.Join(dir, "sites")
	db, err := sqlite.Open(context.Background(), filepath.Join(dir, "ftpanel.db"))
	if err != nil {
		tb.Fatalf("hostingtest: open store: %v", err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Errorf("hostingtest: close store: %v", err)
		}
	})
	p := hosting.DefaultPolicy()
	p.SitesDir = sites
	if c.Policy != nil {
		c.Policy(&p)
	}
	var h hosting.Hasher = password.Hasher{}
	if c.Hasher != nil {
		h = c.Hasher
	}
	var st hosting.Store = db
	if c.WrapStore != nil {
		st = c.WrapStore(db)
	}
	if c.Options.Guard.MaxFailures == 0 {
		c.Options.Guard.MaxFailures = TestMaxFailures
	}
	svc, err := hosting.NewService(st, p, h, c.Options)
	if err != nil {
		tb.Fatalf("hostingtest: new service: %v", err)
	}
	return &Env{Service: svc, Store: db, Dir: dir, SitesDir: sites, tb: tb}
}

// CountingHasher is the real password hasher, counting the verifications
// it runs (each one a full argon2id or crypt evaluation).
type CountingHasher struct {
	password.Hasher
	verifies atomic.Int64
}

// Verify implements hosting.Hasher, counting the call.
func (h *CountingHasher) Verify(encoded, pw string) (bool, error) {
	h.verifies.Add(1)
	return h.Hasher.Verify(encoded, pw)
}

// Verifies returns how many verifications ran.
func (h *CountingHasher) Verifies() int64 { return h.verifies.Load() }

// Admin returns ctx carrying an administrator actor (login "admin",
// through the CLI).
func (e *Env) Admin(ctx context.Context) context.Context {
	return hosting.WithActor(ctx, hosting.Actor{Kind: hosting.ActorAdmin, Login: "admin", Via: hosting.ViaCLI})
}

// As returns ctx carrying the actor of the customer with customerLogin,
// which must exist (the test fails otherwise).
func (e *Env) As(ctx context.Context, customerLogin string) context.Context {
	e.tb.Helper()
	c, err := e.Store.CustomerByLogin(ctx, customerLogin)
	if err != nil {
		e.tb.Fatalf("hostingtest: As(%q): %v", customerLogin, err)
	}
	return hosting.WithActor(ctx, hosting.Actor{Kind: hosting.ActorCustomer, Login: c.Login, CustomerID: c.ID,
		Via: hosting.ViaCLI})
}

// MustCustomer creates an active customer with unlimited accounts and the
// panel password Password.
func (e *Env) MustCustomer(tb testing.TB, login string) *hosting.Customer {
	tb.Helper()
	c, _, err := e.Service.CreateCustomer(e.Admin(context.Background()),
		hosting.CustomerCreate{Login: login, Name: login, Password: Password})
	if err != nil {
		tb.Fatalf("hostingtest: MustCustomer(%q): %v", login, err)
	}
	return c
}

// MustSite creates the site domain (root SitesDir/<domain>) of the
// customer with login customer, and returns it with its main account,
// whose login is generated and whose password is Password.
func (e *Env) MustSite(tb testing.TB, customer, domain string) (*hosting.Site, *hosting.Account) {
	tb.Helper()
	s, main, _, err := e.Service.CreateSite(e.Admin(context.Background()),
		hosting.SiteCreate{Name: domain, Customer: customer, MainPassword: Password})
	if err != nil {
		tb.Fatalf("hostingtest: MustSite(%q, %q): %v", customer, domain, err)
	}
	return s, main
}

// MustAccount creates an additional account login (name before the
// policy's namespace) on site (domain) with home "/"; password "" means
// Password.
func (e *Env) MustAccount(tb testing.TB, site, login, password string) *hosting.Account {
	tb.Helper()
	if password == "" {
		password = Password
	}
	a, _, err := e.Service.CreateAccount(e.Admin(context.Background()),
		hosting.AccountCreate{Site: site, Login: login, Password: password})
	if err != nil {
		tb.Fatalf("hostingtest: MustAccount(%q, %q): %v", site, login, err)
	}
	return a
}

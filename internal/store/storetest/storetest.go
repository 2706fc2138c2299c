// Package storetest is the conformance suite every hosting.Store runs:
// each method, each documented error code, audit events written with the
// change (and absent when it fails), cascades, pagination, filters, and
// the races of DESIGN §3 (exactly one of concurrent creates of a login
// wins; limits hold under concurrent creates).
//
// A store's own test calls Run with a function that opens an empty store:
//
//	func TestStore(t *testing.T) {
//		storetest.Run(t, func(tb testing.TB) hosting.Store { return MustOpen(tb) })
//	}
//
// The suite is backend-neutral: times are compared with time.Time.Equal at
// microsecond precision (PostgreSQL's), text searches use lower case.
package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"ftpanel/internal/hosting"
)

// Opener returns a new, empty store, closed when tb ends (tb.Cleanup).
type Opener func(tb testing.TB) hosting.Store

// Run runs the conformance suite against stores made by open. Every
// subtest gets its own store and runs in parallel with the others.
func Run(t *testing.T, open Opener) {
	groups := []struct {
		name string
		fn   func(t *testing.T, open Opener)
	}{
		{"Admin", testAdmin},
		{"Customer", testCustomer},
		{"Site", testSite},
		{"Account", testAccount},
		{"AccountOrder", testAccountOrder},
		{"TwoFactor", testTwoFactor},
		{"Audit", testAudit},
		{"Token", testToken},
		{"SSHKey", testSSHKey},
		{"Session", testSession},
		{"Ban", testBan},
		{"KV", testKV},
		{"Usage", testUsage},
		{"Race", testRace},
		{"Times", testTimes},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			t.Parallel()
			g.fn(t, open)
		})
	}
}

// t0 is a fixed time with microsecond precision.
var t0 = time.Date(2025, 3, 4, 5, 6, 7, 123456000, time.UTC)

func ptr[T any](v T) *T { return &v }

func wantCode(t testing.TB, err error, want hosting.Code) {
	t.Helper()
	if got := hosting.ErrorCode(err); got != want {
		t.Fatalf("ErrorCode=%q, want %q (err: %v)", got, want, err)
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wantTime(t testing.TB, field string, got, want time.Time) {
	t.Helper()
	if !got.Equal(want) {
		t.Errorf("%s=%v, want %v", field, got, want)
	}
}

func wantTimePtr(t testing.TB, field string, got, want *time.Time) {
	t.Helper()
	switch {
	case got == nil && want == nil:
	case got == nil || want == nil:
		t.Errorf("%s=%v, want %v", field, got, want)
	case !got.Equal(*want):
		t.Errorf("%s=%v, want %v", field, *got, *want)
	}
}

// ev returns an audit event for action on an object.
func ev(action, objType, name string, customerID int64) *hosting.AuditEvent {
	return &hosting.AuditEvent{Time: t0, ActorKind: hosting.ActorAdmin, Actor: "root", CustomerID: customerID,
		Via: hosting.ViaCLI, RemoteAddr: "127.0.0.1", Action: action, ObjectType: objType, ObjectName: name,
		Detail: "detail of " + action}
}

// events returns the audit events with action, newest first.
func events(t testing.TB, st hosting.Store, action string) []*hosting.AuditEvent {
	t.Helper()
	list, err := st.AuditEvents(context.Background(), hosting.AuditFilter{Action: action})
	if err != nil {
		t.Fatalf("AuditEvents: %v", err)
	}
	return list
}

// wantEvents checks that exactly n events with action exist.
func wantEvents(t testing.TB, st hosting.Store, action string, n int) []*hosting.AuditEvent {
	t.Helper()
	list := events(t, st, action)
	if len(list) != n {
		t.Fatalf("%d audit events %q, want %d", len(list), action, n)
	}
	return list
}

// wantAuditOf checks that the newest event with action names the object id.
func wantAuditOf(t testing.TB, st hosting.Store, action string, id int64) {
	t.Helper()
	list := events(t, st, action)
	if len(list) == 0 {
		t.Fatalf("no audit event %q", action)
	}
	if got := list[0].ObjectID; got != id {
		t.Errorf("audit %q ObjectID=%d, want %d", action, got, id)
	}
}

func newCustomer(login string, limit int) *hosting.Customer {
	return &hosting.Customer{Login: login, Name: "Name of " + login, Email: login + "@example.com",
		PasswordHash: "hash-" + login, Status: hosting.StatusActive, MaxFTPAccounts: limit, CreatedAt: t0, UpdatedAt: t0}
}

func mustCustomer(t testing.TB, st hosting.Store, login string, limit int) *hosting.Customer {
	t.Helper()
	c := newCustomer(login, limit)
	if err := st.CreateCustomer(context.Background(), c, ev("customer.create", "customer", login, 0)); err != nil {
		t.Fatalf("CreateCustomer(%s): %v", login, err)
	}
	return c
}

func newSite(c *hosting.Customer, name string, limit int) *hosting.Site {
	return &hosting.Site{Name: name, CustomerID: c.ID, Root: "/srv/" + name, IP: "192.0.2.1", UID: -1, GID: -1,
		Status: hosting.StatusActive, MaxFTPAccounts: limit, DefaultQuota: hosting.Unlimited, CreatedAt: t0, UpdatedAt: t0}
}

func newAccount(login string) *hosting.Account {
	return &hosting.Account{Login: login, Home: "/", PasswordHash: "hash-" + login, QuotaBytes: hosting.Unlimited,
		Read: true, Write: true, Status: hosting.StatusActive, CreatedAt: t0, UpdatedAt: t0}
}

// mustSite creates a site of c and its main account "<mainLogin>".
func mustSite(t testing.TB, st hosting.Store, c *hosting.Customer, name, mainLogin string, limit int) (*hosting.Site, *hosting.Account) {
	t.Helper()
	s := newSite(c, name, limit)
	m := newAccount(mainLogin)
	m.Main = true
	if err := st.CreateSite(context.Background(), s, m, ev("site.create", "site", name, c.ID)); err != nil {
		t.Fatalf("CreateSite(%s): %v", name, err)
	}
	return s, m
}

func mustAccount(t testing.TB, st hosting.Store, s *hosting.Site, login string) *hosting.Account {
	t.Helper()
	a := newAccount(login)
	a.SiteID, a.CustomerID = s.ID, s.CustomerID
	if err := st.CreateAccount(context.Background(), a, ev("account.create", "account", login, s.CustomerID)); err != nil {
		t.Fatalf("CreateAccount(%s): %v", login, err)
	}
	return a
}

// fixture is a store with two customers, three sites and some accounts.
type fixture struct {
	st         hosting.Store
	bob, eve   *hosting.Customer
	b1, b2, e1 *hosting.Site // b1, b2 of bob; e1 of eve
	m1, m2, m3 *hosting.Account
	acc        []*hosting.Account // additional accounts in creation order
}

func newFixture(t testing.TB, open Opener) *fixture {
	t.Helper()
	st := open(t)
	f := &fixture{st: st}
	f.bob = mustCustomer(t, st, "bob", hosting.Unlimited)
	f.eve = mustCustomer(t, st, "eve", hosting.Unlimited)
	f.b1, f.m1 = mustSite(t, st, f.bob, "bob.example", "bobmain", hosting.Unlimited)
	f.b2, f.m2 = mustSite(t, st, f.bob, "bob2.example", "bob2main", hosting.Unlimited)
	f.e1, f.m3 = mustSite(t, st, f.eve, "eve.example", "evemain", hosting.Unlimited)
	for i := range 5 {
		f.acc = append(f.acc, mustAccount(t, st, f.b1, fmt.Sprintf("b1user%d", i)))
	}
	for i := range 3 {
		f.acc = append(f.acc, mustAccount(t, st, f.b2, fmt.Sprintf("b2user%d", i)))
	}
	for i := range 4 {
		f.acc = append(f.acc, mustAccount(t, st, f.e1, fmt.Sprintf("e1user%d", i)))
	}
	return f
}

func ids[T any](list []T, id func(T) int64) []int64 {
	out := make([]int64, 0, len(list))
	for _, x := range list {
		out = append(out, id(x))
	}
	return out
}

func accountIDs(list []*hosting.Account) []int64 {
	return ids(list, func(a *hosting.Account) int64 { return a.ID })
}

func sortedIDs(list ...*hosting.Account) []int64 {
	out := accountIDs(list)
	slices.Sort(out)
	return out
}

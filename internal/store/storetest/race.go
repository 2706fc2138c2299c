package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"ftpanel/internal/hosting"
)

// concurrently runs fn(i) for i in [0, n) at once and returns the errors.
func concurrently(n int, fn func(i int) error) []error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = fn(i)
		}()
	}
	close(start)
	wg.Wait()
	return errs
}

// tally counts the errors by code ("" for success).
func tally(errs []error) map[hosting.Code]int {
	m := map[hosting.Code]int{}
	for _, err := range errs {
		m[hosting.ErrorCode(err)]++
	}
	return m
}

func wantTally(t *testing.T, errs []error, want map[hosting.Code]int) {
	t.Helper()
	got := tally(errs)
	for code, n := range want {
		if got[code] != n {
			t.Errorf("%d results %q, want %d (all: %v)", got[code], code, n, got)
		}
	}
	if len(got) != len(want) {
		for _, err := range errs {
			if err != nil && want[hosting.ErrorCode(err)] == 0 {
				t.Errorf("unexpected error: %v", err)
				break
			}
		}
		t.Errorf("results %v, want %v", got, want)
	}
}

func testRace(t *testing.T, open Opener) {
	ctx := context.Background()
	const n = 50
	t.Run("OneLogin", func(t *testing.T) {
		t.Parallel()
		st := open(t)
		c := mustCustomer(t, st, "bob", hosting.Unlimited)
		s1, _ := mustSite(t, st, c, "one.example", "onemain", hosting.Unlimited)
		s2, _ := mustSite(t, st, c, "two.example", "twomain", hosting.Unlimited)
		errs := concurrently(n, func(i int) error {
			a := newAccount("web1")
			a.SiteID, a.CustomerID = s1.ID, c.ID
			if i%2 == 1 { // the namespace is server-wide, not per site
				a.SiteID = s2.ID
			}
			return st.CreateAccount(ctx, a, ev("account.create", "account", "web1", c.ID))
		})
		wantTally(t, errs, map[hosting.Code]int{"": 1, hosting.CodeLoginTaken: n - 1})
		wantEvents(t, st, "account.create", 1)
		cnt, err := st.CountAccounts(ctx, hosting.AccountFilter{Login: ptr("web1")})
		must(t, err)
		if cnt != 1 {
			t.Errorf("%d accounts web1, want 1", cnt)
		}
	})
	t.Run("SiteLimit", func(t *testing.T) {
		t.Parallel()
		st := open(t)
		c := mustCustomer(t, st, "bob", hosting.Unlimited)
		s, _ := mustSite(t, st, c, "one.example", "onemain", 10)
		errs := concurrently(n, func(i int) error {
			a := newAccount(fmt.Sprintf("web%d", i))
			a.SiteID, a.CustomerID = s.ID, c.ID
			return st.CreateAccount(ctx, a, ev("account.create", "account", a.Login, c.ID))
		})
		wantTally(t, errs, map[hosting.Code]int{"": 10, hosting.CodeLimitExceeded: n - 10})
		wantEvents(t, st, "account.create", 10)
		cnt, err := st.CountAccounts(ctx, hosting.AccountFilter{SiteID: &s.ID, Main: ptr(false)})
		must(t, err)
		if cnt != 10 {
			t.Errorf("%d additional accounts, want 10", cnt)
		}
		cnt, err = st.CountAccounts(ctx, hosting.AccountFilter{SiteID: &s.ID})
		must(t, err)
		if cnt != 11 {
			t.Errorf("%d accounts with the main one, want 11", cnt)
		}
	})
	t.Run("CustomerLimit", func(t *testing.T) {
		t.Parallel()
		st := open(t)
		c := mustCustomer(t, st, "bob", 10)
		s1, _ := mustSite(t, st, c, "one.example", "onemain", hosting.Unlimited)
		s2, _ := mustSite(t, st, c, "two.example", "twomain", hosting.Unlimited)
		errs := concurrently(n, func(i int) error {
			a := newAccount(fmt.Sprintf("web%d", i))
			a.SiteID, a.CustomerID = s1.ID, c.ID
			if i%2 == 1 {
				a.SiteID = s2.ID
			}
			return st.CreateAccount(ctx, a, ev("account.create", "account", a.Login, c.ID))
		})
		wantTally(t, errs, map[hosting.Code]int{"": 10, hosting.CodeLimitExceeded: n - 10})
		cnt, err := st.CountAccounts(ctx, hosting.AccountFilter{CustomerID: &c.ID, Main: ptr(false)})
		must(t, err)
		if cnt != 10 {
			t.Errorf("%d additional accounts of the customer, want 10", cnt)
		}
		cnt, err = st.CountAccounts(ctx, hosting.AccountFilter{CustomerID: &c.ID, Main: ptr(true)})
		must(t, err)
		if cnt != 2 {
			t.Errorf("%d main accounts, want 2", cnt)
		}
	})
	t.Run("OneSite", func(t *testing.T) {
		t.Parallel()
		st := open(t)
		c := mustCustomer(t, st, "bob", hosting.Unlimited)
		errs := concurrently(n, func(i int) error {
			m := newAccount(fmt.Sprintf("main%d", i))
			m.Main = true
			return st.CreateSite(ctx, newSite(c, "one.example", 1), m, ev("site.create", "site", "one.example", c.ID))
		})
		wantTally(t, errs, map[hosting.Code]int{"": 1, hosting.CodeConflict: n - 1})
		wantEvents(t, st, "site.create", 1)
		cnt, err := st.CountAccounts(ctx, hosting.AccountFilter{})
		must(t, err)
		if cnt != 1 {
			t.Errorf("%d accounts, want 1 main account", cnt)
		}
	})
	t.Run("OneCustomer", func(t *testing.T) {
		t.Parallel()
		st := open(t)
		errs := concurrently(n, func(i int) error {
			return st.CreateCustomer(ctx, newCustomer("bob", 1), ev("customer.create", "customer", "bob", 0))
		})
		wantTally(t, errs, map[hosting.Code]int{"": 1, hosting.CodeLoginTaken: n - 1})
		wantEvents(t, st, "customer.create", 1)
	})
}

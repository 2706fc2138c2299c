package storetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"ftpanel/internal/hosting"
)

// Preload sizes of Bench: customers × sites × accounts = 100,000
// additional accounts (plus one main account per site).
const (
	benchCustomers       = 100
	benchSitesPerCust    = 10
	benchAccountsPerSite = 100
)

// A realistic argon2id PHC string, so rows have their real size.
const benchHash = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$2CmjGRpR6hZ8kDmsRBDfYvkBNIe5y3r+2f1OZH3XRpU"

// Bench runs the store benchmarks on one store made by open and preloaded
// (outside the timings) with 100,000 accounts spread over 100 customers
// and 1,000 sites, each with a limit (so that creates pay for the limit
// checks):
//
//   - AccountByLogin: an FTP login's lookup of a random account;
//   - AccountsPage50: a page of 50 accounts after a cursor in the middle;
//   - AccountsPage50Customer: the same, within one customer's accounts;
//   - CountAccountsCustomer: the total shown beside a customer's list;
//   - CreateAccount: one more account on a random site.
//
// Besides ns/op (the mean) each reports the median and 99th percentile
// (p50-ns, p99-ns). A store's test calls it from one benchmark, so that
// the preload happens once:
//
//	func BenchmarkStore(b *testing.B) { storetest.Bench(b, open) }
func Bench(b *testing.B, open Opener) {
	ctx := context.Background()
	st := open(b)
	start := time.Now()
	sites, logins, ids := preload(b, st)
	b.Logf("preloaded %d accounts on %d sites in %v", len(logins), len(sites), time.Since(start).Round(time.Millisecond))
	slices.Sort(ids)
	rng := rand.New(rand.NewPCG(1, 2))

	b.Run("AccountByLogin", func(b *testing.B) {
		timed(b, func() {
			login := logins[rng.IntN(len(logins))]
			if _, err := st.AccountByLogin(ctx, login); err != nil {
				b.Fatal(err)
			}
		})
	})
	b.Run("AccountsPage50", func(b *testing.B) {
		mid := len(ids) / 2
		timed(b, func() {
			after := ids[mid-5000+rng.IntN(10000)]
			list, err := st.Accounts(ctx, hosting.AccountFilter{AfterID: after, Limit: 50})
			if err != nil {
				b.Fatal(err)
			}
			if len(list) != 50 {
				b.Fatalf("page of %d, want 50", len(list))
			}
		})
	})
	b.Run("AccountsPage50Customer", func(b *testing.B) {
		timed(b, func() {
			s := sites[rng.IntN(len(sites))]
			list, err := st.Accounts(ctx, hosting.AccountFilter{CustomerID: &s.CustomerID, AfterID: ids[len(ids)/2], Limit: 50})
			if err != nil {
				b.Fatal(err)
			}
			if len(list) == 0 {
				b.Fatal("empty page")
			}
		})
	})
	b.Run("CountAccountsCustomer", func(b *testing.B) {
		timed(b, func() {
			s := sites[rng.IntN(len(sites))]
			n, err := st.CountAccounts(ctx, hosting.AccountFilter{CustomerID: &s.CustomerID})
			if err != nil {
				b.Fatal(err)
			}
			if n < benchSitesPerCust*benchAccountsPerSite {
				b.Fatalf("count %d", n)
			}
		})
	})
	created := 0 // across the runs of the sub-benchmark, so logins stay unique
	b.Run("CreateAccount", func(b *testing.B) {
		timed(b, func() {
			s := sites[rng.IntN(len(sites))]
			a := benchAccount(s, fmt.Sprintf("new%d", created))
			created++
			if err := st.CreateAccount(ctx, a, ev("account.create", "account", a.Login, s.CustomerID)); err != nil {
				b.Fatal(err)
			}
		})
	})
}

// timed runs op b.N times and reports the median and 99th percentile.
func timed(b *testing.B, op func()) {
	b.Helper()
	d := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		t := time.Now()
		op()
		d = append(d, time.Since(t))
	}
	b.StopTimer()
	slices.Sort(d)
	b.ReportMetric(float64(d[len(d)/2].Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(d[len(d)*99/100].Nanoseconds()), "p99-ns")
}

func benchAccount(s *hosting.Site, login string) *hosting.Account {
	return &hosting.Account{Login: login, SiteID: s.ID, CustomerID: s.CustomerID, Home: "/httpdocs",
		PasswordHash: benchHash, QuotaBytes: 1 << 30, Read: true, Write: true, Status: hosting.StatusActive,
		CreatedAt: t0, UpdatedAt: t0}
}

// preload creates the benchmark's customers, sites and accounts through
// the Store interface, several creates at a time.
func preload(b *testing.B, st hosting.Store) (sites []*hosting.Site, logins []string, ids []int64) {
	b.Helper()
	ctx := context.Background()
	for ci := range benchCustomers {
		c := newCustomer(fmt.Sprintf("cust%03d", ci), 1_000_000)
		if err := st.CreateCustomer(ctx, c, nil); err != nil {
			b.Fatal(err)
		}
		for si := range benchSitesPerCust {
			s := newSite(c, fmt.Sprintf("site%03d-%d.example", ci, si), 1_000_000)
			m := newAccount(fmt.Sprintf("main%03d%d", ci, si))
			m.Main = true
			if err := st.CreateSite(ctx, s, m, nil); err != nil {
				b.Fatal(err)
			}
			sites = append(sites, s)
		}
	}
	// Interleave the sites, as accounts are created in real life.
	type job struct {
		s     *hosting.Site
		login string
	}
	jobs := make(chan job)
	var mu sync.Mutex
	var wg sync.WaitGroup
	var firstErr error
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				a := benchAccount(j.s, j.login)
				err := st.CreateAccount(ctx, a, ev("account.create", "account", j.login, j.s.CustomerID))
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				logins, ids = append(logins, a.Login), append(ids, a.ID)
				mu.Unlock()
			}
		}()
	}
	for i := range benchAccountsPerSite {
		for si, s := range sites {
			jobs <- job{s, fmt.Sprintf("u%d-%d", si, i)}
		}
	}
	close(jobs)
	wg.Wait()
	if firstErr != nil {
		b.Fatal(firstErr)
	}
	return sites, logins, ids
}

package sqlite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"ftpanel/internal/hosting"
	"ftpanel/internal/store/sqlite"
	"ftpanel/internal/store/storetest"
)

// MustOpen opens a store in a temp folder, closed at the end of tb.
func MustOpen(tb testing.TB) *sqlite.DB {
	tb.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "ftpanel.db"))
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Errorf("Close: %v", err)
		}
	})
	return db
}

func TestStore(t *testing.T) {
	storetest.Run(t, func(tb testing.TB) hosting.Store { return MustOpen(tb) })
}

// BenchmarkStore: go test -run '^$' -bench Store -benchtime 20000x ./internal/store/sqlite/
func BenchmarkStore(b *testing.B) {
	storetest.Bench(b, func(tb testing.TB) hosting.Store { return MustOpen(tb) })
}

// TestTwoHandles races creates through two handles on one file, as the CLI
// and a running server do: the write lock taken at BEGIN (IMMEDIATE) keeps
// the limit and the login unique across processes, and the busy timeout
// makes the loser wait instead of failing.
func TestTwoHandles(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "shared.db")
	var dbs [2]*sqlite.DB
	for i := range dbs {
		db, err := sqlite.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		dbs[i] = db
	}
	c := &hosting.Customer{Login: "bob", PasswordHash: "h", Status: hosting.StatusActive, MaxFTPAccounts: hosting.Unlimited}
	must(t, dbs[0].CreateCustomer(ctx, c, nil))
	s := &hosting.Site{Name: "bob.example", CustomerID: c.ID, Root: "/srv/bob.example", UID: -1, GID: -1,
		Status: hosting.StatusActive, MaxFTPAccounts: 10, DefaultQuota: hosting.Unlimited}
	must(t, dbs[1].CreateSite(ctx, s, &hosting.Account{Login: "bobmain", Home: "/", PasswordHash: "h",
		Status: hosting.StatusActive, Main: true}, nil))
	const n = 40
	codes := make([]hosting.Code, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			login := fmt.Sprintf("web%d", i)
			if i%4 == 0 {
				login = "same" // one login raced by n/4 creates
			}
			a := &hosting.Account{Login: login, SiteID: s.ID, Home: "/", PasswordHash: "h", Status: hosting.StatusActive}
			err := dbs[i%2].CreateAccount(ctx, a, nil)
			codes[i] = hosting.ErrorCode(err)
			if codes[i] == hosting.CodeInternal {
				t.Errorf("create %s: %v", login, err)
			}
		}()
	}
	wg.Wait()
	got := map[hosting.Code]int{}
	for _, c := range codes {
		got[c]++
	}
	if got[""] != 10 || got[""]+got[hosting.CodeLimitExceeded]+got[hosting.CodeLoginTaken] != n {
		t.Errorf("results %v, want 10 created and the rest limit_exceeded or login_taken", got)
	}
	cnt, err := dbs[0].CountAccounts(ctx, hosting.AccountFilter{SiteID: &s.ID, Main: ptr(false)})
	must(t, err)
	if cnt != 10 {
		t.Errorf("%d additional accounts, want 10", cnt)
	}
	same, err := dbs[1].CountAccounts(ctx, hosting.AccountFilter{Login: ptr("same")})
	must(t, err)
	if same > 1 {
		t.Errorf("%d accounts with login same, want at most 1", same)
	}
}

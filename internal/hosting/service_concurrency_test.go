package hosting_test

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"ftpanel/internal/hosting"
	"ftpanel/internal/hosting/hostingtest"
)

// The racing creates import a ready hash (as a migration does) so that
// they reach the store together instead of queueing behind argon2id.

// race runs n calls at once and counts the outcomes by error code.
func race(n int, call func(i int) error) map[hosting.Code]int {
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		codes = make(map[hosting.Code]int)
		start = make(chan struct{})
	)
	for i := range n {
		wg.Go(func() {
			<-start
			err := call(i)
			mu.Lock()
			codes[hosting.ErrorCode(err)]++
			mu.Unlock()
		})
	}
	close(start)
	wg.Wait()
	return codes
}

func TestService_CreateAccount_ConcurrentLogin(t *testing.T) {
	t.Parallel()
	env := hostingtest.New(t)
	env.MustCustomer(t, "alice")
	env.MustCustomer(t, "bob")
	env.MustSite(t, "alice", "a.example")
	env.MustSite(t, "bob", "b.example")
	codes := race(50, func(i int) error {
		// Half through each customer's own site: logins are server-wide.
		customer, site := "alice", "a.example"
		if i%2 == 1 {
			customer, site = "bob", "b.example"
		}
		_, _, err := env.Service.CreateAccount(as(env, customer), hosting.AccountCreate{Site: site, Login: "contested", PasswordHash: sha512Hash})
		return err
	})
	if codes[""] != 1 || codes[hosting.CodeLoginTaken] != 49 || len(codes) != 2 {
		t.Fatalf("outcomes = %v, want 1 success and 49 %s", codes, hosting.CodeLoginTaken)
	}
	n, err := env.Service.CountAccounts(admin(env), hosting.AccountFilter{Login: ptr("contested")})
	wantCode(t, err, "")
	if n != 1 {
		t.Fatalf("%d accounts named contested, want 1", n)
	}
}

func TestService_CreateAccount_ConcurrentSiteLimit(t *testing.T) {
	t.Parallel()
	env := hostingtest.New(t)
	env.MustCustomer(t, "alice")
	site, _, _, err := env.Service.CreateSite(admin(env), hosting.SiteCreate{Name: "a.example", Customer: "alice",
		MaxFTPAccounts: ptr(10), MainPassword: pw})
	wantCode(t, err, "")
	codes := race(50, func(i int) error {
		login := fmt.Sprintf("user%02d", i)
		_, _, err := env.Service.CreateAccount(as(env, "alice"), hosting.AccountCreate{Site: "a.example", Login: login,
			PasswordHash: sha512Hash, Home: "/httpdocs/" + login, CreateMissing: true})
		return err
	})
	if codes[""] != 10 || codes[hosting.CodeLimitExceeded] != 40 || len(codes) != 2 {
		t.Fatalf("outcomes = %v, want 10 successes and 40 %s", codes, hosting.CodeLimitExceeded)
	}
	if got := countAdditional(t, env, site.ID); got != 10 {
		t.Fatalf("%d additional accounts, want 10", got)
	}
	// The refused creates left no home folder behind.
	ents, err := os.ReadDir(filepath.Join(site.Root, "httpdocs"))
	if err != nil {
		t.Fatal(err)
	}
	if got := len(ents); got != 10 {
		t.Fatalf("%d folders in httpdocs, want 10 (one per created account)", got)
	}
}

func TestService_CreateAccount_ConcurrentCustomerLimit(t *testing.T) {
	t.Parallel()
	env := hostingtest.New(t)
	_, _, err := env.Service.CreateCustomer(admin(env), hosting.CustomerCreate{Login: "alice", Password: pw, MaxFTPAccounts: ptr(10)})
	wantCode(t, err, "")
	s1, _ := env.MustSite(t, "alice", "one.example")
	s2, _ := env.MustSite(t, "alice", "two.example")
	codes := race(50, func(i int) error {
		site := "one.example"
		if i%2 == 1 {
			site = "two.example"
		}
		_, _, err := env.Service.CreateAccount(as(env, "alice"), hosting.AccountCreate{Site: site,
			Login: fmt.Sprintf("user%02d", i), PasswordHash: sha512Hash})
		return err
	})
	if codes[""] != 10 || codes[hosting.CodeLimitExceeded] != 40 || len(codes) != 2 {
		t.Fatalf("outcomes = %v, want 10 successes and 40 %s", codes, hosting.CodeLimitExceeded)
	}
	if got := countAdditional(t, env, s1.ID) + countAdditional(t, env, s2.ID); got != 10 {
		t.Fatalf("%d additional accounts over both sites, want 10", got)
	}
}

// TestService_CreateAccount_ConcurrentSharedHome: refused creates clean up
// the folders they made, but never one that a successful create uses.
func TestService_CreateAccount_ConcurrentSharedHome(t *testing.T) {
	t.Parallel()
	env := hostingtest.New(t)
	env.MustCustomer(t, "alice")
	site, _, _, err := env.Service.CreateSite(admin(env), hosting.SiteCreate{Name: "a.example", Customer: "alice",
		MaxFTPAccounts: ptr(1), MainPassword: pw})
	wantCode(t, err, "")
	for round := range 5 {
		home := fmt.Sprintf("/httpdocs/shared%d/inner", round)
		codes := race(20, func(i int) error {
			_, _, err := env.Service.CreateAccount(as(env, "alice"), hosting.AccountCreate{Site: "a.example",
				Login: fmt.Sprintf("r%du%02d", round, i), PasswordHash: sha512Hash, Home: home, CreateMissing: true})
			return err
		})
		if codes[""] != 1 || codes[hosting.CodeLimitExceeded] != 19 {
			t.Fatalf("round %d: outcomes = %v, want 1 success and 19 %s", round, codes, hosting.CodeLimitExceeded)
		}
		if fi, err := os.Stat(filepath.Join(site.Root, home)); err != nil || !fi.IsDir() {
			t.Fatalf("round %d: the created account's home %s was removed by a refused create: %v", round, home, err)
		}
		// Free the place for the next round.
		list, err := env.Service.Accounts(admin(env), hosting.AccountFilter{SiteID: &site.ID, Main: ptr(false)})
		wantCode(t, err, "")
		for _, a := range list {
			wantCode(t, env.Service.DeleteAccount(admin(env), a.Login), "")
		}
	}
}

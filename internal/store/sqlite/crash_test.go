package sqlite_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"ftpanel/internal/hosting"
	"ftpanel/internal/store/sqlite"
)

// crashEnv names the database the crash child writes to; it is set only in
// the child process.
const crashEnv = "FTPANEL_SQLITE_CRASH_DB"

// TestCrashSafety kills a process that is writing (SIGKILL, mid-stream) and
// checks that the reopened store holds every change the child had been
// told was done, passes SQLite's integrity check, and has each account's
// audit event (written in the same transaction) and no other.
func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "crash.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	c := &hosting.Customer{Login: "bob", PasswordHash: "h", Status: hosting.StatusActive, MaxFTPAccounts: hosting.Unlimited}
	must(t, db.CreateCustomer(ctx, c, nil))
	s := &hosting.Site{Name: "bob.example", CustomerID: c.ID, Root: "/srv/bob.example", UID: -1, GID: -1,
		Status: hosting.StatusActive, MaxFTPAccounts: hosting.Unlimited, DefaultQuota: hosting.Unlimited}
	m := &hosting.Account{Login: "bobmain", Home: "/", PasswordHash: "h", QuotaBytes: -1, Read: true, Write: true,
		Status: hosting.StatusActive, Main: true}
	must(t, db.CreateSite(ctx, s, m, nil))
	must(t, db.Close())

	cctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(cctx, os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashEnv+"="+path)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var created []string
	lastHome := -1
	killed := false
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		kind, val, _ := strings.Cut(sc.Text(), " ")
		switch kind {
		case "create":
			created = append(created, val)
		case "home":
			n, err := strconv.Atoi(val)
			if err != nil {
				t.Fatalf("child: %q", sc.Text())
			}
			lastHome = n
		case "error":
			t.Errorf("child: %s", val)
			continue
		default:
			continue // test framework output
		}
		if len(created) == 400 && !killed {
			// SIGKILL: no deferred function, no Close, no checkpoint.
			if err := cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			killed = true
		}
	}
	// Lines already in the pipe when the child died were acknowledged too.
	err = cmd.Wait()
	if !killed {
		t.Fatalf("child ended after %d creates without being killed: %v", len(created), err)
	}
	if lastHome < 0 {
		t.Fatal("child acknowledged no update")
	}

	db, err = sqlite.Open(ctx, path)
	if err != nil {
		t.Fatalf("reopen after kill: %v", err)
	}
	defer db.Close()
	if err := db.IntegrityCheck(ctx); err != nil {
		t.Fatal(err)
	}
	for _, login := range created {
		if _, err := db.AccountByLogin(ctx, login); err != nil {
			t.Errorf("acknowledged account %s: %v", login, err)
		}
	}
	a, err := db.AccountByLogin(ctx, "bobmain")
	must(t, err)
	// The update after the last acknowledged one may have committed too.
	if got := a.Home; got != fmt.Sprintf("/v%d", lastHome) && got != fmt.Sprintf("/v%d", lastHome+1) {
		t.Errorf("main account home %q, want /v%d (or the one after)", got, lastHome)
	}
	n, err := db.CountAccounts(ctx, hosting.AccountFilter{Main: ptr(false)})
	must(t, err)
	if n < len(created) {
		t.Errorf("%d accounts, fewer than the %d acknowledged", n, len(created))
	}
	evs, err := db.AuditEvents(ctx, hosting.AuditFilter{Action: "account.create"})
	must(t, err)
	if len(evs) != n {
		t.Errorf("%d account.create events for %d accounts: the audit is not in the change's transaction", len(evs), n)
	}
	t.Logf("killed after %d acknowledged creates (%d in store), %d updates", len(created), n, lastHome)
}

// TestCrashChild is the child of TestCrashSafety: it writes until killed
// and prints each change once it is acknowledged.
func TestCrashChild(t *testing.T) {
	path := os.Getenv(crashEnv)
	if path == "" {
		t.Skip("run by TestCrashSafety")
	}
	ctx := context.Background()
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := db.SiteByName(ctx, "bob.example")
	must(t, err)
	main, err := db.AccountByLogin(ctx, "bobmain")
	must(t, err)
	var mu sync.Mutex // one line at a time on stdout
	say := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(os.Stdout, format+"\n", args...)
	}
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				login := fmt.Sprintf("w%d-%d", w, i)
				a := &hosting.Account{Login: login, SiteID: s.ID, Home: "/", PasswordHash: "h", QuotaBytes: -1,
					Read: true, Write: true, Status: hosting.StatusActive}
				ev := &hosting.AuditEvent{ActorKind: hosting.ActorSystem, Actor: "crash", Via: hosting.ViaCLI,
					Action: "account.create", ObjectType: "account", ObjectName: login}
				if err := db.CreateAccount(ctx, a, ev); err != nil {
					say("error %v", err)
					return
				}
				say("create %s", login)
			}
		}()
	}
	for i := 0; ; i++ {
		main.Home = fmt.Sprintf("/v%d", i)
		if err := db.UpdateAccount(ctx, main, nil); err != nil {
			say("error %v", err)
			break
		}
		say("home %d", i)
	}
	wg.Wait()
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func ptr[T any](v T) *T { return &v }

package hostingtest

import (
	"sync"
	"testing"
	"time"

	"ftpanel/internal/hosting"
)

// GuardCase describes one interface's password check for CheckGuard.
type GuardCase struct {
	// Service is the service behind the interface; CheckGuard configures
	// its guard (MaxFailures, BanTime).
	Service *hosting.Service
	// Try makes one login through the interface, from 127.0.0.1, with the
	// right password or a wrong one, and reports whether it was let in.
	// It runs on several goroutines at once: it reports trouble with
	// t.Error, never t.Fatal.
	Try func(t testing.TB, right bool) bool
	// Evaluations counts the credential checks actually run so far (a
	// CountingHasher's Verifies, or the token lookups of a store).
	Evaluations func() int64
	// MaxFailures defaults to 5, BanTime to 1.5s.
	MaxFailures int
	BanTime     time.Duration
}

// CheckGuard checks the guard through one interface (issue 17): the
// right password is let in; MaxFailures wrong guesses ban the address, so
// that the right password is then refused without any check until the ban
// ends, and let in after it; a parallel burst of 50 wrong guesses runs at
// most MaxFailures checks, and the right password is refused after it.
// It returns the figures it measured, for the test's log.
func CheckGuard(t *testing.T, c GuardCase) (burstEvaluations int64) {
	t.Helper()
	if c.MaxFailures == 0 {
		c.MaxFailures = 5
	}
	if c.BanTime == 0 {
		c.BanTime = 1500 * time.Millisecond
	}
	c.Service.Guard().Configure(hosting.GuardConfig{MaxFailures: c.MaxFailures, Window: time.Minute,
		BanTime: c.BanTime, MaxBanTime: c.BanTime, RefreshInterval: 50 * time.Millisecond})
	if !c.Try(t, true) {
		t.Fatal("the right password is refused before any failure")
	}
	for i := 0; i < c.MaxFailures; i++ {
		before := c.Evaluations()
		if c.Try(t, false) {
			t.Fatalf("wrong guess %d let in", i+1)
		}
		if n := c.Evaluations() - before; n != 1 {
			t.Fatalf("wrong guess %d ran %d checks, want 1", i+1, n)
		}
	}
	bannedAt := time.Now()
	before := c.Evaluations()
	if c.Try(t, true) {
		t.Fatalf("the right password is let in after %d wrong guesses", c.MaxFailures)
	}
	if n := c.Evaluations() - before; n != 0 {
		t.Errorf("a refused login ran %d checks, want 0", n)
	}
	// Until the ban ends, still refused; after it, let in.
	for time.Since(bannedAt) < c.BanTime-300*time.Millisecond {
		if c.Try(t, true) {
			t.Fatalf("the right password let in %v into a ban of %v", time.Since(bannedAt), c.BanTime)
		}
		time.Sleep(100 * time.Millisecond)
	}
	deadline := bannedAt.Add(c.BanTime + 5*time.Second)
	for !c.Try(t, true) {
		if time.Now().After(deadline) {
			t.Fatalf("the right password still refused %v after a ban of %v", time.Since(bannedAt), c.BanTime)
		}
		time.Sleep(100 * time.Millisecond)
	}

	// A parallel burst of 50 wrong guesses, under a ban long enough to
	// outlast the burst on a slow machine (the race detector).
	c.Service.Guard().Configure(hosting.GuardConfig{MaxFailures: c.MaxFailures, Window: time.Minute,
		BanTime: time.Hour, MaxBanTime: time.Hour, RefreshInterval: 50 * time.Millisecond})
	before = c.Evaluations()
	var wg sync.WaitGroup
	var mu sync.Mutex
	in := 0
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if c.Try(t, false) {
				mu.Lock()
				in++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	burstEvaluations = c.Evaluations() - before
	if in != 0 {
		t.Errorf("%d wrong guesses of the burst let in", in)
	}
	if burstEvaluations > int64(c.MaxFailures) {
		t.Errorf("a burst of 50 wrong guesses ran %d checks, want ≤ %d", burstEvaluations, c.MaxFailures)
	}
	if c.Try(t, true) {
		t.Error("the right password is let in after the burst")
	}
	return burstEvaluations
}

package hosting_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/netip"
	"slices"
	"sync"
	"testing"
	"time"

	"ftpanel/internal/hosting"
	"ftpanel/internal/hosting/hostingtest"
	"ftpanel/internal/password"
)

// guardEnv is a service with a counting hasher, an administrator "admin"
// and a customer "alice", both with hostingtest.Password.
func guardEnv(t *testing.T, cfg hosting.GuardConfig, logs *bytes.Buffer) (*hostingtest.Env, *hostingtest.CountingHasher) {
	t.Helper()
	h := &hostingtest.CountingHasher{}
	o := hosting.Options{Guard: cfg}
	if logs != nil {
		o.Logger = slog.New(slog.NewTextHandler(logs, nil))
	}
	env := hostingtest.NewWith(t, hostingtest.Config{Hasher: h, Options: o})
	if _, _, err := env.Service.CreateAdmin(env.Admin(context.Background()), "admin", hostingtest.Password); err != nil {
		t.Fatal(err)
	}
	env.MustCustomer(t, "alice")
	return env, h
}

func panelLogin(svc *hosting.Service, login, pw, remote string) error {
	_, err := svc.AuthenticatePanel(context.Background(), login, pw, hosting.ViaWeb, remote)
	return err
}

func TestGuard_BanSharedThroughStore(t *testing.T) {
	env, _ := guardEnv(t, hosting.GuardConfig{MaxFailures: 3, BanTime: time.Hour, Node: "a", RefreshInterval: 20 * time.Millisecond}, nil)
	// A second node on the same store.
	b, err := hosting.NewService(env.Store, env.Service.Policy(), password.Hasher{}, hosting.Options{
		Guard: hosting.GuardConfig{MaxFailures: 3, BanTime: time.Hour, Node: "b", RefreshInterval: 20 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := panelLogin(env.Service, "admin", "wrong", "192.0.2.7"); hosting.ErrorCode(err) != hosting.CodeUnauthorized {
			t.Fatalf("wrong password: %v", err)
		}
	}
	bans, err := env.Service.Bans(env.Admin(context.Background()))
	if err != nil || len(bans) != 1 || bans[0].Addr != "192.0.2.7" || bans[0].Node != "a" || bans[0].Strikes != 1 {
		t.Fatalf("bans = %+v, %v", bans, err)
	}
	time.Sleep(30 * time.Millisecond)
	err = panelLogin(b, "admin", hostingtest.Password, "192.0.2.7:4567")
	if _, refused := hosting.LoginRefused(err); !refused {
		t.Fatalf("node b let the banned address check a password: %v", err)
	}
	if !b.Guard().Banned(netip.MustParseAddr("192.0.2.7")) {
		t.Error("node b: Banned = false")
	}
	if err := panelLogin(b, "admin", hostingtest.Password, "192.0.2.8"); err != nil {
		t.Errorf("another address refused: %v", err)
	}
	// `ban del` on node b lifts it on node a too.
	if err := b.DeleteBan(env.Admin(context.Background()), "192.0.2.7"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(30 * time.Millisecond)
	if err := panelLogin(env.Service, "admin", hostingtest.Password, "192.0.2.7"); err != nil {
		t.Errorf("after ban del: %v", err)
	}
	events, err := env.Service.AuditEvents(env.Admin(context.Background()), hosting.AuditFilter{Action: "ban.create"})
	if err != nil || len(events) != 1 || events[0].Via != hosting.ViaWeb || events[0].ObjectName != "192.0.2.7" {
		t.Errorf("ban audit events = %+v, %v", events, err)
	}
}

func TestGuard_SafeList(t *testing.T) {
	safe, err := hosting.ParseSafeList([]string{"192.0.2.0/24", "2001:db8::1"})
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	env, h := guardEnv(t, hosting.GuardConfig{MaxFailures: 2, BanTime: time.Hour, SafeList: safe}, &logs)
	for _, remote := range []string{"192.0.2.9", "2001:db8::1"} {
		for range 5 {
			if err := panelLogin(env.Service, "admin", "wrong", remote); hosting.ErrorCode(err) != hosting.CodeUnauthorized {
				t.Fatalf("%s: %v", remote, err)
			} else if _, refused := hosting.LoginRefused(err); refused {
				t.Fatalf("safe-listed %s refused: %v", remote, err)
			}
		}
		if err := panelLogin(env.Service, "admin", hostingtest.Password, remote); err != nil {
			t.Errorf("safe-listed %s: right password refused: %v", remote, err)
		}
	}
	if h.Verifies() != 12 {
		t.Errorf("verifications = %d, want 12 (safe addresses are not throttled)", h.Verifies())
	}
	bans, _ := env.Service.Bans(env.Admin(context.Background()))
	if len(bans) != 0 {
		t.Errorf("safe-listed addresses banned: %+v", bans)
	}
	if n := bytes.Count(logs.Bytes(), []byte("failed login from a safe-listed address")); n != 10 {
		t.Errorf("%d failures of safe addresses logged, want 10", n)
	}
	// An address next to the safe list is banned as usual.
	for range 2 {
		_ = panelLogin(env.Service, "admin", "wrong", "192.0.3.1")
	}
	if _, refused := hosting.LoginRefused(panelLogin(env.Service, "admin", hostingtest.Password, "192.0.3.1")); !refused {
		t.Error("192.0.3.1 not banned")
	}
}

func TestGuard_LoginLockedAcrossAddresses(t *testing.T) {
	env, h := guardEnv(t, hosting.GuardConfig{MaxFailures: 3, BanTime: time.Hour}, nil)
	// One failure each from three addresses: none is banned, but the login
	// has had its three guesses.
	for _, remote := range []string{"198.51.100.1", "198.51.100.2", "198.51.100.3"} {
		_ = panelLogin(env.Service, "alice", "wrong", remote)
	}
	before := h.Verifies()
	err := panelLogin(env.Service, "alice", hostingtest.Password, "198.51.100.4")
	if until, refused := hosting.LoginRefused(err); !refused || !until.After(time.Now()) || time.Until(until) > time.Minute {
		t.Fatalf("fourth address on a locked login: %v (until %v)", err, until)
	}
	if h.Verifies() != before {
		t.Error("a locked login was verified")
	}
	if err := panelLogin(env.Service, "admin", hostingtest.Password, "198.51.100.4"); err != nil {
		t.Errorf("another login from that address: %v", err)
	}
	// Failures of a banned address stop counting against its logins: one
	// address cannot lock a customer out.
	env2, _ := guardEnv(t, hosting.GuardConfig{MaxFailures: 3, BanTime: time.Hour}, nil)
	for range 3 {
		_ = panelLogin(env2.Service, "alice", "wrong", "203.0.113.66")
	}
	if err := panelLogin(env2.Service, "alice", hostingtest.Password, "203.0.113.1"); err != nil {
		t.Errorf("alice from her own address after another address was banned: %v", err)
	}
}

func TestGuard_IPv6Slash64(t *testing.T) {
	env, _ := guardEnv(t, hosting.GuardConfig{MaxFailures: 3, BanTime: time.Hour}, nil)
	for _, remote := range []string{"[2001:db8:1:2::1]:40000", "2001:db8:1:2::2", "2001:db8:1:2:ffff::3"} {
		_ = panelLogin(env.Service, "admin", "wrong", remote)
	}
	bans, _ := env.Service.Bans(env.Admin(context.Background()))
	if len(bans) != 1 || bans[0].Addr != "2001:db8:1:2::/64" {
		t.Fatalf("bans = %+v, want the /64", bans)
	}
	if !env.Service.Guard().Banned(netip.MustParseAddr("2001:db8:1:2:dead::beef")) {
		t.Error("another address of the /64 not banned")
	}
	if env.Service.Guard().Banned(netip.MustParseAddr("2001:db8:1:3::1")) {
		t.Error("the next /64 is banned")
	}
	// `ban del` with one address of the /64 lifts the ban.
	if err := env.Service.DeleteBan(env.Admin(context.Background()), "2001:db8:1:2::1"); err != nil {
		t.Fatalf("DeleteBan(an address of the /64): %v", err)
	}
	if env.Service.Guard().Banned(netip.MustParseAddr("2001:db8:1:2::1")) {
		t.Error("still banned after ban del")
	}
}

// TestGuard_ParallelBurst: 50 wrong guesses at once run at most
// MaxFailures verifications, and the right password that follows is
// refused (through every Authenticate method of the service).
func TestGuard_ParallelBurst(t *testing.T) {
	env, h := guardEnv(t, hosting.GuardConfig{MaxFailures: 5, BanTime: time.Hour}, nil)
	env.MustSite(t, "alice", "example.com")
	acct := env.MustAccount(t, "example.com", "web1", "")
	ip := netip.MustParseAddr("192.0.2.50")
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i%2 == 0 {
				_, _ = env.Service.AuthenticateFTP(context.Background(), acct.Login, "wrong", ip)
			} else {
				_ = panelLogin(env.Service, "alice", "wrong", ip.String())
			}
		}()
	}
	wg.Wait()
	if n := h.Verifies(); n > 5 {
		t.Errorf("50 parallel wrong guesses ran %d verifications, want ≤ 5", n)
	}
	if _, err := env.Service.AuthenticateFTP(context.Background(), acct.Login, hostingtest.Password, ip); err == nil {
		t.Error("right FTP password let in after the burst")
	}
	t.Logf("50 parallel wrong guesses: %d verifications", h.Verifies())
}

func TestParseSafeList(t *testing.T) {
	tests := []struct {
		in   []string
		want []string
		ok   bool
	}{
		{nil, []string{}, true},
		{[]string{"192.0.2.7", "10.0.0.0/8", "2001:db8::/32", "::ffff:192.0.2.8"},
			[]string{"192.0.2.7/32", "10.0.0.0/8", "2001:db8::/32", "192.0.2.8/32"}, true},
		{[]string{"192.0.2.7/24"}, []string{"192.0.2.0/24"}, true},
		{[]string{"example.com"}, nil, false},
		{[]string{"192.0.2.300"}, nil, false},
		{[]string{"10.0.0.0/33"}, nil, false},
		{[]string{""}, nil, false},
		{[]string{"fe80::1%eth0"}, nil, false},
	}
	for _, tc := range tests {
		got, err := hosting.ParseSafeList(tc.in)
		if (err == nil) != tc.ok {
			t.Errorf("ParseSafeList(%q) err = %v, want ok=%v", tc.in, err, tc.ok)
			continue
		}
		if err != nil {
			if hosting.ErrorCode(err) != hosting.CodeInvalidInput {
				t.Errorf("ParseSafeList(%q) code = %s", tc.in, hosting.ErrorCode(err))
			}
			continue
		}
		var s []string
		for _, p := range got {
			s = append(s, p.String())
		}
		if !slices.Equal(s, tc.want) && !(len(s) == 0 && len(tc.want) == 0) {
			t.Errorf("ParseSafeList(%q) = %v, want %v", tc.in, s, tc.want)
		}
	}
}

// slowBanStore delays PutBan, and reports through during whether the ban
// being written is in force on this node meanwhile, after a refresh of
// the bans from the store (which cannot have seen it yet).
type slowBanStore struct {
	hosting.Store
	during func() bool
	seen   chan bool
}

func (s *slowBanStore) PutBan(ctx context.Context, b *hosting.Ban) error {
	s.seen <- s.during()
	return s.Store.PutBan(ctx, b)
}

// A ban is in force from the failure that starts it, also while it is
// being written to the store and a refresh reads the store meanwhile.
func TestGuard_BanKeptWhileStored(t *testing.T) {
	var env *hostingtest.Env
	ip := netip.MustParseAddr("192.0.2.60")
	st := &slowBanStore{seen: make(chan bool, 1)}
	st.during = func() bool {
		g := env.Service.Guard()
		time.Sleep(30 * time.Millisecond) // the bans read are stale now
		// Banned starts a refresh in the background; wait for it.
		g.Banned(netip.MustParseAddr("192.0.2.61"))
		time.Sleep(100 * time.Millisecond)
		return g.Banned(ip)
	}
	env = hostingtest.NewWith(t, hostingtest.Config{WrapStore: func(s hosting.Store) hosting.Store {
		st.Store = s
		return st
	}, Options: hosting.Options{Guard: hosting.GuardConfig{MaxFailures: 2, BanTime: time.Hour,
		RefreshInterval: 10 * time.Millisecond}}})
	env.MustCustomer(t, "alice")
	for range 2 {
		_ = panelLogin(env.Service, "alice", "wrong", ip.String())
	}
	select {
	case banned := <-st.seen:
		if !banned {
			t.Error("a refresh during the ban's write dropped the ban")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no ban written")
	}
	if !env.Service.Guard().Banned(ip) {
		t.Error("not banned after the write")
	}
}

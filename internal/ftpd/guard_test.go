package ftpd

import (
	"context"
	"net"
	"net/textproto"
	"testing"
	"time"

	"ftpanel/internal/hosting/hostingtest"
)

// TestGuard_FTP: FTP logins go through the service's guard (issue 17
// item 1): a parallel burst gets no more password checks than
// defender.max_failures, where before the ban was checked ahead of the
// check and failures counted after it.
func TestGuard_FTP(t *testing.T) {
	h := &hostingtest.CountingHasher{}
	env := hostingtest.NewWith(t, hostingtest.Config{Hasher: h})
	env.MustCustomer(t, "cust")
	env.MustSite(t, "cust", "example.com")
	a := env.MustAccount(t, "example.com", "bob", "")
	srv, err := New(env.Service, Config{ListenAddr: "127.0.0.1:0", FailDelay: 5 * time.Millisecond, Node: "g1",
		MaxClientsPerIP: 200, SyncInterval: 50 * time.Millisecond}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	})
	n := hostingtest.CheckGuard(t, hostingtest.GuardCase{Service: env.Service, Evaluations: h.Verifies,
		Try: func(t testing.TB, right bool) bool {
			pw := "Wrong-pass-1"
			if right {
				pw = hostingtest.Password
			}
			return ftpLogin(t, srv.Addr(), a.Login, pw)
		}})
	t.Logf("burst of 50 wrong passwords: %d verifications", n)
}

// ftpLogin connects and logs in; false when refused at connect or at PASS.
func ftpLogin(t testing.TB, addr, user, pw string) bool {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Error(err)
		return false
	}
	_ = c.SetDeadline(time.Now().Add(30 * time.Second))
	tp := textproto.NewConn(c)
	defer tp.Close()
	if code, _, _ := tp.ReadResponse(0); code == 421 {
		return false
	} else if code != 220 {
		t.Errorf("greeting %d", code)
		return false
	}
	for _, line := range []string{"USER " + user, "PASS " + pw} {
		if err := tp.PrintfLine("%s", line); err != nil {
			t.Error(err)
			return false
		}
		code, msg, _ := tp.ReadResponse(0)
		switch {
		case code == 331:
		case code == 230:
			return true
		case code == 530 || code == 421:
			return false
		default:
			t.Errorf("%s: %d %s", line[:4], code, msg)
			return false
		}
	}
	return false
}

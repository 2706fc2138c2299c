package hosting_test

import (
	"context"
	"net/netip"
	"slices"
	"testing"
	"time"

	"ftpanel/internal/hosting"
	"ftpanel/internal/hosting/hostingtest"
)

// TestAuthenticate_UnknownLoginTiming: an unknown login costs one password
// verification, like a known login with a wrong password, on FTP and on
// the panel (issue 17 item 5). The exact check is the count of
// verifications; the medians of the two timings are compared with bounds
// wide enough for a loaded machine (before, an unknown FTP login ran no
// verification and answered in a fraction of the time).
func TestAuthenticate_UnknownLoginTiming(t *testing.T) {
	h := &hostingtest.CountingHasher{}
	env := hostingtest.NewWith(t, hostingtest.Config{Hasher: h})
	env.MustCustomer(t, "alice")
	env.MustSite(t, "alice", "example.com")
	acct := env.MustAccount(t, "example.com", "web1", "")
	ip := netip.MustParseAddr("192.0.2.1")
	ctx := context.Background()
	tests := []struct {
		name  string
		login func(login string) error
		known string
	}{
		{"FTP", func(login string) error {
			_, err := env.Service.AuthenticateFTP(ctx, login, "Wrong-pass-1", ip)
			return err
		}, acct.Login},
		{"Panel", func(login string) error {
			_, err := env.Service.AuthenticatePanel(ctx, login, "Wrong-pass-1", hosting.ViaWeb, "192.0.2.1")
			return err
		}, "alice"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_ = tc.login("warm-up-unknown") // makes the dummy hash, once
			n := 15
			if raceEnabled {
				n = 2 // the counts still hold; the timings mean nothing
			}
			var known, unknown []time.Duration
			for i := 0; i < 2*n; i++ {
				login := tc.known
				if i%2 == 1 {
					login = "nobody-here"
				}
				before := h.Verifies()
				start := time.Now()
				err := tc.login(login)
				d := time.Since(start)
				if hosting.ErrorCode(err) != hosting.CodeUnauthorized || hosting.ErrorMessage(err) != "wrong login or password" {
					t.Fatalf("%s: %v", login, err)
				}
				if got := h.Verifies() - before; got != 1 {
					t.Fatalf("%s: %d verifications, want 1", login, got)
				}
				if i%2 == 1 {
					unknown = append(unknown, d)
				} else {
					known = append(known, d)
				}
			}
			slices.Sort(known)
			slices.Sort(unknown)
			mk, mu := known[n/2], unknown[n/2]
			t.Logf("medians over %d tries: known %v, unknown %v (ratio %.2f)", n, mk, mu, float64(mu)/float64(mk))
			if ratio := float64(mu) / float64(mk); !raceEnabled && (ratio < 0.5 || ratio > 2) {
				t.Errorf("median unknown %v vs known %v: ratio %.2f outside 0.5–2", mu, mk, ratio)
			}
		})
	}
}

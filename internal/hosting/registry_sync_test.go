package hosting_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"ftpanel/internal/hosting"
	"ftpanel/internal/hosting/hostingtest"
)

// TestService_SyncSessions: one round of a protocol server's registry
// writes (shared by FTP and SFTP): new sessions are written, unchanged
// ones are not written again, changed ones at most once per refresh,
// ended ones are removed, and a new session whose account changed before
// its first write is returned for closing.
func TestService_SyncSessions(t *testing.T) {
	t.Parallel()
	env := hostingtest.New(t)
	env.MustCustomer(t, "alice")
	env.MustSite(t, "alice", "example.com")
	a := env.MustAccount(t, "example.com", "web1", "")
	b := env.MustAccount(t, "example.com", "web2", "")
	ctx := hosting.WithActor(context.Background(), hosting.SystemActor(hosting.ViaFTP, "test"))
	log := slog.New(slog.DiscardHandler)
	t0 := time.Now().UTC().Truncate(time.Second)
	row := func(id string, acct *hosting.Account, cmd string) hosting.Session {
		return hosting.Session{ID: id, Node: "n1", Protocol: hosting.ProtocolSFTP, AccountID: acct.ID, Login: acct.Login,
			SiteID: acct.SiteID, SiteName: acct.SiteName, CustomerID: acct.CustomerID, RemoteAddr: "192.0.2.9:50000",
			StartedAt: t0, UpdatedAt: t0, Command: cmd}
	}
	stored := func(id string) *hosting.Session {
		t.Helper()
		list, err := env.Service.LiveSessions(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range list {
			if x.ID == id {
				return x
			}
		}
		return nil
	}
	var ea, eb hosting.RegistryEntry
	refresh := time.Minute

	// Round 1: both new, both written; web2 was suspended after its login.
	if _, err := env.Service.SetAccountStatus(admin(env), "web2", hosting.StatusSuspended); err != nil {
		t.Fatal(err)
	}
	changed := env.Service.SyncSessions(ctx, log, t0, refresh, nil, []hosting.LiveSession{
		{Entry: &ea, Now: row("n1-1", a, "ls"), Account: a}, {Entry: &eb, Now: row("n1-2", b, "ls"), Account: b}})
	if len(changed) != 1 || changed[0].Index != 1 || changed[0].Account == nil ||
		changed[0].Account.Status != hosting.StatusSuspended {
		t.Fatalf("changed = %+v, want web2 (index 1) suspended", changed)
	}
	if x := stored("n1-1"); x == nil || x.Command != "ls" {
		t.Fatalf("n1-1 stored as %+v", x)
	}
	// Round 2, within refresh: a changed command is not written yet.
	if c := env.Service.SyncSessions(ctx, log, t0.Add(time.Second), refresh, nil,
		[]hosting.LiveSession{{Entry: &ea, Now: row("n1-1", a, "get x"), Account: a}}); len(c) != 0 {
		t.Fatalf("changed = %+v on a known session", c)
	}
	if x := stored("n1-1"); x.Command != "ls" {
		t.Errorf("command %q written before the refresh interval", x.Command)
	}
	// Round 3, after refresh: written.
	env.Service.SyncSessions(ctx, log, t0.Add(2*refresh), refresh, nil,
		[]hosting.LiveSession{{Entry: &ea, Now: row("n1-1", a, "get x"), Account: a}})
	if x := stored("n1-1"); x.Command != "get x" {
		t.Errorf("command %q after the refresh interval, want %q", x.Command, "get x")
	}
	// Round 4: both ended, rows removed; an entry never written is ignored.
	var never hosting.RegistryEntry
	env.Service.SyncSessions(ctx, log, t0.Add(3*refresh), refresh, []*hosting.RegistryEntry{&ea, &eb, &never}, nil)
	if stored("n1-1") != nil || stored("n1-2") != nil {
		t.Error("ended sessions still in the registry")
	}
	// A deleted account is reported with Account nil.
	var ec hosting.RegistryEntry
	if err := env.Service.DeleteAccount(admin(env), "web1"); err != nil {
		t.Fatal(err)
	}
	changed = env.Service.SyncSessions(ctx, log, t0.Add(4*refresh), refresh, nil,
		[]hosting.LiveSession{{Entry: &ec, Now: row("n1-3", a, ""), Account: a}})
	if len(changed) != 1 || changed[0].Account != nil {
		t.Errorf("changed = %+v, want the deleted account (nil)", changed)
	}
}

func TestSameGrant(t *testing.T) {
	t.Parallel()
	base := hosting.Account{Login: "web1", PasswordHash: "h1", Home: "/", Read: true, Write: true, SiteRoot: "/srv/a",
		Status: hosting.StatusActive, SiteStatus: hosting.StatusActive, CustomerStatus: hosting.StatusActive}
	for _, tc := range []struct {
		name string
		edit func(*hosting.Account)
		want bool
	}{
		{"same", func(*hosting.Account) {}, true},
		{"password", func(b *hosting.Account) { b.PasswordHash = "h2" }, false},
		{"home", func(b *hosting.Account) { b.Home = "/sub" }, false},
		{"write off", func(b *hosting.Account) { b.Write = false }, false},
		{"site moved", func(b *hosting.Account) { b.SiteRoot = "/srv/b" }, false},
		{"suspended", func(b *hosting.Account) { b.Status = hosting.StatusSuspended }, false},
		{"site suspended", func(b *hosting.Account) { b.SiteStatus = hosting.StatusSuspended }, false},
		{"quota only", func(b *hosting.Account) { b.QuotaBytes = 1 << 20 }, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := base
			tc.edit(&b)
			if got := hosting.SameGrant(&base, &b); got != tc.want {
				t.Errorf("SameGrant = %v, want %v", got, tc.want)
			}
		})
	}
	if hosting.SameGrant(&base, nil) {
		t.Error("SameGrant with a deleted account = true")
	}
}

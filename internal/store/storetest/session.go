package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"ftpanel/internal/hosting"
)

func newSession(id, node string, account, site, customer int64, started time.Time) *hosting.Session {
	return &hosting.Session{ID: id, Node: node, Protocol: "ftp", AccountID: account, Login: fmt.Sprintf("user%d", account),
		SiteID: site, SiteName: fmt.Sprintf("site%d.example", site), CustomerID: customer, RemoteAddr: "192.0.2.7:40000",
		Client: "lftp", TLS: true, StartedAt: started, Command: "LIST", UpdatedAt: started}
}

func sessionIDs(list []*hosting.Session) []string {
	out := []string{}
	for _, s := range list {
		out = append(out, s.ID)
	}
	return out
}

func testSession(t *testing.T, open Opener) {
	ctx := context.Background()
	t.Run("PutAndList", func(t *testing.T) {
		t.Parallel()
		st := open(t)
		// Started out of ID order: the list is by start time.
		sessions := []*hosting.Session{
			newSession("n1-1", "n1", 1, 10, 100, t0.Add(3*time.Second)),
			newSession("n1-2", "n1", 2, 10, 100, t0.Add(1*time.Second)),
			newSession("n2-1", "n2", 3, 20, 200, t0.Add(2*time.Second)),
			newSession("n2-2", "n2", 1, 10, 100, t0.Add(4*time.Second)),
		}
		for _, s := range sessions {
			must(t, st.PutSession(ctx, s))
		}
		list, err := st.Sessions(ctx, hosting.SessionFilter{ID: ptr("n1-1")})
		must(t, err)
		if len(list) != 1 {
			t.Fatalf("%d sessions n1-1, want 1", len(list))
		}
		got, want := list[0], sessions[0]
		wantTime(t, "StartedAt", got.StartedAt, want.StartedAt)
		wantTime(t, "UpdatedAt", got.UpdatedAt, want.UpdatedAt)
		got.StartedAt, got.UpdatedAt = want.StartedAt, want.UpdatedAt
		if *got != *want {
			t.Errorf("session = %+v, want %+v", got, want)
		}
		// Refresh replaces the live fields.
		upd := *sessions[0]
		upd.Command, upd.Transfer, upd.BytesIn, upd.BytesOut, upd.UpdatedAt = "STOR", "STOR /a.zip", 1000, 20, t0.Add(time.Minute)
		must(t, st.PutSession(ctx, &upd))
		list, _ = st.Sessions(ctx, hosting.SessionFilter{ID: ptr("n1-1")})
		if len(list) != 1 || list[0].Transfer != "STOR /a.zip" || list[0].BytesIn != 1000 || list[0].BytesOut != 20 || list[0].Command != "STOR" {
			t.Errorf("after refresh: %+v", list)
		}
		tests := []struct {
			name string
			f    hosting.SessionFilter
			want []string
		}{
			{"All", hosting.SessionFilter{}, []string{"n1-2", "n2-1", "n1-1", "n2-2"}},
			{"Node", hosting.SessionFilter{Node: ptr("n2")}, []string{"n2-1", "n2-2"}},
			{"Account", hosting.SessionFilter{AccountID: ptr(int64(1))}, []string{"n1-1", "n2-2"}},
			{"Site", hosting.SessionFilter{SiteID: ptr(int64(20))}, []string{"n2-1"}},
			{"Customer", hosting.SessionFilter{CustomerID: ptr(int64(100))}, []string{"n1-2", "n1-1", "n2-2"}},
			{"NodeAccount", hosting.SessionFilter{Node: ptr("n1"), AccountID: ptr(int64(1))}, []string{"n1-1"}},
			{"Killed", hosting.SessionFilter{KillRequested: ptr(true)}, []string{}},
			{"NotKilled", hosting.SessionFilter{KillRequested: ptr(false)}, []string{"n1-2", "n2-1", "n1-1", "n2-2"}},
		}
		for _, tc := range tests {
			list, err := st.Sessions(ctx, tc.f)
			must(t, err)
			if got := sessionIDs(list); !slices.Equal(got, tc.want) {
				t.Errorf("%s: Sessions=%v, want %v", tc.name, got, tc.want)
			}
		}
	})
	t.Run("Kill", func(t *testing.T) {
		t.Parallel()
		st := open(t)
		for _, s := range []*hosting.Session{
			newSession("n1-1", "n1", 1, 10, 100, t0),
			newSession("n1-2", "n1", 2, 10, 100, t0.Add(time.Second)),
			newSession("n2-1", "n2", 1, 10, 100, t0.Add(2*time.Second)),
			newSession("n2-2", "n2", 3, 20, 200, t0.Add(3*time.Second)),
		} {
			must(t, st.PutSession(ctx, s))
		}
		n, err := st.RequestSessionKill(ctx, hosting.SessionFilter{AccountID: ptr(int64(1))})
		must(t, err)
		if n != 2 {
			t.Errorf("RequestSessionKill flagged %d, want 2", n)
		}
		n, err = st.RequestSessionKill(ctx, hosting.SessionFilter{AccountID: ptr(int64(999))})
		must(t, err)
		if n != 0 {
			t.Errorf("RequestSessionKill(no match) flagged %d, want 0", n)
		}
		list, err := st.Sessions(ctx, hosting.SessionFilter{Node: ptr("n2"), KillRequested: ptr(true)})
		must(t, err)
		if got, want := sessionIDs(list), []string{"n2-1"}; !slices.Equal(got, want) {
			t.Errorf("killed on n2 = %v, want %v", got, want)
		}
		// The node's refresh, which does not know of the request, keeps it.
		refresh := newSession("n2-1", "n2", 1, 10, 100, t0.Add(2*time.Second))
		refresh.BytesOut = 99
		must(t, st.PutSession(ctx, refresh))
		list, _ = st.Sessions(ctx, hosting.SessionFilter{ID: ptr("n2-1")})
		if len(list) != 1 || !list[0].KillRequested || list[0].BytesOut != 99 {
			t.Errorf("after refresh: %+v, want kill_requested kept and bytes_out 99", list)
		}
		// Customer-wide kill.
		n, err = st.RequestSessionKill(ctx, hosting.SessionFilter{CustomerID: ptr(int64(100))})
		must(t, err)
		if n != 3 {
			t.Errorf("RequestSessionKill(customer) flagged %d, want 3", n)
		}
		list, _ = st.Sessions(ctx, hosting.SessionFilter{KillRequested: ptr(false)})
		if got, want := sessionIDs(list), []string{"n2-2"}; !slices.Equal(got, want) {
			t.Errorf("not killed = %v, want %v", got, want)
		}
	})
	t.Run("Delete", func(t *testing.T) {
		t.Parallel()
		st := open(t)
		for _, s := range []*hosting.Session{
			newSession("n1-1", "n1", 1, 10, 100, t0),
			newSession("n1-2", "n1", 2, 10, 100, t0.Add(time.Second)),
			newSession("n2-1", "n2", 1, 10, 100, t0.Add(2*time.Second)),
		} {
			must(t, st.PutSession(ctx, s))
		}
		must(t, st.DeleteSession(ctx, "n1-1"))
		must(t, st.DeleteSession(ctx, "n1-1")) // gone: no error
		list, err := st.Sessions(ctx, hosting.SessionFilter{})
		must(t, err)
		if got, want := sessionIDs(list), []string{"n1-2", "n2-1"}; !slices.Equal(got, want) {
			t.Errorf("after DeleteSession = %v, want %v", got, want)
		}
		must(t, st.DeleteNodeSessions(ctx, "n1"))
		must(t, st.DeleteNodeSessions(ctx, "n9"))
		list, _ = st.Sessions(ctx, hosting.SessionFilter{})
		if got, want := sessionIDs(list), []string{"n2-1"}; !slices.Equal(got, want) {
			t.Errorf("after DeleteNodeSessions = %v, want %v", got, want)
		}
	})
}

func testBan(t *testing.T, open Opener) {
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		st := open(t)
		now := t0
		bans := []*hosting.Ban{
			{Addr: "198.51.100.9", Until: now.Add(time.Hour), Strikes: 1, Reason: "failed logins", Node: "n1", CreatedAt: now},
			{Addr: "2001:db8::7", Until: now.Add(time.Minute), Strikes: 2, Reason: "failed logins", Node: "n2", CreatedAt: now},
			{Addr: "192.0.2.50", Until: now.Add(-time.Second), Strikes: 1, Reason: "old", Node: "n1", CreatedAt: now.Add(-time.Hour)},
			{Addr: "192.0.2.51", Until: now, Strikes: 1, Reason: "ends now", Node: "n1", CreatedAt: now.Add(-time.Hour)},
		}
		for _, b := range bans {
			must(t, st.PutBan(ctx, b))
		}
		got, err := st.BanByAddr(ctx, "2001:db8::7")
		must(t, err)
		wantTime(t, "Until", got.Until, bans[1].Until)
		wantTime(t, "CreatedAt", got.CreatedAt, bans[1].CreatedAt)
		got.Until, got.CreatedAt = bans[1].Until, bans[1].CreatedAt
		if *got != *bans[1] {
			t.Errorf("BanByAddr = %+v, want %+v", got, bans[1])
		}
		// An expired ban is still there for repeat offenders.
		if _, err := st.BanByAddr(ctx, "192.0.2.50"); err != nil {
			t.Errorf("BanByAddr(expired): %v", err)
		}
		list, err := st.Bans(ctx, now)
		must(t, err)
		addrs := []string{}
		for _, b := range list {
			addrs = append(addrs, b.Addr)
		}
		if want := []string{"198.51.100.9", "2001:db8::7"}; !slices.Equal(addrs, want) {
			t.Errorf("Bans(now) = %v, want %v", addrs, want)
		}
		// Replace: a repeat offender gets a longer ban.
		re := &hosting.Ban{Addr: "192.0.2.50", Until: now.Add(24 * time.Hour), Strikes: 2, Reason: "again", Node: "n2", CreatedAt: now}
		must(t, st.PutBan(ctx, re))
		got, _ = st.BanByAddr(ctx, "192.0.2.50")
		if got.Strikes != 2 || got.Reason != "again" || got.Node != "n2" || !got.Until.Equal(re.Until) {
			t.Errorf("after replace: %+v", got)
		}
		list, _ = st.Bans(ctx, now)
		if len(list) != 3 || list[0].Addr != "192.0.2.50" {
			t.Errorf("Bans after replace: %d, first %v", len(list), list)
		}
		must(t, st.DeleteBan(ctx, "192.0.2.50"))
		_, err = st.BanByAddr(ctx, "192.0.2.50")
		wantCode(t, err, hosting.CodeNotFound)
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		t.Parallel()
		st := open(t)
		_, err := st.BanByAddr(ctx, "192.0.2.1")
		wantCode(t, err, hosting.CodeNotFound)
		wantCode(t, st.DeleteBan(ctx, "192.0.2.1"), hosting.CodeNotFound)
		list, err := st.Bans(ctx, t0)
		must(t, err)
		if len(list) != 0 {
			t.Errorf("Bans of an empty store = %v", list)
		}
	})
}

func testKV(t *testing.T, open Opener) {
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		st := open(t)
		later := time.Now().Add(time.Hour)
		must(t, st.PutKV(ctx, "web", "s1", []byte("one"), later))
		must(t, st.PutKV(ctx, "idem", "s1", []byte("other scope"), later))
		must(t, st.PutKV(ctx, "web", "bin", []byte{0, 1, 2, 255}, later))
		for _, tc := range []struct{ scope, key, want string }{
			{"web", "s1", "one"},
			{"idem", "s1", "other scope"},
			{"web", "bin", "\x00\x01\x02\xff"},
		} {
			got, err := st.KV(ctx, tc.scope, tc.key)
			must(t, err)
			if string(got) != tc.want {
				t.Errorf("KV(%s, %s)=%q, want %q", tc.scope, tc.key, got, tc.want)
			}
		}
		must(t, st.PutKV(ctx, "web", "s1", []byte("two"), later))
		if got, _ := st.KV(ctx, "web", "s1"); string(got) != "two" {
			t.Errorf("after replace KV=%q, want two", got)
		}
		must(t, st.DeleteKV(ctx, "web", "s1"))
		_, err := st.KV(ctx, "web", "s1")
		wantCode(t, err, hosting.CodeNotFound)
		must(t, st.DeleteKV(ctx, "web", "s1")) // gone: no error
		if got, _ := st.KV(ctx, "idem", "s1"); string(got) != "other scope" {
			t.Errorf("DeleteKV removed another scope's key: %q", got)
		}
		must(t, st.PutKV(ctx, "web", "empty", nil, later))
		got, err := st.KV(ctx, "web", "empty")
		must(t, err)
		if len(got) != 0 {
			t.Errorf("KV(empty)=%q", got)
		}
	})
	t.Run("Expiry", func(t *testing.T) {
		t.Parallel()
		st := open(t)
		must(t, st.PutKV(ctx, "web", "old", []byte("x"), time.Now().Add(-time.Second)))
		_, err := st.KV(ctx, "web", "old")
		wantCode(t, err, hosting.CodeNotFound)
		_, err = st.KV(ctx, "web", "never")
		wantCode(t, err, hosting.CodeNotFound)
		// An expired key can be written again.
		must(t, st.PutKV(ctx, "web", "old", []byte("y"), time.Now().Add(time.Hour)))
		if got, err := st.KV(ctx, "web", "old"); err != nil || string(got) != "y" {
			t.Errorf("KV after rewrite = %q, %v; want y", got, err)
		}
		// Replacing with a past expiry expires it.
		must(t, st.PutKV(ctx, "web", "old", []byte("z"), time.Now().Add(-time.Minute)))
		_, err = st.KV(ctx, "web", "old")
		wantCode(t, err, hosting.CodeNotFound)
	})
}

package storetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"ftpanel/internal/hosting"
)

// testUsage checks the usage and quota methods (issues 12, 17).
func testUsage(t *testing.T, open Opener) {
	ctx := context.Background()
	t.Run("RecordSiteUsage", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, open)
		st := f.st
		// f.m3 is of another site: ignored.
		must(t, st.RecordSiteUsage(ctx, f.b1.ID, 5000, map[int64]int64{f.m1.ID: 5000, f.acc[0].ID: 1200, f.m3.ID: 77}, t0))
		s, err := st.SiteByID(ctx, f.b1.ID)
		must(t, err)
		if s.UsedBytes != 5000 || s.UsedMeasuredAt == nil {
			t.Fatalf("site UsedBytes=%d UsedMeasuredAt=%v, want 5000 at %v", s.UsedBytes, s.UsedMeasuredAt, t0)
		}
		wantTime(t, "site UsedMeasuredAt", *s.UsedMeasuredAt, t0)
		for _, tc := range []struct {
			id   int64
			used int64
			at   bool
		}{{f.m1.ID, 5000, true}, {f.acc[0].ID, 1200, true}, {f.acc[1].ID, 0, false}, {f.m3.ID, 0, false}} {
			a, err := st.AccountByID(ctx, tc.id)
			must(t, err)
			if a.UsedBytes != tc.used || (a.UsedMeasuredAt != nil) != tc.at {
				t.Errorf("account %s: UsedBytes=%d UsedMeasuredAt=%v, want %d (measured %v)", a.Login, a.UsedBytes,
					a.UsedMeasuredAt, tc.used, tc.at)
			}
			if tc.at {
				wantTime(t, a.Login+" UsedMeasuredAt", *a.UsedMeasuredAt, t0)
			}
		}
		if list, err := st.Sites(ctx, hosting.SiteFilter{}); err != nil {
			t.Fatal(err)
		} else {
			for _, x := range list {
				if x.ID == f.b1.ID && x.UsedBytes != 5000 {
					t.Errorf("Sites: UsedBytes=%d, want 5000", x.UsedBytes)
				}
			}
		}
		wantCode(t, st.RecordSiteUsage(ctx, 1<<40, 1, nil, t0), hosting.CodeNotFound)
	})
	t.Run("ClaimQuota", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, open)
		st := f.st
		id := f.acc[0].ID
		must(t, st.SetUsedBytes(ctx, id, 100))
		now := time.Now()
		claim := func(node string, settle, floor, want int64, expires time.Time) hosting.QuotaGrant {
			t.Helper()
			g, err := st.ClaimQuota(ctx, hosting.QuotaClaim{AccountID: id, Node: node, Settle: settle, Floor: floor,
				Want: want, Limit: 1000, Now: now, Expires: expires})
			must(t, err)
			return g
		}
		later := now.Add(time.Minute)
		steps := []struct {
			node                string
			settle, floor, want int64
			expires             time.Time
			granted, used       int64
		}{
			{"a", 0, 0, 600, later, 600, 100},   // 900 left
			{"b", 0, 0, 600, later, 300, 100},   // a holds 600
			{"b", 0, 0, 600, later, 300, 100},   // renewing does not double count b
			{"a", 250, 0, 100, later, 100, 350}, // a wrote 250: used grows, a keeps 100
			{"b", 0, 0, 900, later, 550, 350},   // 1000-350-100
			{"a", -300, 0, 0, later, 0, 50},     // a deleted 300
			{"b", 0, 400, 900, later, 600, 400}, // floor raises used
			{"c", 0, 0, 900, later, 0, 400},     // nothing left
		}
		for i, s := range steps {
			g := claim(s.node, s.settle, s.floor, s.want, s.expires)
			if g.Granted != s.granted || g.Used != s.used {
				t.Fatalf("step %d (%s): got %+v, want granted %d used %d", i, s.node, g, s.granted, s.used)
			}
		}
		if a, _ := st.AccountByID(ctx, id); a.UsedBytes != 400 {
			t.Errorf("UsedBytes=%d, want 400", a.UsedBytes)
		}
		// b's reservation expires: c gets the room.
		g, err := st.ClaimQuota(ctx, hosting.QuotaClaim{AccountID: id, Node: "c", Want: 900, Limit: 1000,
			Now: later.Add(time.Second), Expires: later.Add(time.Hour)})
		must(t, err)
		if g.Granted != 600 {
			t.Errorf("after b expired: granted %d, want 600", g.Granted)
		}
		_, err = st.ClaimQuota(ctx, hosting.QuotaClaim{AccountID: 1 << 40, Node: "a", Want: 1, Limit: 10, Now: now, Expires: later})
		wantCode(t, err, hosting.CodeNotFound)
	})
	t.Run("ClaimQuotaRace", func(t *testing.T) {
		// Nodes claiming at once never hold more than the quota together.
		t.Parallel()
		f := newFixture(t, open)
		st := f.st
		id := f.acc[1].ID
		const nodes, rounds, limit = 6, 10, 10000
		var mu sync.Mutex
		held := map[string]int64{}
		var wg sync.WaitGroup
		errs := make(chan error, nodes*rounds)
		for n := range nodes {
			node := string(rune('a' + n))
			wg.Go(func() {
				for range rounds {
					now := time.Now()
					g, err := st.ClaimQuota(ctx, hosting.QuotaClaim{AccountID: id, Node: node, Want: 3000,
						Limit: limit, Now: now, Expires: now.Add(time.Hour)})
					if err != nil {
						errs <- err
						return
					}
					mu.Lock()
					held[node] = g.Granted
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		var total int64
		for _, v := range held {
			total += v
		}
		if total > limit || total < limit-3000 {
			t.Errorf("nodes hold %d together, want ≤ %d and > %d", total, limit, limit-3000)
		}
	})
}

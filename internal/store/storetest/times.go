package storetest

import (
	"context"
	"testing"
	"time"

	"ftpanel/internal/hosting"
)

// extremeTimes are times the API accepts that a store must keep exactly
// (issue 17 item 4): SQLite once kept unix nanoseconds, which wrap outside
// 1678–2262 (9999-12-31, "never" in billing systems, came back as 1816).
var extremeTimes = []time.Time{
	time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
	time.Date(1500, 1, 1, 0, 0, 0, 1000, time.UTC),
	time.Date(1677, 9, 21, 0, 12, 43, 145224000, time.UTC), // just before the int64 nanosecond range
	time.Date(1969, 12, 31, 23, 59, 59, 999999000, time.UTC),
	time.Date(2262, 4, 11, 23, 47, 16, 854776000, time.UTC), // just after it
	time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC),
}

func testTimes(t *testing.T, open Opener) {
	ctx := context.Background()
	t.Run("AccountExpiresAt", func(t *testing.T) {
		t.Parallel()
		st := open(t)
		c := mustCustomer(t, st, "bob", hosting.Unlimited)
		s, _ := mustSite(t, st, c, "bob.example", "bobmain", hosting.Unlimited)
		for i, tm := range extremeTimes {
			a := newAccount("web" + string(rune('a'+i)))
			a.SiteID, a.CustomerID = s.ID, c.ID
			a.ExpiresAt = ptr(tm)
			must(t, st.CreateAccount(ctx, a, nil))
			got, err := st.AccountByLogin(ctx, a.Login)
			must(t, err)
			wantTimePtr(t, "created ExpiresAt", got.ExpiresAt, &tm)
			// Written again by an update, and as the last login.
			other := extremeTimes[len(extremeTimes)-1-i]
			got.ExpiresAt = &other
			must(t, st.UpdateAccount(ctx, got, nil))
			must(t, st.RecordLogin(ctx, got.ID, tm, got.PasswordHash, ""))
			got, err = st.AccountByID(ctx, a.ID)
			must(t, err)
			wantTimePtr(t, "updated ExpiresAt", got.ExpiresAt, &other)
			wantTimePtr(t, "LastLoginAt", got.LastLoginAt, &tm)
			// Filters and copies read the same value.
			list, err := st.Accounts(ctx, hosting.AccountFilter{ID: &a.ID})
			must(t, err)
			if len(list) != 1 {
				t.Fatalf("Accounts(ID %d) = %d rows", a.ID, len(list))
			}
			wantTimePtr(t, "listed ExpiresAt", list[0].ExpiresAt, &other)
		}
	})
	t.Run("BanAndAudit", func(t *testing.T) {
		t.Parallel()
		st := open(t)
		for i, tm := range extremeTimes {
			if tm.IsZero() {
				// A zero ban or event time means "now" to the stores.
				tm = tm.Add(time.Microsecond)
			}
			addr := "192.0.2." + string(rune('1'+i))
			must(t, st.PutBan(ctx, &hosting.Ban{Addr: addr, Until: tm, Strikes: 1, CreatedAt: tm}))
			b, err := st.BanByAddr(ctx, addr)
			must(t, err)
			wantTime(t, "ban Until", b.Until, tm)
			wantTime(t, "ban CreatedAt", b.CreatedAt, tm)
			e := ev("times.test", "test", addr, 0)
			e.Time = tm
			must(t, st.AppendAudit(ctx, e))
		}
		// Comparisons in the store follow the times: in 2025 the bans
		// until 2262 and 9999 are active, in 1500 all but the first two.
		active, err := st.Bans(ctx, t0)
		must(t, err)
		if len(active) != 2 {
			t.Errorf("Bans(2025) = %d bans, want 2 (until 2262 and 9999)", len(active))
		}
		active, err = st.Bans(ctx, extremeTimes[1])
		must(t, err)
		if len(active) != len(extremeTimes)-2 {
			t.Errorf("Bans(1500) = %d bans, want %d", len(active), len(extremeTimes)-2)
		}
		list, err := st.AuditEvents(ctx, hosting.AuditFilter{Action: "times.test"})
		must(t, err)
		if len(list) != len(extremeTimes) {
			t.Fatalf("audit events = %d, want %d", len(list), len(extremeTimes))
		}
		for i, e := range list { // newest first: by ID, the reverse of insertion
			want := extremeTimes[len(extremeTimes)-1-i]
			if want.IsZero() {
				want = want.Add(time.Microsecond)
			}
			wantTime(t, "audit Time", e.Time, want)
		}
	})
}

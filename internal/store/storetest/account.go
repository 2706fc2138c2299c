package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"ftpanel/internal/hosting"
)

func testAccount(t *testing.T, open Opener) {
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		st := open(t)
		c := mustCustomer(t, st, "bob", hosting.Unlimited)
		s := newSite(c, "bob.example", hosting.Unlimited)
		s.UID, s.GID = 1001, 1002
		m := newAccount("bobmain")
		m.Main = true
		must(t, st.CreateSite(ctx, s, m, nil))
		exp := t0.Add(48 * time.Hour)
		a := &hosting.Account{Login: "web1", SiteID: s.ID, CustomerID: c.ID, Home: "/httpdocs/img",
			PasswordHash: "$argon2id$x", QuotaBytes: 1 << 30, Read: true, Write: false, Status: hosting.StatusSuspended,
			ExpiresAt: &exp, AllowedIPs: []string{"192.0.2.0/24", "2001:db8::1"}, CreatedAt: t0, UpdatedAt: t0}
		must(t, st.CreateAccount(ctx, a, ev("account.create", "account", "web1", c.ID)))
		if a.ID == 0 {
			t.Fatal("CreateAccount: ID not set")
		}
		wantAuditOf(t, st, "account.create", a.ID)
		for name, get := range map[string]func() (*hosting.Account, error){
			"AccountByID":    func() (*hosting.Account, error) { return st.AccountByID(ctx, a.ID) },
			"AccountByLogin": func() (*hosting.Account, error) { return st.AccountByLogin(ctx, "web1") },
		} {
			got, err := get()
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if got.ID != a.ID || got.Login != "web1" || got.SiteID != s.ID || got.SiteName != "bob.example" ||
				got.CustomerID != c.ID || got.CustomerLogin != "bob" || got.Home != "/httpdocs/img" ||
				got.PasswordHash != "$argon2id$x" || got.QuotaBytes != 1<<30 || !got.Read || got.Write ||
				got.Status != hosting.StatusSuspended || got.Main || got.UsedBytes != 0 ||
				got.SiteStatus != hosting.StatusActive || got.CustomerStatus != hosting.StatusActive ||
				got.SiteRoot != s.Root || got.SiteUID != 1001 || got.SiteGID != 1002 {
				t.Errorf("%s = %+v", name, got)
			}
			if !slices.Equal(got.AllowedIPs, a.AllowedIPs) {
				t.Errorf("%s AllowedIPs=%q, want %q", name, got.AllowedIPs, a.AllowedIPs)
			}
			wantTimePtr(t, name+" ExpiresAt", got.ExpiresAt, &exp)
			wantTimePtr(t, name+" LastLoginAt", got.LastLoginAt, nil)
			wantTime(t, name+" CreatedAt", got.CreatedAt, t0)
			wantTime(t, name+" UpdatedAt", got.UpdatedAt, t0)
		}
		// Status of the parents shows through.
		c.Status = hosting.StatusSuspended
		must(t, st.UpdateCustomer(ctx, c, nil))
		got, err := st.AccountByLogin(ctx, "bobmain")
		must(t, err)
		if got.CustomerStatus != hosting.StatusSuspended || got.EffectiveStatus() != hosting.StatusSuspended {
			t.Errorf("CustomerStatus=%q, want suspended", got.CustomerStatus)
		}
		if len(got.AllowedIPs) != 0 || got.ExpiresAt != nil {
			t.Errorf("main account AllowedIPs=%q ExpiresAt=%v, want none", got.AllowedIPs, got.ExpiresAt)
		}
	})
	t.Run("ErrLoginTaken", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, open)
		st := f.st
		before := len(events(t, st, "account.create"))
		for _, login := range []string{"b1user0", "bobmain", "e1user3"} {
			a := newAccount(login)
			a.SiteID, a.CustomerID = f.b2.ID, f.bob.ID
			wantCode(t, st.CreateAccount(ctx, a, ev("account.create", "account", login, f.bob.ID)), hosting.CodeLoginTaken)
		}
		wantEvents(t, st, "account.create", before)
		// FTP logins are not panel logins: a customer's login is free for FTP.
		mustAccount(t, st, f.b1, "bob")
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		t.Parallel()
		st := open(t)
		a := newAccount("web1")
		a.SiteID = 999
		wantCode(t, st.CreateAccount(ctx, a, ev("account.create", "account", "web1", 0)), hosting.CodeNotFound)
		wantEvents(t, st, "account.create", 0)
		_, err := st.AccountByID(ctx, 999)
		wantCode(t, err, hosting.CodeNotFound)
		_, err = st.AccountByLogin(ctx, "web1")
		wantCode(t, err, hosting.CodeNotFound)
		a.ID = 999
		wantCode(t, st.UpdateAccount(ctx, a, ev("account.update", "account", "web1", 0)), hosting.CodeNotFound)
		wantCode(t, st.DeleteAccount(ctx, 999, ev("account.delete", "account", "web1", 0)), hosting.CodeNotFound)
		wantEvents(t, st, "account.update", 0)
		wantEvents(t, st, "account.delete", 0)
	})
	t.Run("MainAccountUnique", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, open)
		st := f.st
		a := newAccount("secondmain")
		a.SiteID, a.CustomerID, a.Main = f.b1.ID, f.bob.ID, true
		wantCode(t, st.CreateAccount(ctx, a, ev("account.create", "account", "secondmain", f.bob.ID)), hosting.CodeConflict)
		n, err := st.CountAccounts(ctx, hosting.AccountFilter{SiteID: &f.b1.ID, Main: ptr(true)})
		must(t, err)
		if n != 1 {
			t.Errorf("%d main accounts on the site, want 1", n)
		}
		_, err = st.AccountByLogin(ctx, "secondmain")
		wantCode(t, err, hosting.CodeNotFound)
	})
	t.Run("Limits", func(t *testing.T) {
		t.Parallel()
		st := open(t)
		c := mustCustomer(t, st, "bob", 5)
		s1, _ := mustSite(t, st, c, "one.example", "onemain", 2)
		s2, _ := mustSite(t, st, c, "two.example", "twomain", hosting.Unlimited)
		s3, _ := mustSite(t, st, c, "three.example", "threemain", 0)
		create := func(s *hosting.Site, login string) error {
			a := newAccount(login)
			a.SiteID, a.CustomerID = s.ID, c.ID
			return st.CreateAccount(ctx, a, ev("account.create", "account", login, c.ID))
		}
		// Site limit 2; the main account does not count.
		must(t, create(s1, "one1"))
		must(t, create(s1, "one2"))
		wantCode(t, create(s1, "one3"), hosting.CodeLimitExceeded)
		// Limit 0: no additional account at all.
		wantCode(t, create(s3, "three1"), hosting.CodeLimitExceeded)
		// Customer limit 5 over all sites: 2 on s1 + 3 on s2.
		for i := range 3 {
			must(t, create(s2, fmt.Sprintf("two%d", i)))
		}
		wantCode(t, create(s2, "two3"), hosting.CodeLimitExceeded)
		wantEvents(t, st, "account.create", 5)
		n, err := st.CountAccounts(ctx, hosting.AccountFilter{CustomerID: &c.ID, Main: ptr(false)})
		must(t, err)
		if n != 5 {
			t.Errorf("%d additional accounts, want 5", n)
		}
		// Main accounts are not held to the limits.
		s4, m4 := mustSite(t, st, c, "four.example", "fourmain", 0)
		if m4.ID == 0 || m4.SiteID != s4.ID {
			t.Errorf("main account of a full customer not created: %+v", m4)
		}
		// Raising the limit lets creates through again; unlimited is -1.
		c.MaxFTPAccounts = hosting.Unlimited
		must(t, st.UpdateCustomer(ctx, c, nil))
		must(t, create(s2, "two3"))
		s1.MaxFTPAccounts = 3
		must(t, st.UpdateSite(ctx, s1, nil))
		must(t, create(s1, "one3"))
		wantCode(t, create(s1, "one4"), hosting.CodeLimitExceeded)
		// A deleted account frees its place.
		one1, err := st.AccountByLogin(ctx, "one1")
		must(t, err)
		must(t, st.DeleteAccount(ctx, one1.ID, nil))
		must(t, create(s1, "one4"))
	})
	t.Run("List", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, open)
		st := f.st
		sus := f.acc[6] // b2user1
		sus.Status = hosting.StatusSuspended
		must(t, st.UpdateAccount(ctx, sus, nil))
		all := append([]*hosting.Account{f.m1, f.m2, f.m3}, f.acc...)
		tests := []struct {
			name string
			f    hosting.AccountFilter
			want []int64
		}{
			{"All", hosting.AccountFilter{}, sortedIDs(all...)},
			{"ID", hosting.AccountFilter{ID: &f.acc[2].ID}, sortedIDs(f.acc[2])},
			{"Login", hosting.AccountFilter{Login: ptr("e1user1")}, sortedIDs(f.acc[9])},
			{"Site", hosting.AccountFilter{SiteID: &f.b2.ID}, sortedIDs(f.m2, f.acc[5], f.acc[6], f.acc[7])},
			{"Customer", hosting.AccountFilter{CustomerID: &f.eve.ID}, sortedIDs(append([]*hosting.Account{f.m3}, f.acc[8:]...)...)},
			{"Status", hosting.AccountFilter{Status: ptr(hosting.StatusSuspended)}, sortedIDs(sus)},
			{"Main", hosting.AccountFilter{Main: ptr(true)}, sortedIDs(f.m1, f.m2, f.m3)},
			{"NotMain", hosting.AccountFilter{Main: ptr(false)}, sortedIDs(f.acc...)},
			{"SiteNotMain", hosting.AccountFilter{SiteID: &f.b2.ID, Main: ptr(false)}, sortedIDs(f.acc[5:8]...)},
			{"Query", hosting.AccountFilter{Query: "b2user"}, sortedIDs(f.acc[5:8]...)},
			{"QueryMiddle", hosting.AccountFilter{Query: "user1"}, sortedIDs(f.acc[1], f.acc[6], f.acc[9])},
			{"QueryUnderscore", hosting.AccountFilter{Query: "_"}, sortedIDs()},
			{"None", hosting.AccountFilter{Login: ptr("nobody")}, sortedIDs()},
			{"Limit", hosting.AccountFilter{Limit: 3}, sortedIDs(all...)[:3]},
			{"AfterID", hosting.AccountFilter{AfterID: sortedIDs(all...)[10]}, sortedIDs(all...)[11:]},
			{"AfterIDLimit", hosting.AccountFilter{AfterID: sortedIDs(all...)[4], Limit: 2}, sortedIDs(all...)[5:7]},
			{"CustomerAfterID", hosting.AccountFilter{CustomerID: &f.bob.ID, AfterID: f.acc[3].ID, Limit: 2}, sortedIDs(f.acc[4], f.acc[5])},
		}
		for _, tc := range tests {
			list, err := st.Accounts(ctx, tc.f)
			must(t, err)
			if got := accountIDs(list); !slices.Equal(got, tc.want) {
				t.Errorf("%s: Accounts=%v, want %v", tc.name, got, tc.want)
			}
			for _, a := range list {
				if a.SiteName == "" || a.CustomerLogin == "" || a.SiteRoot == "" || a.SiteStatus == "" || a.CustomerStatus == "" {
					t.Errorf("%s: account %s without its site and customer fields: %+v", tc.name, a.Login, a)
				}
			}
			// CountAccounts ignores AfterID and Limit.
			cf := tc.f
			cf.AfterID, cf.Limit = 0, 0
			full, err := st.Accounts(ctx, cf)
			must(t, err)
			n, err := st.CountAccounts(ctx, tc.f)
			must(t, err)
			if n != len(full) {
				t.Errorf("%s: CountAccounts=%d, want %d", tc.name, n, len(full))
			}
		}
	})
	t.Run("Paginate", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, open)
		st := f.st
		want, err := st.Accounts(ctx, hosting.AccountFilter{})
		must(t, err)
		var got []int64
		after := int64(0)
		for pages := 0; ; pages++ {
			if pages > len(want) {
				t.Fatal("pagination does not end")
			}
			page, err := st.Accounts(ctx, hosting.AccountFilter{AfterID: after, Limit: 4})
			must(t, err)
			if len(page) == 0 {
				break
			}
			if len(page) > 4 {
				t.Fatalf("page of %d, want at most 4", len(page))
			}
			got = append(got, accountIDs(page)...)
			after = page[len(page)-1].ID
		}
		if !slices.Equal(got, accountIDs(want)) {
			t.Errorf("paged IDs %v, want %v", got, accountIDs(want))
		}
		if !slices.IsSorted(got) {
			t.Errorf("IDs not ascending: %v", got)
		}
	})
	t.Run("Update", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, open)
		st := f.st
		a, err := st.AccountByID(ctx, f.acc[0].ID)
		must(t, err)
		exp := t0.Add(time.Hour)
		a.Login, a.Home, a.PasswordHash, a.QuotaBytes = "renamed", "/private", "h2", 5000
		a.Read, a.Write, a.Status, a.ExpiresAt, a.AllowedIPs = false, false, hosting.StatusSuspended, &exp, []string{"10.0.0.0/8"}
		must(t, st.UpdateAccount(ctx, a, ev("account.update", "account", "renamed", f.bob.ID)))
		wantAuditOf(t, st, "account.update", a.ID)
		if a.UpdatedAt.Equal(t0) || a.UpdatedAt.IsZero() {
			t.Errorf("UpdatedAt=%v, want set by UpdateAccount", a.UpdatedAt)
		}
		got, err := st.AccountByLogin(ctx, "renamed")
		must(t, err)
		if got.ID != a.ID || got.Home != "/private" || got.PasswordHash != "h2" || got.QuotaBytes != 5000 ||
			got.Read || got.Write || got.Status != hosting.StatusSuspended || got.Main || got.SiteID != f.b1.ID {
			t.Errorf("after UpdateAccount: %+v", got)
		}
		if !slices.Equal(got.AllowedIPs, []string{"10.0.0.0/8"}) {
			t.Errorf("AllowedIPs=%q", got.AllowedIPs)
		}
		wantTimePtr(t, "ExpiresAt", got.ExpiresAt, &exp)
		wantTime(t, "CreatedAt", got.CreatedAt, t0)
		wantTime(t, "UpdatedAt", got.UpdatedAt, a.UpdatedAt)
		_, err = st.AccountByLogin(ctx, "b1user0")
		wantCode(t, err, hosting.CodeNotFound)
		// Clearing the optional fields.
		got.ExpiresAt, got.AllowedIPs = nil, nil
		must(t, st.UpdateAccount(ctx, got, nil))
		got, err = st.AccountByID(ctx, a.ID)
		must(t, err)
		if got.ExpiresAt != nil || len(got.AllowedIPs) != 0 {
			t.Errorf("after clearing: ExpiresAt=%v AllowedIPs=%q", got.ExpiresAt, got.AllowedIPs)
		}
	})
	t.Run("UpdateErrLoginTaken", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, open)
		st := f.st
		a, err := st.AccountByID(ctx, f.acc[0].ID)
		must(t, err)
		a.Login, a.Home = "e1user0", "/changed"
		wantCode(t, st.UpdateAccount(ctx, a, ev("account.update", "account", "e1user0", f.bob.ID)), hosting.CodeLoginTaken)
		wantEvents(t, st, "account.update", 0)
		got, err := st.AccountByID(ctx, a.ID)
		must(t, err)
		if got.Login != "b1user0" || got.Home != "/" {
			t.Errorf("a refused update changed the account: %+v", got)
		}
		// Writing an account under its own login is no conflict.
		got.Home = "/x"
		must(t, st.UpdateAccount(ctx, got, nil))
	})
	t.Run("Delete", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, open)
		st := f.st
		must(t, st.DeleteAccount(ctx, f.acc[0].ID, ev("account.delete", "account", "b1user0", f.bob.ID)))
		wantAuditOf(t, st, "account.delete", f.acc[0].ID)
		_, err := st.AccountByID(ctx, f.acc[0].ID)
		wantCode(t, err, hosting.CodeNotFound)
		wantCode(t, st.DeleteAccount(ctx, f.acc[0].ID, nil), hosting.CodeNotFound)
		if _, err := st.AccountByID(ctx, f.acc[1].ID); err != nil {
			t.Errorf("DeleteAccount removed another account: %v", err)
		}
		mustAccount(t, st, f.b2, "b1user0")
	})
	t.Run("RecordLogin", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, open)
		st := f.st
		id := f.acc[0].ID
		at := t0.Add(time.Minute)
		must(t, st.RecordLogin(ctx, id, at, "hash-b1user0", ""))
		got, err := st.AccountByID(ctx, id)
		must(t, err)
		wantTimePtr(t, "LastLoginAt", got.LastLoginAt, &at)
		if got.PasswordHash != "hash-b1user0" {
			t.Errorf("PasswordHash=%q changed without a new hash", got.PasswordHash)
		}
		// Upgrade only while the hash is still the one verified.
		at2 := at.Add(time.Minute)
		must(t, st.RecordLogin(ctx, id, at2, "stale", "$argon2id$new"))
		got, _ = st.AccountByID(ctx, id)
		if got.PasswordHash != "hash-b1user0" {
			t.Errorf("PasswordHash=%q replaced although the old hash did not match", got.PasswordHash)
		}
		wantTimePtr(t, "LastLoginAt", got.LastLoginAt, &at2)
		must(t, st.RecordLogin(ctx, id, at2, "hash-b1user0", "$argon2id$new"))
		got, _ = st.AccountByID(ctx, id)
		if got.PasswordHash != "$argon2id$new" {
			t.Errorf("PasswordHash=%q, want upgraded", got.PasswordHash)
		}
		wantEvents(t, st, "account.update", 0)
	})
	t.Run("SetUsedBytes", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, open)
		st := f.st
		must(t, st.SetUsedBytes(ctx, f.acc[0].ID, 123456789))
		got, err := st.AccountByID(ctx, f.acc[0].ID)
		must(t, err)
		if got.UsedBytes != 123456789 {
			t.Errorf("UsedBytes=%d, want 123456789", got.UsedBytes)
		}
		if other, _ := st.AccountByID(ctx, f.acc[1].ID); other.UsedBytes != 0 {
			t.Errorf("another account's UsedBytes=%d", other.UsedBytes)
		}
	})
}

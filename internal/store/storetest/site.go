package storetest

import (
	"context"
	"slices"
	"testing"

	"ftpanel/internal/hosting"
)

func testSite(t *testing.T, open Opener) {
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		st := open(t)
		c := mustCustomer(t, st, "bob", hosting.Unlimited)
		s := newSite(c, "bob.example", 4)
		s.UID, s.GID, s.DefaultQuota = 1001, 1002, 1<<20
		m := newAccount("bobmain")
		m.Main = true
		must(t, st.CreateSite(ctx, s, m, ev("site.create", "site", s.Name, c.ID)))
		if s.ID == 0 || m.ID == 0 {
			t.Fatalf("CreateSite: IDs not set: site %d, main %d", s.ID, m.ID)
		}
		if m.SiteID != s.ID {
			t.Errorf("main.SiteID=%d, want %d", m.SiteID, s.ID)
		}
		wantAuditOf(t, st, "site.create", s.ID)
		for name, get := range map[string]func() (*hosting.Site, error){
			"SiteByID":   func() (*hosting.Site, error) { return st.SiteByID(ctx, s.ID) },
			"SiteByName": func() (*hosting.Site, error) { return st.SiteByName(ctx, "bob.example") },
		} {
			got, err := get()
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			want := *s
			want.CustomerLogin, want.CustomerStatus = "bob", hosting.StatusActive
			if got.ID != want.ID || got.Name != want.Name || got.CustomerID != c.ID || got.CustomerLogin != "bob" ||
				got.Root != want.Root || got.IP != want.IP || got.UID != 1001 || got.GID != 1002 ||
				got.Status != hosting.StatusActive || got.MaxFTPAccounts != 4 || got.DefaultQuota != 1<<20 ||
				got.CustomerStatus != hosting.StatusActive {
				t.Errorf("%s = %+v, want %+v", name, got, want)
			}
			wantTime(t, name+" CreatedAt", got.CreatedAt, t0)
			wantTime(t, name+" UpdatedAt", got.UpdatedAt, t0)
		}
		got, err := st.AccountByID(ctx, m.ID)
		must(t, err)
		if !got.Main || got.Login != "bobmain" || got.SiteID != s.ID || got.CustomerID != c.ID || got.Home != "/" {
			t.Errorf("main account = %+v", got)
		}
	})
	t.Run("ErrConflict", func(t *testing.T) {
		t.Parallel()
		st := open(t)
		c := mustCustomer(t, st, "bob", hosting.Unlimited)
		mustSite(t, st, c, "bob.example", "bobmain", 1)
		m := newAccount("othermain")
		m.Main = true
		wantCode(t, st.CreateSite(ctx, newSite(c, "bob.example", 1), m, ev("site.create", "site", "bob.example", c.ID)), hosting.CodeConflict)
		wantEvents(t, st, "site.create", 1)
		_, err := st.AccountByLogin(ctx, "othermain")
		wantCode(t, err, hosting.CodeNotFound)
	})
	t.Run("ErrLoginTaken", func(t *testing.T) {
		t.Parallel()
		st := open(t)
		c := mustCustomer(t, st, "bob", hosting.Unlimited)
		mustSite(t, st, c, "bob.example", "bobmain", 1)
		m := newAccount("bobmain")
		m.Main = true
		wantCode(t, st.CreateSite(ctx, newSite(c, "new.example", 1), m, ev("site.create", "site", "new.example", c.ID)), hosting.CodeLoginTaken)
		wantEvents(t, st, "site.create", 1)
		// Nothing half-made: the site row went with the failed main account.
		_, err := st.SiteByName(ctx, "new.example")
		wantCode(t, err, hosting.CodeNotFound)
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		t.Parallel()
		st := open(t)
		ghost := &hosting.Customer{ID: 999}
		m := newAccount("main1")
		m.Main = true
		wantCode(t, st.CreateSite(ctx, newSite(ghost, "x.example", 1), m, ev("site.create", "site", "x.example", 999)), hosting.CodeNotFound)
		_, err := st.SiteByID(ctx, 999)
		wantCode(t, err, hosting.CodeNotFound)
		_, err = st.SiteByName(ctx, "x.example")
		wantCode(t, err, hosting.CodeNotFound)
		_, err = st.AccountByLogin(ctx, "main1")
		wantCode(t, err, hosting.CodeNotFound)
		c := mustCustomer(t, st, "bob", hosting.Unlimited)
		s := newSite(c, "x.example", 1)
		s.ID = 999
		wantCode(t, st.UpdateSite(ctx, s, ev("site.update", "site", "x.example", c.ID)), hosting.CodeNotFound)
		wantCode(t, st.DeleteSite(ctx, 999, ev("site.delete", "site", "x.example", c.ID)), hosting.CodeNotFound)
		for _, action := range []string{"site.create", "site.update", "site.delete"} {
			wantEvents(t, st, action, 0)
		}
		// Moving a site to a customer that does not exist.
		real, _ := mustSite(t, st, c, "real.example", "realmain", 1)
		real.CustomerID = 999
		wantCode(t, st.UpdateSite(ctx, real, ev("site.update", "site", "real.example", 999)), hosting.CodeNotFound)
		wantEvents(t, st, "site.update", 0)
		if got, _ := st.SiteByID(ctx, real.ID); got.CustomerID != c.ID {
			t.Errorf("CustomerID=%d after a refused move, want %d", got.CustomerID, c.ID)
		}
	})
	t.Run("Update", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, open)
		st := f.st
		s, err := st.SiteByID(ctx, f.b1.ID)
		must(t, err)
		s.IP, s.UID, s.GID, s.Status, s.MaxFTPAccounts, s.DefaultQuota = "192.0.2.9", 33, 34, hosting.StatusSuspended, 12, 4096
		must(t, st.UpdateSite(ctx, s, ev("site.update", "site", s.Name, s.CustomerID)))
		wantAuditOf(t, st, "site.update", s.ID)
		got, err := st.SiteByID(ctx, s.ID)
		must(t, err)
		if got.IP != "192.0.2.9" || got.UID != 33 || got.GID != 34 || got.Status != hosting.StatusSuspended ||
			got.MaxFTPAccounts != 12 || got.DefaultQuota != 4096 || got.Name != "bob.example" || got.Root != f.b1.Root {
			t.Errorf("after UpdateSite: %+v", got)
		}
		wantTime(t, "CreatedAt", got.CreatedAt, t0)
		// Accounts read their site's status and system user.
		a, err := st.AccountByID(ctx, f.acc[0].ID)
		must(t, err)
		if a.SiteStatus != hosting.StatusSuspended || a.Status != hosting.StatusActive || a.SiteUID != 33 || a.SiteGID != 34 {
			t.Errorf("account after site update: SiteStatus %q Status %q uid:gid %d:%d", a.SiteStatus, a.Status, a.SiteUID, a.SiteGID)
		}
	})
	t.Run("MoveCustomer", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, open)
		st := f.st
		s, err := st.SiteByID(ctx, f.b2.ID)
		must(t, err)
		s.CustomerID = f.eve.ID
		must(t, st.UpdateSite(ctx, s, ev("site.update", "site", s.Name, f.eve.ID)))
		got, err := st.SiteByID(ctx, s.ID)
		must(t, err)
		if got.CustomerID != f.eve.ID || got.CustomerLogin != "eve" {
			t.Errorf("site owner = %d %q, want %d eve", got.CustomerID, got.CustomerLogin, f.eve.ID)
		}
		list, err := st.Accounts(ctx, hosting.AccountFilter{SiteID: &s.ID})
		must(t, err)
		if len(list) != 4 {
			t.Fatalf("%d accounts on the moved site, want 4", len(list))
		}
		for _, a := range list {
			if a.CustomerID != f.eve.ID || a.CustomerLogin != "eve" {
				t.Errorf("account %s: customer %d %q, want %d eve", a.Login, a.CustomerID, a.CustomerLogin, f.eve.ID)
			}
		}
		n, err := st.CountAccounts(ctx, hosting.AccountFilter{CustomerID: &f.eve.ID})
		must(t, err)
		if n != 4+4+1 { // e1: 4 + main; b2: 3 + main
			t.Errorf("eve counts %d accounts, want 9", n)
		}
		n, err = st.CountAccounts(ctx, hosting.AccountFilter{CustomerID: &f.bob.ID})
		must(t, err)
		if n != 6 {
			t.Errorf("bob counts %d accounts, want 6", n)
		}
	})
	t.Run("DeleteCascade", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, open)
		st := f.st
		must(t, st.DeleteSite(ctx, f.b1.ID, ev("site.delete", "site", f.b1.Name, f.bob.ID)))
		wantAuditOf(t, st, "site.delete", f.b1.ID)
		_, err := st.SiteByID(ctx, f.b1.ID)
		wantCode(t, err, hosting.CodeNotFound)
		for _, a := range append([]*hosting.Account{f.m1}, f.acc[:5]...) {
			_, err := st.AccountByID(ctx, a.ID)
			wantCode(t, err, hosting.CodeNotFound)
		}
		n, err := st.CountAccounts(ctx, hosting.AccountFilter{SiteID: &f.b1.ID})
		must(t, err)
		if n != 0 {
			t.Errorf("%d accounts left on the deleted site", n)
		}
		n, err = st.CountAccounts(ctx, hosting.AccountFilter{})
		must(t, err)
		if n != 7+2 {
			t.Errorf("%d accounts in all, want 9", n)
		}
		// Logins and the name are free again.
		s2, _ := mustSite(t, st, f.bob, "bob.example", "bobmain", 1)
		mustAccount(t, st, s2, "b1user0")
	})
	t.Run("List", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, open)
		st := f.st
		s, err := st.SiteByID(ctx, f.b2.ID)
		must(t, err)
		s.Status = hosting.StatusSuspended
		must(t, st.UpdateSite(ctx, s, nil))
		tests := []struct {
			name string
			f    hosting.SiteFilter
			want []string
		}{
			{"All", hosting.SiteFilter{}, []string{"bob.example", "bob2.example", "eve.example"}},
			{"ID", hosting.SiteFilter{ID: &f.e1.ID}, []string{"eve.example"}},
			{"Name", hosting.SiteFilter{Name: ptr("bob2.example")}, []string{"bob2.example"}},
			{"Customer", hosting.SiteFilter{CustomerID: &f.bob.ID}, []string{"bob.example", "bob2.example"}},
			{"Status", hosting.SiteFilter{Status: ptr(hosting.StatusSuspended)}, []string{"bob2.example"}},
			{"Query", hosting.SiteFilter{Query: "bob"}, []string{"bob.example", "bob2.example"}},
			{"QueryUnderscore", hosting.SiteFilter{Query: "_"}, []string{}},
			{"Limit", hosting.SiteFilter{Limit: 1}, []string{"bob.example"}},
			{"OffsetLimit", hosting.SiteFilter{Offset: 1, Limit: 1}, []string{"bob2.example"}},
			{"Offset", hosting.SiteFilter{Offset: 2}, []string{"eve.example"}},
		}
		for _, tc := range tests {
			list, err := st.Sites(ctx, tc.f)
			must(t, err)
			got := []string{}
			for _, s := range list {
				got = append(got, s.Name)
				if s.CustomerLogin == "" {
					t.Errorf("%s: site %s without CustomerLogin", tc.name, s.Name)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("%s: Sites=%v, want %v", tc.name, got, tc.want)
			}
		}
	})
}

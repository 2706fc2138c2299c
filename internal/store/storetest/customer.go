package storetest

import (
	"context"
	"slices"
	"testing"

	"ftpanel/internal/hosting"
)

func testCustomer(t *testing.T, open Opener) {
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		st := open(t)
		c := newCustomer("bob", 7)
		must(t, st.CreateCustomer(ctx, c, ev("customer.create", "customer", "bob", 0)))
		if c.ID == 0 {
			t.Fatal("CreateCustomer: ID not set")
		}
		wantAuditOf(t, st, "customer.create", c.ID)
		for name, get := range map[string]func() (*hosting.Customer, error){
			"CustomerByID":    func() (*hosting.Customer, error) { return st.CustomerByID(ctx, c.ID) },
			"CustomerByLogin": func() (*hosting.Customer, error) { return st.CustomerByLogin(ctx, "bob") },
		} {
			got, err := get()
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if got.ID != c.ID || got.Login != "bob" || got.Name != c.Name || got.Email != c.Email ||
				got.PasswordHash != c.PasswordHash || got.Status != hosting.StatusActive || got.MaxFTPAccounts != 7 {
				t.Errorf("%s = %+v, want %+v", name, got, c)
			}
			wantTime(t, name+" CreatedAt", got.CreatedAt, t0)
			wantTime(t, name+" UpdatedAt", got.UpdatedAt, t0)
		}
	})
	t.Run("ErrLoginTaken", func(t *testing.T) {
		t.Parallel()
		st := open(t)
		mustCustomer(t, st, "bob", hosting.Unlimited)
		wantCode(t, st.CreateCustomer(ctx, newCustomer("bob", 1), ev("customer.create", "customer", "bob", 0)), hosting.CodeLoginTaken)
		wantEvents(t, st, "customer.create", 1)
		// Admins and customers share the panel login namespace.
		must(t, st.CreateAdmin(ctx, &hosting.Admin{Login: "root1", PasswordHash: "h", CreatedAt: t0}, nil))
		wantCode(t, st.CreateCustomer(ctx, newCustomer("root1", 1), ev("customer.create", "customer", "root1", 0)), hosting.CodeLoginTaken)
		wantEvents(t, st, "customer.create", 1)
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		t.Parallel()
		st := open(t)
		_, err := st.CustomerByID(ctx, 999)
		wantCode(t, err, hosting.CodeNotFound)
		_, err = st.CustomerByLogin(ctx, "nobody")
		wantCode(t, err, hosting.CodeNotFound)
		c := newCustomer("ghost", 1)
		c.ID = 999
		wantCode(t, st.UpdateCustomer(ctx, c, ev("customer.update", "customer", "ghost", 999)), hosting.CodeNotFound)
		wantCode(t, st.DeleteCustomer(ctx, 999, ev("customer.delete", "customer", "ghost", 999)), hosting.CodeNotFound)
		wantEvents(t, st, "customer.update", 0)
		wantEvents(t, st, "customer.delete", 0)
	})
	t.Run("Update", func(t *testing.T) {
		t.Parallel()
		st := open(t)
		c := mustCustomer(t, st, "bob", 3)
		other := mustCustomer(t, st, "eve", 3)
		c.Name, c.Email, c.PasswordHash, c.Status, c.MaxFTPAccounts = "Robert", "r@example.org", "h2", hosting.StatusSuspended, 9
		must(t, st.UpdateCustomer(ctx, c, ev("customer.update", "customer", "bob", c.ID)))
		wantAuditOf(t, st, "customer.update", c.ID)
		if c.UpdatedAt.IsZero() || c.UpdatedAt.Equal(t0) {
			t.Errorf("UpdatedAt=%v, want set by UpdateCustomer", c.UpdatedAt)
		}
		got, err := st.CustomerByID(ctx, c.ID)
		must(t, err)
		if got.Name != "Robert" || got.Email != "r@example.org" || got.PasswordHash != "h2" ||
			got.Status != hosting.StatusSuspended || got.MaxFTPAccounts != 9 || got.Login != "bob" {
			t.Errorf("after UpdateCustomer: %+v", got)
		}
		wantTime(t, "CreatedAt", got.CreatedAt, t0)
		wantTime(t, "UpdatedAt", got.UpdatedAt, c.UpdatedAt)
		if got, _ := st.CustomerByID(ctx, other.ID); got.Name != other.Name || got.Status != hosting.StatusActive {
			t.Errorf("UpdateCustomer changed another customer: %+v", got)
		}
	})
	t.Run("Delete", func(t *testing.T) {
		t.Parallel()
		st := open(t)
		c := mustCustomer(t, st, "bob", 3)
		s, _ := mustSite(t, st, c, "bob.example", "bobmain", 3)
		wantCode(t, st.DeleteCustomer(ctx, c.ID, ev("customer.delete", "customer", "bob", c.ID)), hosting.CodeConflict)
		wantEvents(t, st, "customer.delete", 0)
		if _, err := st.CustomerByID(ctx, c.ID); err != nil {
			t.Fatalf("customer gone after a refused delete: %v", err)
		}
		must(t, st.DeleteSite(ctx, s.ID, nil))
		must(t, st.DeleteCustomer(ctx, c.ID, ev("customer.delete", "customer", "bob", c.ID)))
		wantAuditOf(t, st, "customer.delete", c.ID)
		_, err := st.CustomerByID(ctx, c.ID)
		wantCode(t, err, hosting.CodeNotFound)
		// The login is free again.
		mustCustomer(t, st, "bob", 1)
	})
	t.Run("List", func(t *testing.T) {
		t.Parallel()
		st := open(t)
		for _, l := range []string{"dave", "bob", "eve", "carol", "alice"} {
			mustCustomer(t, st, l, hosting.Unlimited)
		}
		carol, err := st.CustomerByLogin(ctx, "carol")
		must(t, err)
		carol.Status = hosting.StatusSuspended
		carol.Name = "Carol Smith"
		must(t, st.UpdateCustomer(ctx, carol, nil))
		logins := func(list []*hosting.Customer) []string {
			out := []string{}
			for _, c := range list {
				out = append(out, c.Login)
			}
			return out
		}
		tests := []struct {
			name string
			f    hosting.CustomerFilter
			want []string
		}{
			{"All", hosting.CustomerFilter{}, []string{"alice", "bob", "carol", "dave", "eve"}},
			{"ID", hosting.CustomerFilter{ID: &carol.ID}, []string{"carol"}},
			{"Login", hosting.CustomerFilter{Login: ptr("dave")}, []string{"dave"}},
			{"Status", hosting.CustomerFilter{Status: ptr(hosting.StatusSuspended)}, []string{"carol"}},
			{"QueryLogin", hosting.CustomerFilter{Query: "v"}, []string{"dave", "eve"}},
			{"QueryName", hosting.CustomerFilter{Query: "smith"}, []string{"carol"}},
			{"QueryEmail", hosting.CustomerFilter{Query: "eve@example"}, []string{"eve"}},
			{"QueryWildcard", hosting.CustomerFilter{Query: "%"}, []string{}},
			{"Limit", hosting.CustomerFilter{Limit: 2}, []string{"alice", "bob"}},
			{"OffsetLimit", hosting.CustomerFilter{Offset: 2, Limit: 2}, []string{"carol", "dave"}},
			{"Offset", hosting.CustomerFilter{Offset: 3}, []string{"dave", "eve"}},
			{"None", hosting.CustomerFilter{Login: ptr("zoe")}, []string{}},
		}
		for _, tc := range tests {
			list, err := st.Customers(ctx, tc.f)
			must(t, err)
			if got := logins(list); !slices.Equal(got, tc.want) {
				t.Errorf("%s: Customers=%v, want %v", tc.name, got, tc.want)
			}
		}
	})
}

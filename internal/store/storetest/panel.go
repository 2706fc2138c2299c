package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"ftpanel/internal/hosting"
)

// testAccountOrder checks the sorted, offset pages of Accounts that the
// panel lists (issue 12): by login, by last login (latest first, never
// last) and by usage (largest first), ties by login.
func testAccountOrder(t *testing.T, open Opener) {
	ctx := context.Background()
	st := open(t)
	c := mustCustomer(t, st, "ord", hosting.Unlimited)
	s := newSite(c, "ord.example", hosting.Unlimited)
	m := newAccount("ordmain")
	m.Main = true
	must(t, st.CreateSite(ctx, s, m, nil))
	// Logins in an order that differs from creation (ID) order.
	logins := []string{"m-b", "Z_up", "a_1", "m_a", "b2", "a-2"}
	usage := []int64{5, 70, 5, 0, 900, 70}
	for i, l := range logins {
		a := newAccount(l)
		a.SiteID, a.CustomerID = s.ID, c.ID
		must(t, st.CreateAccount(ctx, a, nil))
		must(t, st.SetUsedBytes(ctx, a.ID, usage[i]))
		if i%2 == 0 {
			must(t, st.RecordLogin(ctx, a.ID, t0.Add(time.Duration(i)*time.Minute), "", ""))
		}
	}
	sid := s.ID
	names := func(o hosting.AccountOrder, offset, limit int) []string {
		t.Helper()
		list, err := st.Accounts(ctx, hosting.AccountFilter{SiteID: &sid, Order: o, Offset: offset, Limit: limit})
		if err != nil {
			t.Fatalf("Accounts(order %q): %v", o, err)
		}
		var out []string
		for _, a := range list {
			out = append(out, a.Login)
		}
		return out
	}
	for _, tc := range []struct {
		order         hosting.AccountOrder
		offset, limit int
		want          []string
	}{
		{hosting.OrderByLogin, 0, 0, []string{"Z_up", "a-2", "a_1", "b2", "m-b", "m_a", "ordmain"}},
		{hosting.OrderByLogin, 2, 3, []string{"a_1", "b2", "m-b"}},
		{hosting.OrderByUsage, 0, 0, []string{"b2", "Z_up", "a-2", "a_1", "m-b", "m_a", "ordmain"}},
		{hosting.OrderByLastLogin, 0, 0, []string{"b2", "a_1", "m-b", "Z_up", "a-2", "m_a", "ordmain"}},
		{hosting.OrderByLastLogin, 3, 2, []string{"Z_up", "a-2"}},
	} {
		if got := names(tc.order, tc.offset, tc.limit); !slices.Equal(got, tc.want) {
			t.Errorf("order %q offset %d limit %d = %v, want %v", tc.order, tc.offset, tc.limit, got, tc.want)
		}
	}
	if got := names(hosting.OrderByID, 0, 0); len(got) != 7 || got[0] != "ordmain" || got[1] != "m-b" {
		t.Errorf("default order = %v, want ID order", got)
	}
}

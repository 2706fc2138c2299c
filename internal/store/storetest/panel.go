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
	// The address of the last login is kept and listed.
	list, err := st.Accounts(ctx, hosting.AccountFilter{SiteID: &sid, Order: hosting.OrderByLogin, Limit: 1})
	if err != nil || len(list) != 1 || list[0].LastLoginAddr != "" {
		t.Fatalf("first account %v, %v; want one without a login address", list, err)
	}
	must(t, st.SetLastLoginAddr(ctx, list[0].ID, "2001:db8::7"))
	if a, err := st.AccountByID(ctx, list[0].ID); err != nil || a.LastLoginAddr != "2001:db8::7" {
		t.Errorf("LastLoginAddr = %q, %v; want 2001:db8::7", a.LastLoginAddr, err)
	}
	if err := st.SetLastLoginAddr(ctx, 99999, "192.0.2.1"); hosting.ErrorCode(err) != hosting.CodeNotFound {
		t.Errorf("SetLastLoginAddr of a missing account: %v, want not_found", err)
	}
	if got := names(hosting.OrderByID, 0, 0); len(got) != 7 || got[0] != "ordmain" || got[1] != "m-b" {
		t.Errorf("default order = %v, want ID order", got)
	}
}

// testTwoFactor checks the two-factor state of admins and customers: off
// by default, set and cleared with compare-and-swap, gone with its user.
func testTwoFactor(t *testing.T, open Opener) {
	ctx := context.Background()
	st := open(t)
	c := mustCustomer(t, st, "tfa", hosting.Unlimited)
	adm := &hosting.Admin{Login: "root2", PasswordHash: "h", CreatedAt: t0}
	must(t, st.CreateAdmin(ctx, adm, nil))
	for _, who := range []struct {
		kind hosting.ActorKind
		id   int64
	}{{hosting.ActorCustomer, c.ID}, {hosting.ActorAdmin, adm.ID}} {
		off, err := st.TwoFactor(ctx, who.kind, who.id)
		if err != nil || off.Enabled() || len(off.Recovery) != 0 || off.LastStep != 0 {
			t.Fatalf("%s: TwoFactor = %+v, %v; want off", who.kind, off, err)
		}
		on := &hosting.TwoFactor{Kind: who.kind, ID: who.id, Secret: "JBSWY3DPEHPK3PXP", Recovery: []string{"aa", "bb", "cc"}, LastStep: 7}
		must(t, st.UpdateTwoFactor(ctx, on, off, ev("2fa.enable", string(who.kind), "x", c.ID)))
		got, err := st.TwoFactor(ctx, who.kind, who.id)
		if err != nil || got.Secret != on.Secret || !slices.Equal(got.Recovery, on.Recovery) || got.LastStep != 7 {
			t.Fatalf("%s: after enable = %+v, %v", who.kind, got, err)
		}
		// A stale previous state (a concurrent use) is refused.
		used := &hosting.TwoFactor{Kind: who.kind, ID: who.id, Secret: on.Secret, Recovery: []string{"aa", "cc"}, LastStep: 7}
		must(t, st.UpdateTwoFactor(ctx, used, got, nil))
		if err := st.UpdateTwoFactor(ctx, used, got, nil); hosting.ErrorCode(err) != hosting.CodeConflict {
			t.Errorf("%s: stale update err = %v, want conflict", who.kind, err)
		}
		if err := st.UpdateTwoFactor(ctx, &hosting.TwoFactor{Kind: who.kind, ID: 99999}, off, nil); hosting.ErrorCode(err) != hosting.CodeNotFound {
			t.Errorf("%s: update of a missing user err = %v, want not_found", who.kind, err)
		}
		if _, err := st.TwoFactor(ctx, who.kind, 99999); hosting.ErrorCode(err) != hosting.CodeNotFound {
			t.Errorf("%s: missing user err = %v, want not_found", who.kind, err)
		}
	}
	if _, err := st.TwoFactor(ctx, hosting.ActorKind("account"), 1); hosting.ErrorCode(err) != hosting.CodeInvalidInput {
		t.Errorf("kind account err = %v, want invalid_input", err)
	}
	// Deleting the customer deletes its two-factor state with it.
	must(t, st.DeleteCustomer(ctx, c.ID, nil))
	c2 := mustCustomer(t, st, "tfa", hosting.Unlimited)
	if got, err := st.TwoFactor(ctx, hosting.ActorCustomer, c2.ID); err != nil || got.Enabled() {
		t.Errorf("new customer with the old login has two-factor %+v, %v; want off", got, err)
	}
}

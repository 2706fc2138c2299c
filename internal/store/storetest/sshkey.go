package storetest

import (
	"context"
	"maps"
	"testing"

	"ftpanel/internal/hosting"
)

func testSSHKey(t *testing.T, open Opener) {
	ctx := context.Background()
	key := func(account int64, fp string) *hosting.SSHKey {
		return &hosting.SSHKey{AccountID: account, Type: "ssh-ed25519", PublicKey: "ssh-ed25519 AAAA" + fp,
			Fingerprint: "SHA256:" + fp, Comment: "laptop " + fp, CreatedAt: t0}
	}
	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		st := open(t)
		c := mustCustomer(t, st, "bob", hosting.Unlimited)
		s, m := mustSite(t, st, c, "example.com", "main1", hosting.Unlimited)
		a := mustAccount(t, st, s, "extra1")
		k1, k2, k3 := key(m.ID, "one"), key(m.ID, "two"), key(a.ID, "one") // same key on another account: fine
		for _, k := range []*hosting.SSHKey{k1, k2, k3} {
			must(t, st.CreateSSHKey(ctx, k, ev("sshkey.add", "account", "x", c.ID)))
		}
		if k1.ID == 0 || k1.ID == k2.ID || k2.ID == k3.ID || k1.AccountLogin != "main1" || k1.CustomerID != c.ID {
			t.Fatalf("created keys %+v %+v %+v", k1, k2, k3)
		}
		wantAuditOf(t, st, "sshkey.add", a.ID)
		for _, tc := range []struct {
			ids  []int64
			want map[int64]int
		}{
			{[]int64{m.ID, a.ID, 9999}, map[int64]int{m.ID: 2, a.ID: 1}},
			{[]int64{a.ID}, map[int64]int{a.ID: 1}},
			{[]int64{9999}, map[int64]int{}},
			{nil, map[int64]int{}},
		} {
			got, err := st.SSHKeyCounts(ctx, tc.ids)
			must(t, err)
			if !maps.Equal(got, tc.want) {
				t.Errorf("SSHKeyCounts(%v) = %v, want %v", tc.ids, got, tc.want)
			}
		}
		list, err := st.SSHKeys(ctx, m.ID)
		must(t, err)
		if len(list) != 2 || list[0].ID != k1.ID || list[1].ID != k2.ID {
			t.Fatalf("SSHKeys(main) = %+v", list)
		}
		g := list[0]
		if g.AccountID != m.ID || g.AccountLogin != "main1" || g.CustomerID != c.ID || g.Type != "ssh-ed25519" ||
			g.PublicKey != "ssh-ed25519 AAAAone" || g.Fingerprint != "SHA256:one" || g.Comment != "laptop one" || g.LastUsedAt != nil {
			t.Errorf("key = %+v", g)
		}
		wantTime(t, "CreatedAt", g.CreatedAt, t0)
		// Duplicate on one account: conflict, nothing added.
		wantCode(t, st.CreateSSHKey(ctx, key(m.ID, "one"), ev("sshkey.add", "account", "x", c.ID)), hosting.CodeConflict)
		wantCode(t, st.CreateSSHKey(ctx, key(9999, "zz"), ev("sshkey.add", "account", "x", c.ID)), hosting.CodeNotFound)
		if list, _ := st.SSHKeys(ctx, m.ID); len(list) != 2 {
			t.Fatalf("after duplicate: %d keys", len(list))
		}
		must(t, st.DeleteSSHKey(ctx, k1.ID, ev("sshkey.delete", "account", "x", c.ID)))
		wantAuditOf(t, st, "sshkey.delete", m.ID)
		wantCode(t, st.DeleteSSHKey(ctx, k1.ID, ev("sshkey.delete", "account", "x", c.ID)), hosting.CodeNotFound)
		if list, _ := st.SSHKeys(ctx, m.ID); len(list) != 1 || list[0].ID != k2.ID {
			t.Fatalf("after delete: %+v", list)
		}
		// A key goes with its account.
		must(t, st.DeleteAccount(ctx, a.ID, ev("account.delete", "account", "extra1", c.ID)))
		if list, err := st.SSHKeys(ctx, a.ID); err != nil || len(list) != 0 {
			t.Fatalf("keys of a deleted account: %v, %v", list, err)
		}
		// And with its site.
		must(t, st.DeleteSite(ctx, s.ID, ev("site.delete", "site", "example.com", c.ID)))
		if list, err := st.SSHKeys(ctx, m.ID); err != nil || len(list) != 0 {
			t.Fatalf("keys of a deleted site: %v, %v", list, err)
		}
	})
}

package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"ftpanel/internal/hosting"
)

func testToken(t *testing.T, open Opener) {
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		st := open(t)
		c := mustCustomer(t, st, "bob", hosting.Unlimited)
		admin := &hosting.Token{Kind: hosting.TokenAPI, Key: "ak1", SecretHash: "s1", Admin: true, Description: "billing", CreatedAt: t0}
		must(t, st.CreateToken(ctx, admin, ev("token.create", "token", "ak1", 0)))
		wantAuditOf(t, st, "token.create", admin.ID)
		cust := &hosting.Token{Kind: hosting.TokenHestia, Key: "hk1", SecretHash: "s2", CustomerID: c.ID, CreatedAt: t0}
		must(t, st.CreateToken(ctx, cust, ev("token.create", "token", "hk1", c.ID)))
		if admin.ID == 0 || cust.ID == 0 || admin.ID == cust.ID {
			t.Fatalf("token IDs %d, %d", admin.ID, cust.ID)
		}
		got, err := st.TokenByKey(ctx, "hk1")
		must(t, err)
		if got.ID != cust.ID || got.Kind != hosting.TokenHestia || got.SecretHash != "s2" || got.Admin ||
			got.CustomerID != c.ID || got.CustomerLogin != "bob" || got.LastUsedAt != nil {
			t.Errorf("TokenByKey(hk1) = %+v", got)
		}
		wantTime(t, "CreatedAt", got.CreatedAt, t0)
		got, err = st.TokenByKey(ctx, "ak1")
		must(t, err)
		if !got.Admin || got.CustomerID != 0 || got.CustomerLogin != "" || got.Description != "billing" {
			t.Errorf("TokenByKey(ak1) = %+v", got)
		}
		used := t0.Add(time.Hour)
		must(t, st.TouchToken(ctx, admin.ID, used))
		got, _ = st.TokenByKey(ctx, "ak1")
		wantTimePtr(t, "LastUsedAt", got.LastUsedAt, &used)

		tokIDs := func(list []*hosting.Token) []int64 { return ids(list, func(t *hosting.Token) int64 { return t.ID }) }
		tests := []struct {
			name string
			f    hosting.TokenFilter
			want []int64
		}{
			{"All", hosting.TokenFilter{}, []int64{admin.ID, cust.ID}},
			{"Customer", hosting.TokenFilter{CustomerID: &c.ID}, []int64{cust.ID}},
			{"Kind", hosting.TokenFilter{Kind: ptr(hosting.TokenAPI)}, []int64{admin.ID}},
			{"None", hosting.TokenFilter{CustomerID: ptr(int64(999))}, []int64{}},
		}
		for _, tc := range tests {
			list, err := st.Tokens(ctx, tc.f)
			must(t, err)
			if got := tokIDs(list); !slices.Equal(got, tc.want) {
				t.Errorf("%s: Tokens=%v, want %v", tc.name, got, tc.want)
			}
		}
		must(t, st.DeleteToken(ctx, cust.ID, ev("token.delete", "token", "hk1", c.ID)))
		wantAuditOf(t, st, "token.delete", cust.ID)
		_, err = st.TokenByKey(ctx, "hk1")
		wantCode(t, err, hosting.CodeNotFound)
	})
	t.Run("ErrConflict", func(t *testing.T) {
		t.Parallel()
		st := open(t)
		must(t, st.CreateToken(ctx, &hosting.Token{Kind: hosting.TokenAPI, Key: "k", SecretHash: "s", Admin: true, CreatedAt: t0}, nil))
		err := st.CreateToken(ctx, &hosting.Token{Kind: hosting.TokenAPI, Key: "k", SecretHash: "s2", Admin: true},
			ev("token.create", "token", "k", 0))
		wantCode(t, err, hosting.CodeConflict)
		wantEvents(t, st, "token.create", 0)
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		t.Parallel()
		st := open(t)
		_, err := st.TokenByKey(ctx, "nope")
		wantCode(t, err, hosting.CodeNotFound)
		wantCode(t, st.DeleteToken(ctx, 999, ev("token.delete", "token", "nope", 0)), hosting.CodeNotFound)
		wantEvents(t, st, "token.delete", 0)
	})
}

package storetest

import (
	"context"
	"testing"

	"ftpanel/internal/hosting"
)

func testAdmin(t *testing.T, open Opener) {
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		st := open(t)
		for _, login := range []string{"zed", "amy"} {
			a := &hosting.Admin{Login: login, PasswordHash: "hash-" + login, CreatedAt: t0}
			must(t, st.CreateAdmin(ctx, a, ev("admin.create", "admin", login, 0)))
			if a.ID == 0 {
				t.Fatalf("CreateAdmin(%s): ID not set", login)
			}
			wantAuditOf(t, st, "admin.create", a.ID)
		}
		got, err := st.AdminByLogin(ctx, "amy")
		must(t, err)
		if got.Login != "amy" || got.PasswordHash != "hash-amy" || got.ID == 0 {
			t.Errorf("AdminByLogin = %+v, want amy with hash-amy", got)
		}
		wantTime(t, "CreatedAt", got.CreatedAt, t0)
		list, err := st.Admins(ctx)
		must(t, err)
		if len(list) != 2 || list[0].Login != "amy" || list[1].Login != "zed" {
			t.Errorf("Admins = %v, want amy, zed", list)
		}
		must(t, st.SetAdminPassword(ctx, got.ID, "newhash", ev("admin.password", "admin", "amy", 0)))
		wantAuditOf(t, st, "admin.password", got.ID)
		if got, _ := st.AdminByLogin(ctx, "amy"); got.PasswordHash != "newhash" {
			t.Errorf("PasswordHash=%q, want newhash", got.PasswordHash)
		}
		must(t, st.DeleteAdmin(ctx, got.ID, ev("admin.delete", "admin", "amy", 0)))
		wantAuditOf(t, st, "admin.delete", got.ID)
		_, err = st.AdminByLogin(ctx, "amy")
		wantCode(t, err, hosting.CodeNotFound)
	})
	t.Run("ErrLoginTaken", func(t *testing.T) {
		t.Parallel()
		st := open(t)
		must(t, st.CreateAdmin(ctx, &hosting.Admin{Login: "root1", PasswordHash: "h", CreatedAt: t0}, nil))
		err := st.CreateAdmin(ctx, &hosting.Admin{Login: "root1", PasswordHash: "h2"}, ev("admin.create", "admin", "root1", 0))
		wantCode(t, err, hosting.CodeLoginTaken)
		wantEvents(t, st, "admin.create", 0)
		// Admins and customers share the panel login namespace.
		mustCustomer(t, st, "carl", hosting.Unlimited)
		err = st.CreateAdmin(ctx, &hosting.Admin{Login: "carl", PasswordHash: "h"}, ev("admin.create", "admin", "carl", 0))
		wantCode(t, err, hosting.CodeLoginTaken)
		wantEvents(t, st, "admin.create", 0)
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		t.Parallel()
		st := open(t)
		_, err := st.AdminByLogin(ctx, "nobody")
		wantCode(t, err, hosting.CodeNotFound)
		wantCode(t, st.SetAdminPassword(ctx, 999, "h", ev("admin.password", "admin", "x", 0)), hosting.CodeNotFound)
		wantCode(t, st.DeleteAdmin(ctx, 999, ev("admin.delete", "admin", "x", 0)), hosting.CodeNotFound)
		wantEvents(t, st, "admin.password", 0)
		wantEvents(t, st, "admin.delete", 0)
		list, err := st.Admins(ctx)
		must(t, err)
		if len(list) != 0 {
			t.Errorf("Admins of an empty store = %v, want none", list)
		}
	})
}

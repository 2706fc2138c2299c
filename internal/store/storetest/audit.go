package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"ftpanel/internal/hosting"
)

func testAudit(t *testing.T, open Opener) {
	ctx := context.Background()
	t.Run("RoundTrip", func(t *testing.T) {
		t.Parallel()
		st := open(t)
		in := &hosting.AuditEvent{Time: t0, ActorKind: hosting.ActorCustomer, Actor: "bob", CustomerID: 42,
			Via: hosting.ViaPlesk, RemoteAddr: "[2001:db8::1]:5000", Action: "account.update", ObjectType: "account",
			ObjectID: 7, ObjectName: "web1", Detail: "changed home /a, quota"}
		must(t, st.AppendAudit(ctx, in))
		if in.ID == 0 {
			t.Fatal("AppendAudit: ID not set")
		}
		list, err := st.AuditEvents(ctx, hosting.AuditFilter{})
		must(t, err)
		if len(list) != 1 {
			t.Fatalf("%d events, want 1", len(list))
		}
		got := list[0]
		wantTime(t, "Time", got.Time, t0)
		got.Time = in.Time
		if *got != *in {
			t.Errorf("AuditEvents[0] = %+v, want %+v", got, in)
		}
	})
	t.Run("Filter", func(t *testing.T) {
		t.Parallel()
		st := open(t)
		var all []int64
		add := func(action, objType, name string, customer int64) int64 {
			e := ev(action, objType, name, customer)
			e.Time = t0.Add(time.Duration(len(all)) * time.Second)
			must(t, st.AppendAudit(ctx, e))
			all = append(all, e.ID)
			return e.ID
		}
		a := add("account.create", "account", "web1", 1)
		b := add("account.update", "account", "web1", 1)
		c := add("account.create", "account", "web2", 2)
		d := add("site.create", "site", "x.example", 1)
		e := add("login.failed", "panel", "mallory", 0)
		if !slices.IsSorted(all) {
			t.Fatalf("IDs %v not ascending", all)
		}
		tests := []struct {
			name string
			f    hosting.AuditFilter
			want []int64
		}{
			{"All", hosting.AuditFilter{}, []int64{e, d, c, b, a}},
			{"Customer", hosting.AuditFilter{CustomerID: ptr(int64(1))}, []int64{d, b, a}},
			{"ObjectType", hosting.AuditFilter{ObjectType: "account"}, []int64{c, b, a}},
			{"ObjectName", hosting.AuditFilter{ObjectName: "web1"}, []int64{b, a}},
			{"Action", hosting.AuditFilter{Action: "account.create"}, []int64{c, a}},
			{"Combined", hosting.AuditFilter{CustomerID: ptr(int64(1)), ObjectType: "account", Action: "account.create"}, []int64{a}},
			{"Limit", hosting.AuditFilter{Limit: 2}, []int64{e, d}},
			{"BeforeID", hosting.AuditFilter{BeforeID: c}, []int64{b, a}},
			{"BeforeIDLimit", hosting.AuditFilter{BeforeID: e, Limit: 2}, []int64{d, c}},
			{"None", hosting.AuditFilter{Action: "nothing"}, []int64{}},
		}
		for _, tc := range tests {
			list, err := st.AuditEvents(ctx, tc.f)
			must(t, err)
			got := ids(list, func(e *hosting.AuditEvent) int64 { return e.ID })
			if !slices.Equal(got, tc.want) {
				t.Errorf("%s: AuditEvents=%v, want %v", tc.name, got, tc.want)
			}
		}
	})
}

package api

import (
	"context"
	"net/url"
	"testing"
	"time"

	"ftpanel/internal/hosting"
)

// mustSession registers a live session of login, as the FTP server does.
func (e *testEnv) mustSession(t *testing.T, id, login string) {
	t.Helper()
	ctx := e.Admin(context.Background())
	a, err := e.Service.Account(ctx, login)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	if err := e.Service.PutSession(ctx, &hosting.Session{ID: id, Node: "n1", Protocol: "ftp", AccountID: a.ID,
		Login: a.Login, SiteID: a.SiteID, SiteName: a.SiteName, CustomerID: a.CustomerID, RemoteAddr: "198.51.100.7",
		StartedAt: now, Command: "LIST", UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
}

func TestAPI_Sessions(t *testing.T) {
	e := newTestEnv(t, nil)
	e.mustSession(t, "n1-1", "alice1")
	e.mustSession(t, "n1-2", e.aliceMain)
	e.mustSession(t, "n1-3", "bob1")

	ids := func(l list[sessionJSON]) []string {
		var s []string
		for _, x := range l.Items {
			s = append(s, x.ID)
		}
		return s
	}
	tests := []struct {
		name, token, path string
		want              int
	}{
		{"AdminAll", e.admin, "/api/v1/sessions", 3},
		{"AliceOwn", e.alice, "/api/v1/sessions", 2},
		{"BobOwn", e.bob, "/api/v1/sessions", 1},
		{"ByAccount", e.alice, "/api/v1/sessions?account=alice1", 1},
		{"BySite", e.admin, "/api/v1/sessions?site=bob.example", 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := decodeAs[list[sessionJSON]](t, e.do(t, tc.token, "GET", tc.path, nil).want(t, 200))
			if len(l.Items) != tc.want {
				t.Errorf("sessions %v, want %d", ids(l), tc.want)
			}
			if l.NextCursor != nil {
				t.Errorf("next_cursor=%v, want null", *l.NextCursor)
			}
		})
	}
	t.Run("Kill", func(t *testing.T) {
		e.do(t, e.bob, "DELETE", "/api/v1/sessions/n1-1", nil).wantError(t, 404, hosting.CodeNotFound, "")
		e.do(t, e.alice, "DELETE", "/api/v1/sessions/n1-1", nil).want(t, 204)
		l := decodeAs[list[sessionJSON]](t, e.do(t, e.alice, "GET", "/api/v1/sessions?account=alice1", nil).want(t, 200))
		if len(l.Items) != 1 || !l.Items[0].KillRequested {
			t.Errorf("after kill: %+v", l.Items)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		e.do(t, e.admin, "DELETE", "/api/v1/sessions/n9-9", nil).wantError(t, 404, hosting.CodeNotFound, "")
		e.do(t, e.bob, "GET", "/api/v1/sessions?account=alice1", nil).wantError(t, 404, hosting.CodeNotFound, "account")
		e.do(t, e.bob, "GET", "/api/v1/sessions?site=alice.example", nil).wantError(t, 404, hosting.CodeNotFound, "site")
		e.do(t, e.admin, "GET", "/api/v1/sessions?node=n1", nil).wantError(t, 400, hosting.CodeInvalidInput, "node")
	})
}

func TestAPI_Bans(t *testing.T) {
	e := newTestEnv(t, nil)
	ctx := context.Background()
	now := time.Now().UTC()
	for _, addr := range []string{"198.51.100.7", "2001:db8::1"} {
		if err := e.Service.Ban(ctx, &hosting.Ban{Addr: addr, Until: now.Add(time.Hour), Strikes: 1, Reason: "failed logins", Node: "n1", CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
	}
	l := decodeAs[list[banJSON]](t, e.do(t, e.admin, "GET", "/api/v1/bans", nil).want(t, 200))
	if len(l.Items) != 2 || l.Items[0].Reason != "failed logins" {
		t.Fatalf("bans %+v", l.Items)
	}
	e.do(t, e.alice, "GET", "/api/v1/bans", nil).wantError(t, 403, hosting.CodeForbidden, "")
	e.do(t, e.alice, "DELETE", "/api/v1/bans/198.51.100.7", nil).wantError(t, 403, hosting.CodeForbidden, "")
	e.do(t, e.admin, "DELETE", "/api/v1/bans/"+url.PathEscape("2001:db8::1"), nil).want(t, 204)
	e.do(t, e.admin, "DELETE", "/api/v1/bans/198.51.100.7", nil).want(t, 204)
	e.do(t, e.admin, "DELETE", "/api/v1/bans/198.51.100.7", nil).wantError(t, 404, hosting.CodeNotFound, "")
	if l := decodeAs[list[banJSON]](t, e.do(t, e.admin, "GET", "/api/v1/bans", nil).want(t, 200)); len(l.Items) != 0 {
		t.Errorf("bans left: %+v", l.Items)
	}
	e.do(t, e.admin, "GET", "/api/v1/bans?limit=5", nil).wantError(t, 400, hosting.CodeInvalidInput, "limit")
}

func TestAPI_Audit(t *testing.T) {
	e := newTestEnv(t, nil)
	e.do(t, e.alice, "POST", "/api/v1/accounts/alice1/suspend", nil).want(t, 200)
	e.do(t, e.bob, "POST", "/api/v1/accounts/bob1/suspend", nil).want(t, 200)

	t.Run("AdminPages", func(t *testing.T) {
		var all []auditJSON
		cursor := ""
		for range 50 {
			l := decodeAs[list[auditJSON]](t, e.do(t, e.admin, "GET", "/api/v1/audit?limit=3"+cursor, nil).want(t, 200))
			all = append(all, l.Items...)
			if l.NextCursor == nil {
				break
			}
			cursor = "&cursor=" + *l.NextCursor
		}
		if len(all) < 8 {
			t.Fatalf("%d events, want at least 8 (customers, sites, accounts, tokens, suspends)", len(all))
		}
		for i := 1; i < len(all); i++ {
			if all[i].ID >= all[i-1].ID {
				t.Fatalf("not newest first: %d after %d", all[i].ID, all[i-1].ID)
			}
		}
		if all[0].Action != "account.suspend" || all[0].ObjectName != "bob1" || all[0].Via != hosting.ViaAPI ||
			all[0].Actor != "bob" || all[0].RemoteAddr != "127.0.0.1" {
			t.Errorf("newest event %+v", all[0])
		}
	})
	t.Run("CustomerOwn", func(t *testing.T) {
		l := decodeAs[list[auditJSON]](t, e.do(t, e.alice, "GET", "/api/v1/audit?limit=500", nil).want(t, 200))
		if len(l.Items) == 0 {
			t.Fatal("alice sees no events")
		}
		for _, ev := range l.Items {
			if ev.ObjectName == "bob1" || ev.ObjectName == "bob" || ev.ObjectName == "bob.example" || ev.ObjectName == e.bobMain {
				t.Errorf("alice sees bob's event %+v", ev)
			}
		}
	})
	t.Run("Filters", func(t *testing.T) {
		l := decodeAs[list[auditJSON]](t, e.do(t, e.admin, "GET", "/api/v1/audit?object_type=account&action=account.suspend&customer=alice", nil).want(t, 200))
		if len(l.Items) != 1 || l.Items[0].ObjectName != "alice1" {
			t.Errorf("filtered %+v", l.Items)
		}
		l = decodeAs[list[auditJSON]](t, e.do(t, e.admin, "GET", "/api/v1/audit?object_name=bob.example", nil).want(t, 200))
		if len(l.Items) != 1 || l.Items[0].Action != "site.create" {
			t.Errorf("object_name=bob.example: %+v", l.Items)
		}
	})
	t.Run("Err", func(t *testing.T) {
		e.do(t, e.bob, "GET", "/api/v1/audit?customer=alice", nil).wantError(t, 404, hosting.CodeNotFound, "customer")
		e.do(t, e.admin, "GET", "/api/v1/audit?cursor=x", nil).wantError(t, 400, hosting.CodeInvalidInput, "cursor")
		e.do(t, e.admin, "GET", "/api/v1/audit?actor=bob", nil).wantError(t, 400, hosting.CodeInvalidInput, "actor")
	})
}

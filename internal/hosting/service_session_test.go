package hosting_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"ftpanel/internal/hosting"
	"ftpanel/internal/hosting/hostingtest"
)

// putSession registers a live session of the account as the FTP server does.
func putSession(tb testing.TB, env *hostingtest.Env, id string, a *hosting.Account) {
	tb.Helper()
	now := time.Now().UTC()
	err := env.Service.PutSession(context.Background(), &hosting.Session{ID: id, Node: "n1", Protocol: "ftp",
		AccountID: a.ID, Login: a.Login, SiteID: a.SiteID, SiteName: a.SiteName, CustomerID: a.CustomerID,
		RemoteAddr: "192.0.2.9:50000", StartedAt: now, UpdatedAt: now})
	if err != nil {
		tb.Fatalf("PutSession: %v", err)
	}
}

// killRequested reports whether the session was flagged for closing.
func killRequested(tb testing.TB, env *hostingtest.Env, id string) bool {
	tb.Helper()
	list, err := env.Service.Sessions(admin(env), hosting.SessionFilter{ID: &id})
	if err != nil {
		tb.Fatal(err)
	}
	if len(list) != 1 {
		tb.Fatalf("session %s: %d found, want 1", id, len(list))
	}
	return list[0].KillRequested
}

func TestService_SessionKill(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		change func(env *hostingtest.Env, a *hosting.Account) error
		kill   bool
	}{
		{"password", func(env *hostingtest.Env, a *hosting.Account) error {
			_, err := env.Service.SetAccountPassword(admin(env), a.Login, "Changed-pw-1")
			return err
		}, true},
		{"home", func(env *hostingtest.Env, a *hosting.Account) error {
			_, err := env.Service.UpdateAccount(admin(env), a.Login, hosting.AccountUpdate{Home: ptr("/httpdocs")})
			return err
		}, true},
		{"permissions", func(env *hostingtest.Env, a *hosting.Account) error {
			_, err := env.Service.UpdateAccount(admin(env), a.Login, hosting.AccountUpdate{Write: ptr(false)})
			return err
		}, true},
		{"rename", func(env *hostingtest.Env, a *hosting.Account) error {
			_, err := env.Service.UpdateAccount(admin(env), a.Login, hosting.AccountUpdate{Login: ptr("renamed")})
			return err
		}, true},
		{"account suspended", func(env *hostingtest.Env, a *hosting.Account) error {
			_, err := env.Service.SetAccountStatus(admin(env), a.Login, hosting.StatusSuspended)
			return err
		}, true},
		{"site suspended", func(env *hostingtest.Env, a *hosting.Account) error {
			_, err := env.Service.SetSiteStatus(admin(env), a.SiteName, hosting.StatusSuspended)
			return err
		}, true},
		{"customer suspended", func(env *hostingtest.Env, a *hosting.Account) error {
			_, err := env.Service.SetCustomerStatus(admin(env), a.CustomerLogin, hosting.StatusSuspended)
			return err
		}, true},
		{"quota only", func(env *hostingtest.Env, a *hosting.Account) error {
			_, err := env.Service.UpdateAccount(admin(env), a.Login, hosting.AccountUpdate{QuotaBytes: ptr(int64(1 << 30))})
			return err
		}, false},
		{"same permissions", func(env *hostingtest.Env, a *hosting.Account) error {
			_, err := env.Service.UpdateAccount(admin(env), a.Login, hosting.AccountUpdate{Read: ptr(true), Write: ptr(true)})
			return err
		}, false},
		{"failed password change", func(env *hostingtest.Env, a *hosting.Account) error {
			_, err := env.Service.SetAccountPassword(admin(env), a.Login, "weak")
			if hosting.ErrorCode(err) != hosting.CodeWeakPassword {
				return fmt.Errorf("want weak_password, got %v", err)
			}
			return nil
		}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := hostingtest.New(t)
			env.MustCustomer(t, "alice")
			env.MustSite(t, "alice", "a.example")
			a := env.MustAccount(t, "a.example", "web", "")
			other := env.MustAccount(t, "a.example", "other", "")
			putSession(t, env, "n1-1", a)
			putSession(t, env, "n1-2", other)
			if killRequested(t, env, "n1-1") {
				t.Fatal("kill requested before any change")
			}
			if err := tc.change(env, a); err != nil {
				t.Fatal(err)
			}
			if got := killRequested(t, env, "n1-1"); got != tc.kill {
				t.Fatalf("KillRequested = %v, want %v", got, tc.kill)
			}
			wantOther := tc.kill && (strings.HasPrefix(tc.name, "site") || strings.HasPrefix(tc.name, "customer"))
			if got := killRequested(t, env, "n1-2"); got != wantOther {
				t.Fatalf("other account's KillRequested = %v, want %v", got, wantOther)
			}
			if tc.kill {
				list, err := env.Service.SessionsToClose(context.Background(), "n1")
				wantCode(t, err, "")
				if len(list) == 0 || list[0].ID != "n1-1" && list[len(list)-1].ID != "n1-1" {
					t.Fatalf("SessionsToClose = %v, want n1-1 among them", list)
				}
			}
		})
	}
	// Deletions remove the account and flag its sessions.
	for _, del := range []string{"account", "site"} {
		t.Run("delete "+del, func(t *testing.T) {
			env := hostingtest.New(t)
			env.MustCustomer(t, "alice")
			env.MustSite(t, "alice", "a.example")
			a := env.MustAccount(t, "a.example", "web", "")
			putSession(t, env, "n1-1", a)
			if del == "account" {
				wantCode(t, env.Service.DeleteAccount(admin(env), "web"), "")
			} else {
				wantCode(t, env.Service.DeleteSite(admin(env), "a.example"), "")
			}
			if !killRequested(t, env, "n1-1") {
				t.Fatalf("session of the deleted %s not flagged for closing", del)
			}
		})
	}
}

func TestService_Sessions_Isolation(t *testing.T) {
	t.Parallel()
	env := hostingtest.New(t)
	env.MustCustomer(t, "alice")
	env.MustCustomer(t, "bob")
	env.MustSite(t, "alice", "a.example")
	env.MustSite(t, "bob", "b.example")
	a := env.MustAccount(t, "a.example", "aliceweb", "")
	b := env.MustAccount(t, "b.example", "bobweb", "")
	putSession(t, env, "n1-a", a)
	putSession(t, env, "n1-b", b)
	list, err := env.Service.Sessions(as(env, "bob"), hosting.SessionFilter{})
	wantCode(t, err, "")
	if len(list) != 1 || list[0].ID != "n1-b" {
		t.Fatalf("bob sees %v, want only n1-b", list)
	}
	wantCode(t, env.Service.KillSession(as(env, "bob"), "n1-a"), hosting.CodeNotFound)
	if killRequested(t, env, "n1-a") {
		t.Fatal("bob killed alice's session")
	}
	wantCode(t, env.Service.KillSession(as(env, "bob"), "n1-b"), "")
	if !killRequested(t, env, "n1-b") {
		t.Fatal("KillSession did not flag the session")
	}
	wantCode(t, env.Service.KillSession(admin(env), "n1-zzz"), hosting.CodeNotFound)
	wantCode(t, env.Service.EndSession(context.Background(), "n1-b"), "")
	list, err = env.Service.Sessions(admin(env), hosting.SessionFilter{})
	wantCode(t, err, "")
	if len(list) != 1 || list[0].ID != "n1-a" {
		t.Fatalf("sessions after EndSession = %v, want only n1-a", list)
	}
}

func TestService_Audit(t *testing.T) {
	t.Parallel()
	env := hostingtest.New(t)
	ctx := hosting.WithActor(context.Background(), hosting.Actor{Kind: hosting.ActorAdmin, Login: "root-admin",
		Via: hosting.ViaAPI, RemoteAddr: "192.0.2.50"})
	secrets := []string{"Cust-pass-1", "Main-pass-22", "Ftp-pass-333", "Changed-pw-4444", "Admin-pw-55555"}
	steps := []struct {
		action string
		do     func() error
	}{
		{"admin.create", func() error { _, _, err := env.Service.CreateAdmin(ctx, "boss", secrets[4]); return err }},
		{"customer.create", func() error {
			_, _, err := env.Service.CreateCustomer(ctx, hosting.CustomerCreate{Login: "alice", Password: secrets[0]})
			return err
		}},
		{"customer.update", func() error {
			_, err := env.Service.UpdateCustomer(ctx, "alice", hosting.CustomerUpdate{MaxFTPAccounts: ptr(9)})
			return err
		}},
		{"customer.password", func() error { _, err := env.Service.SetCustomerPassword(ctx, "alice", secrets[3]); return err }},
		{"site.create", func() error {
			_, _, _, err := env.Service.CreateSite(ctx, hosting.SiteCreate{Name: "a.example", Customer: "alice", MainPassword: secrets[1]})
			return err
		}},
		{"site.update", func() error {
			_, err := env.Service.UpdateSite(ctx, "a.example", hosting.SiteUpdate{IP: ptr("192.0.2.1")})
			return err
		}},
		{"account.create", func() error {
			_, _, err := env.Service.CreateAccount(ctx, hosting.AccountCreate{Site: "a.example", Login: "web", Password: secrets[2]})
			return err
		}},
		{"account.update", func() error { _, err := env.Service.SetAccountPassword(ctx, "web", secrets[3]); return err }},
		{"account.suspend", func() error {
			_, err := env.Service.SetAccountStatus(ctx, "web", hosting.StatusSuspended)
			return err
		}},
		{"account.unsuspend", func() error {
			_, err := env.Service.SetAccountStatus(ctx, "web", hosting.StatusActive)
			return err
		}},
		{"site.suspend", func() error {
			_, err := env.Service.SetSiteStatus(ctx, "a.example", hosting.StatusSuspended)
			return err
		}},
		{"site.unsuspend", func() error {
			_, err := env.Service.SetSiteStatus(ctx, "a.example", hosting.StatusActive)
			return err
		}},
		{"customer.suspend", func() error {
			_, err := env.Service.SetCustomerStatus(ctx, "alice", hosting.StatusSuspended)
			return err
		}},
		{"customer.unsuspend", func() error {
			_, err := env.Service.SetCustomerStatus(ctx, "alice", hosting.StatusActive)
			return err
		}},
		{"token.create", func() error {
			_, err := env.Service.CreateToken(ctx, hosting.TokenCreate{Customer: "alice"})
			return err
		}},
		{"account.delete", func() error { return env.Service.DeleteAccount(ctx, "web") }},
		{"site.delete", func() error { return env.Service.DeleteSite(ctx, "a.example") }},
		{"customer.delete", func() error { return env.Service.DeleteCustomer(ctx, "alice") }},
		{"admin.delete", func() error { return env.Service.DeleteAdmin(ctx, "boss") }},
	}
	// DeleteAdmin refuses the last admin: give it company.
	if _, _, err := env.Service.CreateAdmin(ctx, "second", ""); err != nil {
		t.Fatal(err)
	}
	for _, st := range steps {
		t.Run(st.action, func(t *testing.T) {
			before, err := env.Service.AuditEvents(ctx, hosting.AuditFilter{})
			wantCode(t, err, "")
			if err := st.do(); err != nil {
				t.Fatalf("%s: %v", st.action, err)
			}
			after, err := env.Service.AuditEvents(ctx, hosting.AuditFilter{})
			wantCode(t, err, "")
			if got, want := len(after)-len(before), 1; got != want {
				t.Fatalf("%d new events, want %d", got, want)
			}
			ev := after[0] // newest first
			if ev.Action != st.action {
				t.Fatalf("action = %q, want %q", ev.Action, st.action)
			}
			if ev.Actor != "root-admin" || ev.ActorKind != hosting.ActorAdmin || ev.Via != hosting.ViaAPI || ev.RemoteAddr != "192.0.2.50" {
				t.Errorf("event = %+v, want actor root-admin via api from 192.0.2.50", ev)
			}
			if ev.ObjectName == "" || ev.Time.IsZero() {
				t.Errorf("event = %+v, want an object name and a time", ev)
			}
		})
	}
	t.Run("no password in any event", func(t *testing.T) {
		all, err := env.Service.AuditEvents(ctx, hosting.AuditFilter{})
		wantCode(t, err, "")
		for _, ev := range all {
			s := fmt.Sprintf("%+v", *ev)
			for _, secret := range secrets {
				if strings.Contains(s, secret) {
					t.Fatalf("event %s contains a password: %s", ev.Action, s)
				}
			}
		}
	})
	t.Run("failed mutation writes nothing", func(t *testing.T) {
		before, _ := env.Service.AuditEvents(ctx, hosting.AuditFilter{})
		_, _, err := env.Service.CreateCustomer(ctx, hosting.CustomerCreate{Login: "root"})
		wantCode(t, err, hosting.CodeReservedLogin)
		after, _ := env.Service.AuditEvents(ctx, hosting.AuditFilter{})
		if len(after) != len(before) {
			t.Fatalf("%d events after a refused create, want %d", len(after), len(before))
		}
	})
}

func TestService_Audit_Isolation(t *testing.T) {
	t.Parallel()
	env := hostingtest.New(t)
	alice := env.MustCustomer(t, "alice")
	bob := env.MustCustomer(t, "bob")
	env.MustSite(t, "alice", "a.example")
	env.MustSite(t, "bob", "b.example")
	env.MustAccount(t, "a.example", "aliceweb", "")
	env.MustAccount(t, "b.example", "bobweb", "")
	list, err := env.Service.AuditEvents(as(env, "bob"), hosting.AuditFilter{})
	wantCode(t, err, "")
	if len(list) == 0 {
		t.Fatal("bob sees no events about his own objects")
	}
	for _, ev := range list {
		if ev.CustomerID != bob.ID || strings.Contains(ev.ObjectName, "alice") || strings.Contains(ev.ObjectName, "a.example") {
			t.Fatalf("bob sees %+v", ev)
		}
	}
	list, err = env.Service.AuditEvents(as(env, "bob"), hosting.AuditFilter{CustomerID: &alice.ID})
	wantCode(t, err, "")
	if len(list) != 0 {
		t.Fatalf("bob sees %d events of another customer, want 0", len(list))
	}
}

func TestService_Bans(t *testing.T) {
	t.Parallel()
	env := hostingtest.New(t)
	env.MustCustomer(t, "alice")
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Second)
	wantCode(t, env.Service.Ban(ctx, &hosting.Ban{Addr: "192.0.2.66", Until: now.Add(time.Hour), Strikes: 1, Reason: "5 failed logins", Node: "n1", CreatedAt: now}), "")
	wantCode(t, env.Service.Ban(ctx, &hosting.Ban{Addr: "192.0.2.67", Until: now.Add(-time.Hour), Strikes: 2, Reason: "old", Node: "n1", CreatedAt: now}), "")
	b, err := env.Service.BanOf(ctx, "192.0.2.67")
	wantCode(t, err, "")
	if b.Strikes != 2 {
		t.Fatalf("expired ban = %+v, want it kept with its strikes", b)
	}
	_, err = env.Service.BanOf(ctx, "192.0.2.99")
	wantCode(t, err, hosting.CodeNotFound)
	list, err := env.Service.Bans(admin(env))
	wantCode(t, err, "")
	if len(list) != 1 || list[0].Addr != "192.0.2.66" {
		t.Fatalf("Bans = %v, want only the active one", list)
	}
	_, err = env.Service.Bans(as(env, "alice"))
	wantCode(t, err, hosting.CodeForbidden)
	wantCode(t, env.Service.DeleteBan(admin(env), "192.0.2.66"), "")
	wantCode(t, env.Service.DeleteBan(admin(env), "192.0.2.66"), hosting.CodeNotFound)
	events, err := env.Service.AuditEvents(admin(env), hosting.AuditFilter{ObjectType: "ban"})
	wantCode(t, err, "")
	var actions []string
	for _, ev := range events {
		actions = append(actions, ev.Action)
	}
	if got, want := strings.Join(actions, ","), "ban.delete,ban.create,ban.create"; got != want {
		t.Fatalf("ban events = %s, want %s", got, want)
	}
}

func TestService_KV(t *testing.T) {
	t.Parallel()
	env := hostingtest.New(t)
	ctx := context.Background()
	wantCode(t, env.Service.PutKV(ctx, "idem", "k1", []byte("v1"), time.Hour), "")
	wantCode(t, env.Service.PutKV(ctx, "idem", "gone", []byte("v"), -time.Second), "")
	v, err := env.Service.KV(ctx, "idem", "k1")
	wantCode(t, err, "")
	if string(v) != "v1" {
		t.Fatalf("KV = %q, want v1", v)
	}
	_, err = env.Service.KV(ctx, "idem", "gone")
	wantCode(t, err, hosting.CodeNotFound)
	_, err = env.Service.KV(ctx, "other", "k1")
	wantCode(t, err, hosting.CodeNotFound)
	wantCode(t, env.Service.DeleteKV(ctx, "idem", "k1"), "")
	_, err = env.Service.KV(ctx, "idem", "k1")
	wantCode(t, err, hosting.CodeNotFound)
}

func TestService_RecordUsage(t *testing.T) {
	t.Parallel()
	env := hostingtest.New(t)
	env.MustCustomer(t, "alice")
	env.MustSite(t, "alice", "a.example")
	a := env.MustAccount(t, "a.example", "web", "")
	wantCode(t, env.Service.RecordUsage(context.Background(), a.ID, 12345), "")
	got, err := env.Service.Account(admin(env), "web")
	wantCode(t, err, "")
	if got.UsedBytes != 12345 {
		t.Fatalf("UsedBytes = %d, want 12345", got.UsedBytes)
	}
	wantCode(t, env.Service.RecordUsage(context.Background(), 99999, 1), hosting.CodeNotFound)
}

func TestService_ClearNodeSessions(t *testing.T) {
	t.Parallel()
	env := hostingtest.New(t)
	env.MustCustomer(t, "alice")
	env.MustSite(t, "alice", "a.example")
	a := env.MustAccount(t, "a.example", "web", "")
	putSession(t, env, "n1-1", a)
	now := time.Now().UTC()
	wantCode(t, env.Service.PutSession(context.Background(), &hosting.Session{ID: "n2-1", Node: "n2", Protocol: "ftp",
		AccountID: a.ID, Login: a.Login, SiteID: a.SiteID, CustomerID: a.CustomerID, StartedAt: now, UpdatedAt: now}), "")
	wantCode(t, env.Service.ClearNodeSessions(context.Background(), "n1"), "")
	list, err := env.Service.Sessions(admin(env), hosting.SessionFilter{})
	wantCode(t, err, "")
	if len(list) != 1 || list[0].ID != "n2-1" {
		t.Fatalf("sessions = %v, want only n2-1", list)
	}
}

func TestService_AuditOnly(t *testing.T) {
	t.Parallel()
	env := hostingtest.New(t)
	ctx := hosting.WithActor(context.Background(), hosting.Actor{Kind: hosting.ActorSystem, Login: "web", Via: hosting.ViaWeb, RemoteAddr: "192.0.2.3"})
	wantCode(t, env.Service.Audit(ctx, "panel.login_failed", "customer", "mallory", "wrong password"), "")
	list, err := env.Service.AuditEvents(admin(env), hosting.AuditFilter{Action: "panel.login_failed"})
	wantCode(t, err, "")
	if len(list) != 1 || list[0].ObjectName != "mallory" || list[0].RemoteAddr != "192.0.2.3" || list[0].Via != hosting.ViaWeb {
		t.Fatalf("events = %+v", list)
	}
}

package storecopy_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"ftpanel/internal/hosting"
	"ftpanel/internal/store/postgres"
	"ftpanel/internal/store/postgres/pgtest"
	"ftpanel/internal/store/sqlite"
	"ftpanel/internal/store/storecopy"
)

var (
	_ storecopy.Store = (*sqlite.DB)(nil)
	_ storecopy.Store = (*postgres.DB)(nil)
)

func mustSQLite(tb testing.TB) *sqlite.DB {
	tb.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "ftpanel.db"))
	if err != nil {
		tb.Fatalf("sqlite.Open: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

func mustPostgres(tb testing.TB) *postgres.DB {
	tb.Helper()
	dsn := pgtest.NewDatabase(tb).NewSchema(tb, 4)
	db, err := postgres.Open(context.Background(), dsn)
	if err != nil {
		tb.Fatalf("postgres.Open: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

// ns is a time with nanoseconds, which no store keeps (both keep
// microseconds).
func ns(sec int) time.Time { return time.Date(2025, 3, 4, 5, 6, sec, 123456789, time.UTC) }

func ev(action, name string, customer int64) *hosting.AuditEvent {
	return &hosting.AuditEvent{Time: ns(1), ActorKind: hosting.ActorAdmin, Actor: "root", CustomerID: customer,
		Via: hosting.ViaCLI, RemoteAddr: "127.0.0.1", Action: action, ObjectType: strings.Split(action, ".")[0],
		ObjectName: name, Detail: "detail of " + action}
}

// fill gives st one of everything, with gaps in the IDs (deleted rows),
// NULLs and non-NULLs, and live rows that a copy must leave behind.
func fill(tb testing.TB, st hosting.Store) {
	tb.Helper()
	ctx := context.Background()
	var admins []*hosting.Admin
	for _, login := range []string{"root", "gone", "ops"} {
		a := &hosting.Admin{Login: login, PasswordHash: "$argon2id$" + login, CreatedAt: ns(2)}
		must(tb, st.CreateAdmin(ctx, a, ev("admin.create", login, 0)))
		admins = append(admins, a)
	}
	must(tb, st.DeleteAdmin(ctx, admins[1].ID, ev("admin.delete", "gone", 0)))

	customer := func(login string, limit int) *hosting.Customer {
		c := &hosting.Customer{Login: login, Name: "Name " + login, Email: login + "@example.com",
			PasswordHash: "$2y$" + login, Status: hosting.StatusActive, MaxFTPAccounts: limit, CreatedAt: ns(3), UpdatedAt: ns(4)}
		must(tb, st.CreateCustomer(ctx, c, ev("customer.create", login, 0)))
		return c
	}
	bob, tmp, eve := customer("bob", 10), customer("tmp", -1), customer("eve", -1)
	must(tb, st.DeleteCustomer(ctx, tmp.ID, ev("customer.delete", "tmp", tmp.ID)))
	eve.Status = hosting.StatusSuspended
	must(tb, st.UpdateCustomer(ctx, eve, ev("customer.suspend", "eve", eve.ID)))

	site := func(c *hosting.Customer, name, main string) *hosting.Site {
		s := &hosting.Site{Name: name, CustomerID: c.ID, Root: "/srv/" + name, IP: "192.0.2.1", UID: 1001, GID: 1002,
			Status: hosting.StatusActive, MaxFTPAccounts: 5, DefaultQuota: 1 << 30, CreatedAt: ns(5), UpdatedAt: ns(5)}
		m := &hosting.Account{Login: main, Home: "/", PasswordHash: "$argon2id$" + main, QuotaBytes: -1,
			Read: true, Write: true, Status: hosting.StatusActive, CreatedAt: ns(5), UpdatedAt: ns(5)}
		must(tb, st.CreateSite(ctx, s, m, ev("site.create", name, c.ID)))
		return s
	}
	b1, b2, e1 := site(bob, "bob.example", "bobmain"), site(bob, "gone.example", "gonemain"), site(eve, "eve.example", "evemain")
	must(tb, st.DeleteSite(ctx, b2.ID, ev("site.delete", "gone.example", bob.ID)))
	e1.Status, e1.UID, e1.GID = hosting.StatusSuspended, -1, -1
	must(tb, st.UpdateSite(ctx, e1, ev("site.suspend", "eve.example", eve.ID)))

	exp := ns(50)
	accts := []*hosting.Account{
		{Login: "web1", SiteID: b1.ID, Home: "/httpdocs", PasswordHash: "$6$salt$hash", QuotaBytes: 5 << 20,
			Read: true, Write: false, Status: hosting.StatusActive, ExpiresAt: &exp,
			AllowedIPs: []string{"192.0.2.0/24", "2001:db8::1"}, CreatedAt: ns(6), UpdatedAt: ns(6)},
		{Login: "web2", SiteID: b1.ID, Home: "/", PasswordHash: "$argon2id$web2", QuotaBytes: -1,
			Read: true, Write: true, Status: hosting.StatusActive, CreatedAt: ns(7), UpdatedAt: ns(7)},
		{Login: "eve_x", SiteID: e1.ID, Home: "/logs", PasswordHash: "$1$md5", QuotaBytes: 0,
			Read: false, Write: true, Status: hosting.StatusSuspended, CreatedAt: ns(8), UpdatedAt: ns(8)},
	}
	for _, a := range accts {
		must(tb, st.CreateAccount(ctx, a, ev("account.create", a.Login, bob.ID)))
	}
	must(tb, st.DeleteAccount(ctx, accts[1].ID, ev("account.delete", "web2", bob.ID)))
	must(tb, st.RecordLogin(ctx, accts[0].ID, ns(9), "$6$salt$hash", "$argon2id$upgraded"))
	must(tb, st.SetUsedBytes(ctx, accts[0].ID, 4242))
	must(tb, st.SetLastLoginAddr(ctx, accts[0].ID, "203.0.113.4"))
	// Two-factor sign-in of an admin and a customer (issue 12).
	for _, tf := range []*hosting.TwoFactor{{Kind: hosting.ActorAdmin, ID: admins[0].ID}, {Kind: hosting.ActorCustomer, ID: bob.ID}} {
		on := *tf
		on.Secret, on.Recovery, on.LastStep = "JBSWY3DPEHPK3PXP", []string{"h1", "h2"}, 58000123
		must(tb, st.UpdateTwoFactor(ctx, &on, tf, ev("2fa.enable", "x", 0)))
	}
	accts[2].Home = "/logs/old"
	must(tb, st.UpdateAccount(ctx, accts[2], ev("account.update", "eve_x", eve.ID)))

	toks := []*hosting.Token{
		{Kind: hosting.TokenAPI, Key: "ftpk_admin", SecretHash: "sha256:aa", Admin: true, Description: "ci", CreatedAt: ns(10)},
		{Kind: hosting.TokenHestia, Key: "HESTIAKEY", SecretHash: "sha256:bb", CustomerID: bob.ID, CreatedAt: ns(11)},
	}
	for _, t := range toks {
		must(tb, st.CreateToken(ctx, t, ev("token.create", t.Key, t.CustomerID)))
	}
	must(tb, st.TouchToken(ctx, toks[0].ID, ns(12)))

	// SSH keys (issue 13): one on a live account, one whose account is deleted with it.
	for i, a := range []*hosting.Account{accts[0], accts[2]} {
		k := &hosting.SSHKey{AccountID: a.ID, Type: "ssh-ed25519", PublicKey: fmt.Sprintf("ssh-ed25519 AAAAkey%d", i),
			Fingerprint: fmt.Sprintf("SHA256:key%d", i), Comment: "laptop", CreatedAt: ns(12)}
		must(tb, st.CreateSSHKey(ctx, k, ev("sshkey.add", a.Login, a.CustomerID)))
	}

	must(tb, st.PutBan(ctx, &hosting.Ban{Addr: "198.51.100.7", Until: ns(59), Strikes: 3, Reason: "failed logins", Node: "n1", CreatedAt: ns(13)}))
	must(tb, st.PutBan(ctx, &hosting.Ban{Addr: "2001:db8::9", Until: ns(14), Strikes: 1, Node: "n2", CreatedAt: ns(13)}))
	must(tb, st.AppendAudit(ctx, ev("panel.login_failed", "mallory", 0)))

	// Live state, not copied.
	must(tb, st.PutSession(ctx, &hosting.Session{ID: "n1-1", Node: "n1", Protocol: "ftp", AccountID: accts[0].ID,
		Login: "web1", SiteID: b1.ID, SiteName: b1.Name, CustomerID: bob.ID, RemoteAddr: "192.0.2.9:5000",
		StartedAt: ns(15), UpdatedAt: ns(15)}))
	must(tb, st.PutKV(ctx, "web", "session", []byte("x"), time.Now().Add(time.Hour)))
}

// dump returns every copied row of st by table.
func dump(tb testing.TB, st storecopy.Store) map[string][]map[string]any {
	tb.Helper()
	out := map[string][]map[string]any{}
	err := st.DumpRows(context.Background(), st.CopyTables(), func(table string, row map[string]any) error {
		out[table] = append(out[table], row)
		return nil
	})
	if err != nil {
		tb.Fatalf("DumpRows: %v", err)
	}
	return out
}

// truncated returns rows with every time truncated to the microsecond.
func truncated(rows map[string][]map[string]any) map[string][]map[string]any {
	out := map[string][]map[string]any{}
	for table, list := range rows {
		for _, r := range list {
			c := map[string]any{}
			for k, v := range r {
				if t, ok := v.(time.Time); ok {
					v = t.Truncate(time.Microsecond)
				}
				c[k] = v
			}
			out[table] = append(out[table], c)
		}
	}
	return out
}

// wantSameRows compares two dumps row by row.
func wantSameRows(t *testing.T, got, want map[string][]map[string]any) {
	t.Helper()
	for table, wrows := range want {
		grows := got[table]
		if len(grows) != len(wrows) {
			t.Errorf("%s: %d rows, want %d", table, len(grows), len(wrows))
			continue
		}
		for i := range wrows {
			if !reflect.DeepEqual(grows[i], wrows[i]) {
				t.Errorf("%s row %d:\n got %#v\nwant %#v", table, i, grows[i], wrows[i])
			}
		}
	}
	for table := range got {
		if _, ok := want[table]; !ok {
			t.Errorf("unexpected table %s", table)
		}
	}
}

func mustCopy(t *testing.T, dst, src storecopy.Store) {
	t.Helper()
	var calls [][2]int
	err := storecopy.Copy(context.Background(), dst, src, func(done, total int) { calls = append(calls, [2]int{done, total}) })
	if err != nil {
		t.Fatalf("Copy: %v", err)
	}
	if len(calls) == 0 {
		t.Fatal("progress never called")
	}
	for i := 1; i < len(calls); i++ {
		if calls[i][0] < calls[i-1][0] {
			t.Errorf("progress went back: %v", calls)
		}
	}
	if last := calls[len(calls)-1]; last[0] != last[1] || last[0] == 0 {
		t.Errorf("last progress %v, want done == total > 0", last)
	}
}

// wantNextIDsAfter checks that a store filled by a copy gives a new
// object an ID after the copied ones.
func wantNextIDsAfter(t *testing.T, st hosting.Store, rows map[string][]map[string]any) {
	t.Helper()
	ctx := context.Background()
	maxID := func(table string) int64 {
		var m int64
		for _, r := range rows[table] {
			m = max(m, r["id"].(int64))
		}
		return m
	}
	b1, err := st.SiteByName(ctx, "bob.example")
	must(t, err)
	a := &hosting.Account{Login: "fresh", SiteID: b1.ID, Home: "/", PasswordHash: "h", QuotaBytes: -1,
		Status: hosting.StatusActive}
	must(t, st.CreateAccount(ctx, a, ev("account.create", "fresh", b1.CustomerID)))
	if want := maxID("ftp_accounts"); a.ID <= want {
		t.Errorf("new account ID %d, want > %d", a.ID, want)
	}
	c := &hosting.Customer{Login: "fresh", PasswordHash: "h", Status: hosting.StatusActive, MaxFTPAccounts: -1}
	must(t, st.CreateCustomer(ctx, c, nil))
	if want := maxID("customers"); c.ID <= want {
		t.Errorf("new customer ID %d, want > %d", c.ID, want)
	}
}

func TestCopy_SQLiteToSQLite(t *testing.T) {
	src, dst := mustSQLite(t), mustSQLite(t)
	fill(t, src)
	mustCopy(t, dst, src)
	want := dump(t, src)
	wantSameRows(t, dump(t, dst), want)
	// Through the model too: an account reads the same.
	ctx := context.Background()
	a, err := src.AccountByLogin(ctx, "web1")
	must(t, err)
	b, err := dst.AccountByLogin(ctx, "web1")
	must(t, err)
	if !reflect.DeepEqual(a, b) {
		t.Errorf("AccountByLogin after copy:\n got %+v\nwant %+v", b, a)
	}
	// Live state stays behind.
	if list, err := dst.Sessions(ctx, hosting.SessionFilter{}); err != nil || len(list) != 0 {
		t.Errorf("sessions copied: %v, %v", list, err)
	}
	if _, err := dst.KV(ctx, "web", "session"); hosting.ErrorCode(err) != hosting.CodeNotFound {
		t.Errorf("KV copied: %v", err)
	}
	wantNextIDsAfter(t, dst, want)
}

// TestCopy_RoundTrip moves a SQLite store into PostgreSQL and back: every
// row arrives, with its IDs, hashes and times; both stores keep times to
// the microsecond (the fixture's nanoseconds are dropped on the first
// write), so both legs are exact.
func TestCopy_RoundTrip(t *testing.T) {
	first, pg, back := mustSQLite(t), mustPostgres(t), mustSQLite(t)
	fill(t, first)
	want := dump(t, first)
	if !reflect.DeepEqual(want, truncated(want)) {
		t.Fatal("SQLite kept a time with nanoseconds: both stores keep microseconds")
	}
	mustCopy(t, pg, first)
	inPG := dump(t, pg)
	wantSameRows(t, inPG, want)
	mustCopy(t, back, pg)
	wantSameRows(t, dump(t, back), inPG)
	wantSameRows(t, dump(t, back), want)
	for _, table := range first.CopyTables() {
		if len(want[table]) == 0 {
			t.Errorf("the fixture has no row in %s: the round trip does not test it", table)
		}
	}
	// The model reads the same from PostgreSQL.
	ctx := context.Background()
	a, err := first.AccountByLogin(ctx, "web1")
	must(t, err)
	b, err := pg.AccountByLogin(ctx, "web1")
	must(t, err)
	if !reflect.DeepEqual(a, b) {
		t.Errorf("AccountByLogin in PostgreSQL:\n got %+v\nwant %+v", b, a)
	}
	wantNextIDsAfter(t, pg, inPG)
	wantNextIDsAfter(t, back, inPG)
}

func TestCopy_ErrNotEmpty(t *testing.T) {
	src, dst := mustSQLite(t), mustSQLite(t)
	fill(t, src)
	ctx := context.Background()
	must(t, dst.PutBan(ctx, &hosting.Ban{Addr: "192.0.2.1", Until: ns(1), CreatedAt: ns(1)}))
	err := storecopy.Copy(ctx, dst, src, nil)
	if err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("Copy into a store with a ban: %v, want not empty", err)
	}
	if n, _ := dst.CountRows(ctx, "customers"); n != 0 {
		t.Errorf("refused copy wrote %d customers", n)
	}
}

// failingSource is a real store whose dump fails after some rows, or
// hands out rows changed by edit.
type failingSource struct {
	*sqlite.DB
	after int
	edit  func(table string, row map[string]any)
}

func (f *failingSource) DumpRows(ctx context.Context, tables []string, fn func(string, map[string]any) error) error {
	n := 0
	return f.DB.DumpRows(ctx, tables, func(table string, row map[string]any) error {
		if n++; f.after > 0 && n > f.after {
			return errors.New("disk on fire")
		}
		if f.edit != nil {
			f.edit(table, row)
		}
		return fn(table, row)
	})
}

// TestCopy_Atomic: a copy that fails leaves the destination empty, and a
// row that does not fit the destination's columns fails the copy.
func TestCopy_Atomic(t *testing.T) {
	src := mustSQLite(t)
	fill(t, src)
	tests := []struct {
		name string
		src  *failingSource
		want string
	}{
		{"SourceFails", &failingSource{DB: src, after: 7}, "disk on fire"},
		{"ExtraColumn", &failingSource{DB: src, edit: func(table string, row map[string]any) {
			if table == "sites" {
				row["php_version"] = "8.3"
			}
		}}, "columns"},
		{"MissingColumn", &failingSource{DB: src, edit: func(table string, row map[string]any) {
			if table == "ftp_accounts" {
				delete(row, "used_bytes")
			}
		}}, "columns"},
		{"WrongType", &failingSource{DB: src, edit: func(table string, row map[string]any) {
			if table == "tokens" {
				row["created_at"] = "yesterday"
			}
		}}, "tokens.created_at"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			for name, dst := range map[string]storecopy.Store{"SQLite": mustSQLite(t), "PostgreSQL": pgOrNil(t)} {
				if dst == nil {
					continue
				}
				err := storecopy.Copy(ctx, dst, tc.src, nil)
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("%s: Copy = %v, want an error with %q", name, err, tc.want)
				}
				for _, table := range dst.CopyTables() {
					if n, err := dst.CountRows(ctx, table); err != nil || n != 0 {
						t.Errorf("%s: after a failed copy %s has %d rows (%v), want 0", name, table, n, err)
					}
				}
			}
		})
	}
}

// pgOrNil returns a PostgreSQL store when the test server is set, else nil.
func pgOrNil(t *testing.T) storecopy.Store {
	t.Helper()
	if os.Getenv(pgtest.EnvDSN) == "" {
		return nil
	}
	return mustPostgres(t)
}

package sqlite

import (
	"context"
	"database/sql"
	"io/fs"
	"path/filepath"
	"testing"
	"time"
)

// TestMigration0002 opens a database written by a release that stored
// unix nanoseconds (only migration 0001 applied) and checks that 0002
// converts every time in place, exactly, before and after 1970.
func TestMigration0002(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	body, err := fs.ReadFile(migrationFS, "migrations/0001_init.sql")
	if err != nil {
		t.Fatal(err)
	}
	applied := time.Now().Add(-time.Hour).Truncate(time.Microsecond)
	past := time.Date(1900, 2, 3, 4, 5, 6, 7000, time.UTC)
	created := time.Date(2025, 3, 4, 5, 6, 7, 123456000, time.UTC)
	login := time.Date(2026, 1, 2, 3, 4, 5, 999999000, time.UTC)
	n := func(t time.Time) int64 { return t.UnixNano() }
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`, nil},
		{string(body), nil},
		{`INSERT INTO schema_migrations VALUES (1, '0001_init.sql', ?)`, []any{n(applied)}},
		{`INSERT INTO admins (login, password_hash, created_at) VALUES ('root', 'h', ?)`, []any{n(created)}},
		{`INSERT INTO customers (login, password_hash, status, max_ftp_accounts, created_at, updated_at)
			VALUES ('bob', 'h', 'active', -1, ?, ?)`, []any{n(created), n(login)}},
		{`INSERT INTO sites (name, customer_id, root, status, max_ftp_accounts, default_quota, created_at, updated_at)
			VALUES ('bob.example', 1, '/srv/bob', 'active', -1, -1, ?, ?)`, []any{n(created), n(created)}},
		{`INSERT INTO ftp_accounts (login, site_id, customer_id, home, password_hash, quota_bytes, can_read, can_write,
			status, main, expires_at, created_at, updated_at, last_login_at)
			VALUES ('web1', 1, 1, '/', 'h', -1, 1, 1, 'active', 0, ?, ?, ?, ?)`, []any{n(past), n(created), n(created), n(login)}},
		{`INSERT INTO bans (addr, until, strikes, created_at) VALUES ('192.0.2.1', ?, 1, ?)`, []any{n(login), n(created)}},
	} {
		if _, err := raw.ExecContext(ctx, q.sql, q.args...); err != nil {
			t.Fatalf("%.60s: %v", q.sql, err)
		}
	}
	if err := raw.Close(); err != nil {
		t.Fatal(err)
	}

	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	a, err := db.AccountByLogin(ctx, "web1")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name      string
		got, want time.Time
	}{
		{"expires_at (1900)", *a.ExpiresAt, past},
		{"created_at", a.CreatedAt, created},
		{"last_login_at", *a.LastLoginAt, login},
	} {
		if !c.got.Equal(c.want) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	c, err := db.CustomerByLogin(ctx, "bob")
	if err != nil || !c.UpdatedAt.Equal(login) || !c.CreatedAt.Equal(created) {
		t.Errorf("customer = %+v, %v", c, err)
	}
	b, err := db.BanByAddr(ctx, "192.0.2.1")
	if err != nil || !b.Until.Equal(login) || !b.CreatedAt.Equal(created) {
		t.Errorf("ban = %+v, %v", b, err)
	}
	list, err := db.Migrations(ctx)
	if err != nil || len(list) < 2 || list[0].AppliedAt == nil || !list[0].AppliedAt.Equal(applied) ||
		list[1].Name != "0002_security.sql" || list[1].AppliedAt == nil || time.Since(*list[1].AppliedAt) > time.Minute {
		t.Errorf("migrations = %+v, %v", list, err)
	}
	// New writes use microseconds: 9999-12-31 comes back.
	never := time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC)
	a.ExpiresAt = &never
	if err := db.UpdateAccount(ctx, a, nil); err != nil {
		t.Fatal(err)
	}
	if a, err = db.AccountByLogin(ctx, "web1"); err != nil || !a.ExpiresAt.Equal(never) {
		t.Errorf("expires_at 9999 = %v, %v", a.ExpiresAt, err)
	}
}

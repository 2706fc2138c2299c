// Package sqlite is the embedded hosting.Store: one SQLite file in the data
// folder, opened with the pure-Go driver modernc.org/sqlite.
//
// Writes go through a single connection whose transactions begin with
// BEGIN IMMEDIATE, so that each Store method that checks and then changes
// (count accounts, compare with the limit, insert) holds the database's
// write lock from its first read: the check cannot go stale under
// concurrent requests, in this process or in another one (the CLI) on the
// same file. Reads use a separate pool of read-only connections, which WAL
// lets run beside the writer.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"ftpanel/internal/hosting"

	sqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// DB is a hosting.Store on one SQLite database file.
type DB struct {
	path string
	w    *sql.DB // one connection: every write transaction
	r    *sql.DB // read-only pool
	ws   *stmts  // prepared statements of w
	rs   *stmts  // prepared statements of r
}

var _ hosting.Store = (*DB)(nil)

// pragmas are set on every connection, writer and readers alike.
//
//   - busy_timeout(10000): another process (the CLI next to a running
//     server) may hold the write lock; wait up to 10 s for it instead of
//     failing at once with SQLITE_BUSY.
//   - foreign_keys(1): SQLite leaves foreign keys off by default; the
//     schema relies on them (accounts are removed with their site, a
//     customer with sites cannot be removed).
//   - synchronous(FULL): in WAL mode NORMAL already survives a crash of
//     the process (kill -9), since a commit has been written to the WAL
//     file before it returns, but it may lose the last commits on power
//     loss or an OS crash. FULL syncs the WAL on every commit, so nothing
//     acknowledged is lost then either (DESIGN §7). Changes here are
//     account administration, not traffic: one fsync per change is cheap.
var pragmas = []string{"busy_timeout(10000)", "foreign_keys(1)", "synchronous(FULL)"}

// Open opens (creating it when missing) the database file at path and
// applies the migrations it has not seen yet.
func Open(ctx context.Context, path string) (*DB, error) {
	if path == "" || strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("sqlite: open: invalid database path %q", path)
	}
	q := url.Values{}
	for _, p := range pragmas {
		q.Add("_pragma", p)
	}
	// journal_mode(WAL): readers do not block the writer nor the writer
	// readers, and a commit is one append to the WAL. The mode is stored in
	// the file, so setting it on the writer is enough.
	wq := url.Values{"_pragma": append([]string{"journal_mode(WAL)"}, q["_pragma"]...)}
	// _txlock=immediate: BEGIN IMMEDIATE takes the write lock up front,
	// which makes check-then-insert atomic and avoids the deadlock-prone
	// upgrade of a read transaction to a write one (SQLITE_BUSY at commit).
	wq.Set("_txlock", "immediate")
	w, err := sql.Open("sqlite", path+"?"+wq.Encode())
	if err != nil {
		return nil, fmt.Errorf("sqlite: open: %w", err)
	}
	// One writer connection: SQLite has one write lock anyway; queuing in
	// database/sql is cheaper than spinning on SQLITE_BUSY.
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	db := &DB{path: path, w: w, ws: newStmts(w)}
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	if err := db.migrate(ctx); err != nil {
		w.Close()
		return nil, err
	}
	// query_only(1): the read pool can never write, so a write that slipped
	// onto it would fail instead of bypassing BEGIN IMMEDIATE.
	rq := url.Values{"_pragma": append(q["_pragma"], "query_only(1)")}
	r, err := sql.Open("sqlite", path+"?"+rq.Encode())
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite: open: %w", err)
	}
	n := max(4, runtime.GOMAXPROCS(0))
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	r.SetConnMaxLifetime(0)
	r.SetConnMaxIdleTime(0)
	db.r, db.rs = r, newStmts(r)
	if err := r.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	return db, nil
}

// Path returns the database file's path.
func (db *DB) Path() string { return db.path }

// Close closes every connection. The WAL is checkpointed into the main
// file by SQLite when the last connection closes.
func (db *DB) Close() error {
	var errR error
	if db.r != nil {
		db.rs.close()
		errR = db.r.Close()
	}
	db.ws.close()
	if _, err := db.w.Exec("PRAGMA optimize"); err != nil {
		errR = errors.Join(errR, fmt.Errorf("sqlite: optimize: %w", err))
	}
	if err := db.w.Close(); err != nil {
		errR = errors.Join(errR, err)
	}
	if errR != nil {
		return fmt.Errorf("sqlite: close: %w", errR)
	}
	return nil
}

// IntegrityCheck runs PRAGMA integrity_check and returns an error unless
// SQLite answers "ok".
func (db *DB) IntegrityCheck(ctx context.Context) error {
	rows, err := db.rs.QueryContext(ctx, "PRAGMA integrity_check")
	if err != nil {
		return fmt.Errorf("sqlite: integrity check: %w", err)
	}
	defer rows.Close()
	var msgs []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return fmt.Errorf("sqlite: integrity check: %w", err)
		}
		msgs = append(msgs, s)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlite: integrity check: %w", err)
	}
	if len(msgs) != 1 || msgs[0] != "ok" {
		return fmt.Errorf("sqlite: integrity check: %s", strings.Join(msgs, "; "))
	}
	return nil
}

// migrate applies the embedded migrations that schema_migrations does not
// list, in order, each in its own transaction.
func (db *DB) migrate(ctx context.Context) error {
	if _, err := db.w.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT    NOT NULL,
		applied_at INTEGER NOT NULL
	)`); err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	sort.Strings(names)
	for _, name := range names {
		base := strings.TrimPrefix(name, "migrations/")
		num, _, ok := strings.Cut(base, "_")
		version, err := strconv.Atoi(num)
		if !ok || err != nil {
			return fmt.Errorf("sqlite: migrate: file %s is not named NNNN_name.sql", base)
		}
		if err := db.migrateFile(ctx, name, base, version); err != nil {
			return err
		}
	}
	return nil
}

func (db *DB) migrateFile(ctx context.Context, name, base string, version int) error {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: migrate %s: %w", base, err)
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM schema_migrations WHERE version = ?", version).Scan(&n); err != nil {
		return fmt.Errorf("sqlite: migrate %s: %w", base, err)
	}
	if n > 0 {
		return nil
	}
	body, err := fs.ReadFile(migrationFS, name)
	if err != nil {
		return fmt.Errorf("sqlite: migrate %s: %w", base, err)
	}
	if _, err := tx.ExecContext(ctx, string(body)); err != nil {
		return fmt.Errorf("sqlite: migrate %s: %w", base, err)
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
		version, base, time.Now().UnixNano()); err != nil {
		return fmt.Errorf("sqlite: migrate %s: %w", base, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: migrate %s: %w", base, err)
	}
	return nil
}

// write runs fn in one write transaction (BEGIN IMMEDIATE) and commits it
// when fn returns nil. Errors of fn come back unchanged; driver errors are
// wrapped with op.
func (db *DB) write(ctx context.Context, op string, fn func(tx *wtx) error) error {
	err := db.writeTx(ctx, op, fn)
	// Statements first seen in the transaction are prepared now that the
	// writer's connection is free again.
	db.ws.preparePending(ctx)
	return err
}

func (db *DB) writeTx(ctx context.Context, op string, fn func(tx *wtx) error) error {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: %s: begin: %w", op, err)
	}
	defer tx.Rollback()
	if err := fn(&wtx{tx: tx, c: db.ws}); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: %s: commit: %w", op, err)
	}
	return nil
}

// code returns the extended SQLite result code of err, or 0.
func code(err error) int {
	var e *sqlite.Error
	if errors.As(err, &e) {
		return e.Code()
	}
	return 0
}

func isUnique(err error) bool {
	c := code(err)
	return c == sqlite3.SQLITE_CONSTRAINT_UNIQUE || c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}

func isForeignKey(err error) bool { return code(err) == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY }

// wrap wraps a driver error with the operation.
func wrap(op string, err error) error { return fmt.Errorf("sqlite: %s: %w", op, err) }

// insertAudit writes ev within tx, filling its ID, a zero Time and a zero
// ObjectID (objectID: the object just created). A nil ev writes nothing.
func insertAudit(ctx context.Context, tx *wtx, ev *hosting.AuditEvent, objectID int64) error {
	if ev == nil {
		return nil
	}
	ev.Time = stamp(ev.Time)
	if ev.ObjectID == 0 {
		ev.ObjectID = objectID
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO audit_events
		(time, actor_kind, actor, customer_id, via, remote_addr, action, object_type, object_id, object_name, detail)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		toNanos(ev.Time), string(ev.ActorKind), ev.Actor, ev.CustomerID, string(ev.Via), ev.RemoteAddr,
		ev.Action, ev.ObjectType, ev.ObjectID, ev.ObjectName, ev.Detail)
	if err != nil {
		return wrap("audit", err)
	}
	if ev.ID, err = res.LastInsertId(); err != nil {
		return wrap("audit", err)
	}
	return nil
}

// affected returns notFound when res changed no row.
func affected(res sql.Result, op string, notFound error) error {
	n, err := res.RowsAffected()
	if err != nil {
		return wrap(op, err)
	}
	if n == 0 {
		return notFound
	}
	return nil
}

// Times are stored as INTEGER unix microseconds, UTC (migration 0002;
// 0001 stored nanoseconds, which an int64 holds only for 1678–2262): every
// time the model holds is to the microsecond, and microseconds cover years
// 0001–9999 and far beyond. The helpers keep their historical names.
// schema_migrations.applied_at alone stays in nanoseconds (it is always
// the current time, and 0002 must not convert the row it adds itself).

func toNanos(t time.Time) int64 { return t.UnixMicro() }

func fromNanos(n int64) time.Time { return time.UnixMicro(n).UTC() }

func nullNanos(t *time.Time) sql.NullInt64 {
	if t == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixMicro(), Valid: true}
}

func ptrNanos(n sql.NullInt64) *time.Time {
	if !n.Valid {
		return nil
	}
	t := fromNanos(n.Int64)
	return &t
}

// stamp returns t in UTC, or now when t is zero, to the microsecond: what
// PostgreSQL keeps too, so that copies between the stores are exact.
func stamp(t time.Time) time.Time {
	if t.IsZero() {
		t = time.Now()
	}
	return t.UTC().Truncate(time.Microsecond)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// likeEscape escapes s for LIKE ... ESCAPE '\'.
func likeEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(s) + "%"
}

// where collects the conditions and arguments of a filtered query.
type where struct {
	conds []string
	args  []any
}

func (w *where) add(cond string, args ...any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
}

func (w *where) String() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// limitOffset returns the LIMIT/OFFSET clause (limit 0 = none) and its
// arguments; they are parameters so that one prepared statement serves
// every page.
func limitOffset(w *where, limit, offset int) string {
	if limit <= 0 {
		limit = -1
	}
	w.args = append(w.args, limit, max(offset, 0))
	return " LIMIT ? OFFSET ?"
}

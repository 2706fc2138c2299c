// Package postgres is the hosting.Store for several ftpanel nodes sharing
// one PostgreSQL database (DESIGN §6), built on github.com/jackc/pgx/v5's
// pgxpool.
//
// pgx is used directly rather than through database/sql: its native types
// map timestamptz, boolean, text[] and bytea onto Go without adapters, its
// *pgconn.PgError carries the SQLSTATE and the constraint name that errors
// are mapped by, and it prepares and caches each statement per connection
// on its own.
//
// Concurrency. Transactions run at READ COMMITTED. Every check that must
// hold at commit takes a row lock or an advisory lock first, so that it is
// atomic across connections and across nodes:
//
//   - CreateAccount locks the customer row, then the site row (FOR NO KEY
//     UPDATE, always in that order) before counting accounts against the
//     limits: concurrent creates on one site or one customer queue there;
//   - CreateAdmin and CreateCustomer take a transaction advisory lock on
//     the login before looking for it in the other table (admins and
//     customers share one panel namespace that no single constraint spans);
//   - unique and foreign-key constraints settle the rest (SQLSTATE 23505,
//     23503); deadlocks and serialization failures (40P01, 40001) are
//     retried.
//
// Cluster. Sessions, kill requests and bans live in shared tables: any
// node lists the sessions of every node, and the node holding a session
// sees its kill_requested flag at its next poll (the FTP server polls
// Service.SessionsToClose every 500 ms, within DESIGN's 2 s; no LISTEN
// connection is needed). SetUsedBytes is last writer wins.
//
// Times are timestamptz, which keeps microseconds: the store truncates
// every time it writes to the microsecond and sets the truncated value in
// the caller's struct, so that what a caller holds equals what is read back.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"ftpanel/internal/hosting"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// DB is a hosting.Store on a PostgreSQL database.
type DB struct {
	pool *pgxpool.Pool
}

var _ hosting.Store = (*DB)(nil)

// Advisory lock classes (the first key of the two-key form), so that the
// store's locks never collide with another application's in the database.
const (
	lockMigrate    = 0x66747061 // "ftpa": schema migrations, per schema
	lockPanelLogin = 0x66747062 // "ftpb": one panel login (admins + customers)
)

// Open connects to the database at dsn (a postgres:// URL or key=value
// string; pgxpool settings such as pool_max_conns are accepted) and applies
// the migrations it has not seen yet. Nodes starting at once migrate once:
// the migrations run under an advisory lock.
func Open(ctx context.Context, dsn string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		// The error quotes the DSN, whose password pgx hides only on a
		// best-effort basis: keep the cause alone.
		msg := "postgres: open: invalid DSN"
		if cause := errors.Unwrap(err); cause != nil {
			msg += ": " + cause.Error()
		}
		return nil, errors.New(msg)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	db := &DB{pool: pool}
	if err := db.migrate(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return db, nil
}

// Close closes every connection of the pool.
func (db *DB) Close() error {
	db.pool.Close()
	return nil
}

// Migration is one embedded schema migration and, when it has been
// applied, when.
type Migration struct {
	Version   int
	Name      string     // file name, e.g. "0001_init.sql"
	AppliedAt *time.Time // nil while pending
}

// migrations returns the embedded migrations in version order.
func migrations() ([]Migration, error) {
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var out []Migration
	for _, name := range names {
		base := strings.TrimPrefix(name, "migrations/")
		num, _, ok := strings.Cut(base, "_")
		version, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("file %s is not named NNNN_name.sql", base)
		}
		out = append(out, Migration{Version: version, Name: base})
	}
	return out, nil
}

// Migrations lists the embedded migrations with the time each was
// applied (all of them, after Open).
func (db *DB) Migrations(ctx context.Context) ([]Migration, error) {
	list, err := migrations()
	if err != nil {
		return nil, fmt.Errorf("postgres: migrations: %w", err)
	}
	applied := map[int]time.Time{}
	rows, err := db.pool.Query(ctx, "SELECT version, applied_at FROM schema_migrations")
	if err != nil {
		return nil, fmt.Errorf("postgres: migrations: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var v int
		var at time.Time
		if err := rows.Scan(&v, &at); err != nil {
			return nil, fmt.Errorf("postgres: migrations: %w", err)
		}
		applied[v] = at.UTC()
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: migrations: %w", err)
	}
	for i := range list {
		if at, ok := applied[list[i].Version]; ok {
			list[i].AppliedAt = &at
		}
	}
	return list, nil
}

// migrate applies the embedded migrations that schema_migrations does not
// list, in order, each in its own transaction, all under a session
// advisory lock keyed by the schema: a second node starting at the same
// time waits for the first and then finds every version applied.
func (db *DB) migrate(ctx context.Context) error {
	list, err := migrations()
	if err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1, hashtext(current_schema()))", lockMigrate); err != nil {
		return fmt.Errorf("postgres: migrate: lock: %w", err)
	}
	defer func() {
		// Unlock even when ctx is done; a failed unlock ends with the
		// connection, which is then destroyed instead of reused.
		uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if _, err := conn.Exec(uctx, "SELECT pg_advisory_unlock($1, hashtext(current_schema()))", lockMigrate); err != nil {
			conn.Conn().Close(uctx)
		}
	}()
	// Created under the lock: CREATE TABLE IF NOT EXISTS is not safe
	// against a concurrent twin.
	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    integer     PRIMARY KEY,
		name       text        NOT NULL,
		applied_at timestamptz NOT NULL
	)`); err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	for _, m := range list {
		if err := migrateFile(ctx, conn.Conn(), m); err != nil {
			return fmt.Errorf("postgres: migrate %s: %w", m.Name, err)
		}
	}
	return nil
}

func migrateFile(ctx context.Context, conn *pgx.Conn, m Migration) error {
	return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		var done bool
		if err := tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = $1)", m.Version).Scan(&done); err != nil {
			return err
		}
		if done {
			return nil
		}
		body, err := fs.ReadFile(migrationFS, "migrations/"+m.Name)
		if err != nil {
			return err
		}
		// Without arguments pgx sends the file with the simple protocol,
		// which runs several statements.
		if _, err := tx.Exec(ctx, string(body)); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
			m.Version, m.Name, time.Now().UTC())
		return err
	})
}

// maxAttempts bounds the retries of a transaction that failed with a
// deadlock or a serialization failure.
const maxAttempts = 5

// write runs fn in one transaction and commits it when fn returns nil,
// retrying the whole transaction after a deadlock or a serialization
// failure. Errors of fn come back unchanged; driver errors are wrapped
// with op.
func (db *DB) write(ctx context.Context, op string, fn func(tx pgx.Tx) error) error {
	for attempt := 1; ; attempt++ {
		err := db.writeOnce(ctx, op, fn)
		if err == nil || !retryable(err) || attempt == maxAttempts {
			return err
		}
		select {
		case <-ctx.Done():
			return wrap(op, ctx.Err())
		case <-time.After(time.Duration(attempt*attempt) * 5 * time.Millisecond):
		}
	}
}

func (db *DB) writeOnce(ctx context.Context, op string, fn func(tx pgx.Tx) error) error {
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		return wrap(op+": begin", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) // after Commit: a no-op
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return wrap(op+": commit", err)
	}
	return nil
}

// SQLSTATE codes the store maps (never the message text).
const (
	sqlUniqueViolation      = "23505"
	sqlForeignKeyViolation  = "23503"
	sqlSerializationFailure = "40001"
	sqlDeadlockDetected     = "40P01"
)

// errRetry makes write run the transaction again: a row it read changed
// while it waited for a lock.
var errRetry = errors.New("postgres: row changed while locking it")

// pgError returns the PostgreSQL error in err's chain, or nil.
func pgError(err error) *pgconn.PgError {
	var e *pgconn.PgError
	if errors.As(err, &e) {
		return e
	}
	return nil
}

func retryable(err error) bool {
	if errors.Is(err, errRetry) {
		return true
	}
	e := pgError(err)
	return e != nil && (e.Code == sqlSerializationFailure || e.Code == sqlDeadlockDetected)
}

// isUnique reports a unique violation, of constraint when it is not "".
func isUnique(err error, constraint string) bool {
	e := pgError(err)
	return e != nil && e.Code == sqlUniqueViolation && (constraint == "" || e.ConstraintName == constraint)
}

func isForeignKey(err error) bool {
	e := pgError(err)
	return e != nil && e.Code == sqlForeignKeyViolation
}

// wrap wraps a driver error with the operation.
func wrap(op string, err error) error { return fmt.Errorf("postgres: %s: %w", op, err) }

// insertAudit writes ev within tx, filling its ID, a zero Time and a zero
// ObjectID (objectID: the object just created). A nil ev writes nothing.
func insertAudit(ctx context.Context, tx pgx.Tx, ev *hosting.AuditEvent, objectID int64) error {
	if ev == nil {
		return nil
	}
	ev.Time = stamp(ev.Time)
	if ev.ObjectID == 0 {
		ev.ObjectID = objectID
	}
	err := tx.QueryRow(ctx, `INSERT INTO audit_events
		(time, actor_kind, actor, customer_id, via, remote_addr, action, object_type, object_id, object_name, detail)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
		ev.Time, string(ev.ActorKind), ev.Actor, ev.CustomerID, string(ev.Via), ev.RemoteAddr,
		ev.Action, ev.ObjectType, ev.ObjectID, ev.ObjectName, ev.Detail).Scan(&ev.ID)
	if err != nil {
		return wrap("audit", err)
	}
	return nil
}

// affected returns notFound when tag reports no row.
func affected(tag pgconn.CommandTag, notFound error) error {
	if tag.RowsAffected() == 0 {
		return notFound
	}
	return nil
}

// Times: timestamptz keeps microseconds. Every time written is truncated
// to the microsecond first, so that the value a caller keeps is the one a
// read returns; reads come back in UTC.

// utc returns t truncated to the microsecond, in UTC.
func utc(t time.Time) time.Time { return t.Truncate(time.Microsecond).UTC() }

// stamp returns utc(t), or the current time when t is zero.
func stamp(t time.Time) time.Time {
	if t.IsZero() {
		return utc(time.Now())
	}
	return utc(t)
}

// utcPtr returns a truncated copy of *t, or nil.
func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := utc(*t)
	return &u
}

// likePattern returns the ILIKE pattern matching s anywhere, with the
// wildcards of s escaped (backslash is ILIKE's default escape).
// ILIKE rather than LIKE: SQLite's LIKE ignores case, and both stores must
// answer a search the same way.
func likePattern(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(s) + "%"
}

// where collects the conditions and arguments of a filtered query. Each
// "?" of a condition becomes the next $n placeholder.
type where struct {
	conds []string
	args  []any
}

func (w *where) add(cond string, args ...any) {
	var b strings.Builder
	n := len(w.args)
	for _, r := range cond {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	w.conds = append(w.conds, b.String())
	w.args = append(w.args, args...)
}

func (w *where) String() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// limitOffset returns the LIMIT/OFFSET clause (limit 0 = none) with its
// arguments added to w. LIMIT NULL is no limit, so one statement serves
// every page.
func (w *where) limitOffset(limit, offset int) string {
	var lim any
	if limit > 0 {
		lim = int64(limit)
	}
	w.args = append(w.args, lim, int64(max(offset, 0)))
	return fmt.Sprintf(" LIMIT $%d OFFSET $%d", len(w.args)-1, len(w.args))
}

// collect scans every row with scan.
func collect[T any](rows pgx.Rows, scan func(pgx.Row) (*T, error)) ([]*T, error) {
	defer rows.Close()
	var out []*T
	for rows.Next() {
		x, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

package sqlite

import (
	"context"
	"database/sql"
	"sync"
)

// maxStmts bounds each cache; queries are built from a fixed set of
// filters (LIMIT and OFFSET are parameters), so this is never reached in
// practice.
const maxStmts = 512

// stmts caches the prepared statements of one pool by query text, so
// that SQLite parses each query once per connection instead of on every
// call (parsing was a third of a lookup's time).
type stmts struct {
	pool    *sql.DB
	mu      sync.Mutex
	m       map[string]*sql.Stmt
	pending map[string]bool // writer: queries to prepare once the connection is free
}

func newStmts(pool *sql.DB) *stmts {
	return &stmts{pool: pool, m: make(map[string]*sql.Stmt), pending: make(map[string]bool)}
}

// get returns the statement for q, preparing it on first use. It must not
// be called on the writer while a transaction holds its only connection.
//
// The lock is not held while preparing: on the writer, preparing waits for
// the one connection, whose transaction may need the lock to finish.
func (c *stmts) get(ctx context.Context, q string) *sql.Stmt {
	c.mu.Lock()
	s, ok := c.m[q]
	full := len(c.m) >= maxStmts
	c.mu.Unlock()
	if ok || full {
		return s
	}
	s, err := c.pool.PrepareContext(ctx, q)
	if err != nil {
		return nil // the caller runs q unprepared and sees the error
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.m[q]; ok { // prepared meanwhile by another caller
		s.Close()
		return old
	}
	c.m[q] = s
	return s
}

// cached returns the statement for q if there is one; otherwise it notes
// q for preparePending.
func (c *stmts) cached(q string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.m[q]
	if !ok && len(c.m)+len(c.pending) < maxStmts {
		c.pending[q] = true
	}
	return s
}

// preparePending prepares the queries noted by cached.
func (c *stmts) preparePending(ctx context.Context) {
	c.mu.Lock()
	if len(c.pending) == 0 {
		c.mu.Unlock()
		return
	}
	var qs []string
	for q := range c.pending {
		qs = append(qs, q)
	}
	clear(c.pending)
	c.mu.Unlock()
	for _, q := range qs {
		c.get(ctx, q)
	}
}

// QueryRowContext runs a query expected to return at most one row.
func (c *stmts) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	if s := c.get(ctx, q); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return c.pool.QueryRowContext(ctx, q, args...)
}

// QueryContext runs a query.
func (c *stmts) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if s := c.get(ctx, q); s != nil {
		return s.QueryContext(ctx, args...)
	}
	return c.pool.QueryContext(ctx, q, args...)
}

func (c *stmts) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for q, s := range c.m {
		s.Close()
		delete(c.m, q)
	}
}

// wtx is a write transaction using the writer's prepared statements.
type wtx struct {
	tx *sql.Tx
	c  *stmts
}

// ExecContext runs a statement in the transaction.
func (t *wtx) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if s := t.c.cached(q); s != nil {
		return t.tx.StmtContext(ctx, s).ExecContext(ctx, args...)
	}
	return t.tx.ExecContext(ctx, q, args...)
}

// QueryRowContext runs a one-row query in the transaction.
func (t *wtx) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	if s := t.c.cached(q); s != nil {
		return t.tx.StmtContext(ctx, s).QueryRowContext(ctx, args...)
	}
	return t.tx.QueryRowContext(ctx, q, args...)
}

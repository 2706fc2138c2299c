package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"ftpanel/internal/hosting"
)

// PutKV implements hosting.Store. Expired values are purged on the way,
// so that the table holds only live idempotency keys and web sessions.
func (db *DB) PutKV(ctx context.Context, scope, key string, value []byte, expires time.Time) error {
	const op = "put kv"
	if value == nil {
		value = []byte{}
	}
	return db.write(ctx, op, func(tx *wtx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM kv WHERE expires_at <= ?", toNanos(time.Now())); err != nil {
			return wrap(op, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO kv (scope, key, value, expires_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (scope, key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at`,
			scope, key, value, toNanos(expires)); err != nil {
			return wrap(op, err)
		}
		return nil
	})
}

// KV implements hosting.Store.
func (db *DB) KV(ctx context.Context, scope, key string) ([]byte, error) {
	var v []byte
	err := db.rs.QueryRowContext(ctx, "SELECT value FROM kv WHERE scope = ? AND key = ? AND expires_at > ?",
		scope, key, toNanos(time.Now())).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, hosting.Errorf(hosting.CodeNotFound, "no value for %s/%s", scope, key)
	}
	if err != nil {
		return nil, wrap("kv", err)
	}
	if v == nil {
		v = []byte{}
	}
	return v, nil
}

// DeleteKV implements hosting.Store.
func (db *DB) DeleteKV(ctx context.Context, scope, key string) error {
	return db.write(ctx, "delete kv", func(tx *wtx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM kv WHERE scope = ? AND key = ?", scope, key); err != nil {
			return wrap("delete kv", err)
		}
		return nil
	})
}

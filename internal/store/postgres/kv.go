package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"ftpanel/internal/hosting"
)

// PutKV implements hosting.Store. Expired values are purged on the way,
// so that the table holds only live idempotency keys and web sessions.
// Expiry is judged by the node's clock, as the expiry time itself was.
func (db *DB) PutKV(ctx context.Context, scope, key string, value []byte, expires time.Time) error {
	const op = "put kv"
	if value == nil {
		value = []byte{}
	}
	return db.write(ctx, op, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "DELETE FROM kv WHERE expires_at <= $1", utc(time.Now())); err != nil {
			return wrap(op, err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO kv (scope, key, value, expires_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (scope, key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at`,
			scope, key, value, utc(expires)); err != nil {
			return wrap(op, err)
		}
		return nil
	})
}

// KV implements hosting.Store.
func (db *DB) KV(ctx context.Context, scope, key string) ([]byte, error) {
	var v []byte
	err := db.pool.QueryRow(ctx, "SELECT value FROM kv WHERE scope = $1 AND key = $2 AND expires_at > $3",
		scope, key, utc(time.Now())).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
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
	if _, err := db.pool.Exec(ctx, "DELETE FROM kv WHERE scope = $1 AND key = $2", scope, key); err != nil {
		return wrap("delete kv", err)
	}
	return nil
}

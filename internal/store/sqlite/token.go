package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"ftpanel/internal/hosting"
)

// CreateToken implements hosting.Store; conflict when the key exists,
// not_found when the customer does not.
func (db *DB) CreateToken(ctx context.Context, t *hosting.Token, ev *hosting.AuditEvent) error {
	const op = "create token"
	return db.write(ctx, op, func(tx *wtx) error {
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM tokens WHERE key = ?", t.Key).Scan(&n); err != nil {
			return wrap(op, err)
		}
		if n > 0 {
			return errTokenExists()
		}
		var customer sql.NullInt64
		if t.CustomerID != 0 {
			customer = sql.NullInt64{Int64: t.CustomerID, Valid: true}
			err := tx.QueryRowContext(ctx, "SELECT login FROM customers WHERE id = ?", t.CustomerID).Scan(&t.CustomerLogin)
			if errors.Is(err, sql.ErrNoRows) {
				return hosting.FieldErrorf(hosting.CodeNotFound, "customer", "customer %d not found", t.CustomerID)
			}
			if err != nil {
				return wrap(op, err)
			}
		}
		created := stamp(t.CreatedAt)
		res, err := tx.ExecContext(ctx, `INSERT INTO tokens
			(kind, key, secret_hash, admin, customer_id, description, created_at, last_used_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			string(t.Kind), t.Key, t.SecretHash, boolInt(t.Admin), customer, t.Description, toNanos(created),
			nullNanos(t.LastUsedAt))
		switch {
		case isUnique(err):
			return errTokenExists()
		case isForeignKey(err):
			return hosting.FieldErrorf(hosting.CodeNotFound, "customer", "customer %d not found", t.CustomerID)
		case err != nil:
			return wrap(op, err)
		}
		id, err := res.LastInsertId()
		if err != nil {
			return wrap(op, err)
		}
		t.ID, t.CreatedAt = id, created
		return insertAudit(ctx, tx, ev, id)
	})
}

func errTokenExists() error {
	return hosting.FieldErrorf(hosting.CodeConflict, "key", "a token with this key already exists")
}

const tokenCols = `t.id, t.kind, t.key, t.secret_hash, t.admin, t.customer_id, c.login, t.description, t.created_at,
	t.last_used_at`

const tokenFrom = " FROM tokens t LEFT JOIN customers c ON c.id = t.customer_id"

func scanToken(row interface{ Scan(...any) error }) (*hosting.Token, error) {
	var t hosting.Token
	var customer sql.NullInt64
	var login sql.NullString
	var created int64
	var used sql.NullInt64
	if err := row.Scan(&t.ID, &t.Kind, &t.Key, &t.SecretHash, &t.Admin, &customer, &login, &t.Description,
		&created, &used); err != nil {
		return nil, err
	}
	t.CustomerID, t.CustomerLogin = customer.Int64, login.String
	t.CreatedAt, t.LastUsedAt = fromNanos(created), ptrNanos(used)
	return &t, nil
}

// TokenByKey implements hosting.Store.
func (db *DB) TokenByKey(ctx context.Context, key string) (*hosting.Token, error) {
	t, err := scanToken(db.rs.QueryRowContext(ctx, "SELECT "+tokenCols+tokenFrom+" WHERE t.key = ?", key))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, hosting.Errorf(hosting.CodeNotFound, "token not found")
	}
	if err != nil {
		return nil, wrap("token by key", err)
	}
	return t, nil
}

// Tokens implements hosting.Store.
func (db *DB) Tokens(ctx context.Context, f hosting.TokenFilter) ([]*hosting.Token, error) {
	const op = "tokens"
	var w where
	if f.CustomerID != nil {
		w.add("t.customer_id = ?", *f.CustomerID)
	}
	if f.Kind != nil {
		w.add("t.kind = ?", string(*f.Kind))
	}
	rows, err := db.rs.QueryContext(ctx, "SELECT "+tokenCols+tokenFrom+w.String()+" ORDER BY t.id", w.args...)
	if err != nil {
		return nil, wrap(op, err)
	}
	defer rows.Close()
	var out []*hosting.Token
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, wrap(op, err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap(op, err)
	}
	return out, nil
}

// DeleteToken implements hosting.Store.
func (db *DB) DeleteToken(ctx context.Context, id int64, ev *hosting.AuditEvent) error {
	const op = "delete token"
	return db.write(ctx, op, func(tx *wtx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM tokens WHERE id = ?", id)
		if err != nil {
			return wrap(op, err)
		}
		if err := affected(res, op, hosting.Errorf(hosting.CodeNotFound, "token %d not found", id)); err != nil {
			return err
		}
		return insertAudit(ctx, tx, ev, id)
	})
}

// TouchToken implements hosting.Store; not_found when the token is gone.
func (db *DB) TouchToken(ctx context.Context, id int64, at time.Time) error {
	const op = "touch token"
	return db.write(ctx, op, func(tx *wtx) error {
		res, err := tx.ExecContext(ctx, "UPDATE tokens SET last_used_at = ? WHERE id = ?", toNanos(at), id)
		if err != nil {
			return wrap(op, err)
		}
		return affected(res, op, hosting.Errorf(hosting.CodeNotFound, "token %d not found", id))
	})
}

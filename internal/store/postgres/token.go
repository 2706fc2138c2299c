package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"ftpanel/internal/hosting"
)

// CreateToken implements hosting.Store; conflict when the key exists,
// not_found when the customer does not.
func (db *DB) CreateToken(ctx context.Context, t *hosting.Token, ev *hosting.AuditEvent) error {
	const op = "create token"
	return db.write(ctx, op, func(tx pgx.Tx) error {
		var customer *int64
		if t.CustomerID != 0 {
			customer = &t.CustomerID
			err := tx.QueryRow(ctx, "SELECT login FROM customers WHERE id = $1", t.CustomerID).Scan(&t.CustomerLogin)
			if errors.Is(err, pgx.ErrNoRows) {
				return errCustomerNotFound(t.CustomerID)
			}
			if err != nil {
				return wrap(op, err)
			}
		}
		created, used := stamp(t.CreatedAt), utcPtr(t.LastUsedAt)
		var id int64
		err := tx.QueryRow(ctx, `INSERT INTO tokens
			(kind, key, secret_hash, admin, customer_id, description, created_at, last_used_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
			string(t.Kind), t.Key, t.SecretHash, t.Admin, customer, t.Description, created, used).Scan(&id)
		switch {
		case isUnique(err, ""):
			return errTokenExists()
		case isForeignKey(err):
			return errCustomerNotFound(t.CustomerID)
		case err != nil:
			return wrap(op, err)
		}
		t.ID, t.CreatedAt, t.LastUsedAt = id, created, used
		return insertAudit(ctx, tx, ev, id)
	})
}

func errTokenExists() error {
	return hosting.FieldErrorf(hosting.CodeConflict, "key", "a token with this key already exists")
}

const tokenCols = `t.id, t.kind, t.key, t.secret_hash, t.admin, t.customer_id, c.login, t.description, t.created_at,
	t.last_used_at`

const tokenFrom = " FROM tokens t LEFT JOIN customers c ON c.id = t.customer_id"

func scanToken(row pgx.Row) (*hosting.Token, error) {
	var t hosting.Token
	var customer *int64
	var login *string
	if err := row.Scan(&t.ID, &t.Kind, &t.Key, &t.SecretHash, &t.Admin, &customer, &login, &t.Description,
		&t.CreatedAt, &t.LastUsedAt); err != nil {
		return nil, err
	}
	if customer != nil {
		t.CustomerID = *customer
	}
	if login != nil {
		t.CustomerLogin = *login
	}
	t.CreatedAt, t.LastUsedAt = t.CreatedAt.UTC(), utcPtr(t.LastUsedAt)
	return &t, nil
}

// TokenByKey implements hosting.Store.
func (db *DB) TokenByKey(ctx context.Context, key string) (*hosting.Token, error) {
	t, err := scanToken(db.pool.QueryRow(ctx, "SELECT "+tokenCols+tokenFrom+" WHERE t.key = $1", key))
	if errors.Is(err, pgx.ErrNoRows) {
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
	rows, err := db.pool.Query(ctx, "SELECT "+tokenCols+tokenFrom+w.String()+" ORDER BY t.id", w.args...)
	if err != nil {
		return nil, wrap(op, err)
	}
	out, err := collect(rows, scanToken)
	if err != nil {
		return nil, wrap(op, err)
	}
	return out, nil
}

// DeleteToken implements hosting.Store.
func (db *DB) DeleteToken(ctx context.Context, id int64, ev *hosting.AuditEvent) error {
	const op = "delete token"
	return db.write(ctx, op, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, "DELETE FROM tokens WHERE id = $1", id)
		if err != nil {
			return wrap(op, err)
		}
		if err := affected(tag, hosting.Errorf(hosting.CodeNotFound, "token %d not found", id)); err != nil {
			return err
		}
		return insertAudit(ctx, tx, ev, id)
	})
}

// TouchToken implements hosting.Store; not_found when the token is gone.
func (db *DB) TouchToken(ctx context.Context, id int64, at time.Time) error {
	tag, err := db.pool.Exec(ctx, "UPDATE tokens SET last_used_at = $1 WHERE id = $2", utc(at), id)
	if err != nil {
		return wrap("touch token", err)
	}
	return affected(tag, hosting.Errorf(hosting.CodeNotFound, "token %d not found", id))
}

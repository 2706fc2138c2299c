package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"ftpanel/internal/hosting"
)

// CreateCustomer implements hosting.Store. The login must be free among
// admins too (one panel namespace).
func (db *DB) CreateCustomer(ctx context.Context, c *hosting.Customer, ev *hosting.AuditEvent) error {
	const op = "create customer"
	return db.write(ctx, op, func(tx *wtx) error {
		if taken, err := panelLoginTaken(ctx, tx, c.Login); err != nil {
			return wrap(op, err)
		} else if taken {
			return errPanelLoginTaken(c.Login)
		}
		created := stamp(c.CreatedAt)
		updated := created
		if !c.UpdatedAt.IsZero() {
			updated = c.UpdatedAt.UTC()
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO customers
			(login, name, email, password_hash, status, max_ftp_accounts, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			c.Login, c.Name, c.Email, c.PasswordHash, string(c.Status), c.MaxFTPAccounts, toNanos(created), toNanos(updated))
		if isUnique(err) {
			return errPanelLoginTaken(c.Login)
		}
		if err != nil {
			return wrap(op, err)
		}
		id, err := res.LastInsertId()
		if err != nil {
			return wrap(op, err)
		}
		c.ID, c.CreatedAt, c.UpdatedAt = id, created, updated
		return insertAudit(ctx, tx, ev, id)
	})
}

const customerCols = "id, login, name, email, password_hash, status, max_ftp_accounts, created_at, updated_at"

func scanCustomer(row interface{ Scan(...any) error }) (*hosting.Customer, error) {
	var c hosting.Customer
	var created, updated int64
	if err := row.Scan(&c.ID, &c.Login, &c.Name, &c.Email, &c.PasswordHash, &c.Status, &c.MaxFTPAccounts,
		&created, &updated); err != nil {
		return nil, err
	}
	c.CreatedAt, c.UpdatedAt = fromNanos(created), fromNanos(updated)
	return &c, nil
}

func (db *DB) customerWhere(ctx context.Context, op, cond string, arg any, notFound error) (*hosting.Customer, error) {
	c, err := scanCustomer(db.rs.QueryRowContext(ctx, "SELECT "+customerCols+" FROM customers WHERE "+cond, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound
	}
	if err != nil {
		return nil, wrap(op, err)
	}
	return c, nil
}

// CustomerByID implements hosting.Store.
func (db *DB) CustomerByID(ctx context.Context, id int64) (*hosting.Customer, error) {
	return db.customerWhere(ctx, "customer by id", "id = ?", id,
		hosting.Errorf(hosting.CodeNotFound, "customer %d not found", id))
}

// CustomerByLogin implements hosting.Store.
func (db *DB) CustomerByLogin(ctx context.Context, login string) (*hosting.Customer, error) {
	return db.customerWhere(ctx, "customer by login", "login = ?", login,
		hosting.Errorf(hosting.CodeNotFound, "customer %q not found", login))
}

// Customers implements hosting.Store.
func (db *DB) Customers(ctx context.Context, f hosting.CustomerFilter) ([]*hosting.Customer, error) {
	const op = "customers"
	var w where
	if f.ID != nil {
		w.add("id = ?", *f.ID)
	}
	if f.Login != nil {
		w.add("login = ?", *f.Login)
	}
	if f.Status != nil {
		w.add("status = ?", string(*f.Status))
	}
	if f.Query != "" {
		q := likeEscape(f.Query)
		w.add(`(login LIKE ? ESCAPE '\' OR name LIKE ? ESCAPE '\' OR email LIKE ? ESCAPE '\')`, q, q, q)
	}
	query := "SELECT " + customerCols + " FROM customers" + w.String() + " ORDER BY login" +
		limitOffset(&w, f.Limit, f.Offset)
	rows, err := db.rs.QueryContext(ctx, query, w.args...)
	if err != nil {
		return nil, wrap(op, err)
	}
	defer rows.Close()
	var out []*hosting.Customer
	for rows.Next() {
		c, err := scanCustomer(rows)
		if err != nil {
			return nil, wrap(op, err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap(op, err)
	}
	return out, nil
}

// UpdateCustomer implements hosting.Store.
func (db *DB) UpdateCustomer(ctx context.Context, c *hosting.Customer, ev *hosting.AuditEvent) error {
	const op = "update customer"
	return db.write(ctx, op, func(tx *wtx) error {
		now := stamp(time.Time{})
		res, err := tx.ExecContext(ctx, `UPDATE customers SET name = ?, email = ?, password_hash = ?, status = ?,
			max_ftp_accounts = ?, updated_at = ? WHERE id = ?`,
			c.Name, c.Email, c.PasswordHash, string(c.Status), c.MaxFTPAccounts, toNanos(now), c.ID)
		if err != nil {
			return wrap(op, err)
		}
		if err := affected(res, op, hosting.Errorf(hosting.CodeNotFound, "customer %d not found", c.ID)); err != nil {
			return err
		}
		c.UpdatedAt = now
		return insertAudit(ctx, tx, ev, c.ID)
	})
}

// DeleteCustomer implements hosting.Store: conflict while the customer
// owns sites. Its tokens go with it.
func (db *DB) DeleteCustomer(ctx context.Context, id int64, ev *hosting.AuditEvent) error {
	const op = "delete customer"
	return db.write(ctx, op, func(tx *wtx) error {
		var sites int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM sites WHERE customer_id = ?", id).Scan(&sites); err != nil {
			return wrap(op, err)
		}
		if sites > 0 {
			return hosting.Errorf(hosting.CodeConflict, "the customer owns %d site(s); delete or move them first", sites)
		}
		res, err := tx.ExecContext(ctx, "DELETE FROM customers WHERE id = ?", id)
		if isForeignKey(err) {
			return hosting.Errorf(hosting.CodeConflict, "the customer still owns objects")
		}
		if err != nil {
			return wrap(op, err)
		}
		if err := affected(res, op, hosting.Errorf(hosting.CodeNotFound, "customer %d not found", id)); err != nil {
			return err
		}
		return insertAudit(ctx, tx, ev, id)
	})
}

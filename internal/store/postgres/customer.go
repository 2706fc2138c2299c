package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"ftpanel/internal/hosting"
)

// CreateCustomer implements hosting.Store. The login must be free among
// admins too (one panel namespace).
func (db *DB) CreateCustomer(ctx context.Context, c *hosting.Customer, ev *hosting.AuditEvent) error {
	const op = "create customer"
	return db.write(ctx, op, func(tx pgx.Tx) error {
		if taken, err := panelLoginTaken(ctx, tx, c.Login); err != nil {
			return wrap(op, err)
		} else if taken {
			return errPanelLoginTaken(c.Login)
		}
		created := stamp(c.CreatedAt)
		updated := created
		if !c.UpdatedAt.IsZero() {
			updated = utc(c.UpdatedAt)
		}
		var id int64
		err := tx.QueryRow(ctx, `INSERT INTO customers
			(login, name, email, password_hash, status, max_ftp_accounts, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
			c.Login, c.Name, c.Email, c.PasswordHash, string(c.Status), c.MaxFTPAccounts, created, updated).Scan(&id)
		if isUnique(err, "") {
			return errPanelLoginTaken(c.Login)
		}
		if err != nil {
			return wrap(op, err)
		}
		c.ID, c.CreatedAt, c.UpdatedAt = id, created, updated
		return insertAudit(ctx, tx, ev, id)
	})
}

const customerCols = "id, login, name, email, password_hash, status, max_ftp_accounts, created_at, updated_at"

func scanCustomer(row pgx.Row) (*hosting.Customer, error) {
	var c hosting.Customer
	if err := row.Scan(&c.ID, &c.Login, &c.Name, &c.Email, &c.PasswordHash, &c.Status, &c.MaxFTPAccounts,
		&c.CreatedAt, &c.UpdatedAt); err != nil {
		return nil, err
	}
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	return &c, nil
}

func (db *DB) customerWhere(ctx context.Context, op, cond string, arg any, notFound error) (*hosting.Customer, error) {
	c, err := scanCustomer(db.pool.QueryRow(ctx, "SELECT "+customerCols+" FROM customers WHERE "+cond, arg))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound
	}
	if err != nil {
		return nil, wrap(op, err)
	}
	return c, nil
}

// CustomerByID implements hosting.Store.
func (db *DB) CustomerByID(ctx context.Context, id int64) (*hosting.Customer, error) {
	return db.customerWhere(ctx, "customer by id", "id = $1", id,
		hosting.Errorf(hosting.CodeNotFound, "customer %d not found", id))
}

// CustomerByLogin implements hosting.Store.
func (db *DB) CustomerByLogin(ctx context.Context, login string) (*hosting.Customer, error) {
	return db.customerWhere(ctx, "customer by login", "login = $1", login,
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
		q := likePattern(f.Query)
		w.add("(login ILIKE ? OR name ILIKE ? OR email ILIKE ?)", q, q, q)
	}
	query := "SELECT " + customerCols + " FROM customers" + w.String() + " ORDER BY login" + w.limitOffset(f.Limit, f.Offset)
	rows, err := db.pool.Query(ctx, query, w.args...)
	if err != nil {
		return nil, wrap(op, err)
	}
	out, err := collect(rows, scanCustomer)
	if err != nil {
		return nil, wrap(op, err)
	}
	return out, nil
}

// UpdateCustomer implements hosting.Store.
func (db *DB) UpdateCustomer(ctx context.Context, c *hosting.Customer, ev *hosting.AuditEvent) error {
	const op = "update customer"
	return db.write(ctx, op, func(tx pgx.Tx) error {
		now := stamp(time.Time{})
		tag, err := tx.Exec(ctx, `UPDATE customers SET name = $1, email = $2, password_hash = $3, status = $4,
			max_ftp_accounts = $5, updated_at = $6 WHERE id = $7`,
			c.Name, c.Email, c.PasswordHash, string(c.Status), c.MaxFTPAccounts, now, c.ID)
		if err != nil {
			return wrap(op, err)
		}
		if err := affected(tag, hosting.Errorf(hosting.CodeNotFound, "customer %d not found", c.ID)); err != nil {
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
	return db.write(ctx, op, func(tx pgx.Tx) error {
		var sites int
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM sites WHERE customer_id = $1", id).Scan(&sites); err != nil {
			return wrap(op, err)
		}
		if sites > 0 {
			return hosting.Errorf(hosting.CodeConflict, "the customer owns %d site(s); delete or move them first", sites)
		}
		// A site created meanwhile makes the foreign key refuse.
		tag, err := tx.Exec(ctx, "DELETE FROM customers WHERE id = $1", id)
		if isForeignKey(err) {
			return hosting.Errorf(hosting.CodeConflict, "the customer still owns objects")
		}
		if err != nil {
			return wrap(op, err)
		}
		if err := affected(tag, hosting.Errorf(hosting.CodeNotFound, "customer %d not found", id)); err != nil {
			return err
		}
		return insertAudit(ctx, tx, ev, id)
	})
}

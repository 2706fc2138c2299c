package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"ftpanel/internal/hosting"
)

// panelLoginTaken reports whether login is used by an admin or a customer:
// both log into the panel with one form, so they share one namespace.
func panelLoginTaken(ctx context.Context, tx *wtx, login string) (bool, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM admins WHERE login = ?1)
		+ (SELECT count(*) FROM customers WHERE login = ?1)`, login).Scan(&n)
	return n > 0, err
}

func errPanelLoginTaken(login string) error {
	return hosting.FieldErrorf(hosting.CodeLoginTaken, "login", "login %q is already taken", login)
}

// CreateAdmin implements hosting.Store.
func (db *DB) CreateAdmin(ctx context.Context, a *hosting.Admin, ev *hosting.AuditEvent) error {
	const op = "create admin"
	return db.write(ctx, op, func(tx *wtx) error {
		if taken, err := panelLoginTaken(ctx, tx, a.Login); err != nil {
			return wrap(op, err)
		} else if taken {
			return errPanelLoginTaken(a.Login)
		}
		created := stamp(a.CreatedAt)
		res, err := tx.ExecContext(ctx, "INSERT INTO admins (login, password_hash, created_at) VALUES (?, ?, ?)",
			a.Login, a.PasswordHash, toNanos(created))
		if isUnique(err) {
			return errPanelLoginTaken(a.Login)
		}
		if err != nil {
			return wrap(op, err)
		}
		id, err := res.LastInsertId()
		if err != nil {
			return wrap(op, err)
		}
		a.ID, a.CreatedAt = id, created
		return insertAudit(ctx, tx, ev, id)
	})
}

const adminCols = "id, login, password_hash, created_at"

func scanAdmin(row interface{ Scan(...any) error }) (*hosting.Admin, error) {
	var a hosting.Admin
	var created int64
	if err := row.Scan(&a.ID, &a.Login, &a.PasswordHash, &created); err != nil {
		return nil, err
	}
	a.CreatedAt = fromNanos(created)
	return &a, nil
}

// AdminByLogin implements hosting.Store.
func (db *DB) AdminByLogin(ctx context.Context, login string) (*hosting.Admin, error) {
	a, err := scanAdmin(db.rs.QueryRowContext(ctx, "SELECT "+adminCols+" FROM admins WHERE login = ?", login))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, hosting.Errorf(hosting.CodeNotFound, "admin %q not found", login)
	}
	if err != nil {
		return nil, wrap("admin by login", err)
	}
	return a, nil
}

// Admins implements hosting.Store.
func (db *DB) Admins(ctx context.Context) ([]*hosting.Admin, error) {
	rows, err := db.rs.QueryContext(ctx, "SELECT "+adminCols+" FROM admins ORDER BY login")
	if err != nil {
		return nil, wrap("admins", err)
	}
	defer rows.Close()
	var out []*hosting.Admin
	for rows.Next() {
		a, err := scanAdmin(rows)
		if err != nil {
			return nil, wrap("admins", err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap("admins", err)
	}
	return out, nil
}

// SetAdminPassword implements hosting.Store.
func (db *DB) SetAdminPassword(ctx context.Context, id int64, hash string, ev *hosting.AuditEvent) error {
	const op = "set admin password"
	return db.write(ctx, op, func(tx *wtx) error {
		res, err := tx.ExecContext(ctx, "UPDATE admins SET password_hash = ? WHERE id = ?", hash, id)
		if err != nil {
			return wrap(op, err)
		}
		if err := affected(res, op, hosting.Errorf(hosting.CodeNotFound, "admin %d not found", id)); err != nil {
			return err
		}
		return insertAudit(ctx, tx, ev, id)
	})
}

// DeleteAdmin implements hosting.Store.
func (db *DB) DeleteAdmin(ctx context.Context, id int64, ev *hosting.AuditEvent) error {
	const op = "delete admin"
	return db.write(ctx, op, func(tx *wtx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM admins WHERE id = ?", id)
		if err != nil {
			return wrap(op, err)
		}
		if err := affected(res, op, hosting.Errorf(hosting.CodeNotFound, "admin %d not found", id)); err != nil {
			return err
		}
		return insertAudit(ctx, tx, ev, id)
	})
}

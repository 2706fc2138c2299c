package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"ftpanel/internal/hosting"
)

// panelLoginTaken reports whether login is used by an admin or a customer:
// both log into the panel with one form, so they share one namespace. No
// single unique constraint spans the two tables, so it first takes a
// transaction advisory lock on the login: an admin and a customer of one
// login cannot be created at once, on any node.
func panelLoginTaken(ctx context.Context, tx pgx.Tx, login string) (bool, error) {
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1, hashtext($2))", lockPanelLogin, login); err != nil {
		return false, err
	}
	var taken bool
	err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM admins WHERE login = $1)
		OR EXISTS (SELECT 1 FROM customers WHERE login = $1)`, login).Scan(&taken)
	return taken, err
}

func errPanelLoginTaken(login string) error {
	return hosting.FieldErrorf(hosting.CodeLoginTaken, "login", "login %q is already taken", login)
}

// CreateAdmin implements hosting.Store.
func (db *DB) CreateAdmin(ctx context.Context, a *hosting.Admin, ev *hosting.AuditEvent) error {
	const op = "create admin"
	return db.write(ctx, op, func(tx pgx.Tx) error {
		if taken, err := panelLoginTaken(ctx, tx, a.Login); err != nil {
			return wrap(op, err)
		} else if taken {
			return errPanelLoginTaken(a.Login)
		}
		created := stamp(a.CreatedAt)
		var id int64
		err := tx.QueryRow(ctx, "INSERT INTO admins (login, password_hash, created_at) VALUES ($1, $2, $3) RETURNING id",
			a.Login, a.PasswordHash, created).Scan(&id)
		if isUnique(err, "") {
			return errPanelLoginTaken(a.Login)
		}
		if err != nil {
			return wrap(op, err)
		}
		a.ID, a.CreatedAt = id, created
		return insertAudit(ctx, tx, ev, id)
	})
}

const adminCols = "id, login, password_hash, created_at"

func scanAdmin(row pgx.Row) (*hosting.Admin, error) {
	var a hosting.Admin
	if err := row.Scan(&a.ID, &a.Login, &a.PasswordHash, &a.CreatedAt); err != nil {
		return nil, err
	}
	a.CreatedAt = a.CreatedAt.UTC()
	return &a, nil
}

// AdminByLogin implements hosting.Store.
func (db *DB) AdminByLogin(ctx context.Context, login string) (*hosting.Admin, error) {
	a, err := scanAdmin(db.pool.QueryRow(ctx, "SELECT "+adminCols+" FROM admins WHERE login = $1", login))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, hosting.Errorf(hosting.CodeNotFound, "admin %q not found", login)
	}
	if err != nil {
		return nil, wrap("admin by login", err)
	}
	return a, nil
}

// Admins implements hosting.Store.
func (db *DB) Admins(ctx context.Context) ([]*hosting.Admin, error) {
	rows, err := db.pool.Query(ctx, "SELECT "+adminCols+" FROM admins ORDER BY login")
	if err != nil {
		return nil, wrap("admins", err)
	}
	out, err := collect(rows, scanAdmin)
	if err != nil {
		return nil, wrap("admins", err)
	}
	return out, nil
}

// SetAdminPassword implements hosting.Store.
func (db *DB) SetAdminPassword(ctx context.Context, id int64, hash string, ev *hosting.AuditEvent) error {
	const op = "set admin password"
	return db.write(ctx, op, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, "UPDATE admins SET password_hash = $1 WHERE id = $2", hash, id)
		if err != nil {
			return wrap(op, err)
		}
		if err := affected(tag, hosting.Errorf(hosting.CodeNotFound, "admin %d not found", id)); err != nil {
			return err
		}
		return insertAudit(ctx, tx, ev, id)
	})
}

// DeleteAdmin implements hosting.Store.
func (db *DB) DeleteAdmin(ctx context.Context, id int64, ev *hosting.AuditEvent) error {
	const op = "delete admin"
	return db.write(ctx, op, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, "DELETE FROM admins WHERE id = $1", id)
		if err != nil {
			return wrap(op, err)
		}
		if err := affected(tag, hosting.Errorf(hosting.CodeNotFound, "admin %d not found", id)); err != nil {
			return err
		}
		return insertAudit(ctx, tx, ev, id)
	})
}

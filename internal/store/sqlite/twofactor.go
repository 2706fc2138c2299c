package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"ftpanel/internal/hosting"
)

// twoFactorTable returns the table of a two-factor user kind.
func twoFactorTable(kind hosting.ActorKind) (string, error) {
	switch kind {
	case hosting.ActorAdmin:
		return "admins", nil
	case hosting.ActorCustomer:
		return "customers", nil
	}
	return "", hosting.Errorf(hosting.CodeInvalidInput, "two-factor sign-in is for admins and customers, not %q", kind)
}

// TwoFactor implements hosting.Store.
func (db *DB) TwoFactor(ctx context.Context, kind hosting.ActorKind, id int64) (*hosting.TwoFactor, error) {
	table, err := twoFactorTable(kind)
	if err != nil {
		return nil, err
	}
	t := &hosting.TwoFactor{Kind: kind, ID: id}
	var rec string
	err = db.rs.QueryRowContext(ctx, "SELECT totp_secret, totp_recovery, totp_last_step FROM "+table+" WHERE id = ?", id).Scan(&t.Secret, &rec, &t.LastStep)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, hosting.Errorf(hosting.CodeNotFound, "%s %d not found", kind, id)
	}
	if err != nil {
		return nil, wrap("two-factor", err)
	}
	if rec != "" {
		t.Recovery = strings.Split(rec, "\n")
	}
	return t, nil
}

// UpdateTwoFactor implements hosting.Store.
func (db *DB) UpdateTwoFactor(ctx context.Context, t, prev *hosting.TwoFactor, ev *hosting.AuditEvent) error {
	const op = "update two-factor"
	table, err := twoFactorTable(t.Kind)
	if err != nil {
		return err
	}
	return db.write(ctx, op, func(tx *wtx) error {
		res, err := tx.ExecContext(ctx, "UPDATE "+table+" SET totp_secret = ?, totp_recovery = ?, totp_last_step = ?"+
			" WHERE id = ? AND totp_secret = ? AND totp_recovery = ? AND totp_last_step = ?",
			t.Secret, strings.Join(t.Recovery, "\n"), t.LastStep, t.ID, prev.Secret, strings.Join(prev.Recovery, "\n"), prev.LastStep)
		if err != nil {
			return wrap(op, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			var one int
			if err := tx.QueryRowContext(ctx, "SELECT 1 FROM "+table+" WHERE id = ?", t.ID).Scan(&one); err != nil {
				return hosting.Errorf(hosting.CodeNotFound, "%s %d not found", t.Kind, t.ID)
			}
			return hosting.Errorf(hosting.CodeConflict, "the two-factor settings changed meanwhile; try again")
		}
		return insertAudit(ctx, tx, ev, t.ID)
	})
}

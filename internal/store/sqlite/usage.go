package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"ftpanel/internal/hosting"
)

// RecordSiteUsage implements hosting.Store.
func (db *DB) RecordSiteUsage(ctx context.Context, siteID, total int64, accounts map[int64]int64, at time.Time) error {
	const op = "record site usage"
	return db.write(ctx, op, func(tx *wtx) error {
		res, err := tx.ExecContext(ctx, "UPDATE sites SET used_bytes = ?, used_measured_at = ? WHERE id = ?",
			total, toNanos(at), siteID)
		if err != nil {
			return wrap(op, err)
		}
		if err := affected(res, op, hosting.Errorf(hosting.CodeNotFound, "site %d not found", siteID)); err != nil {
			return err
		}
		for id, used := range accounts {
			if _, err := tx.ExecContext(ctx, `UPDATE ftp_accounts SET used_bytes = ?, used_measured_at = ?
				WHERE id = ? AND site_id = ?`, used, toNanos(at), id, siteID); err != nil {
				return wrap(op, err)
			}
		}
		return nil
	})
}

// ClaimQuota implements hosting.Store. The write transaction (BEGIN
// IMMEDIATE) orders it against every other claim.
func (db *DB) ClaimQuota(ctx context.Context, c hosting.QuotaClaim) (hosting.QuotaGrant, error) {
	const op = "claim quota"
	var g hosting.QuotaGrant
	err := db.write(ctx, op, func(tx *wtx) error {
		var used int64
		err := tx.QueryRowContext(ctx, "SELECT used_bytes FROM ftp_accounts WHERE id = ?", c.AccountID).Scan(&used)
		if errors.Is(err, sql.ErrNoRows) {
			return hosting.Errorf(hosting.CodeNotFound, "account %d not found", c.AccountID)
		}
		if err != nil {
			return wrap(op, err)
		}
		next := max(0, used+c.Settle, c.Floor)
		if next != used {
			if _, err := tx.ExecContext(ctx, "UPDATE ftp_accounts SET used_bytes = ? WHERE id = ?", next, c.AccountID); err != nil {
				return wrap(op, err)
			}
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM quota_reservations WHERE account_id = ? AND expires_at <= ?",
			c.AccountID, toNanos(c.Now)); err != nil {
			return wrap(op, err)
		}
		var others int64
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(sum(bytes), 0) FROM quota_reservations
			WHERE account_id = ? AND node <> ?`, c.AccountID, c.Node).Scan(&others); err != nil {
			return wrap(op, err)
		}
		grant := max(0, min(c.Want, c.Limit-next-others))
		if grant == 0 {
			_, err = tx.ExecContext(ctx, "DELETE FROM quota_reservations WHERE account_id = ? AND node = ?", c.AccountID, c.Node)
		} else {
			_, err = tx.ExecContext(ctx, `INSERT INTO quota_reservations (account_id, node, bytes, expires_at)
				VALUES (?, ?, ?, ?) ON CONFLICT (account_id, node) DO UPDATE SET bytes = excluded.bytes,
				expires_at = excluded.expires_at`, c.AccountID, c.Node, grant, toNanos(c.Expires))
		}
		if err != nil {
			return wrap(op, err)
		}
		g = hosting.QuotaGrant{Granted: grant, Used: next}
		return nil
	})
	return g, err
}

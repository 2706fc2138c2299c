package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"ftpanel/internal/hosting"
)

// RecordSiteUsage implements hosting.Store.
func (db *DB) RecordSiteUsage(ctx context.Context, siteID, total int64, accounts map[int64]int64, at time.Time) error {
	const op = "record site usage"
	return db.write(ctx, op, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, "UPDATE sites SET used_bytes = $1, used_measured_at = $2 WHERE id = $3",
			total, utc(at), siteID)
		if err != nil {
			return wrap(op, err)
		}
		if err := affected(tag, hosting.Errorf(hosting.CodeNotFound, "site %d not found", siteID)); err != nil {
			return err
		}
		for id, used := range accounts {
			if _, err := tx.Exec(ctx, `UPDATE ftp_accounts SET used_bytes = $1, used_measured_at = $2
				WHERE id = $3 AND site_id = $4`, used, utc(at), id, siteID); err != nil {
				return wrap(op, err)
			}
		}
		return nil
	})
}

// ClaimQuota implements hosting.Store. The account's row is locked (FOR
// UPDATE) for the transaction, which orders it against every other claim
// of the account, from any node.
func (db *DB) ClaimQuota(ctx context.Context, c hosting.QuotaClaim) (hosting.QuotaGrant, error) {
	const op = "claim quota"
	var g hosting.QuotaGrant
	err := db.write(ctx, op, func(tx pgx.Tx) error {
		var used int64
		err := tx.QueryRow(ctx, "SELECT used_bytes FROM ftp_accounts WHERE id = $1 FOR UPDATE", c.AccountID).Scan(&used)
		if errors.Is(err, pgx.ErrNoRows) {
			return hosting.Errorf(hosting.CodeNotFound, "account %d not found", c.AccountID)
		}
		if err != nil {
			return wrap(op, err)
		}
		next := max(0, used+c.Settle, c.Floor)
		if next != used {
			if _, err := tx.Exec(ctx, "UPDATE ftp_accounts SET used_bytes = $1 WHERE id = $2", next, c.AccountID); err != nil {
				return wrap(op, err)
			}
		}
		if _, err := tx.Exec(ctx, "DELETE FROM quota_reservations WHERE account_id = $1 AND expires_at <= $2",
			c.AccountID, utc(c.Now)); err != nil {
			return wrap(op, err)
		}
		var others int64
		if err := tx.QueryRow(ctx, `SELECT coalesce(sum(bytes), 0)::bigint FROM quota_reservations
			WHERE account_id = $1 AND node <> $2`, c.AccountID, c.Node).Scan(&others); err != nil {
			return wrap(op, err)
		}
		grant := max(0, min(c.Want, c.Limit-next-others))
		if grant == 0 {
			_, err = tx.Exec(ctx, "DELETE FROM quota_reservations WHERE account_id = $1 AND node = $2", c.AccountID, c.Node)
		} else {
			_, err = tx.Exec(ctx, `INSERT INTO quota_reservations (account_id, node, bytes, expires_at)
				VALUES ($1, $2, $3, $4) ON CONFLICT (account_id, node) DO UPDATE SET bytes = excluded.bytes,
				expires_at = excluded.expires_at`, c.AccountID, c.Node, grant, utc(c.Expires))
		}
		if err != nil {
			return wrap(op, err)
		}
		g = hosting.QuotaGrant{Granted: grant, Used: next}
		return nil
	})
	return g, err
}

package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"

	"ftpanel/internal/hosting"
	"ftpanel/internal/store/rowcount"
)

// CreateSSHKey implements hosting.Store; conflict when the account already
// has the key, not_found when the account does not exist.
func (db *DB) CreateSSHKey(ctx context.Context, k *hosting.SSHKey, ev *hosting.AuditEvent) error {
	const op = "create ssh key"
	return db.write(ctx, op, func(tx *wtx) error {
		err := tx.QueryRowContext(ctx, "SELECT login, customer_id FROM ftp_accounts WHERE id = ?", k.AccountID).
			Scan(&k.AccountLogin, &k.CustomerID)
		if err == sql.ErrNoRows {
			return errSSHKeyAccount(k.AccountID)
		}
		if err != nil {
			return wrap(op, err)
		}
		created := stamp(k.CreatedAt)
		res, err := tx.ExecContext(ctx, `INSERT INTO ssh_keys
			(account_id, type, public_key, fingerprint, comment, created_at, last_used_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`,
			k.AccountID, k.Type, k.PublicKey, k.Fingerprint, k.Comment, toNanos(created), nullNanos(k.LastUsedAt))
		switch {
		case isUnique(err):
			return errSSHKeyExists(k)
		case isForeignKey(err):
			return errSSHKeyAccount(k.AccountID)
		case err != nil:
			return wrap(op, err)
		}
		id, err := res.LastInsertId()
		if err != nil {
			return wrap(op, err)
		}
		k.ID, k.CreatedAt = id, created
		return insertAudit(ctx, tx, ev, k.AccountID)
	})
}

func errSSHKeyExists(k *hosting.SSHKey) error {
	return hosting.FieldErrorf(hosting.CodeConflict, "public_key", "account %s already has the key %s", k.AccountLogin, k.Fingerprint)
}

func errSSHKeyAccount(id int64) error {
	return hosting.FieldErrorf(hosting.CodeNotFound, "login", "account %d not found", id)
}

// SSHKeys implements hosting.Store.
func (db *DB) SSHKeys(ctx context.Context, accountID int64) ([]*hosting.SSHKey, error) {
	const op = "ssh keys"
	rows, err := db.rs.QueryContext(ctx, `SELECT k.id, k.account_id, a.login, a.customer_id, k.type, k.public_key,
		k.fingerprint, k.comment, k.created_at, k.last_used_at
		FROM ssh_keys k JOIN ftp_accounts a ON a.id = k.account_id WHERE k.account_id = ? ORDER BY k.id`, accountID)
	if err != nil {
		return nil, wrap(op, err)
	}
	defer rows.Close()
	var out []*hosting.SSHKey
	for rows.Next() {
		var k hosting.SSHKey
		var created int64
		var used sql.NullInt64
		if err := rows.Scan(&k.ID, &k.AccountID, &k.AccountLogin, &k.CustomerID, &k.Type, &k.PublicKey,
			&k.Fingerprint, &k.Comment, &created, &used); err != nil {
			return nil, wrap(op, err)
		}
		k.CreatedAt, k.LastUsedAt = fromNanos(created), ptrNanos(used)
		out = append(out, &k)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap(op, err)
	}
	return out, nil
}

// SSHKeyCounts implements hosting.Store.
func (db *DB) SSHKeyCounts(ctx context.Context, accountIDs []int64) (map[int64]int, error) {
	const op = "ssh key counts"
	if len(accountIDs) == 0 {
		return map[int64]int{}, nil
	}
	ids, err := json.Marshal(accountIDs)
	if err != nil {
		return nil, wrap(op, err)
	}
	rows, err := db.rs.QueryContext(ctx, `SELECT account_id, count(*) FROM ssh_keys
		WHERE account_id IN (SELECT value FROM json_each(?)) GROUP BY account_id`, string(ids))
	if err != nil {
		return nil, wrap(op, err)
	}
	defer rows.Close()
	out, err := rowcount.ByID(rows)
	if err != nil {
		return nil, wrap(op, err)
	}
	return out, nil
}

// DeleteSSHKey implements hosting.Store.
func (db *DB) DeleteSSHKey(ctx context.Context, id int64, ev *hosting.AuditEvent) error {
	const op = "delete ssh key"
	return db.write(ctx, op, func(tx *wtx) error {
		var account int64
		err := tx.QueryRowContext(ctx, "DELETE FROM ssh_keys WHERE id = ? RETURNING account_id", id).Scan(&account)
		if err == sql.ErrNoRows {
			return hosting.Errorf(hosting.CodeNotFound, "ssh key %d not found", id)
		}
		if err != nil {
			return wrap(op, err)
		}
		return insertAudit(ctx, tx, ev, account)
	})
}

package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"ftpanel/internal/hosting"
)

func errAccountLoginTaken(login string) error {
	return hosting.FieldErrorf(hosting.CodeLoginTaken, "login", "login %q is already taken", login)
}

// accountLoginTaken reports whether another account than exceptID has login.
func accountLoginTaken(ctx context.Context, tx *wtx, login string, exceptID int64) (bool, error) {
	var n int
	err := tx.QueryRowContext(ctx, "SELECT count(*) FROM ftp_accounts WHERE login = ? AND id <> ?", login, exceptID).Scan(&n)
	return n > 0, err
}

func encodeIPs(ips []string) (string, error) {
	if len(ips) == 0 {
		return "", nil
	}
	b, err := json.Marshal(ips)
	return string(b), err
}

func decodeIPs(s string) ([]string, error) {
	if s == "" {
		return nil, nil
	}
	var ips []string
	if err := json.Unmarshal([]byte(s), &ips); err != nil {
		return nil, fmt.Errorf("allowed_ips %q: %w", s, err)
	}
	return ips, nil
}

// insertAccount inserts a (SiteID and CustomerID set) and sets its ID and
// timestamps; a taken login is login_taken.
func insertAccount(ctx context.Context, tx *wtx, a *hosting.Account) error {
	const op = "create account"
	ips, err := encodeIPs(a.AllowedIPs)
	if err != nil {
		return wrap(op, err)
	}
	created := stamp(a.CreatedAt)
	updated := created
	if !a.UpdatedAt.IsZero() {
		updated = a.UpdatedAt.UTC()
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO ftp_accounts
		(login, site_id, customer_id, home, password_hash, quota_bytes, can_read, can_write, status, main,
		 expires_at, allowed_ips, created_at, updated_at, last_login_at, used_bytes)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.Login, a.SiteID, a.CustomerID, a.Home, a.PasswordHash, a.QuotaBytes, boolInt(a.Read), boolInt(a.Write),
		string(a.Status), boolInt(a.Main), nullNanos(a.ExpiresAt), ips, toNanos(created), toNanos(updated),
		nullNanos(a.LastLoginAt), a.UsedBytes)
	switch {
	case isUnique(err):
		// The login is checked before the insert in the same write
		// transaction; what is left is the one-main-account index.
		if a.Main {
			return hosting.Errorf(hosting.CodeConflict, "the site already has a main account")
		}
		return errAccountLoginTaken(a.Login)
	case isForeignKey(err):
		return hosting.FieldErrorf(hosting.CodeNotFound, "site", "site %d not found", a.SiteID)
	case err != nil:
		return wrap(op, err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return wrap(op, err)
	}
	a.ID, a.CreatedAt, a.UpdatedAt = id, created, updated
	if a.ExpiresAt != nil {
		t := a.ExpiresAt.UTC()
		a.ExpiresAt = &t
	}
	return nil
}

// fillAccountSite copies the fields an account read takes from its site
// and customer.
func fillAccountSite(a *hosting.Account, s *hosting.Site) {
	a.SiteName, a.CustomerID, a.CustomerLogin = s.Name, s.CustomerID, s.CustomerLogin
	a.SiteStatus, a.CustomerStatus = s.Status, s.CustomerStatus
	a.SiteRoot, a.SiteUID, a.SiteGID = s.Root, s.UID, s.GID
}

// Additional (non-main) accounts of a site or customer: all of them minus
// the main ones, so that both counts read an index only.
const (
	countAdditionalBySite = `SELECT (SELECT count(*) FROM ftp_accounts WHERE site_id = ?1)
		- (SELECT count(*) FROM ftp_accounts WHERE site_id = ?1 AND main = 1)`
	countAdditionalByCustomer = `SELECT (SELECT count(*) FROM ftp_accounts WHERE customer_id = ?1)
		- (SELECT count(*) FROM ftp_accounts WHERE customer_id = ?1 AND main = 1)`
)

// CreateAccount implements hosting.Store. The login, main-account and limit
// checks run inside the write transaction, which holds SQLite's write lock
// from BEGIN IMMEDIATE on: concurrent creates are serialized, so a limit
// cannot be overrun and only one of two creates of a login succeeds.
func (db *DB) CreateAccount(ctx context.Context, a *hosting.Account, ev *hosting.AuditEvent) error {
	const op = "create account"
	return db.write(ctx, op, func(tx *wtx) error {
		s, err := scanSite(tx.QueryRowContext(ctx, "SELECT "+siteCols+siteFrom+" WHERE s.id = ?", a.SiteID))
		if errors.Is(err, sql.ErrNoRows) {
			return hosting.FieldErrorf(hosting.CodeNotFound, "site", "site %d not found", a.SiteID)
		}
		if err != nil {
			return wrap(op, err)
		}
		var custLimit int
		if err := tx.QueryRowContext(ctx, "SELECT max_ftp_accounts FROM customers WHERE id = ?", s.CustomerID).Scan(&custLimit); err != nil {
			return wrap(op, err)
		}
		if taken, err := accountLoginTaken(ctx, tx, a.Login, 0); err != nil {
			return wrap(op, err)
		} else if taken {
			return errAccountLoginTaken(a.Login)
		}
		if a.Main {
			var n int
			if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM ftp_accounts WHERE site_id = ? AND main = 1", s.ID).Scan(&n); err != nil {
				return wrap(op, err)
			}
			if n > 0 {
				return hosting.Errorf(hosting.CodeConflict, "site %s already has a main account", s.Name)
			}
		} else {
			if s.MaxFTPAccounts >= 0 {
				var n int
				if err := tx.QueryRowContext(ctx, countAdditionalBySite, s.ID).Scan(&n); err != nil {
					return wrap(op, err)
				}
				if n >= s.MaxFTPAccounts {
					return hosting.Errorf(hosting.CodeLimitExceeded,
						"site %s allows at most %d additional FTP accounts", s.Name, s.MaxFTPAccounts)
				}
			}
			if custLimit >= 0 {
				var n int
				if err := tx.QueryRowContext(ctx, countAdditionalByCustomer, s.CustomerID).Scan(&n); err != nil {
					return wrap(op, err)
				}
				if n >= custLimit {
					return hosting.Errorf(hosting.CodeLimitExceeded,
						"customer %s allows at most %d additional FTP accounts", s.CustomerLogin, custLimit)
				}
			}
		}
		a.CustomerID = s.CustomerID
		if err := insertAccount(ctx, tx, a); err != nil {
			return err
		}
		fillAccountSite(a, s)
		return insertAudit(ctx, tx, ev, a.ID)
	})
}

const accountCols = `a.id, a.login, a.site_id, s.name, a.customer_id, c.login, a.home, a.password_hash, a.quota_bytes,
	a.can_read, a.can_write, a.status, a.main, a.expires_at, a.allowed_ips, a.created_at, a.updated_at,
	a.last_login_at, a.used_bytes, s.status, c.status, s.root, s.uid, s.gid, a.used_measured_at, a.last_login_addr`

const accountFrom = " FROM ftp_accounts a JOIN sites s ON s.id = a.site_id JOIN customers c ON c.id = a.customer_id"

func scanAccount(row interface{ Scan(...any) error }) (*hosting.Account, error) {
	var a hosting.Account
	var expires, lastLogin, measured sql.NullInt64
	var created, updated int64
	var ips string
	if err := row.Scan(&a.ID, &a.Login, &a.SiteID, &a.SiteName, &a.CustomerID, &a.CustomerLogin, &a.Home,
		&a.PasswordHash, &a.QuotaBytes, &a.Read, &a.Write, &a.Status, &a.Main, &expires, &ips, &created, &updated,
		&lastLogin, &a.UsedBytes, &a.SiteStatus, &a.CustomerStatus, &a.SiteRoot, &a.SiteUID, &a.SiteGID,
		&measured, &a.LastLoginAddr); err != nil {
		return nil, err
	}
	var err error
	if a.AllowedIPs, err = decodeIPs(ips); err != nil {
		return nil, err
	}
	a.ExpiresAt, a.LastLoginAt = ptrNanos(expires), ptrNanos(lastLogin)
	a.UsedMeasuredAt = ptrNanos(measured)
	a.CreatedAt, a.UpdatedAt = fromNanos(created), fromNanos(updated)
	return &a, nil
}

func (db *DB) accountWhere(ctx context.Context, op, cond string, arg any, notFound error) (*hosting.Account, error) {
	a, err := scanAccount(db.rs.QueryRowContext(ctx, "SELECT "+accountCols+accountFrom+" WHERE "+cond, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound
	}
	if err != nil {
		return nil, wrap(op, err)
	}
	return a, nil
}

// AccountByID implements hosting.Store.
func (db *DB) AccountByID(ctx context.Context, id int64) (*hosting.Account, error) {
	return db.accountWhere(ctx, "account by id", "a.id = ?", id,
		hosting.Errorf(hosting.CodeNotFound, "account %d not found", id))
}

// AccountByLogin implements hosting.Store.
func (db *DB) AccountByLogin(ctx context.Context, login string) (*hosting.Account, error) {
	return db.accountWhere(ctx, "account by login", "a.login = ?", login,
		hosting.Errorf(hosting.CodeNotFound, "account %q not found", login))
}

func accountWhere(f hosting.AccountFilter) *where {
	var w where
	if f.ID != nil {
		w.add("a.id = ?", *f.ID)
	}
	if f.Login != nil {
		w.add("a.login = ?", *f.Login)
	}
	if f.SiteID != nil {
		w.add("a.site_id = ?", *f.SiteID)
	}
	if f.CustomerID != nil {
		w.add("a.customer_id = ?", *f.CustomerID)
	}
	if f.Status != nil {
		w.add("a.status = ?", string(*f.Status))
	}
	if f.Main != nil {
		w.add("a.main = ?", boolInt(*f.Main))
	}
	if f.Query != "" {
		w.add(`a.login LIKE ? ESCAPE '\'`, likeEscape(f.Query))
	}
	return &w
}

// Accounts implements hosting.Store.
func (db *DB) Accounts(ctx context.Context, f hosting.AccountFilter) ([]*hosting.Account, error) {
	const op = "accounts"
	w := accountWhere(f)
	if f.AfterID > 0 {
		w.add("a.id > ?", f.AfterID)
	}
	q := "SELECT " + accountCols + accountFrom + w.String() + accountOrder(f.Order) + limitOffset(w, f.Limit, f.Offset)
	rows, err := db.rs.QueryContext(ctx, q, w.args...)
	if err != nil {
		return nil, wrap(op, err)
	}
	defer rows.Close()
	var out []*hosting.Account
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return nil, wrap(op, err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap(op, err)
	}
	return out, nil
}

// CountAccounts implements hosting.Store.
func (db *DB) CountAccounts(ctx context.Context, f hosting.AccountFilter) (int, error) {
	w := accountWhere(f)
	var n int
	// No join needed: every filter is on ftp_accounts itself.
	if err := db.rs.QueryRowContext(ctx, "SELECT count(*) FROM ftp_accounts a"+w.String(), w.args...).Scan(&n); err != nil {
		return 0, wrap("count accounts", err)
	}
	return n, nil
}

// UpdateAccount implements hosting.Store.
func (db *DB) UpdateAccount(ctx context.Context, a *hosting.Account, ev *hosting.AuditEvent) error {
	const op = "update account"
	return db.write(ctx, op, func(tx *wtx) error {
		if taken, err := accountLoginTaken(ctx, tx, a.Login, a.ID); err != nil {
			return wrap(op, err)
		} else if taken {
			return errAccountLoginTaken(a.Login)
		}
		ips, err := encodeIPs(a.AllowedIPs)
		if err != nil {
			return wrap(op, err)
		}
		now := stamp(time.Time{})
		res, err := tx.ExecContext(ctx, `UPDATE ftp_accounts SET login = ?, home = ?, password_hash = ?, quota_bytes = ?,
			can_read = ?, can_write = ?, status = ?, expires_at = ?, allowed_ips = ?, updated_at = ? WHERE id = ?`,
			a.Login, a.Home, a.PasswordHash, a.QuotaBytes, boolInt(a.Read), boolInt(a.Write), string(a.Status),
			nullNanos(a.ExpiresAt), ips, toNanos(now), a.ID)
		if isUnique(err) {
			return errAccountLoginTaken(a.Login)
		}
		if err != nil {
			return wrap(op, err)
		}
		if err := affected(res, op, hosting.Errorf(hosting.CodeNotFound, "account %d not found", a.ID)); err != nil {
			return err
		}
		a.UpdatedAt = now
		return insertAudit(ctx, tx, ev, a.ID)
	})
}

// DeleteAccount implements hosting.Store.
func (db *DB) DeleteAccount(ctx context.Context, id int64, ev *hosting.AuditEvent) error {
	const op = "delete account"
	return db.write(ctx, op, func(tx *wtx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM ftp_accounts WHERE id = ?", id)
		if err != nil {
			return wrap(op, err)
		}
		if err := affected(res, op, hosting.Errorf(hosting.CodeNotFound, "account %d not found", id)); err != nil {
			return err
		}
		return insertAudit(ctx, tx, ev, id)
	})
}

// RecordLogin implements hosting.Store; not_found when the account is gone.
func (db *DB) RecordLogin(ctx context.Context, id int64, at time.Time, oldHash, newHash string) error {
	const op = "record login"
	return db.write(ctx, op, func(tx *wtx) error {
		res, err := tx.ExecContext(ctx, `UPDATE ftp_accounts SET last_login_at = ?1,
			password_hash = CASE WHEN ?2 <> '' AND password_hash = ?3 THEN ?2 ELSE password_hash END
			WHERE id = ?4`, toNanos(at), newHash, oldHash, id)
		if err != nil {
			return wrap(op, err)
		}
		return affected(res, op, hosting.Errorf(hosting.CodeNotFound, "account %d not found", id))
	})
}

// SetUsedBytes implements hosting.Store; not_found when the account is gone.
func (db *DB) SetUsedBytes(ctx context.Context, id int64, used int64) error {
	const op = "set used bytes"
	return db.write(ctx, op, func(tx *wtx) error {
		res, err := tx.ExecContext(ctx, "UPDATE ftp_accounts SET used_bytes = ? WHERE id = ?", used, id)
		if err != nil {
			return wrap(op, err)
		}
		return affected(res, op, hosting.Errorf(hosting.CodeNotFound, "account %d not found", id))
	})
}

// accountOrder is the ORDER BY clause of an account listing.
func accountOrder(o hosting.AccountOrder) string {
	switch o {
	case hosting.OrderByLogin:
		return " ORDER BY a.login, a.id"
	case hosting.OrderByLastLogin:
		return " ORDER BY a.last_login_at DESC NULLS LAST, a.login, a.id"
	case hosting.OrderByUsage:
		return " ORDER BY a.used_bytes DESC, a.login, a.id"
	}
	return " ORDER BY a.id"
}

// SetLastLoginAddr implements hosting.Store (issue 12).
func (db *DB) SetLastLoginAddr(ctx context.Context, id int64, addr string) error {
	const op = "set last login address"
	return db.write(ctx, op, func(tx *wtx) error {
		res, err := tx.ExecContext(ctx, "UPDATE ftp_accounts SET last_login_addr = ? WHERE id = ?", addr, id)
		if err != nil {
			return wrap(op, err)
		}
		return affected(res, op, hosting.Errorf(hosting.CodeNotFound, "account %d not found", id))
	})
}

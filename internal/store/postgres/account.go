package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"ftpanel/internal/hosting"
)

func errAccountLoginTaken(login string) error {
	return hosting.FieldErrorf(hosting.CodeLoginTaken, "login", "login %q is already taken", login)
}

func errSiteNotFound(id int64) error {
	return hosting.FieldErrorf(hosting.CodeNotFound, "site", "site %d not found", id)
}

// ips returns the allowed addresses as stored: never NULL.
func ips(list []string) []string {
	if list == nil {
		return []string{}
	}
	return list
}

// insertAccount inserts a (SiteID and CustomerID set) and sets its ID and
// timestamps; a taken login is login_taken, a second main account of the
// site conflict.
func insertAccount(ctx context.Context, tx pgx.Tx, a *hosting.Account) error {
	const op = "create account"
	created := stamp(a.CreatedAt)
	updated := created
	if !a.UpdatedAt.IsZero() {
		updated = utc(a.UpdatedAt)
	}
	expires, lastLogin := utcPtr(a.ExpiresAt), utcPtr(a.LastLoginAt)
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO ftp_accounts
		(login, site_id, customer_id, home, password_hash, quota_bytes, can_read, can_write, status, main,
		 expires_at, allowed_ips, created_at, updated_at, last_login_at, used_bytes)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id`,
		a.Login, a.SiteID, a.CustomerID, a.Home, a.PasswordHash, a.QuotaBytes, a.Read, a.Write,
		string(a.Status), a.Main, expires, ips(a.AllowedIPs), created, updated, lastLogin, a.UsedBytes).Scan(&id)
	switch {
	case isUnique(err, "ftp_accounts_one_main"):
		return hosting.Errorf(hosting.CodeConflict, "the site already has a main account")
	case isUnique(err, ""):
		return errAccountLoginTaken(a.Login)
	case isForeignKey(err):
		return errSiteNotFound(a.SiteID)
	case err != nil:
		return wrap(op, err)
	}
	a.ID, a.CreatedAt, a.UpdatedAt, a.ExpiresAt, a.LastLoginAt = id, created, updated, expires, lastLogin
	return nil
}

// fillAccountSite copies the fields an account read takes from its site
// and customer.
func fillAccountSite(a *hosting.Account, s *hosting.Site) {
	a.SiteName, a.CustomerID, a.CustomerLogin = s.Name, s.CustomerID, s.CustomerLogin
	a.SiteStatus, a.CustomerStatus = s.Status, s.CustomerStatus
	a.SiteRoot, a.SiteUID, a.SiteGID = s.Root, s.UID, s.GID
}

// CreateAccount implements hosting.Store. The limits are checked under
// row locks on the customer and then the site (FOR NO KEY UPDATE, which
// leaves the foreign-key checks of other transactions free), taken before
// counting: concurrent creates on one site or one customer, through any
// connection of any node, queue there and each counts what the previous
// one committed. Taking the customer first, as UpdateSite does, keeps the
// lock order the same everywhere.
func (db *DB) CreateAccount(ctx context.Context, a *hosting.Account, ev *hosting.AuditEvent) error {
	const op = "create account"
	return db.write(ctx, op, func(tx pgx.Tx) error {
		var custID int64
		var custLimit int
		err := tx.QueryRow(ctx, `SELECT id, max_ftp_accounts FROM customers
			WHERE id = (SELECT customer_id FROM sites WHERE id = $1) FOR NO KEY UPDATE`, a.SiteID).Scan(&custID, &custLimit)
		if errors.Is(err, pgx.ErrNoRows) {
			return errSiteNotFound(a.SiteID)
		}
		if err != nil {
			return wrap(op, err)
		}
		s, err := scanSite(tx.QueryRow(ctx, "SELECT "+siteCols+siteFrom+" WHERE s.id = $1 FOR NO KEY UPDATE OF s", a.SiteID))
		if errors.Is(err, pgx.ErrNoRows) { // deleted while we waited
			return errSiteNotFound(a.SiteID)
		}
		if err != nil {
			return wrap(op, err)
		}
		if s.CustomerID != custID { // moved to another customer while we waited
			return errRetry
		}
		// Counted in a statement of their own, which sees every create
		// committed before the locks were granted. The login comes first,
		// as in the SQLite store: a taken login is login_taken even on a
		// full site; the unique constraint covers the race.
		var taken bool
		var siteN, custN int
		if a.Main {
			err = tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM ftp_accounts WHERE login = $1)", a.Login).Scan(&taken)
		} else {
			// $4, $5: an unlimited count is skipped (a one-time filter).
			err = tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM ftp_accounts WHERE login = $1),
				(SELECT count(*) FROM ftp_accounts WHERE $4 AND site_id = $2 AND NOT main),
				(SELECT count(*) FROM ftp_accounts WHERE $5 AND customer_id = $3 AND NOT main)`,
				a.Login, s.ID, custID, s.MaxFTPAccounts >= 0, custLimit >= 0).Scan(&taken, &siteN, &custN)
		}
		if err != nil {
			return wrap(op, err)
		}
		if taken {
			return errAccountLoginTaken(a.Login)
		}
		if !a.Main {
			if s.MaxFTPAccounts >= 0 && siteN >= s.MaxFTPAccounts {
				return hosting.Errorf(hosting.CodeLimitExceeded,
					"site %s allows at most %d additional FTP accounts", s.Name, s.MaxFTPAccounts)
			}
			if custLimit >= 0 && custN >= custLimit {
				return hosting.Errorf(hosting.CodeLimitExceeded,
					"customer %s allows at most %d additional FTP accounts", s.CustomerLogin, custLimit)
			}
		}
		a.CustomerID = s.CustomerID
		if err := insertAccount(ctx, tx, a); err != nil {
			if hosting.ErrorCode(err) == hosting.CodeConflict {
				return hosting.Errorf(hosting.CodeConflict, "site %s already has a main account", s.Name)
			}
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

func scanAccount(row pgx.Row) (*hosting.Account, error) {
	var a hosting.Account
	if err := row.Scan(&a.ID, &a.Login, &a.SiteID, &a.SiteName, &a.CustomerID, &a.CustomerLogin, &a.Home,
		&a.PasswordHash, &a.QuotaBytes, &a.Read, &a.Write, &a.Status, &a.Main, &a.ExpiresAt, &a.AllowedIPs,
		&a.CreatedAt, &a.UpdatedAt, &a.LastLoginAt, &a.UsedBytes, &a.SiteStatus, &a.CustomerStatus, &a.SiteRoot,
		&a.SiteUID, &a.SiteGID, &a.UsedMeasuredAt, &a.LastLoginAddr); err != nil {
		return nil, err
	}
	if len(a.AllowedIPs) == 0 {
		a.AllowedIPs = nil
	}
	a.CreatedAt, a.UpdatedAt = a.CreatedAt.UTC(), a.UpdatedAt.UTC()
	a.ExpiresAt, a.LastLoginAt = utcPtr(a.ExpiresAt), utcPtr(a.LastLoginAt)
	a.UsedMeasuredAt = utcPtr(a.UsedMeasuredAt)
	return &a, nil
}

func (db *DB) accountWhere(ctx context.Context, op, cond string, arg any, notFound error) (*hosting.Account, error) {
	a, err := scanAccount(db.pool.QueryRow(ctx, "SELECT "+accountCols+accountFrom+" WHERE "+cond, arg))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound
	}
	if err != nil {
		return nil, wrap(op, err)
	}
	return a, nil
}

// AccountByID implements hosting.Store.
func (db *DB) AccountByID(ctx context.Context, id int64) (*hosting.Account, error) {
	return db.accountWhere(ctx, "account by id", "a.id = $1", id,
		hosting.Errorf(hosting.CodeNotFound, "account %d not found", id))
}

// AccountByLogin implements hosting.Store.
func (db *DB) AccountByLogin(ctx context.Context, login string) (*hosting.Account, error) {
	return db.accountWhere(ctx, "account by login", "a.login = $1", login,
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
		w.add("a.main = ?", *f.Main)
	}
	if f.Query != "" {
		w.add("a.login ILIKE ?", likePattern(f.Query))
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
	q := "SELECT " + accountCols + accountFrom + w.String() + accountOrder(f.Order) + w.limitOffset(f.Limit, f.Offset)
	rows, err := db.pool.Query(ctx, q, w.args...)
	if err != nil {
		return nil, wrap(op, err)
	}
	out, err := collect(rows, scanAccount)
	if err != nil {
		return nil, wrap(op, err)
	}
	return out, nil
}

// CountAccounts implements hosting.Store.
func (db *DB) CountAccounts(ctx context.Context, f hosting.AccountFilter) (int, error) {
	w := accountWhere(f)
	var n int
	// No join needed: every filter is on ftp_accounts itself.
	if err := db.pool.QueryRow(ctx, "SELECT count(*) FROM ftp_accounts a"+w.String(), w.args...).Scan(&n); err != nil {
		return 0, wrap("count accounts", err)
	}
	return n, nil
}

// UpdateAccount implements hosting.Store.
func (db *DB) UpdateAccount(ctx context.Context, a *hosting.Account, ev *hosting.AuditEvent) error {
	const op = "update account"
	return db.write(ctx, op, func(tx pgx.Tx) error {
		now := stamp(time.Time{})
		expires := utcPtr(a.ExpiresAt)
		tag, err := tx.Exec(ctx, `UPDATE ftp_accounts SET login = $1, home = $2, password_hash = $3, quota_bytes = $4,
			can_read = $5, can_write = $6, status = $7, expires_at = $8, allowed_ips = $9, updated_at = $10 WHERE id = $11`,
			a.Login, a.Home, a.PasswordHash, a.QuotaBytes, a.Read, a.Write, string(a.Status), expires,
			ips(a.AllowedIPs), now, a.ID)
		if isUnique(err, "") {
			return errAccountLoginTaken(a.Login)
		}
		if err != nil {
			return wrap(op, err)
		}
		if err := affected(tag, hosting.Errorf(hosting.CodeNotFound, "account %d not found", a.ID)); err != nil {
			return err
		}
		a.UpdatedAt, a.ExpiresAt = now, expires
		return insertAudit(ctx, tx, ev, a.ID)
	})
}

// DeleteAccount implements hosting.Store.
func (db *DB) DeleteAccount(ctx context.Context, id int64, ev *hosting.AuditEvent) error {
	const op = "delete account"
	return db.write(ctx, op, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, "DELETE FROM ftp_accounts WHERE id = $1", id)
		if err != nil {
			return wrap(op, err)
		}
		if err := affected(tag, hosting.Errorf(hosting.CodeNotFound, "account %d not found", id)); err != nil {
			return err
		}
		return insertAudit(ctx, tx, ev, id)
	})
}

// RecordLogin implements hosting.Store; not_found when the account is gone.
func (db *DB) RecordLogin(ctx context.Context, id int64, at time.Time, oldHash, newHash string) error {
	const op = "record login"
	tag, err := db.pool.Exec(ctx, `UPDATE ftp_accounts SET last_login_at = $1,
		password_hash = CASE WHEN $2 <> '' AND password_hash = $3 THEN $2 ELSE password_hash END
		WHERE id = $4`, utc(at), newHash, oldHash, id)
	if err != nil {
		return wrap(op, err)
	}
	return affected(tag, hosting.Errorf(hosting.CodeNotFound, "account %d not found", id))
}

// SetUsedBytes implements hosting.Store; not_found when the account is
// gone. Nodes measuring one home write in turn: the last one wins.
func (db *DB) SetUsedBytes(ctx context.Context, id int64, used int64) error {
	tag, err := db.pool.Exec(ctx, "UPDATE ftp_accounts SET used_bytes = $1 WHERE id = $2", used, id)
	if err != nil {
		return wrap("set used bytes", err)
	}
	return affected(tag, hosting.Errorf(hosting.CodeNotFound, "account %d not found", id))
}

// accountOrder is the ORDER BY clause of an account listing.
func accountOrder(o hosting.AccountOrder) string {
	switch o {
	case hosting.OrderByLogin:
		return " ORDER BY a.login COLLATE \"C\", a.id"
	case hosting.OrderByLastLogin:
		return " ORDER BY a.last_login_at DESC NULLS LAST, a.login COLLATE \"C\", a.id"
	case hosting.OrderByUsage:
		return " ORDER BY a.used_bytes DESC, a.login COLLATE \"C\", a.id"
	}
	return " ORDER BY a.id"
}

// SetLastLoginAddr implements hosting.Store (issue 12).
func (db *DB) SetLastLoginAddr(ctx context.Context, id int64, addr string) error {
	const op = "set last login address"
	return db.write(ctx, op, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, "UPDATE ftp_accounts SET last_login_addr = $1 WHERE id = $2", addr, id)
		if err != nil {
			return wrap(op, err)
		}
		return affected(tag, hosting.Errorf(hosting.CodeNotFound, "account %d not found", id))
	})
}

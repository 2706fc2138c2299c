package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"ftpanel/internal/hosting"
)

// CreateSite implements hosting.Store: the site and its main account in
// one transaction.
func (db *DB) CreateSite(ctx context.Context, s *hosting.Site, main *hosting.Account, ev *hosting.AuditEvent) error {
	const op = "create site"
	return db.write(ctx, op, func(tx *wtx) error {
		var custLogin string
		var custStatus hosting.Status
		err := tx.QueryRowContext(ctx, "SELECT login, status FROM customers WHERE id = ?", s.CustomerID).Scan(&custLogin, &custStatus)
		if errors.Is(err, sql.ErrNoRows) {
			return hosting.FieldErrorf(hosting.CodeNotFound, "customer", "customer %d not found", s.CustomerID)
		}
		if err != nil {
			return wrap(op, err)
		}
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM sites WHERE name = ?", s.Name).Scan(&n); err != nil {
			return wrap(op, err)
		}
		if n > 0 {
			return errSiteExists(s.Name)
		}
		if main != nil {
			if taken, err := accountLoginTaken(ctx, tx, main.Login, 0); err != nil {
				return wrap(op, err)
			} else if taken {
				return errAccountLoginTaken(main.Login)
			}
		}
		created := stamp(s.CreatedAt)
		updated := created
		if !s.UpdatedAt.IsZero() {
			updated = s.UpdatedAt.UTC()
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO sites
			(name, customer_id, root, ip, uid, gid, status, max_ftp_accounts, default_quota, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			s.Name, s.CustomerID, s.Root, s.IP, s.UID, s.GID, string(s.Status), s.MaxFTPAccounts, s.DefaultQuota,
			toNanos(created), toNanos(updated))
		switch {
		case isUnique(err):
			return errSiteExists(s.Name)
		case isForeignKey(err):
			return hosting.FieldErrorf(hosting.CodeNotFound, "customer", "customer %d not found", s.CustomerID)
		case err != nil:
			return wrap(op, err)
		}
		id, err := res.LastInsertId()
		if err != nil {
			return wrap(op, err)
		}
		s.ID, s.CreatedAt, s.UpdatedAt = id, created, updated
		s.CustomerLogin, s.CustomerStatus = custLogin, custStatus
		if main != nil {
			main.SiteID, main.CustomerID, main.Main = id, s.CustomerID, true
			if err := insertAccount(ctx, tx, main); err != nil {
				return err
			}
			fillAccountSite(main, s)
		}
		return insertAudit(ctx, tx, ev, id)
	})
}

func errSiteExists(name string) error {
	return hosting.FieldErrorf(hosting.CodeConflict, "name", "site %s already exists", name)
}

const siteCols = `s.id, s.name, s.customer_id, c.login, s.root, s.ip, s.uid, s.gid, s.status, s.max_ftp_accounts,
	s.default_quota, c.status, s.created_at, s.updated_at, s.used_bytes, s.used_measured_at`

const siteFrom = " FROM sites s JOIN customers c ON c.id = s.customer_id"

func scanSite(row interface{ Scan(...any) error }) (*hosting.Site, error) {
	var s hosting.Site
	var created, updated int64
	var measured sql.NullInt64
	if err := row.Scan(&s.ID, &s.Name, &s.CustomerID, &s.CustomerLogin, &s.Root, &s.IP, &s.UID, &s.GID, &s.Status,
		&s.MaxFTPAccounts, &s.DefaultQuota, &s.CustomerStatus, &created, &updated, &s.UsedBytes, &measured); err != nil {
		return nil, err
	}
	s.CreatedAt, s.UpdatedAt = fromNanos(created), fromNanos(updated)
	s.UsedMeasuredAt = ptrNanos(measured)
	return &s, nil
}

func (db *DB) siteWhere(ctx context.Context, op, cond string, arg any, notFound error) (*hosting.Site, error) {
	s, err := scanSite(db.rs.QueryRowContext(ctx, "SELECT "+siteCols+siteFrom+" WHERE "+cond, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound
	}
	if err != nil {
		return nil, wrap(op, err)
	}
	return s, nil
}

// SiteByID implements hosting.Store.
func (db *DB) SiteByID(ctx context.Context, id int64) (*hosting.Site, error) {
	return db.siteWhere(ctx, "site by id", "s.id = ?", id, hosting.Errorf(hosting.CodeNotFound, "site %d not found", id))
}

// SiteByName implements hosting.Store.
func (db *DB) SiteByName(ctx context.Context, name string) (*hosting.Site, error) {
	return db.siteWhere(ctx, "site by name", "s.name = ?", name, hosting.Errorf(hosting.CodeNotFound, "site %q not found", name))
}

// Sites implements hosting.Store.
func (db *DB) Sites(ctx context.Context, f hosting.SiteFilter) ([]*hosting.Site, error) {
	const op = "sites"
	var w where
	if f.ID != nil {
		w.add("s.id = ?", *f.ID)
	}
	if f.Name != nil {
		w.add("s.name = ?", *f.Name)
	}
	if f.CustomerID != nil {
		w.add("s.customer_id = ?", *f.CustomerID)
	}
	if f.Status != nil {
		w.add("s.status = ?", string(*f.Status))
	}
	if f.Query != "" {
		w.add(`s.name LIKE ? ESCAPE '\'`, likeEscape(f.Query))
	}
	q := "SELECT " + siteCols + siteFrom + w.String() + " ORDER BY s.name" + limitOffset(&w, f.Limit, f.Offset)
	rows, err := db.rs.QueryContext(ctx, q, w.args...)
	if err != nil {
		return nil, wrap(op, err)
	}
	defer rows.Close()
	var out []*hosting.Site
	for rows.Next() {
		s, err := scanSite(rows)
		if err != nil {
			return nil, wrap(op, err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap(op, err)
	}
	return out, nil
}

// UpdateSite implements hosting.Store. When the customer changes, the
// site's accounts move with it.
func (db *DB) UpdateSite(ctx context.Context, s *hosting.Site, ev *hosting.AuditEvent) error {
	const op = "update site"
	return db.write(ctx, op, func(tx *wtx) error {
		var custLogin string
		var custStatus hosting.Status
		err := tx.QueryRowContext(ctx, "SELECT login, status FROM customers WHERE id = ?", s.CustomerID).Scan(&custLogin, &custStatus)
		if errors.Is(err, sql.ErrNoRows) {
			// The site itself may be missing too: that answer comes first.
			var n int
			if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM sites WHERE id = ?", s.ID).Scan(&n); err != nil {
				return wrap(op, err)
			}
			if n == 0 {
				return hosting.Errorf(hosting.CodeNotFound, "site %d not found", s.ID)
			}
			return hosting.FieldErrorf(hosting.CodeNotFound, "customer", "customer %d not found", s.CustomerID)
		}
		if err != nil {
			return wrap(op, err)
		}
		now := stamp(time.Time{})
		res, err := tx.ExecContext(ctx, `UPDATE sites SET customer_id = ?, ip = ?, uid = ?, gid = ?, status = ?,
			max_ftp_accounts = ?, default_quota = ?, updated_at = ? WHERE id = ?`,
			s.CustomerID, s.IP, s.UID, s.GID, string(s.Status), s.MaxFTPAccounts, s.DefaultQuota, toNanos(now), s.ID)
		if err != nil {
			return wrap(op, err)
		}
		if err := affected(res, op, hosting.Errorf(hosting.CodeNotFound, "site %d not found", s.ID)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE ftp_accounts SET customer_id = ? WHERE site_id = ? AND customer_id <> ?",
			s.CustomerID, s.ID, s.CustomerID); err != nil {
			return wrap(op, err)
		}
		s.UpdatedAt, s.CustomerLogin, s.CustomerStatus = now, custLogin, custStatus
		return insertAudit(ctx, tx, ev, s.ID)
	})
}

// DeleteSite implements hosting.Store; its accounts go with it (ON DELETE
// CASCADE).
func (db *DB) DeleteSite(ctx context.Context, id int64, ev *hosting.AuditEvent) error {
	const op = "delete site"
	return db.write(ctx, op, func(tx *wtx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM sites WHERE id = ?", id)
		if err != nil {
			return wrap(op, err)
		}
		if err := affected(res, op, hosting.Errorf(hosting.CodeNotFound, "site %d not found", id)); err != nil {
			return err
		}
		return insertAudit(ctx, tx, ev, id)
	})
}

package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"ftpanel/internal/hosting"
)

// CreateSite implements hosting.Store: the site and its main account in
// one transaction. The unique constraints on the site name and the login
// settle concurrent creates.
func (db *DB) CreateSite(ctx context.Context, s *hosting.Site, main *hosting.Account, ev *hosting.AuditEvent) error {
	const op = "create site"
	return db.write(ctx, op, func(tx pgx.Tx) error {
		var custLogin string
		var custStatus hosting.Status
		err := tx.QueryRow(ctx, "SELECT login, status FROM customers WHERE id = $1", s.CustomerID).Scan(&custLogin, &custStatus)
		if errors.Is(err, pgx.ErrNoRows) {
			return errCustomerNotFound(s.CustomerID)
		}
		if err != nil {
			return wrap(op, err)
		}
		created := stamp(s.CreatedAt)
		updated := created
		if !s.UpdatedAt.IsZero() {
			updated = utc(s.UpdatedAt)
		}
		var id int64
		err = tx.QueryRow(ctx, `INSERT INTO sites
			(name, customer_id, root, ip, uid, gid, status, max_ftp_accounts, default_quota, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
			s.Name, s.CustomerID, s.Root, s.IP, s.UID, s.GID, string(s.Status), s.MaxFTPAccounts, s.DefaultQuota,
			created, updated).Scan(&id)
		switch {
		case isUnique(err, ""):
			return errSiteExists(s.Name)
		case isForeignKey(err): // the customer was deleted meanwhile
			return errCustomerNotFound(s.CustomerID)
		case err != nil:
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

func errCustomerNotFound(id int64) error {
	return hosting.FieldErrorf(hosting.CodeNotFound, "customer", "customer %d not found", id)
}

const siteCols = `s.id, s.name, s.customer_id, c.login, s.root, s.ip, s.uid, s.gid, s.status, s.max_ftp_accounts,
	s.default_quota, c.status, s.created_at, s.updated_at, s.used_bytes, s.used_measured_at`

const siteFrom = " FROM sites s JOIN customers c ON c.id = s.customer_id"

func scanSite(row pgx.Row) (*hosting.Site, error) {
	var s hosting.Site
	if err := row.Scan(&s.ID, &s.Name, &s.CustomerID, &s.CustomerLogin, &s.Root, &s.IP, &s.UID, &s.GID, &s.Status,
		&s.MaxFTPAccounts, &s.DefaultQuota, &s.CustomerStatus, &s.CreatedAt, &s.UpdatedAt, &s.UsedBytes,
		&s.UsedMeasuredAt); err != nil {
		return nil, err
	}
	s.CreatedAt, s.UpdatedAt = s.CreatedAt.UTC(), s.UpdatedAt.UTC()
	s.UsedMeasuredAt = utcPtr(s.UsedMeasuredAt)
	return &s, nil
}

func (db *DB) siteWhere(ctx context.Context, op, cond string, arg any, notFound error) (*hosting.Site, error) {
	s, err := scanSite(db.pool.QueryRow(ctx, "SELECT "+siteCols+siteFrom+" WHERE "+cond, arg))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound
	}
	if err != nil {
		return nil, wrap(op, err)
	}
	return s, nil
}

// SiteByID implements hosting.Store.
func (db *DB) SiteByID(ctx context.Context, id int64) (*hosting.Site, error) {
	return db.siteWhere(ctx, "site by id", "s.id = $1", id, hosting.Errorf(hosting.CodeNotFound, "site %d not found", id))
}

// SiteByName implements hosting.Store.
func (db *DB) SiteByName(ctx context.Context, name string) (*hosting.Site, error) {
	return db.siteWhere(ctx, "site by name", "s.name = $1", name, hosting.Errorf(hosting.CodeNotFound, "site %q not found", name))
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
		w.add("s.name ILIKE ?", likePattern(f.Query))
	}
	q := "SELECT " + siteCols + siteFrom + w.String() + " ORDER BY s.name" + w.limitOffset(f.Limit, f.Offset)
	rows, err := db.pool.Query(ctx, q, w.args...)
	if err != nil {
		return nil, wrap(op, err)
	}
	out, err := collect(rows, scanSite)
	if err != nil {
		return nil, wrap(op, err)
	}
	return out, nil
}

// UpdateSite implements hosting.Store. When the customer changes, the
// site's accounts move with it. The (new) customer's row is locked first,
// as CreateAccount does, so that accounts cannot be added to the customer
// while they move.
func (db *DB) UpdateSite(ctx context.Context, s *hosting.Site, ev *hosting.AuditEvent) error {
	const op = "update site"
	return db.write(ctx, op, func(tx pgx.Tx) error {
		var custLogin string
		var custStatus hosting.Status
		err := tx.QueryRow(ctx, "SELECT login, status FROM customers WHERE id = $1 FOR NO KEY UPDATE",
			s.CustomerID).Scan(&custLogin, &custStatus)
		if errors.Is(err, pgx.ErrNoRows) {
			// The site itself may be missing too: that answer comes first.
			var exists bool
			if err := tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM sites WHERE id = $1)", s.ID).Scan(&exists); err != nil {
				return wrap(op, err)
			}
			if !exists {
				return hosting.Errorf(hosting.CodeNotFound, "site %d not found", s.ID)
			}
			return errCustomerNotFound(s.CustomerID)
		}
		if err != nil {
			return wrap(op, err)
		}
		now := stamp(time.Time{})
		tag, err := tx.Exec(ctx, `UPDATE sites SET customer_id = $1, ip = $2, uid = $3, gid = $4, status = $5,
			max_ftp_accounts = $6, default_quota = $7, updated_at = $8 WHERE id = $9`,
			s.CustomerID, s.IP, s.UID, s.GID, string(s.Status), s.MaxFTPAccounts, s.DefaultQuota, now, s.ID)
		if err != nil {
			return wrap(op, err)
		}
		if err := affected(tag, hosting.Errorf(hosting.CodeNotFound, "site %d not found", s.ID)); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE ftp_accounts SET customer_id = $1 WHERE site_id = $2 AND customer_id <> $1",
			s.CustomerID, s.ID); err != nil {
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
	return db.write(ctx, op, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, "DELETE FROM sites WHERE id = $1", id)
		if err != nil {
			return wrap(op, err)
		}
		if err := affected(tag, hosting.Errorf(hosting.CodeNotFound, "site %d not found", id)); err != nil {
			return err
		}
		return insertAudit(ctx, tx, ev, id)
	})
}

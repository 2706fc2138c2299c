package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"ftpanel/internal/hosting"
)

// PutSession implements hosting.Store. A kill request already recorded
// for the session (by any node) survives the refresh.
func (db *DB) PutSession(ctx context.Context, s *hosting.Session) error {
	_, err := db.pool.Exec(ctx, `INSERT INTO sessions
		(id, node, protocol, account_id, login, site_id, site_name, customer_id, remote_addr, client, tls,
		 started_at, command, transfer, bytes_in, bytes_out, updated_at, kill_requested)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
		ON CONFLICT (id) DO UPDATE SET node = excluded.node, protocol = excluded.protocol,
		 account_id = excluded.account_id, login = excluded.login, site_id = excluded.site_id,
		 site_name = excluded.site_name, customer_id = excluded.customer_id, remote_addr = excluded.remote_addr,
		 client = excluded.client, tls = excluded.tls, started_at = excluded.started_at,
		 command = excluded.command, transfer = excluded.transfer, bytes_in = excluded.bytes_in,
		 bytes_out = excluded.bytes_out, updated_at = excluded.updated_at,
		 kill_requested = sessions.kill_requested OR excluded.kill_requested`,
		s.ID, s.Node, s.Protocol, s.AccountID, s.Login, s.SiteID, s.SiteName, s.CustomerID, s.RemoteAddr, s.Client,
		s.TLS, utc(s.StartedAt), s.Command, s.Transfer, s.BytesIn, s.BytesOut, stamp(s.UpdatedAt), s.KillRequested)
	if err != nil {
		return wrap("put session", err)
	}
	return nil
}

// DeleteSession implements hosting.Store.
func (db *DB) DeleteSession(ctx context.Context, id string) error {
	if _, err := db.pool.Exec(ctx, "DELETE FROM sessions WHERE id = $1", id); err != nil {
		return wrap("delete session", err)
	}
	return nil
}

// DeleteNodeSessions implements hosting.Store.
func (db *DB) DeleteNodeSessions(ctx context.Context, node string) error {
	if _, err := db.pool.Exec(ctx, "DELETE FROM sessions WHERE node = $1", node); err != nil {
		return wrap("delete node sessions", err)
	}
	return nil
}

func sessionWhere(f hosting.SessionFilter) *where {
	var w where
	if f.ID != nil {
		w.add("id = ?", *f.ID)
	}
	if f.Node != nil {
		w.add("node = ?", *f.Node)
	}
	if f.AccountID != nil {
		w.add("account_id = ?", *f.AccountID)
	}
	if f.SiteID != nil {
		w.add("site_id = ?", *f.SiteID)
	}
	if f.CustomerID != nil {
		w.add("customer_id = ?", *f.CustomerID)
	}
	if f.KillRequested != nil {
		w.add("kill_requested = ?", *f.KillRequested)
	}
	return &w
}

func scanSession(row pgx.Row) (*hosting.Session, error) {
	var s hosting.Session
	if err := row.Scan(&s.ID, &s.Node, &s.Protocol, &s.AccountID, &s.Login, &s.SiteID, &s.SiteName, &s.CustomerID,
		&s.RemoteAddr, &s.Client, &s.TLS, &s.StartedAt, &s.Command, &s.Transfer, &s.BytesIn, &s.BytesOut, &s.UpdatedAt,
		&s.KillRequested); err != nil {
		return nil, err
	}
	s.StartedAt, s.UpdatedAt = s.StartedAt.UTC(), s.UpdatedAt.UTC()
	return &s, nil
}

// Sessions implements hosting.Store: the sessions of every node.
func (db *DB) Sessions(ctx context.Context, f hosting.SessionFilter) ([]*hosting.Session, error) {
	const op = "sessions"
	w := sessionWhere(f)
	rows, err := db.pool.Query(ctx, `SELECT id, node, protocol, account_id, login, site_id, site_name, customer_id,
		remote_addr, client, tls, started_at, command, transfer, bytes_in, bytes_out, updated_at, kill_requested
		FROM sessions`+w.String()+" ORDER BY started_at, id", w.args...)
	if err != nil {
		return nil, wrap(op, err)
	}
	out, err := collect(rows, scanSession)
	if err != nil {
		return nil, wrap(op, err)
	}
	return out, nil
}

// RequestSessionKill implements hosting.Store. The flag is seen by the
// node holding the session at its next poll of its own sessions.
func (db *DB) RequestSessionKill(ctx context.Context, f hosting.SessionFilter) (int, error) {
	w := sessionWhere(f)
	tag, err := db.pool.Exec(ctx, "UPDATE sessions SET kill_requested = true"+w.String(), w.args...)
	if err != nil {
		return 0, wrap("request session kill", err)
	}
	return int(tag.RowsAffected()), nil
}

// PutBan implements hosting.Store. Bans are shared: a ban recorded by one
// node refuses the address on every node.
func (db *DB) PutBan(ctx context.Context, b *hosting.Ban) error {
	b.CreatedAt, b.Until = stamp(b.CreatedAt), utc(b.Until)
	_, err := db.pool.Exec(ctx, `INSERT INTO bans (addr, until, strikes, reason, node, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (addr) DO UPDATE SET until = excluded.until, strikes = excluded.strikes,
		 reason = excluded.reason, node = excluded.node, created_at = excluded.created_at`,
		b.Addr, b.Until, b.Strikes, b.Reason, b.Node, b.CreatedAt)
	if err != nil {
		return wrap("put ban", err)
	}
	return nil
}

const banCols = "addr, until, strikes, reason, node, created_at"

func scanBan(row pgx.Row) (*hosting.Ban, error) {
	var b hosting.Ban
	if err := row.Scan(&b.Addr, &b.Until, &b.Strikes, &b.Reason, &b.Node, &b.CreatedAt); err != nil {
		return nil, err
	}
	b.Until, b.CreatedAt = b.Until.UTC(), b.CreatedAt.UTC()
	return &b, nil
}

// BanByAddr implements hosting.Store.
func (db *DB) BanByAddr(ctx context.Context, addr string) (*hosting.Ban, error) {
	b, err := scanBan(db.pool.QueryRow(ctx, "SELECT "+banCols+" FROM bans WHERE addr = $1", addr))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, hosting.Errorf(hosting.CodeNotFound, "no ban for %s", addr)
	}
	if err != nil {
		return nil, wrap("ban by addr", err)
	}
	return b, nil
}

// Bans implements hosting.Store.
func (db *DB) Bans(ctx context.Context, now time.Time) ([]*hosting.Ban, error) {
	rows, err := db.pool.Query(ctx, "SELECT "+banCols+" FROM bans WHERE until > $1 ORDER BY addr", utc(now))
	if err != nil {
		return nil, wrap("bans", err)
	}
	out, err := collect(rows, scanBan)
	if err != nil {
		return nil, wrap("bans", err)
	}
	return out, nil
}

// DeleteBan implements hosting.Store.
func (db *DB) DeleteBan(ctx context.Context, addr string) error {
	tag, err := db.pool.Exec(ctx, "DELETE FROM bans WHERE addr = $1", addr)
	if err != nil {
		return wrap("delete ban", err)
	}
	return affected(tag, hosting.Errorf(hosting.CodeNotFound, "no ban for %s", addr))
}

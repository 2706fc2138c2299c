package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"ftpanel/internal/hosting"
)

// PutSession implements hosting.Store. A kill request already recorded
// for the session survives the refresh.
func (db *DB) PutSession(ctx context.Context, s *hosting.Session) error {
	const op = "put session"
	return db.write(ctx, op, func(tx *wtx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO sessions
			(id, node, protocol, account_id, login, site_id, site_name, customer_id, remote_addr, client, tls,
			 started_at, command, transfer, bytes_in, bytes_out, updated_at, kill_requested)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET node = excluded.node, protocol = excluded.protocol,
			 account_id = excluded.account_id, login = excluded.login, site_id = excluded.site_id,
			 site_name = excluded.site_name, customer_id = excluded.customer_id, remote_addr = excluded.remote_addr,
			 client = excluded.client, tls = excluded.tls, started_at = excluded.started_at,
			 command = excluded.command, transfer = excluded.transfer, bytes_in = excluded.bytes_in,
			 bytes_out = excluded.bytes_out, updated_at = excluded.updated_at,
			 kill_requested = max(sessions.kill_requested, excluded.kill_requested)`,
			s.ID, s.Node, s.Protocol, s.AccountID, s.Login, s.SiteID, s.SiteName, s.CustomerID, s.RemoteAddr, s.Client,
			boolInt(s.TLS), toNanos(s.StartedAt), s.Command, s.Transfer, s.BytesIn, s.BytesOut,
			toNanos(stamp(s.UpdatedAt)), boolInt(s.KillRequested))
		if err != nil {
			return wrap(op, err)
		}
		return nil
	})
}

// DeleteSession implements hosting.Store.
func (db *DB) DeleteSession(ctx context.Context, id string) error {
	return db.write(ctx, "delete session", func(tx *wtx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE id = ?", id); err != nil {
			return wrap("delete session", err)
		}
		return nil
	})
}

// DeleteNodeSessions implements hosting.Store.
func (db *DB) DeleteNodeSessions(ctx context.Context, node string) error {
	return db.write(ctx, "delete node sessions", func(tx *wtx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE node = ?", node); err != nil {
			return wrap("delete node sessions", err)
		}
		return nil
	})
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
		w.add("kill_requested = ?", boolInt(*f.KillRequested))
	}
	return &w
}

// Sessions implements hosting.Store.
func (db *DB) Sessions(ctx context.Context, f hosting.SessionFilter) ([]*hosting.Session, error) {
	const op = "sessions"
	w := sessionWhere(f)
	rows, err := db.rs.QueryContext(ctx, `SELECT id, node, protocol, account_id, login, site_id, site_name, customer_id,
		remote_addr, client, tls, started_at, command, transfer, bytes_in, bytes_out, updated_at, kill_requested
		FROM sessions`+w.String()+" ORDER BY started_at, id", w.args...)
	if err != nil {
		return nil, wrap(op, err)
	}
	defer rows.Close()
	var out []*hosting.Session
	for rows.Next() {
		var s hosting.Session
		var started, updated int64
		if err := rows.Scan(&s.ID, &s.Node, &s.Protocol, &s.AccountID, &s.Login, &s.SiteID, &s.SiteName, &s.CustomerID,
			&s.RemoteAddr, &s.Client, &s.TLS, &started, &s.Command, &s.Transfer, &s.BytesIn, &s.BytesOut, &updated,
			&s.KillRequested); err != nil {
			return nil, wrap(op, err)
		}
		s.StartedAt, s.UpdatedAt = fromNanos(started), fromNanos(updated)
		out = append(out, &s)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap(op, err)
	}
	return out, nil
}

// RequestSessionKill implements hosting.Store.
func (db *DB) RequestSessionKill(ctx context.Context, f hosting.SessionFilter) (int, error) {
	const op = "request session kill"
	var n int64
	err := db.write(ctx, op, func(tx *wtx) error {
		w := sessionWhere(f)
		res, err := tx.ExecContext(ctx, "UPDATE sessions SET kill_requested = 1"+w.String(), w.args...)
		if err != nil {
			return wrap(op, err)
		}
		if n, err = res.RowsAffected(); err != nil {
			return wrap(op, err)
		}
		return nil
	})
	return int(n), err
}

// PutBan implements hosting.Store.
func (db *DB) PutBan(ctx context.Context, b *hosting.Ban) error {
	const op = "put ban"
	return db.write(ctx, op, func(tx *wtx) error {
		b.CreatedAt = stamp(b.CreatedAt)
		_, err := tx.ExecContext(ctx, `INSERT INTO bans (addr, until, strikes, reason, node, created_at)
			VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (addr) DO UPDATE SET until = excluded.until, strikes = excluded.strikes,
			 reason = excluded.reason, node = excluded.node, created_at = excluded.created_at`,
			b.Addr, toNanos(b.Until), b.Strikes, b.Reason, b.Node, toNanos(b.CreatedAt))
		if err != nil {
			return wrap(op, err)
		}
		return nil
	})
}

const banCols = "addr, until, strikes, reason, node, created_at"

func scanBan(row interface{ Scan(...any) error }) (*hosting.Ban, error) {
	var b hosting.Ban
	var until, created int64
	if err := row.Scan(&b.Addr, &until, &b.Strikes, &b.Reason, &b.Node, &created); err != nil {
		return nil, err
	}
	b.Until, b.CreatedAt = fromNanos(until), fromNanos(created)
	return &b, nil
}

// BanByAddr implements hosting.Store.
func (db *DB) BanByAddr(ctx context.Context, addr string) (*hosting.Ban, error) {
	b, err := scanBan(db.rs.QueryRowContext(ctx, "SELECT "+banCols+" FROM bans WHERE addr = ?", addr))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, hosting.Errorf(hosting.CodeNotFound, "no ban for %s", addr)
	}
	if err != nil {
		return nil, wrap("ban by addr", err)
	}
	return b, nil
}

// Bans implements hosting.Store.
func (db *DB) Bans(ctx context.Context, now time.Time) ([]*hosting.Ban, error) {
	rows, err := db.rs.QueryContext(ctx, "SELECT "+banCols+" FROM bans WHERE until > ? ORDER BY addr", toNanos(now))
	if err != nil {
		return nil, wrap("bans", err)
	}
	defer rows.Close()
	var out []*hosting.Ban
	for rows.Next() {
		b, err := scanBan(rows)
		if err != nil {
			return nil, wrap("bans", err)
		}
		out = append(out, b)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap("bans", err)
	}
	return out, nil
}

// DeleteBan implements hosting.Store.
func (db *DB) DeleteBan(ctx context.Context, addr string) error {
	const op = "delete ban"
	return db.write(ctx, op, func(tx *wtx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM bans WHERE addr = ?", addr)
		if err != nil {
			return wrap(op, err)
		}
		return affected(res, op, hosting.Errorf(hosting.CodeNotFound, "no ban for %s", addr))
	})
}

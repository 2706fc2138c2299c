package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"ftpanel/internal/hosting"
)

// AppendAudit implements hosting.Store.
func (db *DB) AppendAudit(ctx context.Context, ev *hosting.AuditEvent) error {
	return db.write(ctx, "append audit", func(tx pgx.Tx) error {
		return insertAudit(ctx, tx, ev, 0)
	})
}

func scanAudit(row pgx.Row) (*hosting.AuditEvent, error) {
	var ev hosting.AuditEvent
	if err := row.Scan(&ev.ID, &ev.Time, &ev.ActorKind, &ev.Actor, &ev.CustomerID, &ev.Via, &ev.RemoteAddr, &ev.Action,
		&ev.ObjectType, &ev.ObjectID, &ev.ObjectName, &ev.Detail); err != nil {
		return nil, err
	}
	ev.Time = ev.Time.UTC()
	return &ev, nil
}

// AuditEvents implements hosting.Store.
func (db *DB) AuditEvents(ctx context.Context, f hosting.AuditFilter) ([]*hosting.AuditEvent, error) {
	const op = "audit events"
	var w where
	if f.CustomerID != nil {
		w.add("customer_id = ?", *f.CustomerID)
	}
	if f.ObjectType != "" {
		w.add("object_type = ?", f.ObjectType)
	}
	if f.ObjectName != "" {
		w.add("object_name = ?", f.ObjectName)
	}
	if f.Action != "" {
		w.add("action = ?", f.Action)
	}
	if f.BeforeID > 0 {
		w.add("id < ?", f.BeforeID)
	}
	q := `SELECT id, time, actor_kind, actor, customer_id, via, remote_addr, action,
		object_type, object_id, object_name, detail FROM audit_events` + w.String() + " ORDER BY id DESC" +
		w.limitOffset(f.Limit, 0)
	rows, err := db.pool.Query(ctx, q, w.args...)
	if err != nil {
		return nil, wrap(op, err)
	}
	out, err := collect(rows, scanAudit)
	if err != nil {
		return nil, wrap(op, err)
	}
	return out, nil
}

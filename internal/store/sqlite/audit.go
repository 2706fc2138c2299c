package sqlite

import (
	"context"

	"ftpanel/internal/hosting"
)

// AppendAudit implements hosting.Store.
func (db *DB) AppendAudit(ctx context.Context, ev *hosting.AuditEvent) error {
	return db.write(ctx, "append audit", func(tx *wtx) error {
		return insertAudit(ctx, tx, ev, 0)
	})
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
		limitOffset(&w, f.Limit, 0)
	rows, err := db.rs.QueryContext(ctx, q, w.args...)
	if err != nil {
		return nil, wrap(op, err)
	}
	defer rows.Close()
	var out []*hosting.AuditEvent
	for rows.Next() {
		var ev hosting.AuditEvent
		var t int64
		if err := rows.Scan(&ev.ID, &t, &ev.ActorKind, &ev.Actor, &ev.CustomerID, &ev.Via, &ev.RemoteAddr, &ev.Action,
			&ev.ObjectType, &ev.ObjectID, &ev.ObjectName, &ev.Detail); err != nil {
			return nil, wrap(op, err)
		}
		ev.Time = fromNanos(t)
		out = append(out, &ev)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap(op, err)
	}
	return out, nil
}

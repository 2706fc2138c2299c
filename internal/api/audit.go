package api

import (
	"net/http"
	"time"

	"ftpanel/internal/hosting"
)

// auditJSON is an audit event as the API shows it.
type auditJSON struct {
	ID         int64             `json:"id"`
	Time       time.Time         `json:"time"`
	ActorKind  hosting.ActorKind `json:"actor_kind"`
	Actor      string            `json:"actor"`
	Via        hosting.Via       `json:"via"`
	RemoteAddr string            `json:"remote_addr"`
	Action     string            `json:"action"`
	ObjectType string            `json:"object_type"`
	ObjectID   int64             `json:"object_id"`
	ObjectName string            `json:"object_name"`
	Detail     string            `json:"detail"`
}

// handleAuditList lists audit events newest first; a customer sees only
// the events about its own objects.
func (h *handler) handleAuditList(w http.ResponseWriter, r *http.Request) {
	q, err := query(r, "customer", "object_type", "object_name", "action", "limit", "cursor")
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	limit, err := pageLimit(q)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	before, err := pageCursor(q)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	f := hosting.AuditFilter{ObjectType: q.Get("object_type"), ObjectName: q.Get("object_name"),
		Action: q.Get("action"), BeforeID: before, Limit: limit + 1}
	if login := q.Get("customer"); login != "" {
		c, err := h.svc.Customer(r.Context(), login)
		if err != nil {
			h.writeError(w, r, asField(err, "customer"))
			return
		}
		f.CustomerID = &c.ID
	}
	evs, err := h.svc.AuditEvents(r.Context(), f)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	out := list[auditJSON]{Items: make([]auditJSON, 0, min(len(evs), limit))}
	for i, e := range evs {
		if i == limit {
			// Newest first: the cursor is the oldest ID shown.
			out.NextCursor = cursorString(evs[i-1].ID)
			break
		}
		out.Items = append(out.Items, auditJSON{ID: e.ID, Time: e.Time, ActorKind: e.ActorKind, Actor: e.Actor,
			Via: e.Via, RemoteAddr: e.RemoteAddr, Action: e.Action, ObjectType: e.ObjectType, ObjectID: e.ObjectID,
			ObjectName: e.ObjectName, Detail: e.Detail})
	}
	h.writeJSON(w, r, http.StatusOK, out)
}

package hosting

import "time"

// AuditEvent records who did what to which object, when, from where and
// through which interface. It never contains a password.
type AuditEvent struct {
	ID         int64     `json:"id"`
	Time       time.Time `json:"time"`
	ActorKind  ActorKind `json:"actor_kind"`
	Actor      string    `json:"actor"`
	CustomerID int64     `json:"customer_id,omitempty"` // customer the object belongs to, for scoping
	Via        Via       `json:"via"`
	RemoteAddr string    `json:"remote_addr,omitempty"`
	Action     string    `json:"action"` // e.g. "account.create"
	ObjectType string    `json:"object_type"`
	ObjectID   int64     `json:"object_id,omitempty"`
	ObjectName string    `json:"object_name"`
	Detail     string    `json:"detail,omitempty"`
}

// AuditFilter selects audit events, newest first.
type AuditFilter struct {
	CustomerID *int64
	ObjectType string
	ObjectName string
	Action     string
	BeforeID   int64 // cursor: only IDs lower than this
	Limit      int
}

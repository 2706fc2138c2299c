package hosting

import (
	"context"
	"slices"
	"time"
)

// PutSession registers or refreshes a live session (FTP server only).
func (s *Service) PutSession(ctx context.Context, x *Session) error {
	return op("hosting.PutSession", s.store.PutSession(ctx, x))
}

// EndSession removes a session that ended (FTP server only).
func (s *Service) EndSession(ctx context.Context, id string) error {
	return op("hosting.EndSession", s.store.DeleteSession(ctx, id))
}

// ClearNodeSessions removes every session a node left behind (at start and
// clean stop).
func (s *Service) ClearNodeSessions(ctx context.Context, node string) error {
	return op("hosting.ClearNodeSessions", s.store.DeleteNodeSessions(ctx, node))
}

// SessionsToClose returns the FTP sessions of node that were asked to
// close (not the SFTP server's: see SessionsToCloseOf).
func (s *Service) SessionsToClose(ctx context.Context, node string) ([]*Session, error) {
	list, err := s.sessionsToClose(ctx, node)
	return slices.DeleteFunc(list, func(x *Session) bool { return x.Protocol == ProtocolSFTP }), err
}

func (s *Service) sessionsToClose(ctx context.Context, node string) ([]*Session, error) {
	yes := true
	return s.store.Sessions(ctx, SessionFilter{Node: &node, KillRequested: &yes})
}

// Sessions lists live sessions of every node; a customer sees only its own.
func (s *Service) Sessions(ctx context.Context, f SessionFilter) ([]*Session, error) {
	a, err := s.actor(ctx)
	if err != nil {
		return nil, op("hosting.Sessions", err)
	}
	if !a.IsAdmin() {
		if !ownScope(a, &f.CustomerID) {
			return []*Session{}, nil // another customer's objects: none of them are visible
		}
	}
	return s.store.Sessions(ctx, f)
}

// KillSession asks the node holding a session to close it; another
// customer's session is not_found.
func (s *Service) KillSession(ctx context.Context, id string) error {
	const opName = "hosting.KillSession"
	list, err := s.Sessions(ctx, SessionFilter{ID: &id})
	if err != nil {
		return op(opName, err)
	}
	if len(list) == 0 {
		return op(opName, Errorf(CodeNotFound, "session %q not found", id))
	}
	x := list[0]
	if _, err := s.store.RequestSessionKill(ctx, SessionFilter{ID: &id}); err != nil {
		return op(opName, err)
	}
	return op(opName, s.store.AppendAudit(ctx, s.event(ctx, "session.kill", "session", x.AccountID, x.Login, x.CustomerID, "session "+id+" from "+x.RemoteAddr)))
}

// Ban records a defender ban (FTP server only).
func (s *Service) Ban(ctx context.Context, b *Ban) error {
	if err := s.store.PutBan(ctx, b); err != nil {
		return op("hosting.Ban", err)
	}
	ctx = WithActor(ctx, SystemActor(ViaFTP, "defender"))
	return op("hosting.Ban", s.store.AppendAudit(ctx, s.event(ctx, "ban.create", "ban", 0, b.Addr, 0, b.Reason+" until "+b.Until.Format(time.RFC3339))))
}

// BanOf returns the ban record of addr (also expired, for repeat
// offenders); not_found.
func (s *Service) BanOf(ctx context.Context, addr string) (*Ban, error) {
	return s.store.BanByAddr(ctx, addr)
}

// Bans lists active bans. Admin only.
func (s *Service) Bans(ctx context.Context) ([]*Ban, error) {
	if _, err := s.admin(ctx); err != nil {
		return nil, op("hosting.Bans", err)
	}
	return s.store.Bans(ctx, s.Now())
}

// DeleteBan lifts a ban. Admin only.
func (s *Service) DeleteBan(ctx context.Context, addr string) error {
	const opName = "hosting.DeleteBan"
	if _, err := s.admin(ctx); err != nil {
		return op(opName, err)
	}
	err := s.store.DeleteBan(ctx, addr)
	if k, ok := banKey(addr); ok && k != addr && isCode(err, CodeNotFound) {
		// An IPv6 address is banned as its /64.
		addr, err = k, s.store.DeleteBan(ctx, k)
	}
	if err != nil {
		return op(opName, err)
	}
	s.guard.forget(addr) // other nodes drop it at their next read of the bans
	return op(opName, s.store.AppendAudit(ctx, s.event(ctx, "ban.delete", "ban", 0, addr, 0, "")))
}

// AuditEvents lists audit events, newest first; a customer sees only the
// events about its own objects.
func (s *Service) AuditEvents(ctx context.Context, f AuditFilter) ([]*AuditEvent, error) {
	a, err := s.actor(ctx)
	if err != nil {
		return nil, op("hosting.AuditEvents", err)
	}
	if !a.IsAdmin() {
		if !ownScope(a, &f.CustomerID) {
			return []*AuditEvent{}, nil // another customer's objects: none of them are visible
		}
	}
	return s.store.AuditEvents(ctx, f)
}

// Audit records an event that goes with no store change (e.g. a failed
// panel login), attributed to the context's actor.
func (s *Service) Audit(ctx context.Context, action, objType, name, detail string) error {
	return op("hosting.Audit", s.store.AppendAudit(ctx, s.event(ctx, action, objType, 0, name, 0, detail)))
}

// PutKV stores an opaque value (idempotency keys, panel sessions).
func (s *Service) PutKV(ctx context.Context, scope, key string, value []byte, ttl time.Duration) error {
	return op("hosting.PutKV", s.store.PutKV(ctx, scope, key, value, s.Now().Add(ttl)))
}

// KV returns a value stored with PutKV; not_found when missing or expired.
func (s *Service) KV(ctx context.Context, scope, key string) ([]byte, error) {
	return s.store.KV(ctx, scope, key)
}

// DeleteKV removes a value stored with PutKV.
func (s *Service) DeleteKV(ctx context.Context, scope, key string) error {
	return op("hosting.DeleteKV", s.store.DeleteKV(ctx, scope, key))
}

package ftpd

import (
	"context"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	ftpserver "github.com/fclairamb/ftpserverlib"

	"ftpanel/internal/homefs"
	"ftpanel/internal/hosting"
)

// session is one control connection, from connect to disconnect. The
// library's ClientContext.SetExtra/Extra are not synchronized, so the
// server keeps its own map of these under its own mutex.
type session struct {
	s       *Server
	cc      ftpserver.ClientContext
	conn    *ctlConn // the control connection, closed to end the session
	id      string   // "<node>-<n>"
	ip      netip.Addr
	remote  string
	started time.Time

	// Set once at login, under Server.mu.
	acct  *hosting.Account
	fs    *fsys
	quota *homefs.Usage

	closing bool // guarded by Server.mu

	bytesIn, bytesOut atomic.Int64

	mu       sync.Mutex
	transfer string // e.g. "STOR /a.zip"
	open     int    // files open
	lastEnd  time.Time

	reg hosting.RegistryEntry // owned by the sync loop

	park parkedListener // the passive socket kept between transfers (park.go)
}

// idle reports whether the session may be closed at shutdown: no transfer
// in progress, and the last one ended long enough ago for its reply to
// have been sent.
func (x *session) idle(now time.Time) bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.open == 0 && now.Sub(x.lastEnd) > 200*time.Millisecond
}

// TransferStarted implements homefs.Observer.
func (x *session) TransferStarted(op, name string) {
	x.mu.Lock()
	x.transfer = ftpOp(op) + " " + name
	x.open++
	x.mu.Unlock()
}

// Transferred implements homefs.Observer.
func (x *session) Transferred(in, out int64) {
	if in > 0 {
		x.bytesIn.Add(in)
		x.s.met.bytesIn.Add(float64(in))
	}
	if out > 0 {
		x.bytesOut.Add(out)
		x.s.met.bytesOut.Add(float64(out))
	}
}

// TransferEnded implements homefs.Observer.
func (x *session) TransferEnded(op, name string, n int64, d time.Duration, result string, err error) {
	op = ftpOp(op)
	x.mu.Lock()
	x.transfer = ""
	x.open--
	x.lastEnd = time.Now()
	x.mu.Unlock()
	if result != "ok" {
		x.s.met.transferErrors.Inc()
	}
	login := ""
	if x.acct != nil {
		login = x.acct.Login
	}
	args := []any{"session", x.id, "login", login, "remote", x.remote, "op", op, "path", name,
		"bytes", n, "duration", d.Round(time.Microsecond), "result", result}
	if err != nil {
		args = append(args, "err", err)
	}
	x.s.log.Info("transfer", args...)
}

// snapshot is the session as the registry shows it.
func (x *session) snapshot(node string, now time.Time) hosting.Session {
	x.mu.Lock()
	transfer := x.transfer
	x.mu.Unlock()
	a := x.acct
	return hosting.Session{ID: x.id, Node: node, Protocol: "ftp", AccountID: a.ID, Login: a.Login, SiteID: a.SiteID,
		SiteName: a.SiteName, CustomerID: a.CustomerID, RemoteAddr: x.remote, Client: clip(x.cc.GetClientVersion()),
		TLS: x.tls(), StartedAt: x.started.UTC(), Command: x.cc.GetLastCommand(),
		Transfer: transfer, BytesIn: x.bytesIn.Load(), BytesOut: x.bytesOut.Load(), UpdatedAt: now.UTC()}
}

// loop runs sync every SyncInterval until Shutdown.
func (s *Server) loop() {
	defer close(s.loopEnd)
	t := time.NewTicker(s.cfg.SyncInterval)
	defer t.Stop()
	ticks := 0
	for {
		select {
		case <-s.done:
			return
		case <-t.C:
		}
		ticks++
		s.sync(ticks)
	}
}

// sync writes new and changed sessions to the registry (a changed one at
// most every few intervals), removes ended ones, closes the sessions the
// registry asks to close, checks that new sessions' accounts did not
// change meanwhile, and refreshes bans and usage.
func (s *Server) sync(ticks int) {
	ctx, cancel := context.WithTimeout(s.actx, 5*time.Second)
	defer cancel()
	now := time.Now()
	node := s.cfg.Node
	refresh := 4 * s.cfg.SyncInterval

	s.mu.Lock()
	ended := s.ended
	s.ended = nil
	live := make([]*session, 0, len(s.sessions))
	for _, x := range s.sessions {
		if x.acct != nil && !x.closing {
			live = append(live, x)
		}
	}
	s.mu.Unlock()

	changed := hosting.SyncSessionsOf(s.svc, ctx, s.log, now, refresh, ended, live,
		func(x *session) *hosting.RegistryEntry { return &x.reg },
		func(x *session) hosting.LiveSession {
			return hosting.LiveSession{Entry: &x.reg, Now: x.snapshot(node, now), Account: x.acct}
		})
	for _, c := range changed {
		x := live[c.Index]
		s.kill(x, "account changed", closeReply(x.acct, c.Account))
	}
	if list, err := s.svc.SessionsToClose(ctx, node); err != nil {
		s.log.Warn("read session kill requests", "err", err)
	} else if len(list) > 0 {
		s.closeRequested(ctx, list)
	}
	s.refreshBans(ctx)
	s.def.prune(now)
	if ticks%10 == 0 {
		s.usages.Record(ctx, false, s.svc.RecordUsage, s.log)
	}
	s.usages.Scan(now, s.cfg.QuotaRescan, s.done, s.log)
}

// closeRequested closes the sessions the registry flagged; flags on
// sessions that are already gone are cleared.
func (s *Server) closeRequested(ctx context.Context, list []*hosting.Session) {
	byID := map[string]*session{}
	s.mu.Lock()
	for _, x := range s.sessions {
		byID[x.id] = x
	}
	s.mu.Unlock()
	for _, r := range list {
		x := byID[r.ID]
		if x == nil {
			if err := s.svc.EndSession(ctx, r.ID); err != nil {
				s.log.Warn("end session", "session", r.ID, "err", err)
			}
			continue
		}
		reply := "421 Session closed by the administrator."
		if a, err := s.svc.AccountByID(ctx, x.acct.ID); err != nil || !hosting.SameGrant(x.acct, a) {
			if err == nil || hosting.ErrorCode(err) == hosting.CodeNotFound {
				reply = closeReply(x.acct, a)
			}
		}
		s.kill(x, "requested", reply)
	}
}

// closeReply is the 421 a session of account a gets when it is closed
// because the account became b (nil: deleted).
func closeReply(a, b *hosting.Account) string {
	switch {
	case b == nil:
		return "421 Account deleted."
	case b.EffectiveStatus() != hosting.StatusActive:
		return "421 Account suspended."
	case a.PasswordHash != b.PasswordHash:
		return "421 Password changed, log in again."
	default:
		return "421 Account changed, log in again."
	}
}

// tls reports whether the session's control connection uses TLS.
func (x *session) tls() bool { return x.conn != nil && x.conn.tls.Load() }

// kill ends a session from any goroutine: its transfers stop (their data
// connections are closed) and its control connection is closed, which
// makes ftpserverlib's handler end the session.
func (s *Server) kill(x *session, why, reply string) {
	s.mu.Lock()
	if x.closing {
		s.mu.Unlock()
		return
	}
	x.closing = true
	f, login := x.fs, ""
	if x.acct != nil {
		login = x.acct.Login
	}
	s.mu.Unlock()
	if login != "" {
		s.log.Info("session closed", "session", x.id, "login", login, "remote", x.remote, "reason", why)
	}
	if f != nil {
		f.kill()
	}
	if x.conn != nil {
		x.conn.closeWith(reply)
	}
}

// refreshBans reloads the active bans (other nodes' bans, `ban del`).
func (s *Server) refreshBans(ctx context.Context) {
	s.banMu.Lock()
	defer s.banMu.Unlock()
	at := time.Now()
	list, err := s.svc.Bans(ctx)
	if err != nil {
		s.log.Warn("read bans", "err", err)
		return
	}
	s.def.replace(list, at)
}

package sftpd

import (
	"context"
	"net/netip"
	"time"

	"ftpanel/internal/hosting"
)

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

// sync writes new and changed sessions to the registry, removes ended
// ones, closes the sessions the registry asks to close and idle ones,
// checks that new sessions' accounts did not change meanwhile, counts the
// other servers' sessions for the limits, and refreshes bans and usage.
func (s *Server) sync(ticks int) {
	ctx, cancel := context.WithTimeout(s.actx, 5*time.Second)
	defer cancel()
	now := time.Now()
	node := s.cfg.Node
	refresh := 4 * s.cfg.SyncInterval

	s.mu.Lock()
	ended := s.ended
	s.ended = nil
	live := make([]*conn, 0, len(s.conns))
	var idle []*conn
	for c := range s.conns {
		if c.closing.Load() {
			continue
		}
		if c.acct == nil {
			continue // still authenticating: LoginTimeout applies
		}
		live = append(live, c)
		if c.openFiles.Load() == 0 && now.Sub(time.Unix(0, c.lastActive.Load())) > s.cfg.IdleTimeout {
			idle = append(idle, c)
		}
	}
	s.mu.Unlock()
	for _, c := range idle {
		c.kill("idle timeout")
	}
	changed := hosting.SyncSessionsOf(s.svc, ctx, s.log, now, refresh, ended, live,
		func(c *conn) *hosting.RegistryEntry { return &c.reg },
		func(c *conn) hosting.LiveSession {
			return hosting.LiveSession{Entry: &c.reg, Now: c.snapshot(node, now), Account: c.acct}
		})
	for _, ch := range changed {
		live[ch.Index].kill("account changed")
	}
	if list, err := s.svc.SessionsToCloseOf(ctx, node, hosting.ProtocolSFTP); err != nil {
		s.log.Warn("read session kill requests", "err", err)
	} else if len(list) > 0 {
		s.closeRequested(ctx, list)
	}
	s.countOthers(ctx)
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
	byID := map[string]*conn{}
	s.mu.Lock()
	for c := range s.conns {
		byID[c.id] = c
	}
	s.mu.Unlock()
	for _, r := range list {
		c := byID[r.ID]
		if c == nil {
			if err := s.svc.EndSession(ctx, r.ID); err != nil {
				s.log.Warn("end session", "session", r.ID, "err", err)
			}
			continue
		}
		c.kill("requested")
	}
}

// countOthers counts, per address and per account, the registry's
// sessions that are not this server's (FTP on this node, every protocol
// on the other nodes), so that the limits hold across protocols.
func (s *Server) countOthers(ctx context.Context) {
	list, err := s.svc.LiveSessions(ctx)
	if err != nil {
		s.log.Warn("count sessions", "err", err)
		return
	}
	byIP, byAcct := map[netip.Addr]int{}, map[int64]int{}
	for _, x := range list {
		if x.Node == s.cfg.Node && x.Protocol == hosting.ProtocolSFTP {
			continue
		}
		if ap, err := netip.ParseAddrPort(x.RemoteAddr); err == nil {
			byIP[ap.Addr().Unmap()]++
		}
		byAcct[x.AccountID]++
	}
	s.mu.Lock()
	s.otherIP, s.otherAccount = byIP, byAcct
	s.mu.Unlock()
}

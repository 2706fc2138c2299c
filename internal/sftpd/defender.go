package sftpd

import (
	"context"
	"fmt"
	"net/netip"
	"sync"
	"time"

	"ftpanel/internal/hosting"
)

// maxTracked bounds the failure table; the oldest windows go first.
const maxTracked = 100_000

// defender counts failed logins per address and keeps the active bans
// in memory. Bans are the registry's (hosting.Service.Ban/Bans), the same
// as the FTP server's: an address banned by either protocol, on any node,
// is refused by both.
type defender struct {
	cfg DefenderConfig

	mu       sync.Mutex
	failures map[netip.Addr]*failures
	bans     map[netip.Addr]localBan
}

type failures struct {
	n     int
	first time.Time
}

type localBan struct {
	until time.Time
	set   time.Time // when this server set it (zero: loaded from the store)
}

func newDefender(cfg DefenderConfig) *defender {
	return &defender{cfg: cfg, failures: map[netip.Addr]*failures{}, bans: map[netip.Addr]localBan{}}
}

func (d *defender) banned(ip netip.Addr, now time.Time) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	b, ok := d.bans[ip]
	return ok && now.Before(b.until)
}

// fail records a failed login and reports whether it reaches the limit
// (the count then starts over).
func (d *defender) fail(ip netip.Addr, now time.Time) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	f := d.failures[ip]
	if f == nil || now.Sub(f.first) > d.cfg.Window {
		if f == nil && len(d.failures) >= maxTracked {
			d.pruneLocked(now)
			for ip := range d.failures {
				if len(d.failures) < maxTracked*9/10 {
					break
				}
				delete(d.failures, ip)
			}
		}
		f = &failures{first: now}
		d.failures[ip] = f
	}
	f.n++
	if f.n >= d.cfg.MaxFailures {
		delete(d.failures, ip)
		return true
	}
	return false
}

func (d *defender) ban(ip netip.Addr, until, now time.Time) {
	d.mu.Lock()
	d.bans[ip] = localBan{until: until, set: now}
	d.mu.Unlock()
}

// replace installs the bans read from the store at readAt, keeping the
// ones this server set after readAt.
func (d *defender) replace(list []*hosting.Ban, readAt time.Time) {
	m := make(map[netip.Addr]localBan, len(list))
	for _, b := range list {
		if ip, err := netip.ParseAddr(b.Addr); err == nil {
			m[ip.Unmap()] = localBan{until: b.Until}
		}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for ip, b := range d.bans {
		if !b.set.IsZero() && !b.set.Before(readAt) {
			m[ip] = b
		}
	}
	d.bans = m
}

func (d *defender) prune(now time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.pruneLocked(now)
}

func (d *defender) pruneLocked(now time.Time) {
	for ip, f := range d.failures {
		if now.Sub(f.first) > d.cfg.Window {
			delete(d.failures, ip)
		}
	}
	for ip, b := range d.bans {
		if !now.Before(b.until) {
			delete(d.bans, ip)
		}
	}
}

// ban bans ip for BanTime, doubled for each earlier ban of the address,
// and records the ban in the registry for every node and protocol.
func (s *Server) ban(ip netip.Addr, now time.Time) {
	ctx, cancel := context.WithTimeout(s.actx, 5*time.Second)
	defer cancel()
	addr := ip.String()
	strikes := 0
	if prev, err := s.svc.BanOf(ctx, addr); err == nil && now.Sub(prev.Until) < s.cfg.Defender.MaxBanTime {
		strikes = prev.Strikes
	}
	until := now.Add(s.cfg.Defender.banDuration(strikes))
	b := &hosting.Ban{Addr: addr, Until: until.UTC(), Strikes: strikes + 1, Node: s.cfg.Node, CreatedAt: now.UTC(),
		Reason: fmt.Sprintf("%d failed SFTP logins within %s", s.cfg.Defender.MaxFailures, s.cfg.Defender.Window)}
	s.met.bans.Inc()
	s.banMu.Lock()
	s.def.ban(ip, until, now)
	if err := s.svc.Ban(ctx, b); err != nil {
		s.log.Error("record ban", "addr", addr, "err", err)
	}
	s.banMu.Unlock()
	s.log.Warn("address banned", "addr", addr, "until", until.UTC().Format(time.RFC3339), "strikes", b.Strikes)
	// Close the address's connections still authenticating.
	s.mu.Lock()
	var victims []*conn
	for c := range s.conns {
		if c.ip == ip && c.acct == nil {
			victims = append(victims, c)
		}
	}
	s.mu.Unlock()
	for _, c := range victims {
		_ = c.nc.Close()
	}
}

// refreshBans reloads the active bans (other nodes', FTP's, `ban del`).
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

// banned reports whether ip is banned: by the service's guard (every
// interface's password failures, bans of every node; a safe-listed
// address never is) or for refused keys here.
func (s *Server) banned(ip netip.Addr) bool {
	return s.svc.Guard().Banned(ip) || s.def.banned(ip, time.Now())
}

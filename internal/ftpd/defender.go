package ftpd

import (
	"net/netip"
	"sync"
	"time"

	"ftpanel/internal/hosting"
)

// DefenderConfig sets when an address is banned: MaxFailures failed logins
// within Window ban it for BanTime, doubled for each earlier ban of the
// address, up to MaxBanTime.
type DefenderConfig struct {
	MaxFailures int           // default 5
	Window      time.Duration // default 60s
	BanTime     time.Duration // default 15m
	MaxBanTime  time.Duration // default 24h
}

func (c *DefenderConfig) setDefaults() {
	if c.MaxFailures <= 0 {
		c.MaxFailures = 5
	}
	if c.Window <= 0 {
		c.Window = time.Minute
	}
	if c.BanTime <= 0 {
		c.BanTime = 15 * time.Minute
	}
	if c.MaxBanTime <= 0 {
		c.MaxBanTime = 24 * time.Hour
	}
	if c.MaxBanTime < c.BanTime {
		c.MaxBanTime = c.BanTime
	}
}

// banDuration is the length of the ban after strikes earlier bans.
func (c DefenderConfig) banDuration(strikes int) time.Duration {
	d := c.BanTime
	for i := 0; i < strikes && d < c.MaxBanTime; i++ {
		d *= 2
	}
	return min(d, c.MaxBanTime)
}

// maxTracked bounds the failure table, so that a spread-out attack cannot
// grow it without limit; the oldest windows go first.
const maxTracked = 100_000

// defender counts failed logins per address and keeps the active bans in
// memory, so that a banned address is refused at connect without a store
// read. The ban list is refreshed from the store (bans of other nodes,
// `ftpanel ban del`) by the sync loop.
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
	set   time.Time // when this node set it (zero: loaded from the store)
}

func newDefender(cfg DefenderConfig) *defender {
	return &defender{cfg: cfg, failures: map[netip.Addr]*failures{}, bans: map[netip.Addr]localBan{}}
}

// banned reports whether ip is banned at now.
func (d *defender) banned(ip netip.Addr, now time.Time) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	b, ok := d.bans[ip]
	return ok && now.Before(b.until)
}

// fail records a failed login from ip and reports whether it reaches the
// limit (the count then starts over).
func (d *defender) fail(ip netip.Addr, now time.Time) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	f := d.failures[ip]
	if f == nil || now.Sub(f.first) > d.cfg.Window {
		if f == nil && len(d.failures) >= maxTracked {
			d.pruneLocked(now, true)
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

// ban records a ban set by this node.
func (d *defender) ban(ip netip.Addr, until, now time.Time) {
	d.mu.Lock()
	d.bans[ip] = localBan{until: until, set: now}
	d.mu.Unlock()
}

// replace installs the active bans read from the store at readAt. Bans
// this node set after readAt are kept: the read may have missed them.
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

// prune drops failure windows and bans that are over.
func (d *defender) prune(now time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.pruneLocked(now, false)
}

func (d *defender) pruneLocked(now time.Time, full bool) {
	for ip, f := range d.failures {
		if now.Sub(f.first) > d.cfg.Window {
			delete(d.failures, ip)
		}
	}
	if full && len(d.failures) >= maxTracked {
		n := len(d.failures) / 10
		for ip := range d.failures {
			if n <= 0 {
				break
			}
			delete(d.failures, ip)
			n--
		}
	}
	for ip, b := range d.bans {
		if !now.Before(b.until) {
			delete(d.bans, ip)
		}
	}
}

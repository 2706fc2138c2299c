package hosting

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"runtime"
	"sync"
	"time"
)

// GuardConfig sets when the Guard refuses password checks. Zero values
// take the defaults noted.
type GuardConfig struct {
	// MaxFailures failed logins from one address (an IPv4 address or an
	// IPv6 /64) within Window ban the address for BanTime, doubled for
	// each earlier ban of the address up to MaxBanTime. The same number of
	// failures on one login within Window locks that login (from every
	// address but the safe list) until the oldest failure leaves the
	// window. Defaults 5, 1m, 15m, 24h.
	MaxFailures int
	Window      time.Duration
	BanTime     time.Duration
	MaxBanTime  time.Duration
	// SafeList holds addresses and networks that are never banned nor
	// throttled; their failures are still logged.
	SafeList []netip.Prefix
	// Node is recorded on the bans this process sets.
	Node string
	// MaxVerifications bounds the password verifications running at once
	// in this process (default max(4, 2×GOMAXPROCS)).
	MaxVerifications int
	// MaxWait is how long an attempt waits for a free slot of its address
	// or login before it is refused (default 10s).
	MaxWait time.Duration
	// RefreshInterval is how often the bans other nodes set are read from
	// the store (default 1s).
	RefreshInterval time.Duration
}

func (c *GuardConfig) setDefaults() {
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
	c.MaxBanTime = max(c.MaxBanTime, c.BanTime)
	if c.Node == "" {
		c.Node = "node1"
	}
	if c.MaxVerifications <= 0 {
		c.MaxVerifications = max(4, 2*runtime.GOMAXPROCS(0))
	}
	if c.MaxWait <= 0 {
		c.MaxWait = 10 * time.Second
	}
	if c.RefreshInterval <= 0 {
		c.RefreshInterval = time.Second
	}
}

// banDuration is the length of the ban after strikes earlier bans.
func (c GuardConfig) banDuration(strikes int) time.Duration {
	d := c.BanTime
	for i := 0; i < strikes && d < c.MaxBanTime; i++ {
		d *= 2
	}
	return min(d, c.MaxBanTime)
}

// ParseSafeList parses addresses ("192.0.2.7", "2001:db8::1") and networks
// ("192.0.2.0/24") for GuardConfig.SafeList; invalid_input names the first
// bad entry.
func ParseSafeList(list []string) ([]netip.Prefix, error) {
	out := make([]netip.Prefix, 0, len(list))
	for _, s := range list {
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-unmapBits(p.Addr())).Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil || a.Zone() != "" {
			return nil, FieldErrorf(CodeInvalidInput, "safe_list", "%q is not an IP address or network (e.g. 192.0.2.7 or 192.0.2.0/24)", s)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// unmapBits is 96 for an IPv4-mapped IPv6 address (whose prefix length
// counts the mapping bits), else 0.
func unmapBits(a netip.Addr) int {
	if a.Is4In6() {
		return 96
	}
	return 0
}

// maxGuardKeys bounds the failure table, so that a spread-out attack
// cannot grow it without limit.
const maxGuardKeys = 100_000

// Guard is the one throttle and defender of every password check: panel
// logins (form, Plesk headers, Hestia credentials), FTP and SFTP logins,
// API tokens and Hestia access keys. Each check reserves a slot of its
// client address and of its login before the password is verified, so
// that at most MaxFailures checks of one address (or one login) are ever
// in flight or failed within the window: a parallel burst gets no more
// evaluations than a sequential one. Reaching MaxFailures from one
// address bans it; bans are written to the store and read back from it,
// so every node sharing the store refuses the address.
//
// Service's Authenticate methods use it; interfaces only read its bans
// (to refuse a banned address at connect).
type Guard struct {
	store Store
	now   func() time.Time
	log   *slog.Logger

	mu          sync.Mutex
	cfg         GuardConfig
	sem         chan struct{}
	keys        map[string]*guardEntry
	bans        map[string]guardBan
	wake        chan struct{} // closed when a slot is released or a ban set
	refreshedAt time.Time
	refreshing  bool
}

type guardEntry struct {
	fails    []guardFailure // within the window, oldest first
	inflight int
}

// guardFailure is one failed check: for an address entry, other is the
// login key; for a login entry, the address key.
type guardFailure struct {
	at    time.Time
	other string
}

type guardBan struct {
	until time.Time
	set   time.Time // when this process set it (zero: read from the store)
	// storing: set by this process and not yet written to the store; a
	// refresh, whenever it read, cannot have seen it and must keep it.
	storing bool
}

func newGuard(store Store, now func() time.Time, log *slog.Logger, cfg GuardConfig) *Guard {
	g := &Guard{store: store, now: now, log: log}
	g.Configure(cfg)
	return g
}

// Configure replaces the guard's settings (at start, before serving) and
// forgets the failures counted so far; bans are kept.
func (g *Guard) Configure(cfg GuardConfig) {
	cfg.setDefaults()
	cfg.SafeList = append([]netip.Prefix(nil), cfg.SafeList...)
	g.mu.Lock()
	defer g.mu.Unlock()
	g.cfg = cfg
	g.sem = make(chan struct{}, cfg.MaxVerifications)
	g.keys = map[string]*guardEntry{}
	if g.bans == nil {
		g.bans = map[string]guardBan{}
	}
	if g.wake != nil {
		close(g.wake)
	}
	g.wake = make(chan struct{})
}

// Config returns the guard's settings, defaults filled in.
func (g *Guard) Config() GuardConfig {
	g.mu.Lock()
	defer g.mu.Unlock()
	c := g.cfg
	c.SafeList = append([]netip.Prefix(nil), c.SafeList...)
	return c
}

// ThrottleError is the cause of a refused login (the *Error's code is
// unauthorized) or of the failure that started a ban; see LoginRefused
// and BanStarted.
type ThrottleError struct {
	// Until is when the address or login may try again.
	Until time.Time
	// Ban is the ban this failed attempt started (nil for a refusal).
	Ban *Ban
	// Login is true when the login, not the address, is locked.
	Login bool
}

// Error implements error.
func (e *ThrottleError) Error() string {
	switch {
	case e.Ban != nil:
		return fmt.Sprintf("address %s banned until %s", e.Ban.Addr, e.Ban.Until.Format(time.RFC3339))
	case e.Login:
		return "login locked after too many failed attempts until " + e.Until.Format(time.RFC3339)
	}
	return "address refused after too many failed logins until " + e.Until.Format(time.RFC3339)
}

// LoginRefused reports whether err refused a login without checking its
// password (banned address, locked login, too many checks at once), and
// until when the client should wait.
func LoginRefused(err error) (until time.Time, ok bool) {
	var te *ThrottleError
	if errors.As(err, &te) && te.Ban == nil {
		return te.Until, true
	}
	return time.Time{}, false
}

// BanStarted returns the ban a failed login has just started, if any.
func BanStarted(err error) (*Ban, bool) {
	var te *ThrottleError
	if errors.As(err, &te) && te.Ban != nil {
		return te.Ban, true
	}
	return nil, false
}

// attempt is a reserved password check; end releases it.
type attempt struct {
	g      *Guard
	addr   string // address key; "" when remote is not an address
	ip     bool   // addr is an IP address or network (a ban can be stored)
	login  string // login key; "" when there is none (malformed token)
	safe   bool
	via    Via
	remote string
	sem    chan struct{}
}

// addrKey returns the key an address is counted and banned under: the
// address itself for IPv4, its /64 for IPv6 (what one client holds).
func addrKey(ip netip.Addr) string {
	ip = ip.Unmap()
	if ip.Is4() {
		return ip.String()
	}
	p, err := ip.WithZone("").Prefix(64)
	if err != nil {
		return ip.String()
	}
	return p.String()
}

// banKey normalizes the address of a stored ban to its key.
func banKey(addr string) (string, bool) {
	if ip, err := netip.ParseAddr(addr); err == nil {
		return addrKey(ip), true
	}
	if p, err := netip.ParsePrefix(addr); err == nil {
		if p.Addr().Unmap().Is4() {
			return p.Addr().Unmap().String(), true
		}
		return addrKey(p.Addr()), true
	}
	return "", false
}

// parseRemote reads a client address given as "ip" or "ip:port".
func parseRemote(remote string) (netip.Addr, bool) {
	if ip, err := netip.ParseAddr(remote); err == nil {
		return ip.Unmap(), true
	}
	if host, _, err := net.SplitHostPort(remote); err == nil {
		if ip, err := netip.ParseAddr(host); err == nil {
			return ip.Unmap(), true
		}
	}
	return netip.Addr{}, false
}

// clip bounds a client-supplied key.
func clip(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// Banned reports whether ip is banned now (safe-listed addresses never
// are). It reads the bans held in memory, refreshing them from the store
// in the background when they are older than RefreshInterval.
func (g *Guard) Banned(ip netip.Addr) bool {
	ip = ip.Unmap()
	now := g.now()
	g.mu.Lock()
	if g.safeLocked(ip) {
		g.mu.Unlock()
		return false
	}
	b, ok := g.bans[addrKey(ip)]
	stale := g.staleLocked(now)
	g.mu.Unlock()
	if stale {
		go g.refresh(context.Background())
	}
	return ok && now.Before(b.until)
}

func (g *Guard) safeLocked(ip netip.Addr) bool {
	for _, p := range g.cfg.SafeList {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

func (g *Guard) staleLocked(now time.Time) bool {
	return !g.refreshing && now.Sub(g.refreshedAt) >= g.cfg.RefreshInterval
}

// refresh reads the active bans from the store, unless another refresh
// runs or the last one is recent.
func (g *Guard) refresh(ctx context.Context) {
	g.mu.Lock()
	if !g.staleLocked(g.now()) {
		g.mu.Unlock()
		return
	}
	g.refreshing = true
	g.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	at := g.now()
	list, err := g.store.Bans(ctx, at)
	if err != nil {
		g.log.Warn("guard: read bans", "err", err)
	}
	g.mu.Lock()
	g.refreshing = false
	g.refreshedAt = at // also after an error: retried after the interval, not on every check
	g.mu.Unlock()
	if err == nil {
		g.ReplaceBans(list, at)
	}
}

// ReplaceBans installs the active bans read from the store at readAt
// (the FTP server's sync loop reads them too). Bans this process set
// after readAt are kept: the read may have missed them.
func (g *Guard) ReplaceBans(list []*Ban, readAt time.Time) {
	m := make(map[string]guardBan, len(list))
	for _, b := range list {
		if k, ok := banKey(b.Addr); ok && b.Until.After(m[k].until) {
			m[k] = guardBan{until: b.Until}
		}
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	for k, b := range g.bans {
		if b.storing || (!b.set.IsZero() && !b.set.Before(readAt)) {
			m[k] = b
		}
	}
	g.bans = m
	g.refreshedAt = readAt
	close(g.wake)
	g.wake = make(chan struct{})
}

// forget drops the ban of addr held in memory (an administrator lifted it).
func (g *Guard) forget(addr string) {
	k, ok := banKey(addr)
	if !ok {
		return
	}
	g.mu.Lock()
	delete(g.bans, k)
	g.mu.Unlock()
}

// Prune drops failure windows and bans that are over.
func (g *Guard) Prune() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.pruneLocked(g.now(), false)
}

func (g *Guard) pruneLocked(now time.Time, full bool) {
	for k, e := range g.keys {
		if e.inflight == 0 && e.recent(now, g.cfg.Window) == 0 {
			delete(g.keys, k)
		}
	}
	if full && len(g.keys) >= maxGuardKeys {
		n := len(g.keys) / 10
		for k, e := range g.keys {
			if n <= 0 {
				break
			}
			if e.inflight == 0 {
				delete(g.keys, k)
				n--
			}
		}
	}
	for k, b := range g.bans {
		if !now.Before(b.until) {
			delete(g.bans, k)
		}
	}
}

// recent drops failures older than window and returns how many remain.
func (e *guardEntry) recent(now time.Time, window time.Duration) int {
	i := 0
	for i < len(e.fails) && now.Sub(e.fails[i].at) >= window {
		i++
	}
	if i > 0 {
		e.fails = append(e.fails[:0], e.fails[i:]...)
	}
	return len(e.fails)
}

func (g *Guard) entryLocked(k string, now time.Time) *guardEntry {
	e := g.keys[k]
	if e == nil {
		if len(g.keys) >= maxGuardKeys {
			g.pruneLocked(now, true)
		}
		e = &guardEntry{}
		g.keys[k] = e
	}
	return e
}

// counts returns the recent failures and checks in flight of key k.
func (g *Guard) countsLocked(k string, now time.Time) (fails int, inflight int, oldest time.Time) {
	e := g.keys[k]
	if k == "" || e == nil {
		return 0, 0, time.Time{}
	}
	n := e.recent(now, g.cfg.Window)
	if n > 0 {
		oldest = e.fails[0].at
	}
	return n, e.inflight, oldest
}

// begin reserves a check of login (of kind "panel", "account" or
// "token") from remote through via; it waits while the address or the
// login has MaxFailures checks failed or in flight, and refuses at once
// when the address is banned or the failures alone reach the limit.
func (g *Guard) begin(ctx context.Context, via Via, remote, kind, login string) (*attempt, error) {
	a := &attempt{g: g, via: via, remote: clip(remote, 100)}
	if ip, ok := parseRemote(remote); ok {
		a.addr, a.ip = addrKey(ip), true
		g.mu.Lock()
		a.safe = g.safeLocked(ip)
		g.mu.Unlock()
	} else if remote != "" {
		a.addr = "raw:" + a.remote
	}
	if login != "" {
		a.login = kind + ":" + clip(login, 256)
	}
	g.refresh(ctx)
	var timeout <-chan time.Time
	g.mu.Lock()
	for !a.safe {
		now := g.now()
		limit := g.cfg.MaxFailures
		if b, ok := g.bans[a.addr]; ok && now.Before(b.until) {
			g.mu.Unlock()
			return nil, &ThrottleError{Until: b.until}
		}
		af, ai, aOld := g.countsLocked(a.addr, now)
		lf, li, lOld := g.countsLocked(a.login, now)
		if af >= limit {
			g.mu.Unlock()
			return nil, &ThrottleError{Until: aOld.Add(g.cfg.Window)}
		}
		if lf >= limit {
			g.mu.Unlock()
			return nil, &ThrottleError{Until: lOld.Add(g.cfg.Window), Login: true}
		}
		if af+ai < limit && lf+li < limit {
			if a.addr != "" {
				g.entryLocked(a.addr, now).inflight++
			}
			if a.login != "" {
				g.entryLocked(a.login, now).inflight++
			}
			break
		}
		wake := g.wake
		if timeout == nil {
			t := time.NewTimer(g.cfg.MaxWait)
			defer t.Stop()
			timeout = t.C
		}
		g.mu.Unlock()
		select {
		case <-wake:
		case <-timeout:
			return nil, &ThrottleError{Until: g.now().Add(time.Second)}
		case <-ctx.Done():
			return nil, fmt.Errorf("guard: %w", ctx.Err())
		}
		g.mu.Lock()
	}
	a.sem = g.sem
	g.mu.Unlock()
	select {
	case a.sem <- struct{}{}:
		return a, nil
	case <-ctx.Done():
		a.release(false)
		return nil, fmt.Errorf("guard: %w", ctx.Err())
	}
}

// end releases the attempt; failed counts it against its address and
// login. It returns the ban the failure started, if any.
func (a *attempt) end(failed bool) *Ban {
	<-a.sem
	return a.release(failed)
}

func (a *attempt) release(failed bool) *Ban {
	g := a.g
	if failed && a.safe {
		g.log.Info("guard: failed login from a safe-listed address", "remote", a.remote, "via", a.via)
	}
	if a.safe {
		return nil
	}
	g.mu.Lock()
	now := g.now()
	var addrEntry *guardEntry
	for _, k := range []string{a.addr, a.login} {
		if e := g.keys[k]; k != "" && e != nil {
			e.inflight = max(0, e.inflight-1)
		}
	}
	banning := false
	if failed {
		if a.addr != "" {
			addrEntry = g.entryLocked(a.addr, now)
			addrEntry.fails = append(addrEntry.fails, guardFailure{at: now, other: a.login})
		}
		if a.login != "" {
			e := g.entryLocked(a.login, now)
			e.fails = append(e.fails, guardFailure{at: now, other: a.addr})
		}
		if a.ip && addrEntry.recent(now, g.cfg.Window) >= g.cfg.MaxFailures {
			// The address is banned: its failures are accounted for, and
			// no longer count against the logins it tried (so one address
			// cannot lock a login out; many addresses together can).
			for _, f := range addrEntry.fails {
				if le := g.keys[f.other]; f.other != "" && le != nil {
					kept := le.fails[:0]
					for _, lf := range le.fails {
						if lf.other != a.addr {
							kept = append(kept, lf)
						}
					}
					le.fails = kept
				}
			}
			addrEntry.fails = nil
			g.bans[a.addr] = guardBan{until: now.Add(g.cfg.BanTime), set: now, storing: true}
			banning = true
		}
	}
	cfg := g.cfg
	close(g.wake)
	g.wake = make(chan struct{})
	g.mu.Unlock()
	if !banning {
		return nil
	}
	return g.ban(a, cfg, now)
}

// ban records the ban of a's address: in memory (already set for
// BanTime, lengthened here for repeat offenders) and in the store, with
// an audit event. The store writes do not use the request's context: a
// client that hangs up is banned all the same.
func (g *Guard) ban(a *attempt, cfg GuardConfig, now time.Time) *Ban {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	strikes := 0
	if prev, err := g.store.BanByAddr(ctx, a.addr); err == nil {
		// Strikes are forgotten once the last ban is long over.
		if now.Sub(prev.Until) < cfg.MaxBanTime {
			strikes = prev.Strikes
		}
	}
	now = now.UTC().Truncate(time.Microsecond)
	until := now.Add(cfg.banDuration(strikes))
	b := &Ban{Addr: a.addr, Until: until, Strikes: strikes + 1, Node: cfg.Node, CreatedAt: now,
		Reason: fmt.Sprintf("%d failed logins within %s, the last through %s", cfg.MaxFailures, cfg.Window, a.via)}
	g.mu.Lock()
	if cur := g.bans[a.addr]; until.After(cur.until) {
		g.bans[a.addr] = guardBan{until: until, set: cur.set, storing: true}
	}
	g.mu.Unlock()
	err := g.store.PutBan(ctx, b)
	// Until now the ban was marked as being stored, which every refresh
	// keeps. A refresh that read the store before this write committed may
	// still have missed it: it counts as set now, so ReplaceBans keeps it
	// against every read that started before this moment.
	g.mu.Lock()
	cur := g.bans[a.addr]
	g.bans[a.addr] = guardBan{until: maxTime(until, cur.until), set: g.now()}
	g.mu.Unlock()
	if err != nil {
		g.log.Error("guard: record ban", "addr", a.addr, "err", err)
	} else {
		ev := &AuditEvent{Time: now, ActorKind: ActorSystem, Actor: "defender", Via: a.via, RemoteAddr: a.remote,
			Action: "ban.create", ObjectType: "ban", ObjectName: b.Addr, Detail: b.Reason + " until " + b.Until.Format(time.RFC3339)}
		if err := g.store.AppendAudit(ctx, ev); err != nil {
			g.log.Error("guard: audit ban", "addr", a.addr, "err", err)
		}
	}
	g.log.Warn("address banned", "addr", b.Addr, "until", b.Until.Format(time.RFC3339), "strikes", b.Strikes, "via", a.via)
	return b
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

package ftpd

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	ftpserver "github.com/fclairamb/ftpserverlib"
	"github.com/prometheus/client_golang/prometheus"

	"ftpanel/internal/homefs"
	"ftpanel/internal/hosting"
)

// TLSMode says whether explicit FTPS (AUTH TLS) is offered or required.
type TLSMode string

// TLS modes.
const (
	TLSOff      TLSMode = "off"      // no AUTH TLS
	TLSOptional TLSMode = "optional" // AUTH TLS offered
	TLSRequired TLSMode = "required" // plain USER/PASS and plain data connections refused
)

// Config configures a Server. Zero values take the defaults noted.
type Config struct {
	ListenAddr   string // e.g. "127.0.0.1:2121"; ":0" picks a free port
	PassivePorts [2]int // passive port range; {0,0} = any free port
	PublicHost   string // IPv4 literal for PASV replies; "" = the control connection's local address
	// PassiveListen is the address passive listeners bind; "" = the
	// address each control connection arrived on.
	PassiveListen string
	TLS           TLSMode       // default off
	TLSConfig     *tls.Config   // required unless TLS is off
	Node          string        // node id, prefix of session ids; default "node1"
	IdleTimeout   time.Duration // default 300s
	// MaxClients, MaxClientsPerIP and MaxSessionsPerAccount limit
	// connections in all, connections per address and logged-in sessions
	// per account; defaults 2000, 50, 20.
	MaxClients, MaxClientsPerIP, MaxSessionsPerAccount int
	Umask                                              fs.FileMode // 0 means the default 022: files 0644, folders 0755
	// FailDelay is how long a failed login waits before its reply
	// (default 1s); only the client's own goroutine sleeps. Failed logins
	// are counted, and addresses banned, by the service's guard
	// (hosting.Guard, configured through hosting.Options.Guard).
	FailDelay time.Duration
	// SyncInterval is how often sessions are written to the registry and
	// kill requests are read (default 500ms).
	SyncInterval time.Duration
	QuotaRescan  time.Duration // how often usage is measured again (default 10m)
	GraceTimeout time.Duration // Shutdown's grace period when its ctx has no deadline (default 30s)
	// Usages is the node's quota pools, shared with the other protocols
	// (SFTP, the file manager); nil = the server's own.
	Usages *homefs.Usages

	replyTap      func(line string) // tests: sees every reply line sent
	acceptTimeout time.Duration     // tests: passive accept time-out (default passiveAcceptTimeout)
	parkIdle      time.Duration     // tests: how long a session keeps its passive socket (default parkIdle)
}

func (c *Config) setDefaults() {
	if c.TLS == "" {
		c.TLS = TLSOff
	}
	if c.Node == "" {
		c.Node = "node1"
	}
	if c.IdleTimeout <= 0 {
		c.IdleTimeout = 300 * time.Second
	}
	if c.MaxClients <= 0 {
		c.MaxClients = 2000
	}
	if c.MaxClientsPerIP <= 0 {
		c.MaxClientsPerIP = 50
	}
	if c.MaxSessionsPerAccount <= 0 {
		c.MaxSessionsPerAccount = 20
	}
	if c.Umask == 0 {
		c.Umask = 0o022
	}
	if c.FailDelay == 0 {
		c.FailDelay = time.Second
	}
	if c.SyncInterval <= 0 {
		c.SyncInterval = 500 * time.Millisecond
	}
	if c.QuotaRescan <= 0 {
		c.QuotaRescan = 10 * time.Minute
	}
	if c.GraceTimeout <= 0 {
		c.GraceTimeout = 30 * time.Second
	}
	if c.acceptTimeout <= 0 {
		c.acceptTimeout = passiveAcceptTimeout
	}
	if c.parkIdle <= 0 {
		c.parkIdle = parkIdle
	}
}

func (c *Config) validate() error {
	switch c.TLS {
	case TLSOff:
	case TLSOptional, TLSRequired:
		if c.TLSConfig == nil {
			return fmt.Errorf("ftpd: tls = %s needs a certificate", c.TLS)
		}
	default:
		return fmt.Errorf("ftpd: unknown tls mode %q (want off, optional or required)", c.TLS)
	}
	lo, hi := c.PassivePorts[0], c.PassivePorts[1]
	if (lo != 0 || hi != 0) && (lo < 1 || hi > 65535 || lo > hi) {
		return fmt.Errorf("ftpd: passive port range %d-%d is invalid", lo, hi)
	}
	if c.PublicHost != "" {
		ip, err := netip.ParseAddr(c.PublicHost)
		if err != nil || !ip.Unmap().Is4() {
			return fmt.Errorf("ftpd: public host %q is not an IPv4 address", c.PublicHost)
		}
	}
	if c.PassiveListen != "" {
		if _, err := netip.ParseAddr(c.PassiveListen); err != nil {
			return fmt.Errorf("ftpd: passive listen address %q is not an IP address", c.PassiveListen)
		}
	}
	if c.Umask&^0o777 != 0 {
		return fmt.Errorf("ftpd: umask %o is invalid", c.Umask)
	}
	if strings.ContainsAny(c.Node, " \t\r\n") {
		return fmt.Errorf("ftpd: node id %q contains spaces", c.Node)
	}
	return nil
}

// Server is the FTP server. New builds it, Start binds and serves,
// Shutdown stops it.
type Server struct {
	svc     *hosting.Service
	cfg     Config
	log     *slog.Logger
	actx    context.Context // carries the system actor for Service calls
	ftp     *ftpserver.FtpServer
	ln      net.Listener
	def     *defender
	met     *metrics
	chown   bool // CAP_CHOWN: give uploads to the site's user
	usages  *homefs.Usages
	bufs    sync.Pool     // *bufio.Writer for passive data connections
	done    chan struct{} // closed when Shutdown starts
	loopEnd chan struct{} // closed when the sync loop returns

	// Passive data connections (pasv.go): the port range, the address
	// to bind when set (ftp.passive_listen), the control listener's
	// address, and the listeners still listening.
	ports       *portPool
	passiveIP   netip.Addr
	listenIP    netip.Addr
	pasvOpen    atomic.Int64
	byGoroutine sync.Map // command goroutine id → *session

	mu         sync.Mutex
	started    bool
	shutting   bool
	sessions   map[uint32]*session
	pending    map[string]*ctlConn // accepted, not yet seen by ClientConnected
	conns      int
	perIP      map[netip.Addr]int
	perAccount map[int64]int
	ended      []*session // logged-in sessions gone since the last sync
	killed     map[string]bool

	banMu sync.Mutex // orders ban writes and ban list refreshes
}

// New returns a server over svc; it binds nothing until Start.
func New(svc *hosting.Service, cfg Config, log *slog.Logger) (*Server, error) {
	if svc == nil {
		return nil, errors.New("ftpd: no hosting service")
	}
	cfg.setDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{
		svc:        svc,
		cfg:        cfg,
		log:        log,
		actx:       hosting.WithActor(context.Background(), hosting.SystemActor(hosting.ViaFTP, "ftpd")),
		def:        newDefender(svc.Guard()),
		met:        newMetrics(),
		chown:      homefs.CanChown(),
		usages:     cfg.Usages,
		done:       make(chan struct{}),
		loopEnd:    make(chan struct{}),
		sessions:   map[uint32]*session{},
		pending:    map[string]*ctlConn{},
		perIP:      map[netip.Addr]int{},
		perAccount: map[int64]int{},
		killed:     map[string]bool{},
	}
	if s.usages == nil {
		s.usages = homefs.NewUsages()
	}
	s.ports = newPortPool(cfg.PassivePorts[0], cfg.PassivePorts[1])
	if cfg.PassiveListen != "" {
		s.passiveIP = netip.MustParseAddr(cfg.PassiveListen).Unmap()
	}
	s.bufs.New = func() any { return bufio.NewWriterSize(nil, dataBufSize) }
	return s, nil
}

// Start binds the control port (so that ":0" and port-in-use errors
// surface here), clears the sessions this node left in the registry, loads
// the active bans, and serves in the background until Shutdown. ctx bounds
// only these first steps.
func (s *Server) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started || s.shutting {
		return errors.New("ftpd: already started")
	}
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", s.cfg.ListenAddr)
	if err != nil {
		return fmt.Errorf("ftpd: listen %s: %w", s.cfg.ListenAddr, err)
	}
	s.ln = &listener{Listener: ln, s: s}
	s.listenIP = addrIP(ln.Addr())
	s.ftp = ftpserver.NewFtpServer(&driver{s: s})
	s.ftp.Logger = s.log.With("component", "ftpserverlib")
	if err := s.ftp.Listen(); err != nil {
		ln.Close()
		return fmt.Errorf("ftpd: %w", err)
	}
	s.started = true
	actx := hosting.WithActor(ctx, hosting.SystemActor(hosting.ViaFTP, "ftpd"))
	if err := s.svc.ClearNodeSessions(actx, s.cfg.Node); err != nil {
		s.log.Warn("clear sessions left by an earlier run", "node", s.cfg.Node, "err", err)
	}
	s.refreshBans(actx)
	go func() {
		if err := s.ftp.Serve(); err != nil {
			s.log.Error("ftp serve", "err", err)
		}
	}()
	go s.loop()
	s.log.Info("ftp server listening", "addr", s.Addr(), "tls", s.cfg.TLS, "node", s.cfg.Node)
	return nil
}

// Addr returns the bound control address ("" before Start).
func (s *Server) Addr() string {
	if s.ln == nil {
		return ""
	}
	return s.ln.Addr().String()
}

// Collectors returns the server's Prometheus collectors: connections and
// sessions gauges; logins (by result), refused connections (by reason),
// bytes in and out, bans and transfer errors counters.
func (s *Server) Collectors() []prometheus.Collector { return s.met.collectors() }

// Shutdown stops accepting connections, closes idle sessions at once and
// the others as their transfers end, until ctx is done (or GraceTimeout
// when ctx has no deadline); then it closes whatever is left and clears
// this node's sessions from the registry. It returns an error only when
// the registry cannot be cleared.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	if s.shutting || !s.started {
		s.mu.Unlock()
		return nil
	}
	s.shutting = true
	s.mu.Unlock()
	close(s.done)
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.cfg.GraceTimeout)
		defer cancel()
	}
	if err := s.ftp.Stop(); err != nil && !errors.Is(err, ftpserver.ErrNotListening) {
		s.log.Warn("stop listening", "err", err)
	}
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	graceful := true
	for graceful && s.closeIdle(false) > 0 {
		select {
		case <-tick.C:
		case <-ctx.Done():
			graceful = false
		}
	}
	if !graceful {
		s.log.Warn("grace period over, closing the remaining sessions", "sessions", s.closeIdle(true))
		// Wait a little for their handlers to finish.
		for end := time.Now().Add(2 * time.Second); s.closeIdle(true) > 0 && time.Now().Before(end); {
			<-tick.C
		}
	}
	<-s.loopEnd
	cctx, cancel := context.WithTimeout(s.actx, 10*time.Second)
	defer cancel()
	s.usages.Record(cctx, true, s.svc.RecordUsage, s.log)
	if err := s.svc.ClearNodeSessions(cctx, s.cfg.Node); err != nil {
		return fmt.Errorf("ftpd: clear sessions: %w", err)
	}
	s.log.Info("ftp server stopped", "node", s.cfg.Node)
	return nil
}

// closeIdle closes the sessions not in a transfer (all when force) and
// returns how many sessions remain.
func (s *Server) closeIdle(force bool) int {
	now := time.Now()
	var toClose []*session
	s.mu.Lock()
	n := len(s.sessions)
	for _, x := range s.sessions {
		if !x.closing && (force || x.idle(now)) {
			toClose = append(toClose, x)
		}
	}
	s.mu.Unlock()
	for _, x := range toClose {
		s.kill(x, "shutdown", "421 Server shutting down.")
	}
	return n
}

// admit decides at accept whether a connection from addr may proceed; it
// returns the refusal reply, or "" after counting the connection.
func (s *Server) admit(addr net.Addr) string {
	ip := addrIP(addr)
	if s.def.banned(ip, time.Now()) {
		s.met.refused.WithLabelValues("banned").Inc()
		return "421 Too many failed logins from your address, try again later."
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.shutting:
		s.met.refused.WithLabelValues("shutdown").Inc()
		return "421 Server shutting down."
	case s.conns >= s.cfg.MaxClients:
		s.met.refused.WithLabelValues("max_clients").Inc()
		return "421 Too many users, try again later."
	case s.perIP[ip] >= s.cfg.MaxClientsPerIP:
		s.met.refused.WithLabelValues("max_clients_per_ip").Inc()
		return "421 Too many connections from your address."
	}
	s.conns++
	s.perIP[ip]++
	return ""
}

func addrIP(a net.Addr) netip.Addr {
	if t, ok := a.(*net.TCPAddr); ok {
		ip, _ := netip.AddrFromSlice(t.IP)
		return ip.Unmap()
	}
	ap, err := netip.ParseAddrPort(a.String())
	if err != nil {
		return netip.Addr{}
	}
	return ap.Addr().Unmap()
}

// driver implements ftpserverlib's MainDriver and its extensions for a
// Server, keeping those methods out of Server's exported API.
type driver struct{ s *Server }

var (
	_ ftpserver.MainDriver                         = (*driver)(nil)
	_ ftpserver.MainDriverExtensionUserVerifier    = (*driver)(nil)
	_ ftpserver.MainDriverExtensionPostAuthMessage = (*driver)(nil)
	_ ftpserver.MainDriverExtensionPassiveWrapper  = (*driver)(nil)
)

// GetSettings implements ftpserver.MainDriver.
func (d *driver) GetSettings() (*ftpserver.Settings, error) {
	c := d.s.cfg
	st := &ftpserver.Settings{
		Listener:                d.s.ln,
		PublicHost:              c.PublicHost,
		Banner:                  "ftpanel",
		IdleTimeout:             max(1, int(c.IdleTimeout/time.Second)),
		ConnectionTimeout:       30,
		ActiveTransferPortNon20: true,
		DisableMFMT:             false,
		DisableSite:             false, // only SITE CHMOD, through fsys.Site
		EnableHASH:              false, // whole-file hashing on demand is a DoS lever
		DefaultTransferType:     ftpserver.TransferTypeBinary,
		DisableASCIIConversion:  true, // byte-exact transfers, as vsftpd does by default
		ActiveConnectionsCheck:  ftpserver.IPMatchRequired,
		PasvConnectionsCheck:    ftpserver.IPMatchRequired,
	}
	// TLS on the control connection is ctlConn's (control.go); the
	// transfer requirement of tls = required is set per session at login.
	// No PassiveTransferPortRange, no PassiveTransferPortMultiplexing:
	// passive ports are drawn by WrapPassiveListener (pasv.go).
	if c.PublicHost == "" {
		st.PublicIPResolver = func(cc ftpserver.ClientContext) (string, error) {
			ip := addrIP(cc.LocalAddr())
			if !ip.Is4() {
				return "", errors.New("PASV needs IPv4; use EPSV")
			}
			return ip.String(), nil
		}
	}
	return st, nil
}

// GetTLSConfig implements ftpserver.MainDriver. It is called on every FEAT
// and AUTH, so it only returns the prepared config.
func (d *driver) GetTLSConfig() (*tls.Config, error) {
	if d.s.cfg.TLS == TLSOff {
		return nil, errNoTLS
	}
	return d.s.cfg.TLSConfig, nil
}

// ClientConnected implements ftpserver.MainDriver.
func (d *driver) ClientConnected(cc ftpserver.ClientContext) (string, error) {
	s := d.s
	x := &session{s: s, cc: cc, id: s.cfg.Node + "-" + uitoa(cc.ID()), ip: addrIP(cc.RemoteAddr()),
		remote: cc.RemoteAddr().String(), started: time.Now()}
	key := cc.RemoteAddr().String()
	s.mu.Lock()
	x.conn = s.pending[key]
	delete(s.pending, key)
	if x.conn != nil {
		x.conn.sess = x
	}
	s.sessions[cc.ID()] = x
	s.mu.Unlock()
	s.met.connections.Inc()
	return "ftpanel FTP server ready", nil
}

// ClientDisconnected implements ftpserver.MainDriver.
func (d *driver) ClientDisconnected(cc ftpserver.ClientContext) {
	s := d.s
	s.mu.Lock()
	x := s.sessions[cc.ID()]
	delete(s.sessions, cc.ID())
	if x != nil && x.conn != nil {
		x.conn.forget(s)
	}
	s.conns--
	if ip := addrIP(cc.RemoteAddr()); s.perIP[ip] <= 1 {
		delete(s.perIP, ip)
	} else {
		s.perIP[ip]--
	}
	var a *hosting.Account
	if x != nil && x.acct != nil {
		a = x.acct
		if s.perAccount[a.ID] <= 1 {
			delete(s.perAccount, a.ID)
		} else {
			s.perAccount[a.ID]--
		}
		s.ended = append(s.ended, x)
	}
	s.mu.Unlock()
	s.met.connections.Dec()
	if x != nil {
		x.park.close()
	}
	if a == nil {
		return
	}
	s.usages.Release(x.quota)
	x.fs.close()
	s.met.sessions.Dec()
	s.log.Info("logout", "session", x.id, "login", a.Login, "remote", x.remote,
		"duration", time.Since(x.started).Round(time.Millisecond), "bytes_in", x.bytesIn.Load(), "bytes_out", x.bytesOut.Load())
}

// PreAuthUser implements ftpserver.MainDriverExtensionUserVerifier: a
// banned address is refused at USER too (for connections opened before
// the ban).
func (d *driver) PreAuthUser(cc ftpserver.ClientContext, _ string) error {
	if d.s.def.banned(addrIP(cc.RemoteAddr()), time.Now()) {
		return errBanned
	}
	return nil
}

// PostAuthMessage implements ftpserver.MainDriverExtensionPostAuthMessage:
// our own texts instead of "Authentication error: <driver error>".
func (d *driver) PostAuthMessage(_ ftpserver.ClientContext, _ string, err error) string {
	if err != nil {
		return err.Error()
	}
	return "Login successful."
}

// AuthUser implements ftpserver.MainDriver: the login, through
// hosting.Service.AuthenticateFTP, whose guard counts the attempt before
// the password is checked (and bounds the verifications running at once).
// Errors are the reply texts (530).
func (d *driver) AuthUser(cc ftpserver.ClientContext, user, pass string) (ftpserver.ClientDriver, error) {
	s := d.s
	s.mu.Lock()
	x := s.sessions[cc.ID()]
	s.mu.Unlock()
	if x == nil {
		return nil, errUnavailable
	}
	if x.acct != nil { // written only by this goroutine
		return nil, errLoggedIn
	}
	a, err := s.svc.AuthenticateFTP(s.actx, user, pass, x.ip)
	if err != nil {
		return nil, s.loginFailed(x, user, err)
	}
	f, err := s.login(x, a)
	if err != nil {
		s.met.loginFailed.Inc()
		return nil, err
	}
	return f, nil
}

// loginFailed logs and counts a failed login, waits FailDelay and returns
// the reply. The guard has counted it already.
func (s *Server) loginFailed(x *session, user string, err error) error {
	s.met.loginFailed.Inc()
	code := hosting.ErrorCode(err)
	var reply error
	_, refused := hosting.LoginRefused(err)
	switch {
	case refused:
		reply = errBanned
	case code == hosting.CodeUnauthorized:
		reply = errLoginFailed
	case code == hosting.CodeSuspended:
		reply = errSuspended
	case code == hosting.CodeForbidden:
		reply = errNotAllowedIP
	default:
		reply = errUnavailable
		s.log.Error("login", "login", clip(user), "remote", x.remote, "err", err)
	}
	reason := string(code)
	if refused {
		reason = "throttled"
	}
	s.log.Info("login failed", "session", x.id, "login", clip(user), "remote", x.remote, "reason", reason)
	if b, ok := hosting.BanStarted(err); ok {
		s.met.bans.Inc()
		s.log.Warn("address banned", "addr", b.Addr, "until", b.Until.Format(time.RFC3339), "strikes", b.Strikes)
	}
	t := time.NewTimer(s.cfg.FailDelay)
	select {
	case <-t.C:
	case <-s.done:
		t.Stop()
	}
	return reply
}

// login opens the session's file system after a successful
// authentication, within the per-account limit.
func (s *Server) login(x *session, a *hosting.Account) (*fsys, error) {
	s.mu.Lock()
	if s.shutting {
		s.mu.Unlock()
		return nil, errUnavailable
	}
	if s.perAccount[a.ID] >= s.cfg.MaxSessionsPerAccount {
		s.mu.Unlock()
		s.log.Info("login refused: too many sessions", "session", x.id, "login", a.Login, "remote", x.remote)
		return nil, errTooMany
	}
	s.perAccount[a.ID]++
	s.mu.Unlock()

	root, err := homefs.OpenRoot(a.SiteRoot, a.Home)
	if err != nil {
		s.mu.Lock()
		s.perAccount[a.ID]--
		s.mu.Unlock()
		s.log.Error("login: cannot open the home folder", "session", x.id, "login", a.Login, "err", err)
		return nil, errUnavailable
	}
	uid, gid := -1, -1
	if s.chown && a.SiteUID >= 0 && a.SiteGID >= 0 {
		uid, gid = a.SiteUID, a.SiteGID
	}
	u := s.usages.Acquire(a)
	f := newFS(root, fsOptions{Read: a.Read, Write: a.Write, Umask: s.cfg.Umask, UID: uid, GID: gid,
		Usage: u, Observer: x, Cwd: x.cc.Path, Logger: s.log})
	s.mu.Lock()
	x.acct, x.fs, x.quota = a, f, u
	s.mu.Unlock()
	if x.conn != nil {
		x.conn.loggedIn.Store(true)
	}
	if s.cfg.TLS == TLSRequired {
		// Data connections without PROT P are refused (521).
		_ = x.cc.SetTLSRequirement(ftpserver.MandatoryEncryption)
	}
	s.met.loginOK.Inc()
	s.met.sessions.Inc()
	s.log.Info("login", "session", x.id, "login", a.Login, "site", a.SiteName, "remote", x.remote,
		"tls", x.tls(), "read", a.Read, "write", a.Write)
	return f, nil
}

// clip bounds a client-supplied string for logs.
func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}

func uitoa(n uint32) string {
	var b [10]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(b[i:])
		}
	}
}

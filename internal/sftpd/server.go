package sftpd

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/crypto/ssh"

	"ftpanel/internal/homefs"
	"ftpanel/internal/hosting"
)

// Server is the SFTP server. New builds it, Start binds and serves,
// Shutdown stops it.
type Server struct {
	svc      *hosting.Service
	cfg      Config
	log      *slog.Logger
	actx     context.Context // carries the system actor for Service calls
	base     ssh.ServerConfig
	ln       net.Listener
	def      *defender
	met      *metrics
	usages   *homefs.Usages
	authSem  chan struct{} // bounds concurrent password verifications
	chown    bool
	done     chan struct{} // closed when Shutdown starts
	loopEnd  chan struct{} // closed when the sync loop returns
	handlers sync.WaitGroup
	nextID   atomic.Uint64

	mu         sync.Mutex
	started    bool
	shutting   bool
	conns      map[*conn]struct{} // every accepted connection
	perIP      map[netip.Addr]int // this server's connections
	perAccount map[int64]int      // this server's logged-in sessions
	// Sessions of the other servers (FTP on this node, every protocol on
	// other nodes), from the registry at the last sync.
	otherIP      map[netip.Addr]int
	otherAccount map[int64]int
	ended        []*conn // logged-in sessions gone since the last sync

	banMu      sync.Mutex
	lastRescan time.Time
}

// New returns a server over svc; it binds nothing until Start.
func New(svc *hosting.Service, cfg Config, log *slog.Logger) (*Server, error) {
	if svc == nil {
		return nil, errors.New("sftpd: no hosting service")
	}
	cfg.setDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{
		svc:          svc,
		cfg:          cfg,
		log:          log,
		actx:         hosting.WithActor(context.Background(), hosting.SystemActor(hosting.ViaSFTP, "sftpd")),
		def:          newDefender(cfg.Defender),
		met:          newMetrics(),
		usages:       cfg.Usages,
		authSem:      make(chan struct{}, max(4, 2*runtime.GOMAXPROCS(0))),
		chown:        homefs.CanChown(),
		done:         make(chan struct{}),
		loopEnd:      make(chan struct{}),
		conns:        map[*conn]struct{}{},
		perIP:        map[netip.Addr]int{},
		perAccount:   map[int64]int{},
		otherIP:      map[netip.Addr]int{},
		otherAccount: map[int64]int{},
		lastRescan:   time.Now(),
	}
	if s.usages == nil {
		s.usages = homefs.NewUsages()
	}
	s.base = ssh.ServerConfig{
		Config:                  ssh.Config{KeyExchanges: keyExchanges, Ciphers: cfg.Ciphers, MACs: macs},
		PublicKeyAuthAlgorithms: userKeyAlgos,
		MaxAuthTries:            6,
		ServerVersion:           "SSH-2.0-ftpanel",
	}
	for _, k := range cfg.HostKeys {
		s.base.AddHostKey(k)
	}
	return s, nil
}

// Start binds the port (so that ":0" and port-in-use errors surface
// here), clears the SFTP sessions this node left in the registry, loads
// the active bans and serves in the background until Shutdown.
func (s *Server) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started || s.shutting {
		return errors.New("sftpd: already started")
	}
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", s.cfg.ListenAddr)
	if err != nil {
		return fmt.Errorf("sftpd: listen %s: %w", s.cfg.ListenAddr, err)
	}
	s.ln = ln
	s.started = true
	actx := hosting.WithActor(ctx, hosting.SystemActor(hosting.ViaSFTP, "sftpd"))
	if err := s.svc.ClearNodeSessionsOf(actx, s.cfg.Node, hosting.ProtocolSFTP); err != nil {
		s.log.Warn("clear sessions left by an earlier run", "node", s.cfg.Node, "err", err)
	}
	s.refreshBans(actx)
	go s.serve()
	go s.loop()
	s.log.Info("sftp server listening", "addr", s.Addr(), "node", s.cfg.Node, "host_keys", Fingerprints(s.cfg.HostKeys))
	return nil
}

// Addr returns the bound address ("" before Start).
func (s *Server) Addr() string {
	if s.ln == nil {
		return ""
	}
	return s.ln.Addr().String()
}

// Collectors returns the server's Prometheus collectors: connections and
// sessions gauges; logins (by method and result), refused connections (by
// reason), bytes in and out, bans and transfer errors counters.
func (s *Server) Collectors() []prometheus.Collector { return s.met.collectors() }

// HostKeyFingerprints returns the host keys' SHA256 fingerprints.
func (s *Server) HostKeyFingerprints() []string { return Fingerprints(s.cfg.HostKeys) }

func (s *Server) serve() {
	var delay time.Duration
	for {
		nc, err := s.ln.Accept()
		if err != nil {
			select {
			case <-s.done:
				return
			default:
			}
			if errors.Is(err, net.ErrClosed) {
				return
			}
			// Out of file descriptors and the like: wait, then go on.
			delay = min(max(2*delay, 5*time.Millisecond), time.Second)
			s.log.Warn("accept", "err", err, "retry_in", delay)
			time.Sleep(delay)
			continue
		}
		delay = 0
		c := s.admit(nc)
		if c == nil {
			nc.Close()
			continue
		}
		s.handlers.Add(1)
		go func() {
			defer s.handlers.Done()
			c.run()
		}()
	}
}

// admit decides at accept whether a connection may proceed and counts it.
func (s *Server) admit(nc net.Conn) *conn {
	ip := addrIP(nc.RemoteAddr())
	if s.banned(ip) {
		s.met.refused.WithLabelValues("banned").Inc()
		s.log.Info("connection refused: address banned", "remote", nc.RemoteAddr().String())
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	reason := ""
	switch {
	case s.shutting:
		reason = "shutdown"
	case len(s.conns) >= s.cfg.MaxClients:
		reason = "max_clients"
	case s.perIP[ip]+s.otherIP[ip] >= s.cfg.MaxClientsPerIP:
		reason = "max_clients_per_ip"
	}
	if reason != "" {
		s.met.refused.WithLabelValues(reason).Inc()
		s.log.Info("connection refused", "remote", nc.RemoteAddr().String(), "reason", reason)
		return nil
	}
	c := &conn{s: s, nc: newCoalescingConn(nc), ip: ip, remote: nc.RemoteAddr().String(), started: time.Now(),
		id: fmt.Sprintf("%s-s%d", s.cfg.Node, s.nextID.Add(1))}
	c.lastActive.Store(time.Now().UnixNano())
	s.conns[c] = struct{}{}
	s.perIP[ip]++
	s.met.connections.Inc()
	return c
}

// release forgets a connection that ended.
func (s *Server) release(c *conn) {
	s.met.connections.Dec()
	s.mu.Lock()
	delete(s.conns, c)
	if s.perIP[c.ip] <= 1 {
		delete(s.perIP, c.ip)
	} else {
		s.perIP[c.ip]--
	}
	if c.acct != nil {
		if s.perAccount[c.acct.ID] <= 1 {
			delete(s.perAccount, c.acct.ID)
		} else {
			s.perAccount[c.acct.ID]--
		}
		s.ended = append(s.ended, c)
	}
	s.mu.Unlock()
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

// Shutdown stops accepting connections, closes idle sessions at once and
// the others as their transfers end, until ctx is done (or GraceTimeout
// when ctx has no deadline); then it closes whatever is left and removes
// this server's sessions from the registry.
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
	s.ln.Close()
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
	}
	s.handlers.Wait()
	<-s.loopEnd
	cctx, cancel := context.WithTimeout(s.actx, 10*time.Second)
	defer cancel()
	s.usages.Record(cctx, true, s.svc.RecordUsage, s.log)
	if err := s.svc.ClearNodeSessionsOf(cctx, s.cfg.Node, hosting.ProtocolSFTP); err != nil {
		return fmt.Errorf("sftpd: clear sessions: %w", err)
	}
	s.log.Info("sftp server stopped", "node", s.cfg.Node)
	return nil
}

// closeIdle closes the connections without a transfer in progress (all
// when force) and returns how many connections remain.
func (s *Server) closeIdle(force bool) int {
	var toClose []*conn
	s.mu.Lock()
	n := len(s.conns)
	for c := range s.conns {
		if force || c.openFiles.Load() == 0 {
			toClose = append(toClose, c)
		}
	}
	s.mu.Unlock()
	for _, c := range toClose {
		c.kill("shutdown")
	}
	return n
}

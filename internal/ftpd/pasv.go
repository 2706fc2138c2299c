package ftpd

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Passive data ports are ours, not ftpserverlib's.
//
// ftpserverlib v0.32.3 offers two ways to use a port range, and neither
// is usable: without multiplexing it draws at most 1,000 candidates and
// binds each on 0.0.0.0; with PassiveTransferPortMultiplexing it loses
// reservations (a transfer closing on a port deletes whatever reservation
// its client address holds there now, even a newer one, so the next data
// connection is refused and the command fails with 425 after the accept
// time-out; docs DEPENDENCIES §5). So ftpd gives the library no range at
// all: the library binds a throw-away listener on an ephemeral port and
// hands it to WrapPassiveListener, which stops it from listening (shutdown
// SHUT_RD: the socket stays open, so the library's accept deadline on it
// still works, but it no longer accepts nor holds a port) and returns our
// own listener instead:
//
//   - bound to the address the control connection arrived on (or
//     ftp.passive_listen), never to every interface;
//   - on a port of the range drawn by portPool: every port of the range,
//     in a random order, until one binds, skipping ports this server
//     holds and ports other processes hold (EADDRINUSE); so a PASV fails
//     only when no port of the range is free;
//   - that accepts only connections from the client's address (strays
//     are closed and the wait goes on, rather than failing the transfer),
//     and stops listening as soon as the data connection is accepted, so a
//     port is held from PASV to the client's connect, not for the whole
//     transfer.
//
// WrapPassiveListener is not told which client it serves; the library
// calls it on the client's own command goroutine, which ftpd learns from
// the control connection's first Read (see sessionOfGoroutine).

// errNoDataPort is the reply text when no passive port could be bound.
//
//lint:ignore ST1005 FTP reply text, shown to clients as is
var errNoDataPort = errors.New("No data port is free, try again later.")

// portPool hands out the ports of a passive range.
type portPool struct {
	lo, n int // the range; n == 0: any free port, chosen by the kernel

	mu   sync.Mutex
	used []bool // ports of the range this server holds (bound or being bound)
	held int
}

func newPortPool(lo, hi int) *portPool {
	if lo == 0 {
		return &portPool{}
	}
	n := hi - lo + 1
	return &portPool{lo: lo, n: n, used: make([]bool, n)}
}

// listen binds a listener on ip and a free port of the range, trying
// every port not held by this server, in a random order, until one
// binds. It fails only when none is free or on an error other than
// EADDRINUSE.
func (p *portPool) listen(ip netip.Addr) (*net.TCPListener, int, error) {
	if p.n == 0 {
		ln, err := listenData(netip.AddrPortFrom(ip, 0))
		if err != nil {
			return nil, 0, fmt.Errorf("passive listen on %s: %w", ip, err)
		}
		return ln, ln.Addr().(*net.TCPAddr).Port, nil
	}
	// A random start and a random step coprime to n visit every index
	// exactly once.
	start := rand.IntN(p.n) //nolint:gosec // not a secret: the data connection must come from the client's address
	step := 1
	if p.n > 2 {
		step = 1 + rand.IntN(p.n-1) //nolint:gosec // as above
		for gcd(step, p.n) != 1 {
			step++
		}
	}
	busy := 0
	for i, idx := 0, start; i < p.n; i, idx = i+1, (idx+step)%p.n {
		p.mu.Lock()
		if p.used[idx] {
			p.mu.Unlock()
			continue
		}
		p.used[idx] = true
		p.held++
		p.mu.Unlock()
		port := p.lo + idx
		ln, err := listenData(netip.AddrPortFrom(ip, uint16(port)))
		if err == nil {
			return ln, port, nil
		}
		p.release(port)
		if !errors.Is(err, syscall.EADDRINUSE) {
			return nil, 0, fmt.Errorf("passive listen on %s: %w", net.JoinHostPort(ip.String(), fmt.Sprint(port)), err)
		}
		busy++
	}
	return nil, 0, fmt.Errorf("passive listen on %s: all %d ports of %d-%d are in use (%d by other processes)",
		ip, p.n, p.lo, p.lo+p.n-1, busy)
}

// dataListenConfig is how passive listeners are opened: plain TCP (go.mod
// turns multipath TCP off for the whole binary: no FTP client speaks it,
// and a multipath socket costs more to open and to use), and no TCP
// keep-alive on data connections: each lives for one transfer, whose
// deadlines end it if the client goes away, so the four setsockopt calls
// per accepted connection would buy nothing.
var dataListenConfig = net.ListenConfig{KeepAlive: -1}

// listenData opens a passive listener on addr.
func listenData(addr netip.AddrPort) (*net.TCPListener, error) {
	ln, err := dataListenConfig.Listen(context.Background(), "tcp", net.TCPAddrFromAddrPort(addr).String())
	if err != nil {
		return nil, err
	}
	return ln.(*net.TCPListener), nil
}

// release gives back a port of the range (any other port is ignored).
func (p *portPool) release(port int) {
	idx := port - p.lo
	if p.n == 0 || idx < 0 || idx >= p.n {
		return
	}
	p.mu.Lock()
	if p.used[idx] {
		p.used[idx] = false
		p.held--
	}
	p.mu.Unlock()
}

// mayPark reports whether a session may keep a port between transfers:
// always without a range, and while at most half of the range is held.
func (p *portPool) mayPark() bool {
	if p.n == 0 {
		return true
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.held*2 <= p.n
}

// inUse returns how many ports of the range this server holds.
func (p *portPool) inUse() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.held
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// pasvListener is the passive listener ftpserverlib gets for one
// PASV/EPSV. It is closed by the library when the transfer ends, when the
// client asks for another data connection, or when the session ends.
type pasvListener struct {
	s       *Server
	x       *session         // the session it serves, or nil (no reuse)
	ip      netip.Addr       // the address it listens on
	ln      *net.TCPListener // ours: nil once closed or parked
	libLn   net.Listener     // the library's, no longer listening
	addr    net.Addr
	port    int
	client  netip.Addr // the only address a data connection may come from; invalid = any
	broken  *atomic.Bool
	timeout time.Duration

	mu     sync.Mutex
	closed bool
	idle   *time.Timer // stops listening when the client never connects
}

// Addr implements net.Listener: ftpserverlib puts its port in the reply.
func (l *pasvListener) Addr() net.Addr { return l.addr }

// Accept implements net.Listener. It waits up to the connection timeout
// for the client's data connection, closes connections from any other
// address, and stops listening once it has the client's.
func (l *pasvListener) Accept() (net.Conn, error) {
	l.mu.Lock()
	ln := l.ln
	l.mu.Unlock()
	if ln == nil {
		return nil, net.ErrClosed
	}
	l.mu.Lock()
	if l.idle != nil {
		l.idle.Stop() // the deadline below takes over
	}
	l.mu.Unlock()
	if err := ln.SetDeadline(time.Now().Add(l.timeout)); err != nil {
		return nil, err
	}
	for {
		c, err := ln.Accept()
		if err != nil {
			return nil, err
		}
		if from := addrIP(c.RemoteAddr()); l.client.IsValid() && from != l.client {
			l.s.log.Warn("passive data connection from another address refused",
				"port", l.port, "from", from.String(), "client", l.client.String())
			_ = c.Close()
			continue
		}
		l.park()
		return &dataConn{Conn: c, pool: &l.s.bufs, broken: l.broken}, nil
	}
}

// stopListening closes our listening socket and gives its port back;
// connections already accepted are not affected.
func (l *pasvListener) stopListening() {
	l.mu.Lock()
	ln := l.ln
	l.ln = nil
	if l.idle != nil {
		l.idle.Stop()
	}
	l.mu.Unlock()
	if ln != nil {
		l.s.closeData(ln, l.port)
	}
}

// closeData closes a passive listening socket and gives its port back.
func (s *Server) closeData(ln *net.TCPListener, port int) {
	_ = ln.Close()
	s.ports.release(port)
	s.pasvOpen.Add(-1)
}

// park hands our listening socket, its data connection accepted, to the
// session for its next PASV (see parkedListener), or closes it when it
// cannot be kept.
func (l *pasvListener) park() {
	l.mu.Lock()
	ln := l.ln
	l.ln = nil
	if l.idle != nil {
		l.idle.Stop()
	}
	l.mu.Unlock()
	if ln == nil {
		return
	}
	if l.x == nil || !l.s.ports.mayPark() || !l.x.park.put(l.s, ln, l.port, l.ip) {
		l.s.closeData(ln, l.port)
	}
}

// Close implements net.Listener.
func (l *pasvListener) Close() error {
	l.mu.Lock()
	done := l.closed
	l.closed = true
	l.mu.Unlock()
	if done {
		return nil
	}
	l.stopListening()
	return l.libLn.Close()
}

// WrapPassiveListener implements ftpserver.MainDriverExtensionPassiveWrapper:
// see the comment at the top of this file.
func (d *driver) WrapPassiveListener(lib net.Listener) (net.Listener, error) {
	s := d.s
	stopLibListener(lib)
	x := s.sessionOfGoroutine()
	ip := s.passiveIP
	var client netip.Addr
	var broken *atomic.Bool
	if x != nil {
		client = x.ip
		if x.conn != nil {
			broken = &x.conn.dataBroken
		}
		if !ip.IsValid() {
			ip = addrIP(x.cc.LocalAddr())
		}
	}
	if !ip.IsValid() {
		ip = s.listenIP // the control listener's address (unspecified if it listens on all)
	}
	var (
		ln   *net.TCPListener
		port int
		err  error
	)
	if x != nil {
		ln, port = x.park.take(s, ip)
	}
	if ln == nil {
		ln, port, err = s.ports.listen(ip)
		if err == nil {
			s.pasvOpen.Add(1)
		}
	}
	if err != nil {
		sid := ""
		if x != nil {
			sid = x.id
		}
		s.log.Error("passive listen", "session", sid, "err", err)
		_ = lib.Close()
		return nil, errNoDataPort
	}
	pl := &pasvListener{s: s, x: x, ip: ip, ln: ln, libLn: lib, addr: ln.Addr(), port: port, client: client,
		broken: broken, timeout: s.cfg.acceptTimeout}
	// A PASV whose data connection never comes (the command failed, or
	// the client went quiet) gives its port back after the time-out.
	pl.mu.Lock()
	pl.idle = time.AfterFunc(s.cfg.acceptTimeout, pl.stopListening)
	pl.mu.Unlock()
	return pl, nil
}

// passiveAcceptTimeout is how long a passive listener waits for the
// client's data connection (ftpserverlib's ConnectionTimeout), and the
// longest TLS handshake after AUTH TLS.
const passiveAcceptTimeout = 30 * time.Second

// stopLibListener makes ftpserverlib's own passive listener stop
// listening without closing its descriptor (the library sets its accept
// deadline on it).
func stopLibListener(l net.Listener) {
	sc, ok := l.(syscall.Conn)
	if !ok {
		return
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return
	}
	_ = rc.Control(func(fd uintptr) { _ = syscall.Shutdown(int(fd), syscall.SHUT_RD) })
}

// goid returns the current goroutine's id, from the header of its stack
// trace ("goroutine 42 [running]:").
func goid() uint64 {
	var buf [40]byte
	n := runtime.Stack(buf[:], false)
	b := buf[:n]
	const prefix = "goroutine "
	if len(b) < len(prefix) {
		return 0
	}
	var id uint64
	for _, c := range b[len(prefix):] {
		if c < '0' || c > '9' {
			break
		}
		id = id*10 + uint64(c-'0')
	}
	return id
}

// sessionOfGoroutine returns the session whose command goroutine is the
// current one, or nil.
func (s *Server) sessionOfGoroutine() *session {
	v, ok := s.byGoroutine.Load(goid())
	if !ok {
		return nil
	}
	return v.(*session)
}

package ftpd

import (
	"net"
	"net/netip"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// A session keeps its passive listening socket for a moment after the
// data connection is accepted, and its next PASV/EPSV answers with the same
// port. Clients that move many small files (mirror, sync, 4 KiB uploads)
// send the next PASV within milliseconds of the 226; each one used to cost
// a socket, bind, listen and close, eight system calls and a listening
// socket set up and torn down in the kernel (README, "Small uploads").
//
// What stays as it was:
//   - A kept socket accepts nothing while kept: connections that reach it
//     meanwhile (a stray from the client's address, a client that
//     connected twice) wait in its backlog and are closed when it is
//     reused, before the PASV reply goes out. After the reply, the listener
//     accepts only from the client's address, as a new one would.
//   - It is closed, and its port given back, parkIdle after the transfer
//     when no PASV came, when the session ends, and at once when more than
//     half of the passive range is held (ports go to sessions that need
//     them, not to sessions that might).
//   - It is reused only for the same listening address.

// parkIdle is how long a session keeps its passive socket after a
// transfer.
const parkIdle = time.Second

// parkedListener is a session's kept passive socket; the zero value holds
// none.
type parkedListener struct {
	mu     sync.Mutex
	ln     *net.TCPListener // nil: none kept
	port   int
	ip     netip.Addr
	closed bool // the session ended: keep nothing more
	timer  *time.Timer
	s      *Server
}

// put keeps ln (listening on ip and port) for the session's next PASV. It
// returns false when the session keeps nothing any more: the caller closes
// ln.
func (p *parkedListener) put(s *Server, ln *net.TCPListener, port int, ip netip.Addr) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	if p.ln != nil {
		// Not expected (one PASV at a time), but never leak a socket.
		old, oldPort := p.ln, p.port
		defer s.closeData(old, oldPort)
	}
	p.ln, p.port, p.ip, p.s = ln, port, ip, s
	if p.timer == nil {
		p.timer = time.AfterFunc(s.cfg.parkIdle, p.expire)
	} else {
		p.timer.Reset(s.cfg.parkIdle)
	}
	return true
}

// take returns the kept socket when it listens on ip, its backlog
// emptied, or nil.
func (p *parkedListener) take(s *Server, ip netip.Addr) (*net.TCPListener, int) {
	p.mu.Lock()
	ln, port := p.ln, p.port
	if ln == nil || p.ip != ip {
		p.mu.Unlock()
		return nil, 0
	}
	p.ln = nil
	p.timer.Stop()
	p.mu.Unlock()
	if n, err := drainBacklog(ln); err != nil {
		s.closeData(ln, port)
		return nil, 0
	} else if n > 0 {
		s.log.Warn("passive port kept between transfers: stray connections closed", "port", port, "count", n)
	}
	return ln, port
}

// expire closes the kept socket after parkIdle without a PASV.
func (p *parkedListener) expire() {
	p.mu.Lock()
	ln, port, s := p.ln, p.port, p.s
	p.ln = nil
	p.mu.Unlock()
	if ln != nil {
		s.closeData(ln, port)
	}
}

// close closes the kept socket, if any, and keeps nothing more: the
// session has ended.
func (p *parkedListener) close() {
	p.mu.Lock()
	p.closed = true
	ln, port, s := p.ln, p.port, p.s
	p.ln = nil
	if p.timer != nil {
		p.timer.Stop()
	}
	p.mu.Unlock()
	if ln != nil {
		s.closeData(ln, port)
	}
}

// drainBacklog accepts and closes, without waiting, every connection
// waiting in ln's backlog, and returns how many there were.
func drainBacklog(ln *net.TCPListener) (int, error) {
	rc, err := ln.SyscallConn()
	if err != nil {
		return 0, err
	}
	n := 0
	var aerr error
	if err := rc.Control(func(fd uintptr) {
		for {
			c, _, err := unix.Accept4(int(fd), unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK)
			switch err {
			case nil:
				_ = unix.Close(c)
				n++
				continue
			case unix.EINTR, unix.ECONNABORTED:
				continue
			case unix.EAGAIN:
			default:
				aerr = err
			}
			return
		}
	}); err != nil {
		return n, err
	}
	return n, aerr
}

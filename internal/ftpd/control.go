package ftpd

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// ctlConn is a control connection, between the client and ftpserverlib.
// It is a small FTP proxy, for what the library does not let a driver do:
//
//   - Explicit TLS (AUTH TLS) is done here, not by the library, so that
//     the two points below hold on FTPS sessions too. The library never
//     sees AUTH; it is told the transfer requirement with
//     SetTLSRequirement at login (see driver.AuthUser).
//   - Every reply line the library writes goes through rewriteReply:
//     error replies become fixed sentences (the library puts Go error
//     texts, with addresses and syscalls, into them), and a few replies
//     are fixed (MKD's 257, 421s that are not closing the connection).
//   - The server can say why it closes a session (closeWith: "421 Account
//     suspended.") before the connection drops.
//   - With tls = required, USER and PASS before AUTH TLS get a 530 that
//     says to use FTPS, and the connection stays open (the library would
//     answer 421 and hang up, which clients retry in a loop).
//
// The library reads commands one line per Read, so it never reads ahead
// of a command the proxy must see first (AUTH).
type ctlConn struct {
	net.Conn // the TCP connection
	s        *Server

	once sync.Once
	err  error

	// The session, set by ClientConnected before the library's first
	// Read; then the command goroutine's id, registered at that Read
	// (read and written only on that goroutine).
	sess *session
	gid  uint64

	// Read side: only the command goroutine.
	rd    *bufio.Reader
	pend  []byte // the rest of the line being handed to the library
	carry []byte // the start of a line whose read was cut by an error (a deadline)

	tls      atomic.Bool // AUTH TLS done
	loggedIn atomic.Bool
	// dataBroken is set when a data connection of the session failed on
	// the network (the client closed or reset it), so that the transfer's
	// error reply is 426.
	dataBroken atomic.Bool

	wmu   sync.Mutex
	out   net.Conn // where replies go: the TCP connection, then the TLS one
	wbuf  []byte   // a partial reply line
	ended bool     // closeWith sent its 421: nothing more is written
}

// maxLine is the longest command line passed on whole (ftpserverlib's
// limit; a longer one makes it hang up).
const maxLine = 4096

func newCtlConn(c net.Conn, s *Server) *ctlConn {
	return &ctlConn{Conn: c, s: s, out: c, rd: bufio.NewReaderSize(c, maxLine)}
}

// Close implements net.Conn. It is idempotent, so the library's own
// Close after a kill is quiet. (ftpserverlib's ClientContext.Close is not
// safe from another goroutine: it races with the handler's own disconnect
// on an unguarded flag.)
func (c *ctlConn) Close() error {
	c.once.Do(func() { c.err = c.Conn.Close() })
	return c.err
}

// Read implements net.Conn: the library's side. It hands over one command
// line at a time, after handling the ones the proxy answers itself. The
// first Read records the command goroutine, so that WrapPassiveListener
// knows whose PASV/EPSV it serves.
func (c *ctlConn) Read(p []byte) (int, error) {
	if c.gid == 0 && c.sess != nil {
		c.gid = goid()
		c.s.byGoroutine.Store(c.gid, c.sess)
	}
	for len(c.pend) == 0 {
		line, err := c.rd.ReadSlice('\n')
		if len(c.carry) > 0 && len(line) > 0 {
			line = append(c.carry, line...)
			c.carry = nil
		}
		switch {
		case len(line) > 0 && (err == nil || errors.Is(err, bufio.ErrBufferFull) || errors.Is(err, io.EOF)):
			// A whole line, or a line too long for the library (which
			// hangs up), or the last bytes before EOF.
		case err != nil:
			// A time-out (the library's idle deadline) may cut a line:
			// keep its start for the next Read.
			c.carry = append(c.carry, line...)
			return 0, err
		}
		if err == nil {
			handled, herr := c.intercept(line)
			if herr != nil {
				return 0, herr
			}
			if handled {
				continue
			}
		}
		c.pend = line
	}
	n := copy(p, c.pend)
	c.pend = c.pend[n:]
	return n, nil
}

// forget unregisters the command goroutine (from ClientDisconnected, on
// that goroutine).
func (c *ctlConn) forget(s *Server) {
	if c.gid != 0 {
		s.byGoroutine.Delete(c.gid)
		c.gid = 0
	}
}

// Reply texts of the commands the proxy answers.
const (
	replyTLSRequired = "530 This server accepts FTPS only: reconnect with explicit TLS (AUTH TLS)."
	replyNoTLS       = "504 TLS is not enabled on this server."
	replyTLSAgain    = "503 TLS is already active."
	replyAuthLate    = "503 AUTH TLS must come before login."
	replyAuthMech    = "504 Unknown security mechanism; use AUTH TLS."
	replyAuthOK      = "234 AUTH TLS successful."
	replyProtFirst   = "503 Use AUTH TLS first."
	replyLoggedIn    = "503 Already logged in."
)

// intercept handles the commands the proxy answers itself; it reports
// whether line was one of them.
func (c *ctlConn) intercept(line []byte) (bool, error) {
	verb, param := splitCommand(line)
	mode := c.s.cfg.TLS
	switch verb {
	case "AUTH":
		switch {
		case mode == TLSOff:
			return true, c.say(replyNoTLS)
		case c.tls.Load():
			return true, c.say(replyTLSAgain)
		case c.loggedIn.Load():
			return true, c.say(replyAuthLate)
		}
		switch strings.ToUpper(param) {
		case "TLS", "TLS-C", "SSL", "TLS-P":
		default:
			return true, c.say(replyAuthMech)
		}
		return true, c.startTLS()
	case "PBSZ", "PROT":
		if !c.tls.Load() {
			return true, c.say(replyProtFirst)
		}
	case "USER", "PASS":
		switch {
		case mode == TLSRequired && !c.tls.Load():
			return true, c.say(replyTLSRequired)
		case verb == "USER" && c.loggedIn.Load():
			return true, c.say(replyLoggedIn)
		}
	}
	return false, nil
}

// splitCommand returns a command line's verb (upper case) and parameter.
func splitCommand(line []byte) (verb, param string) {
	s := strings.TrimRight(string(line), "\r\n")
	verb, param, _ = strings.Cut(s, " ")
	return strings.ToUpper(verb), param
}

// startTLS answers AUTH TLS and runs the handshake; on success replies
// and commands go through TLS. A failed handshake ends the session.
func (c *ctlConn) startTLS() error {
	if err := c.say(replyAuthOK); err != nil {
		return err
	}
	raw := net.Conn(c.Conn)
	if n := c.rd.Buffered(); n > 0 {
		// The client sent its ClientHello without waiting for the 234.
		b, _ := c.rd.Peek(n)
		raw = &prefixConn{Conn: c.Conn, r: io.MultiReader(bytes.NewReader(bytes.Clone(b)), c.Conn)}
	}
	tc := tls.Server(raw, c.s.cfg.TLSConfig)
	_ = c.Conn.SetDeadline(time.Now().Add(passiveAcceptTimeout))
	if err := tc.Handshake(); err != nil {
		sid := ""
		if c.sess != nil {
			sid = c.sess.id
		}
		c.s.log.Info("TLS handshake failed", "session", sid, "remote", c.RemoteAddr().String(), "err", err)
		return err
	}
	_ = c.Conn.SetDeadline(time.Time{})
	c.wmu.Lock()
	c.out = tc
	c.wmu.Unlock()
	c.rd.Reset(tc)
	c.tls.Store(true)
	return nil
}

// prefixConn is a net.Conn whose first reads come from r.
type prefixConn struct {
	net.Conn
	r io.Reader
}

func (p *prefixConn) Read(b []byte) (int, error) { return p.r.Read(b) }

// say writes one reply line of the proxy's own.
func (c *ctlConn) say(line string) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.ended {
		return net.ErrClosed
	}
	c.tap(line)
	_, err := io.WriteString(c.out, line+"\r\n")
	return err
}

// tap shows a reply line to the test hook, if any.
func (c *ctlConn) tap(line string) {
	if t := c.s.cfg.replyTap; t != nil {
		t(line)
	}
}

// Write implements net.Conn: the library's replies, rewritten line by
// line (see rewriteReply).
func (c *ctlConn) Write(p []byte) (int, error) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.ended {
		return 0, net.ErrClosed
	}
	c.wbuf = append(c.wbuf, p...)
	var out []byte
	for {
		i := bytes.Index(c.wbuf, []byte("\r\n"))
		if i < 0 {
			break
		}
		line := c.s.rewriteReply(c, string(c.wbuf[:i]))
		c.tap(line)
		out = append(out, line...)
		out = append(out, '\r', '\n')
		c.wbuf = c.wbuf[i+2:]
	}
	if len(c.wbuf) == 0 {
		c.wbuf = c.wbuf[:0:0] // drop the backing array of a long line
	}
	if len(out) > 0 {
		if _, err := c.out.Write(out); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// closeWith sends reply ("421 Account suspended.") and closes the
// connection. A writer blocked on a client that does not read is
// released by the write deadline.
func (c *ctlConn) closeWith(reply string) {
	if reply != "" {
		_ = c.Conn.SetWriteDeadline(time.Now().Add(time.Second))
		c.wmu.Lock()
		if !c.ended {
			_ = c.Conn.SetWriteDeadline(time.Now().Add(time.Second))
			c.tap(reply)
			_, _ = io.WriteString(c.out, reply+"\r\n")
			c.ended = true
		}
		c.wmu.Unlock()
	}
	_ = c.Close()
}

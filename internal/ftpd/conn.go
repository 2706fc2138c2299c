package ftpd

import (
	"bufio"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// listener is the control listener: it refuses banned addresses and
// connections over the limits right at accept, with a 421 reply, before
// ftpserverlib spends a goroutine and buffers on them.
type listener struct {
	net.Listener
	s *Server
}

// Accept implements net.Listener.
func (l *listener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if msg := l.s.admit(c.RemoteAddr()); msg != "" {
			_ = c.SetWriteDeadline(time.Now().Add(time.Second))
			_, _ = io.WriteString(c, msg+"\r\n")
			_ = c.Close()
			continue
		}
		cc := &ctlConn{Conn: c}
		l.s.mu.Lock()
		l.s.pending[c.RemoteAddr().String()] = cc
		l.s.mu.Unlock()
		return cc, nil
	}
}

// ctlConn is a control connection. The server closes it to end a session
// from another goroutine: ftpserverlib's ClientContext.Close is not safe
// for that (it races with the handler's own disconnect on an unguarded
// flag). Close is idempotent, so the library's later Close is quiet.
type ctlConn struct {
	net.Conn
	once sync.Once
	err  error
}

// Close implements net.Conn.
func (c *ctlConn) Close() error {
	c.once.Do(func() { c.err = c.Conn.Close() })
	return c.err
}

// dataBufSize is the write buffer of passive data connections.
const dataBufSize = 32 << 10

// dataListener wraps passive data listeners so that listings, which
// ftpserverlib writes one line per Write, leave in full segments. It also
// counts the passive reservations in flight (see passivePorts).
type dataListener struct {
	net.Listener
	pool *sync.Pool
	open *atomic.Int64 // decremented once, on Close
	once sync.Once
}

// Close implements net.Listener.
func (l *dataListener) Close() error {
	l.once.Do(func() { l.open.Add(-1) })
	return l.Listener.Close()
}

// Accept implements net.Listener.
func (l *dataListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &dataConn{Conn: c, pool: l.pool}, nil
}

// dataConn buffers small writes. Buffered bytes are flushed before any
// read (so TLS handshakes work over it), before a ReadFrom (downloads keep
// sendfile) and on Flush/Close (ftpserverlib flushes at the end of a
// transfer). WriteTo and SyscallConn reach the TCP connection, so uploads
// keep splice.
type dataConn struct {
	net.Conn
	pool *sync.Pool

	mu  sync.Mutex
	buf *bufio.Writer
}

// directWrite is the size from which a write with nothing buffered goes
// straight to the connection (file data, TLS records).
const directWrite = 4 << 10

// Write implements io.Writer.
func (c *dataConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if (c.buf == nil || c.buf.Buffered() == 0) && len(p) >= directWrite {
		return c.Conn.Write(p)
	}
	if c.buf == nil {
		c.buf = c.pool.Get().(*bufio.Writer)
		c.buf.Reset(c.Conn)
	}
	return c.buf.Write(p)
}

// SetDeadline implements net.Conn; buffered bytes go out first, under the
// old deadline (tls.Conn.Close sets a deadline of "now" after queueing its
// close_notify alert).
func (c *dataConn) SetDeadline(t time.Time) error {
	if err := c.Flush(); err != nil {
		return err
	}
	return c.Conn.SetDeadline(t)
}

// SetWriteDeadline implements net.Conn, flushing first like SetDeadline.
func (c *dataConn) SetWriteDeadline(t time.Time) error {
	if err := c.Flush(); err != nil {
		return err
	}
	return c.Conn.SetWriteDeadline(t)
}

// Flush writes out buffered bytes.
func (c *dataConn) Flush() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.flushLocked()
}

func (c *dataConn) flushLocked() error {
	if c.buf == nil || c.buf.Buffered() == 0 {
		return nil
	}
	return c.buf.Flush()
}

// Read implements io.Reader.
func (c *dataConn) Read(p []byte) (int, error) {
	if err := c.Flush(); err != nil {
		return 0, err
	}
	return c.Conn.Read(p)
}

// ReadFrom implements io.ReaderFrom (downloads: sendfile).
func (c *dataConn) ReadFrom(r io.Reader) (int64, error) {
	if err := c.Flush(); err != nil {
		return 0, err
	}
	if rf, ok := c.Conn.(io.ReaderFrom); ok {
		return rf.ReadFrom(r)
	}
	return io.Copy(struct{ io.Writer }{c.Conn}, r)
}

// WriteTo implements io.WriterTo (uploads: splice).
func (c *dataConn) WriteTo(w io.Writer) (int64, error) {
	if err := c.Flush(); err != nil {
		return 0, err
	}
	if wt, ok := c.Conn.(io.WriterTo); ok {
		return wt.WriteTo(w)
	}
	return io.Copy(w, struct{ io.Reader }{c.Conn})
}

// SyscallConn implements syscall.Conn, which os.File.ReadFrom needs to
// splice from the socket.
func (c *dataConn) SyscallConn() (syscall.RawConn, error) {
	if sc, ok := c.Conn.(syscall.Conn); ok {
		return sc.SyscallConn()
	}
	return nil, errors.ErrUnsupported
}

// Close flushes and closes. When a writer is blocked (a kill from another
// goroutine), it closes at once and leaves the buffer to the collector.
func (c *dataConn) Close() error {
	var ferr error
	if c.mu.TryLock() {
		ferr = c.flushLocked()
		if c.buf != nil {
			c.buf.Reset(nil)
			c.pool.Put(c.buf)
			c.buf = nil
		}
		c.mu.Unlock()
	}
	if err := c.Conn.Close(); err != nil {
		return err
	}
	return ferr
}

// maxPortAttempts bounds the candidate ports ftpserverlib draws for one
// PASV/EPSV, and minPortWindow is the smallest window they are drawn from.
const (
	maxPortAttempts = 128
	minPortWindow   = 16
)

// passivePorts is ftpserverlib.PasvPortGetter over a port range.
//
// With multiplexing, ftpserverlib keeps a listener (and its goroutine) on
// every port it ever used, and a port is busy only for the transfers of
// one client address. Picking uniformly over a large range left listeners
// on most of its ports after a few thousand transfers (1,470 goroutines and
// descriptors after 2,000 uploads over 29000-31999), which every GC cycle
// scans. So ports are drawn at random from a window at the bottom of the
// range, four times as wide as the passive reservations in flight (at
// least minPortWindow): few ports are ever used, and free ones are always
// among the candidates.
//
// Draws use math/rand/v2: ftpserverlib's own PortRange draws up to 1,000
// candidates on every PASV/EPSV, each with crypto/rand and big.Int, which
// was a fifth of the server's CPU in a run of 4 KiB uploads.
type passivePorts struct {
	lo, n int
	open  *atomic.Int64 // passive reservations in flight (open dataListeners)
}

// window is how many ports, from lo up, candidates are drawn from.
func (p *passivePorts) window() int {
	return min(p.n, max(minPortWindow, 4*int(p.open.Load()+1)))
}

// FetchNext implements ftpserver.PasvPortGetter.
func (p *passivePorts) FetchNext() (exposed, listened int, ok bool) {
	port := p.lo + rand.IntN(p.window()) //nolint:gosec // not a secret: the data connection must come from the client's address
	return port, port, true
}

// NumberAttempts implements ftpserver.PasvPortGetter.
func (p *passivePorts) NumberAttempts() int { return min(p.window(), maxPortAttempts) }

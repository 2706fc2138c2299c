package ftpd

import (
	"bufio"
	"errors"
	"io"
	"net"
	"os"
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
		cc := newCtlConn(c, l.s)
		l.s.mu.Lock()
		l.s.pending[c.RemoteAddr().String()] = cc
		l.s.mu.Unlock()
		return cc, nil
	}
}

// dataBufSize is the write buffer of passive data connections.
const dataBufSize = 32 << 10

// dataConn buffers small writes. Buffered bytes are flushed before any
// read (so TLS handshakes work over it), before a ReadFrom (downloads keep
// sendfile) and on Flush/Close (ftpserverlib flushes at the end of a
// transfer). WriteTo and SyscallConn reach the TCP connection, so uploads
// keep splice.
type dataConn struct {
	net.Conn
	pool   *sync.Pool
	broken *atomic.Bool // set on a network error (nil: not tracked)

	mu  sync.Mutex
	buf *bufio.Writer
}

// note records a network error of the data connection: the client
// closed or reset it, or stopped answering.
func (c *dataConn) note(err error) error {
	if err != nil && c.broken != nil && isNetworkError(err) {
		c.broken.Store(true)
	}
	return err
}

// isNetworkError reports whether err comes from the connection rather
// than from the file at the other end of the copy.
func isNetworkError(err error) bool {
	return errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, net.ErrClosed) ||
		errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, syscall.ETIMEDOUT)
}

// directWrite is the size from which a write with nothing buffered goes
// straight to the connection (file data, TLS records).
const directWrite = 4 << 10

// Write implements io.Writer.
func (c *dataConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if (c.buf == nil || c.buf.Buffered() == 0) && len(p) >= directWrite {
		n, err := c.Conn.Write(p)
		return n, c.note(err)
	}
	if c.buf == nil {
		c.buf = c.pool.Get().(*bufio.Writer)
		c.buf.Reset(c.Conn)
	}
	n, err := c.buf.Write(p)
	return n, c.note(err)
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
	n, err := c.Conn.Read(p)
	return n, c.note(err)
}

// ReadFrom implements io.ReaderFrom (downloads: sendfile).
func (c *dataConn) ReadFrom(r io.Reader) (int64, error) {
	if err := c.Flush(); err != nil {
		return 0, err
	}
	if rf, ok := c.Conn.(io.ReaderFrom); ok {
		n, err := rf.ReadFrom(r)
		return n, c.note(err)
	}
	n, err := io.Copy(struct{ io.Writer }{c.Conn}, r)
	return n, c.note(err)
}

// WriteTo implements io.WriterTo (uploads: splice).
func (c *dataConn) WriteTo(w io.Writer) (int64, error) {
	if err := c.Flush(); err != nil {
		return 0, err
	}
	if wt, ok := c.Conn.(io.WriterTo); ok {
		n, err := wt.WriteTo(w)
		return n, c.note(err)
	}
	n, err := io.Copy(w, struct{ io.Reader }{c.Conn})
	return n, c.note(err)
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

package sftpd

import (
	"encoding/binary"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/ssh"
)

// Why replies are coalesced.
//
// A READ reply of 32 KiB is 13 bytes longer than the 32 KiB the client
// takes per SSH packet, so x/crypto/ssh sends it as two packets; and it
// writes each packet through a 4 KiB bufio.Writer that it flushes per
// packet, so a 32 KiB packet reaches the socket as three write(2) calls
// (the first 4 KiB, the rest, the padding and MAC). A download thus cost
// four socket writes, four TCP segments and up to four wake-ups of the
// client per 32 KiB, where sshd writes one.
//
// replyWriter (around the channel) knows where an SFTP message ends: its
// first four bytes give its length. For a message that would take more
// than one socket write, it asks the coalescing connection (under the SSH
// transport) to hold what the transport writes until the message is
// complete, then to write all of it with one system call. Small messages
// go out as before. A held message whose rest does not come promptly (the
// client's window is full, and the channel write waits for it) is written
// out by a timer, so holding never delays a packet by more than
// holdLimit, nor ever waits on the client.

// holdLimit is the longest the coalescing connection holds bytes.
const holdLimit = 2 * time.Millisecond

// maxHeld is how many held bytes are written out at once without waiting
// for the end of the message.
const maxHeld = 256 << 10

// coalescingConn is the connection under the SSH transport. Between hold
// and release, writes are gathered and go out as one.
type coalescingConn struct {
	net.Conn

	mu    sync.Mutex
	holds int    // hold calls not yet released
	buf   []byte // held bytes
	err   error  // a write error of the timer's flush, returned by the next Write
	timer *time.Timer
	limit time.Duration // holdLimit (tests set longer)
	armed bool          // the timer will write out what is held

	writes atomic.Int64 // writes to the connection (system calls), for tests
}

func newCoalescingConn(c net.Conn) *coalescingConn {
	cc := &coalescingConn{Conn: c, limit: holdLimit}
	cc.timer = time.AfterFunc(time.Hour, cc.expire)
	cc.timer.Stop()
	return cc
}

// Write implements io.Writer: it writes p now, or holds it between hold
// and release.
func (c *coalescingConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return 0, c.err
	}
	if c.holds == 0 {
		c.writes.Add(1)
		return c.Conn.Write(p)
	}
	c.buf = append(c.buf, p...)
	if !c.armed {
		c.armed = true
		c.timer.Reset(c.limit)
	}
	if len(c.buf) >= maxHeld {
		if err := c.flushLocked(); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// hold starts gathering writes.
func (c *coalescingConn) hold() {
	c.mu.Lock()
	c.holds++
	c.mu.Unlock()
}

// release ends a hold; the last one writes out what was gathered.
func (c *coalescingConn) release() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.holds == 0 {
		return nil
	}
	c.holds--
	if c.holds > 0 {
		return nil
	}
	if c.armed {
		c.armed = false
		c.timer.Stop()
	}
	return c.flushLocked()
}

// expire writes out bytes held for longer than holdLimit.
func (c *coalescingConn) expire() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.armed = false
	if err := c.flushLocked(); err != nil && c.err == nil {
		c.err = err
	}
}

func (c *coalescingConn) flushLocked() error {
	if len(c.buf) == 0 {
		return nil
	}
	c.writes.Add(1)
	_, err := c.Conn.Write(c.buf)
	if cap(c.buf) > maxHeld+64<<10 {
		c.buf = nil // an unusually large write: do not keep its buffer
	} else {
		c.buf = c.buf[:0]
	}
	return err
}

// closeFlushLimit bounds how long Close waits to write out held bytes to
// a client that does not read.
const closeFlushLimit = time.Second

// Close implements io.Closer. Bytes still held are written first, for up
// to closeFlushLimit, unless a writer holds the lock (a kill from another
// goroutine closes at once).
func (c *coalescingConn) Close() error {
	c.timer.Stop()
	if c.mu.TryLock() {
		if len(c.buf) > 0 {
			_ = c.Conn.SetWriteDeadline(time.Now().Add(closeFlushLimit))
			_ = c.flushLocked()
		}
		c.holds = 0
		c.mu.Unlock()
	}
	return c.Conn.Close()
}

// replyWriter is the channel as pkg/sftp sees it: each SFTP message that
// takes more than one write to the socket (a message in several writes,
// or one larger than x/crypto/ssh's 4 KiB write buffer) is held by the
// connection until its last byte, then written at once.
type replyWriter struct {
	ssh.Channel
	conn *coalescingConn
	left int // bytes of the current message not yet written
}

// smallMessage is the size up to which a message written whole reaches
// the socket in one write anyway.
const smallMessage = 4000

// Write implements io.Writer. pkg/sftp writes replies one at a time,
// under its own lock.
func (w *replyWriter) Write(p []byte) (int, error) {
	if w.left == 0 {
		if len(p) < 4 { // not the start of a message as pkg/sftp writes them: pass it on
			return w.Channel.Write(p)
		}
		w.left = 4 + int(binary.BigEndian.Uint32(p))
		if len(p) >= w.left && len(p) <= smallMessage {
			w.left = 0
			return w.Channel.Write(p)
		}
		w.conn.hold()
	}
	n, err := w.Channel.Write(p)
	w.left -= n
	if err != nil || w.left <= 0 {
		w.left = 0
		if rerr := w.conn.release(); err == nil {
			err = rerr
		}
	}
	return n, err
}

var _ io.ReadWriteCloser = (*replyWriter)(nil)

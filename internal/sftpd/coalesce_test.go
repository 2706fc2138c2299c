package sftpd

import (
	"bytes"
	"crypto/rand"
	"io"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"ftpanel/internal/hosting/hostingtest"
)

// tcpPair returns both ends of a loopback TCP connection.
func tcpPair(t *testing.T) (server, client net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	client, err = net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	server, err = ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { server.Close(); client.Close() })
	return server, client
}

// TestCoalescingConn: between hold and release the writes go out as one,
// in order; outside a hold each goes out at once; what is held without a
// release goes out by itself (the timer), and Close writes it out too.
func TestCoalescingConn(t *testing.T) {
	parts := [][]byte{[]byte("head"), bytes.Repeat([]byte("d"), 4096), bytes.Repeat([]byte("e"), 28000), []byte("mac")}
	var all []byte
	for _, p := range parts {
		all = append(all, p...)
	}
	tests := []struct {
		name       string
		holds      int  // nested holds around the writes
		release    bool // release them all afterwards
		close      bool // close instead of releasing
		wantWrites int64
	}{
		{"no hold", 0, false, false, int64(len(parts))},
		{"held and released", 1, true, false, 1},
		{"nested holds", 2, true, false, 1},
		{"held, never released", 1, false, false, 1},
		{"held, then closed", 1, false, true, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv, cli := tcpPair(t)
			c := newCoalescingConn(srv)
			for range tc.holds {
				c.hold()
			}
			for _, p := range parts {
				if n, err := c.Write(p); n != len(p) || err != nil {
					t.Fatalf("write: %d, %v", n, err)
				}
			}
			if tc.release {
				for range tc.holds {
					if err := c.release(); err != nil {
						t.Fatal(err)
					}
				}
			}
			if tc.close {
				if err := c.Close(); err != nil {
					t.Fatal(err)
				}
			}
			_ = cli.SetReadDeadline(time.Now().Add(10 * time.Second))
			got := make([]byte, len(all))
			if _, err := io.ReadFull(cli, got); err != nil {
				t.Fatalf("read: %v", err)
			}
			if !bytes.Equal(got, all) {
				t.Fatal("bytes differ from what was written")
			}
			if n := c.writes.Load(); n != tc.wantWrites {
				t.Errorf("%d writes to the connection, want %d", n, tc.wantWrites)
			}
		})
	}
}

// TestCoalescingConn_CloseClientNotReading: Close does not hang on held
// bytes when the client has stopped reading and the socket is full.
func TestCoalescingConn_CloseClientNotReading(t *testing.T) {
	srv, cli := tcpPair(t)
	// Fill the socket buffers: the client never reads.
	_ = srv.(*net.TCPConn).SetWriteBuffer(8 << 10)
	_ = cli.(*net.TCPConn).SetReadBuffer(4 << 10)
	chunk := make([]byte, 1<<10)
	for {
		_ = srv.SetWriteDeadline(time.Now().Add(200 * time.Millisecond))
		if _, err := srv.Write(chunk); err != nil {
			break
		}
	}
	_ = srv.SetWriteDeadline(time.Time{})
	c := newCoalescingConn(srv)
	c.limit = time.Hour // only Close writes the held bytes out
	c.hold()
	if _, err := c.Write(make([]byte, 32<<10)); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- c.Close() }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("Close hangs on held bytes the client does not read")
	}
}

// TestDownloadCoalesced: a download's READ replies (header and data in
// two channel writes, each 32 KiB data packet in three writes of
// x/crypto/ssh) reach the socket as about one write per reply.
func TestDownloadCoalesced(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	const size = 4 << 20
	data := make([]byte, size)
	if _, err := rand.Read(data); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(f.root, "big.bin"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	c := f.dial(t, f.main.Login, hostingtest.Password)
	var sc *conn
	f.srv.mu.Lock()
	for x := range f.srv.conns {
		sc = x
	}
	f.srv.mu.Unlock()
	if sc == nil {
		t.Fatal("no connection on the server")
	}
	before := sc.nc.writes.Load()
	r, err := c.Open("/big.bin")
	if err != nil {
		t.Fatal(err)
	}
	var back bytes.Buffer
	if _, err := r.WriteTo(&back); err != nil {
		t.Fatal(err)
	}
	r.Close()
	if !bytes.Equal(back.Bytes(), data) {
		t.Fatalf("downloaded %d bytes that differ from the %d on disk", back.Len(), size)
	}
	replies := int64(size / (32 << 10))
	if n := sc.nc.writes.Load() - before; n > replies*2 {
		t.Errorf("%d socket writes for %d READ replies, want at most %d (about 4 each without coalescing)", n, replies, replies*2)
	} else {
		t.Logf("%d socket writes for %d READ replies", n, replies)
	}
}

package ftpd

import (
	"errors"
	"net"
	"os"
	"testing"
	"time"
)

// TestCtlConn_LineCutByDeadline: a command whose read is cut by the idle
// deadline is handed over whole once the rest arrives.
func TestCtlConn_LineCutByDeadline(t *testing.T) {
	f := newFixture(t, nil)
	server, client := net.Pipe()
	defer client.Close()
	c := newCtlConn(server, f.srv)
	defer c.Close()
	go func() { _, _ = client.Write([]byte("NO")) }()
	buf := make([]byte, 64)
	_ = c.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	if n, err := c.Read(buf); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("Read = %d %q, %v; want a time-out", n, buf[:n], err)
	}
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	go func() { _, _ = client.Write([]byte("OP\r\n")) }()
	n, err := c.Read(buf)
	if err != nil || string(buf[:n]) != "NOOP\r\n" {
		t.Fatalf("Read = %q, %v; want NOOP", buf[:n], err)
	}
}

// TestCtlConn_OneLinePerRead: commands sent together reach the library
// one per Read, so it never reads past an AUTH the proxy must handle.
func TestCtlConn_OneLinePerRead(t *testing.T) {
	f := newFixture(t, nil)
	server, client := net.Pipe()
	defer client.Close()
	c := newCtlConn(server, f.srv)
	defer c.Close()
	go func() { _, _ = client.Write([]byte("TYPE I\r\nNOOP\r\n")) }()
	buf := make([]byte, 64)
	for _, want := range []string{"TYPE I\r\n", "NOOP\r\n"} {
		n, err := c.Read(buf)
		if err != nil || string(buf[:n]) != want {
			t.Fatalf("Read = %q, %v; want %q", buf[:n], err, want)
		}
	}
}

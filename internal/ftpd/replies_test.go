package ftpd

import (
	"bufio"
	"crypto/tls"
	"io"
	"net"
	"net/textproto"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ftpanel/internal/hosting/hostingtest"
)

// leaks are strings no reply may contain (issue 11).
var leaks = []string{"tcp ", "127.0.0.1:", "broken pipe", "use of closed", "network error", "driver error",
	"sendfile", "readfrom", "writeto", "openat", "escapes"}

func checkNoLeak(t *testing.T, what string, code int, msg string) {
	t.Helper()
	for _, l := range leaks {
		if strings.Contains(msg, l) {
			t.Errorf("%s: reply %d %q contains %q", what, code, msg, l)
		}
	}
}

func TestRewriteReply(t *testing.T) {
	f := newFixture(t, nil)
	c := newCtlConn(nil, f.srv)
	for _, tc := range []struct{ in, want string }{
		{`257 Created dir "/a ""b"" c"`, `257 "/a ""b"" c" created`},
		{`257 "/x" is the current directory`, `257 "/x" is the current directory`},
		{"552 Issue during transfer: network error: error transferring data: writeto tcp 127.0.0.1:40003->127.0.0.1:36914: storage limit exceeded",
			"552 Quota exceeded."},
		{"550 Issue during transfer: network error: error transferring data: readfrom tcp 127.0.0.1:40003->127.0.0.1:36914: sendfile: broken pipe",
			"426 Connection closed; transfer aborted."},
		{"550 Issue during transfer: network error: error transferring data: read tcp 127.0.0.1:1->127.0.0.1:2: read: connection reset by peer",
			"426 Connection closed; transfer aborted."},
		{"550 Issue during transfer: network error: error transferring data: operation failed", "451 Operation failed."},
		{"550 Issue during transfer: network error: error transferring data: quota exceeded", "552 Quota exceeded."},
		{"550 Could not access file: no such file or directory", "550 No such file or directory."},
		{"550 Could not access file: permission denied", "550 Permission denied."},
		{`550 Could not create "/a" : file exists`, "550 File exists."},
		{"550 Can't change directory to /a: Not a Directory", "550 Not a directory."},
		{"550 /etc is a directory", "550 Is a directory."},
		{"550 Could not delete dir /a: directory not empty", "550 Directory not empty."},
		{"553 Couldn't rename /a to /b: filename not allowed", "553 File name not allowed."},
		{"421 Could not listen for passive connection: No data port is free, try again later.", "425 No data port is free, try again later."},
		{"421 Could not listen for passive connection: couldn't fetch public IP: PASV needs IPv4; use EPSV", "425 PASV works over IPv4 only; use EPSV."},
		{"421 unable to open transfer: TLS is required", "521 Data connections must use TLS: send PROT P first."},
		{"425 failed to accept passive transfer connection: accept tcp 127.0.0.1:3: i/o timeout", "425 Cannot open the data connection."},
		{`500 Unknown command "XYZ"`, "500 Command not understood."},
		{"500 Unhandled internal error: runtime error: index out of range [3]", "500 Command not understood."},
		{"530 User rejected: Too many failed logins, try again later.", "530 Too many failed logins, try again later."},
		{"530 Login incorrect.", "530 Login incorrect."},
		{"503 RNFR is expected before RNTO", "503 RNFR is expected before RNTO"},
		{"550 Couldn't access /x: some new error 0x12", "550 Requested action not taken."},
		{"226 Closing transfer connection", "226 Closing transfer connection"},
		{" type=file;size=3; /a:b", " type=file;size=3; /a:b"},
		{"211-Features:", "211-Features:"},
	} {
		if got := f.srv.rewriteReply(c, tc.in); got != tc.want {
			t.Errorf("rewriteReply(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestReplies_Errors sends commands that fail over a raw connection: each
// reply is a fixed sentence.
func TestReplies_Errors(t *testing.T) {
	f := newFixture(t, nil)
	f.account(t, "ro", "/", true, false, -1)
	must(t, os.MkdirAll(filepath.Join(f.root, "full", "sub"), 0o755), "mkdir")
	must(t, os.WriteFile(filepath.Join(f.root, "file.txt"), []byte("x"), 0o644), "write")
	r := dialRaw(t, f.addr)
	r.login(f.main.Login)
	for _, tc := range []struct {
		cmd  string
		code int
		msg  string
	}{
		{"MKD new dir", 257, `"/new dir" created`},
		{"MKD new dir", 550, "File exists."},
		{`MKD q"uote`, 257, `"/q""uote" created`},
		{"CWD /missing", 550, "No such file or directory."},
		{"CWD /file.txt", 550, "Not a directory."},
		{"RMD /full", 550, "Directory not empty."},
		{"DELE /missing", 550, "No such file or directory."},
		{"SIZE /full", 550, "Is a directory."},
		{"RNFR /missing", 550, "No such file or directory."},
		{"MDTM /missing", 550, "No such file or directory."},
		{"XYZZY", 500, "Command not understood."},
		{"AUTH TLS", 504, "TLS is not enabled on this server."},
		{"PROT P", 503, "Use AUTH TLS first."},
	} {
		code, msg := r.cmd("%s", tc.cmd)
		if code != tc.code || msg != tc.msg {
			t.Errorf("%s: %d %s, want %d %s", tc.cmd, code, msg, tc.code, tc.msg)
		}
		checkNoLeak(t, tc.cmd, code, msg)
	}
	if _, _, last, msg := r.transfer("RETR /missing", nil); last != 550 || msg != "No such file or directory." {
		t.Errorf("RETR /missing: %d %s", last, msg)
	}
	ro := dialRaw(t, f.addr)
	ro.login("ro")
	if code, msg := ro.cmd("MKD x"); code != 550 || msg != "Permission denied." {
		t.Errorf("MKD read-only: %d %s", code, msg)
	}
	if _, _, last, msg := ro.transfer("STOR x", []byte("x")); last != 550 || msg != "Permission denied." {
		t.Errorf("STOR read-only: %d %s", last, msg)
	}
}

func TestReplies_Quota(t *testing.T) {
	f := newFixture(t, nil)
	f.account(t, "q", "/httpdocs/q", true, true, 10000)
	r := dialRaw(t, f.addr)
	r.login("q")
	_, _, last, msg := r.transfer("STOR big.bin", pattern(200000))
	if last != 552 || msg != "Quota exceeded." {
		t.Errorf("STOR over quota: %d %q, want 552 Quota exceeded.", last, msg)
	}
	checkNoLeak(t, "STOR over quota", last, msg)
	if code, msg := r.cmd("NOOP"); code != 200 {
		t.Errorf("NOOP after 552: %d %s", code, msg)
	}
}

// TestReplies_Abort: ABOR during RETR answers 426 then 226, whether the
// client closed the data connection first or not.
func TestReplies_Abort(t *testing.T) {
	f := newFixture(t, nil)
	must(t, os.WriteFile(filepath.Join(f.root, "big.bin"), pattern(64<<20), 0o644), "write")
	for _, closeFirst := range []bool{true, false} {
		name := "DataOpen"
		if closeFirst {
			name = "ClientClosedData"
		}
		t.Run(name, func(t *testing.T) {
			r := dialRaw(t, f.addr)
			r.login(f.main.Login)
			d := r.epsv()
			if code, msg := r.cmd("RETR big.bin"); code != 150 {
				t.Fatalf("RETR: %d %s", code, msg)
			}
			if _, err := io.ReadFull(d, make([]byte, 64<<10)); err != nil {
				t.Fatalf("read: %v", err)
			}
			if closeFirst {
				// RST on close (unread data), and time for the server's
				// next write to fail.
				d.Close()
				time.Sleep(300 * time.Millisecond)
			}
			first, msg1 := r.cmd("ABOR")
			second, msg2 := r.read()
			if first != 426 || second != 226 {
				t.Errorf("ABOR: %d %s, then %d %s; want 426 then 226", first, msg1, second, msg2)
			}
			checkNoLeak(t, "ABOR", first, msg1)
			d.Close()
			if code, msg := r.cmd("NOOP"); code != 200 {
				t.Errorf("NOOP after ABOR: %d %s", code, msg)
			}
		})
	}
}

// TestReplies_TLSRequired: a plain USER gets a 530 that says to use
// FTPS, and the connection stays open; over TLS the login works, a plain
// data connection is refused with 521, and error replies are rewritten
// there too.
func TestReplies_TLSRequired(t *testing.T) {
	dir := t.TempDir()
	conf, err := LoadOrCreateCert(dir, []string{"127.0.0.1"})
	must(t, err, "cert")
	f := newFixture(t, func(c *Config) { c.TLS, c.TLSConfig = TLSRequired, conf })
	r := dialRaw(t, f.addr)
	for _, cmd := range []string{"USER " + f.main.Login, "PASS " + hostingtest.Password} {
		code, msg := r.cmd("%s", cmd)
		if code != 530 || !strings.Contains(msg, "FTPS") {
			t.Errorf("%s without TLS: %d %s, want 530 …FTPS…", strings.Fields(cmd)[0], code, msg)
		}
	}
	if code, msg := r.cmd("NOOP"); code != 200 {
		t.Fatalf("NOOP after the 530: %d %s (the connection must stay open)", code, msg)
	}
	if code, msg := r.cmd("AUTH TLS"); code != 234 {
		t.Fatalf("AUTH TLS: %d %s", code, msg)
	}
	tc := tls.Client(r.c, tlsClient(t, dir))
	must(t, tc.Handshake(), "handshake")
	r.tp = textproto.NewConn(tc)
	r.login(f.main.Login)
	if code, msg := r.cmd("AUTH TLS"); code != 503 {
		t.Errorf("second AUTH TLS: %d %s", code, msg)
	}
	if code, msg := r.cmd("RETR /missing"); code != 550 || msg != "No such file or directory." {
		t.Errorf("RETR /missing over TLS: %d %s", code, msg)
	}
	if code, msg := r.cmd("MKD d"); code != 257 || msg != `"/d" created` {
		t.Errorf("MKD over TLS: %d %s", code, msg)
	}
	// PROT C (the default): refused.
	d := r.epsv()
	code, msg := r.cmd("NLST")
	d.Close()
	if code != 521 {
		t.Errorf("NLST without PROT P: %d %s, want 521", code, msg)
	}
	for _, c := range []string{"PBSZ 0", "PROT P"} {
		if code, msg := r.cmd("%s", c); code != 200 {
			t.Fatalf("%s: %d %s", c, code, msg)
		}
	}
	d = r.epsv()
	if code, msg := r.cmd("NLST"); code != 150 {
		t.Fatalf("NLST with PROT P: %d %s", code, msg)
	}
	td := tls.Client(d, tlsClient(t, dir))
	list, err := io.ReadAll(bufio.NewReader(td))
	must(t, err, "read listing")
	td.Close()
	if code, msg := r.read(); code != 226 || !strings.Contains(string(list), "d") {
		t.Errorf("NLST end: %d %s, listing %q", code, msg, list)
	}
	if code, _ := r.cmd("QUIT"); code != 221 {
		t.Errorf("QUIT: %d", code)
	}
}

// TestReplies_TLSHandshakeFails: a client that sends garbage after AUTH
// TLS is disconnected, and the server goes on.
func TestReplies_TLSHandshakeFails(t *testing.T) {
	dir := t.TempDir()
	conf, err := LoadOrCreateCert(dir, []string{"127.0.0.1"})
	must(t, err, "cert")
	f := newFixture(t, func(c *Config) { c.TLS, c.TLSConfig = TLSOptional, conf })
	r := dialRaw(t, f.addr)
	if code, msg := r.cmd("AUTH TLS"); code != 234 {
		t.Fatalf("AUTH TLS: %d %s", code, msg)
	}
	_, _ = r.c.Write([]byte("USER plain\r\n"))
	_ = r.c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.ReadAll(r.c); err != nil {
		var ne net.Error
		if ok := asNetErr(err, &ne); ok && ne.Timeout() {
			t.Fatal("connection still open after a failed handshake")
		}
	}
	r2 := dialRaw(t, f.addr)
	r2.login(f.main.Login)
}

func asNetErr(err error, ne *net.Error) bool {
	e, ok := err.(net.Error)
	if ok {
		*ne = e
	}
	return ok
}

package ftpd

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/netip"
	"net/textproto"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"ftpanel/internal/hosting/hostingtest"
)

// freePortRange returns n consecutive ports that were free on 127.0.0.1
// and on every interface when probed. Another program may take some of
// them afterwards; the server skips those.
func freePortRange(t testing.TB, n int) [2]int {
	t.Helper()
	for range 200 {
		lo := 20000 + rand.IntN(40000-n) //nolint:gosec // a probe, not a secret
		var held []net.Listener
		ok := true
		for p := lo; p < lo+n; p++ {
			l, err := net.Listen("tcp", fmt.Sprintf(":%d", p))
			if err != nil {
				ok = false
				break
			}
			held = append(held, l)
		}
		for _, l := range held {
			l.Close()
		}
		if ok {
			return [2]int{lo, lo + n - 1}
		}
	}
	t.Fatalf("no %d consecutive free ports found", n)
	return [2]int{}
}

// holdPorts binds listeners on share of the ports of r (half on
// 127.0.0.1, half on every interface), as another program would, until
// the test ends.
func holdPorts(t testing.TB, r [2]int, share float64) map[int]bool {
	t.Helper()
	n := r[1] - r[0] + 1
	held := map[int]bool{}
	for _, i := range rand.Perm(n)[:int(float64(n)*share)] { //nolint:gosec // test
		addr := fmt.Sprintf("127.0.0.1:%d", r[0]+i)
		if i%2 == 0 {
			addr = fmt.Sprintf(":%d", r[0]+i)
		}
		l, err := net.Listen("tcp", addr)
		if err != nil {
			continue // taken meanwhile: held all the same
		}
		t.Cleanup(func() { l.Close() })
		held[r[0]+i] = true
	}
	return held
}

func TestPortPool(t *testing.T) {
	r := freePortRange(t, 20)
	ip := netip.MustParseAddr("127.0.0.1")
	t.Run("EveryPortOnce", func(t *testing.T) {
		p := newPortPool(r[0], r[1])
		seen := map[int]bool{}
		var lns []*net.TCPListener
		for range 20 {
			ln, port, err := p.listen(ip)
			must(t, err, "listen")
			if seen[port] || port < r[0] || port > r[1] {
				t.Fatalf("port %d: outside %v or given twice", port, r)
			}
			if got := ln.Addr().(*net.TCPAddr); got.Port != port || !got.IP.Equal(net.IPv4(127, 0, 0, 1)) {
				t.Fatalf("listener on %v, want 127.0.0.1:%d", got, port)
			}
			seen[port] = true
			lns = append(lns, ln)
		}
		if _, _, err := p.listen(ip); err == nil {
			t.Fatal("21st listen on a range of 20: got no error")
		}
		if p.inUse() != 20 {
			t.Errorf("inUse = %d, want 20", p.inUse())
		}
		lns[7].Close()
		p.release(lns[7].Addr().(*net.TCPAddr).Port)
		ln, port, err := p.listen(ip)
		must(t, err, "listen after release")
		if port != lns[7].Addr().(*net.TCPAddr).Port {
			t.Errorf("got port %d, want the one released", port)
		}
		ln.Close()
		for _, l := range lns {
			l.Close()
		}
	})
	t.Run("SkipsPortsOfOthers", func(t *testing.T) {
		held := holdPorts(t, r, 0.9)
		p := newPortPool(r[0], r[1])
		free := 20 - len(held)
		for i := range free {
			ln, port, err := p.listen(ip)
			if err != nil {
				t.Fatalf("listen %d of %d free: %v", i+1, free, err)
			}
			if held[port] {
				t.Fatalf("got port %d, held by another listener", port)
			}
			defer ln.Close()
		}
		_, _, err := p.listen(ip)
		if err == nil || !errors.Is(err, syscall.EADDRINUSE) && !strings.Contains(err.Error(), "in use") {
			t.Fatalf("listen with every port taken: %v", err)
		}
	})
	t.Run("AnyPort", func(t *testing.T) {
		p := newPortPool(0, 0)
		ln, port, err := p.listen(ip)
		must(t, err, "listen")
		defer ln.Close()
		if port == 0 || ln.Addr().(*net.TCPAddr).Port != port {
			t.Errorf("port %d, listener %v", port, ln.Addr())
		}
	})
}

// TestServer_PassiveListenerBinding checks that passive listeners listen
// on the control connection's address only, accept only the client's
// address, and are gone once the transfer is over and the session sends no
// new PASV (here after 200 ms).
func TestServer_PassiveListenerBinding(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.ListenAddr = "127.0.0.1:0"; c.parkIdle = 200 * time.Millisecond })
	r := dialRaw(t, f.addr)
	r.login(f.main.Login)
	code, msg := r.cmd("EPSV")
	if code != 229 {
		t.Fatalf("EPSV: %d %s", code, msg)
	}
	port := msg[strings.Index(msg, "|||")+3 : strings.LastIndex(msg, "|")]
	// Not on 127.0.0.3: the listener is bound to 127.0.0.1.
	if c, err := net.DialTimeout("tcp", "127.0.0.3:"+port, time.Second); err == nil {
		c.Close()
		t.Fatalf("passive port %s answers on 127.0.0.3", port)
	}
	// A connection from another address is closed, the wait goes on.
	stray, err := (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2)}}).Dial("tcp", "127.0.0.1:"+port)
	must(t, err, "stray dial")
	d, err := net.Dial("tcp", "127.0.0.1:"+port)
	must(t, err, "data dial")
	if code, msg := r.cmd("NLST"); code != 150 {
		t.Fatalf("NLST: %d %s", code, msg)
	}
	_, _ = io.ReadAll(d)
	d.Close()
	if code, msg := r.read(); code != 226 {
		t.Fatalf("NLST end: %d %s", code, msg)
	}
	_ = stray.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := stray.Read(make([]byte, 1)); err == nil {
		t.Error("the stray connection got data")
	}
	stray.Close()
	waitFor(t, 5*time.Second, "the passive listener closed after the transfer", func() bool {
		return f.srv.pasvOpen.Load() == 0
	})
	if c, err := net.DialTimeout("tcp", "127.0.0.1:"+port, time.Second); err == nil {
		c.Close()
		t.Errorf("passive port %s still listening after the transfer", port)
	}
}

// TestServer_PassivePortKept: a session's next PASV/EPSV right after a
// transfer reuses its passive socket, and whatever connected to it in
// between (here from the client's own address) is closed unanswered, never
// taken for the next transfer's data connection. The kept socket is closed
// when the session ends, and never kept while more than half of the range
// is held.
func TestServer_PassivePortKept(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.PassivePorts = freePortRange(t, 4); c.parkIdle = time.Hour })
	must(t, os.WriteFile(filepath.Join(f.root, "a.txt"), []byte("alpha"), 0o644), "write")
	r := dialRaw(t, f.addr)
	r.login(f.main.Login)
	epsv := func() string {
		t.Helper()
		code, msg := r.cmd("EPSV")
		if code != 229 {
			t.Fatalf("EPSV: %d %s", code, msg)
		}
		return msg[strings.Index(msg, "|||")+3 : strings.LastIndex(msg, "|")]
	}
	retr := func(port string) string {
		t.Helper()
		d, err := net.Dial("tcp", "127.0.0.1:"+port)
		must(t, err, "data dial")
		defer d.Close()
		if code, msg := r.cmd("RETR a.txt"); code != 150 {
			t.Fatalf("RETR: %d %s", code, msg)
		}
		_ = d.SetReadDeadline(time.Now().Add(10 * time.Second))
		b, err := io.ReadAll(d)
		must(t, err, "read data")
		if code, msg := r.read(); code != 226 {
			t.Fatalf("RETR end: %d %s", code, msg)
		}
		return string(b)
	}
	first := epsv()
	if got := retr(first); got != "alpha" {
		t.Fatalf("first RETR read %q", got)
	}
	if f.srv.pasvOpen.Load() != 1 || f.srv.ports.inUse() != 1 {
		t.Fatalf("after the transfer: %d listeners, %d ports held; want the one kept", f.srv.pasvOpen.Load(), f.srv.ports.inUse())
	}
	// A connection to the kept port before the next PASV.
	stray, err := net.Dial("tcp", "127.0.0.1:"+first)
	must(t, err, "stray dial")
	defer stray.Close()
	second := epsv()
	if second != first {
		t.Errorf("second EPSV answered port %s, want the kept %s", second, first)
	}
	_ = stray.SetReadDeadline(time.Now().Add(5 * time.Second))
	if n, err := stray.Read(make([]byte, 1)); err == nil || n > 0 {
		t.Errorf("the stray connection was not closed: %d, %v", n, err)
	}
	if got := retr(second); got != "alpha" {
		t.Fatalf("second RETR read %q", got)
	}
	// Ending the session closes the kept socket at once (parkIdle is an hour).
	r.cmd("QUIT")
	waitFor(t, 5*time.Second, "the kept socket closed with the session", func() bool {
		return f.srv.pasvOpen.Load() == 0 && f.srv.ports.inUse() == 0
	})

	// Three sessions hold three of the four ports: the third one's is
	// not kept after its transfer.
	var rs []*raw
	for range 3 {
		r := dialRaw(t, f.addr)
		r.login(f.main.Login)
		rs = append(rs, r)
	}
	for i, r2 := range rs[:2] {
		if code, msg := r2.cmd("EPSV"); code != 229 {
			t.Fatalf("session %d EPSV: %d %s", i, code, msg)
		}
	}
	r = rs[2]
	retr(epsv())
	if n := f.srv.ports.inUse(); n != 2 {
		t.Errorf("ports held after the third session's transfer: %d, want 2 (its own given back)", n)
	}
}

// TestServer_PassiveListenerIdle: a PASV whose data connection never
// comes gives its port back after the accept time-out.
func TestServer_PassiveListenerIdle(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.PassivePorts = freePortRange(t, 10); c.acceptTimeout = 300 * time.Millisecond })
	r := dialRaw(t, f.addr)
	r.login(f.main.Login)
	if code, msg := r.cmd("EPSV"); code != 229 {
		t.Fatalf("EPSV: %d %s", code, msg)
	}
	if code, msg := r.cmd("RETR /missing"); code != 550 {
		t.Fatalf("RETR /missing: %d %s", code, msg)
	}
	if f.srv.ports.inUse() != 1 {
		t.Fatalf("ports in use after EPSV: %d, want 1", f.srv.ports.inUse())
	}
	waitFor(t, 5*time.Second, "the unused passive port released", func() bool {
		return f.srv.ports.inUse() == 0 && f.srv.pasvOpen.Load() == 0
	})
	// The session goes on.
	if _, _, last, msg := r.transfer("NLST", nil); last != 226 {
		t.Errorf("NLST after: %d %s", last, msg)
	}
}

// TestServer_PassiveStress runs 5,000 passive transfers (PASV and EPSV;
// RETR, STOR, MLSD, LIST, NLST, some aborted, some on missing files) over
// 8 sessions from 127.0.0.1 and 8 from 127.0.0.2, on a range of 100
// ports: first with the range free, then with 80% of it held by other
// listeners. Every transfer must end as expected: no 425, no 421, no
// wait on the accept time-out (each step has a deadline well below it).
func TestServer_PassiveStress(t *testing.T) {
	total := 5000
	if testing.Short() {
		total = 800
	}
	for _, tc := range []struct {
		name  string
		share float64
	}{{"RangeFree", 0}, {"Range80PercentHeld", 0.8}} {
		t.Run(tc.name, func(t *testing.T) {
			ports := freePortRange(t, 100)
			held := holdPorts(t, ports, tc.share)
			f := newFixtureLog(t, func(c *Config) { c.PassivePorts = ports; c.MaxClientsPerIP = 100 }, slog.LevelWarn)
			st := newStress(t, f)
			res := st.run(16, total)
			t.Logf("%d transfers, %d ports held by others: %s", total, len(held), res)
			if res.failed.Load() != 0 {
				t.Fatalf("%d of %d transfers failed; first: %s", res.failed.Load(), total, res.first())
			}
			st.checkUploads()
			waitFor(t, 5*time.Second, "passive listeners closed", func() bool {
				return f.srv.pasvOpen.Load() == 0 && f.srv.ports.inUse() == 0
			})
		})
	}
}

// BenchmarkPassiveTransfers measures the mixed transfers of
// TestServer_PassiveStress over 4 sessions, on a range of 100 ports.
func BenchmarkPassiveTransfers(b *testing.B) {
	f := newFixtureLog(b, func(c *Config) { c.PassivePorts = freePortRange(b, 100) }, slog.LevelError)
	st := newStress(b, f)
	b.ResetTimer()
	res := st.run(4, b.N)
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "transfers/s")
	if res.failed.Load() != 0 {
		b.Fatalf("%d transfers failed; first: %s", res.failed.Load(), res.first())
	}
}

type stress struct {
	t     testing.TB
	f     *fixture
	small []byte
	big   []byte
}

type stressResult struct {
	ok, aborted, missing atomic.Int64
	failed               atomic.Int64
	mu                   sync.Mutex
	errs                 []string
}

func (r *stressResult) fail(format string, args ...any) {
	r.failed.Add(1)
	r.mu.Lock()
	if len(r.errs) < 5 {
		r.errs = append(r.errs, fmt.Sprintf(format, args...))
	}
	r.mu.Unlock()
}

func (r *stressResult) first() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.errs, "; ")
}

func (r *stressResult) String() string {
	return fmt.Sprintf("%d completed, %d aborted, %d refused on a missing file, %d failed",
		r.ok.Load(), r.aborted.Load(), r.missing.Load(), r.failed.Load())
}

func newStress(t testing.TB, f *fixture) *stress {
	st := &stress{t: t, f: f, small: pattern(3000), big: pattern(4 << 20)}
	dir := filepath.Join(f.root, "stress")
	must(t, os.Mkdir(dir, 0o755), "mkdir")
	must(t, os.WriteFile(filepath.Join(dir, "small.dat"), st.small, 0o644), "write")
	must(t, os.WriteFile(filepath.Join(dir, "big.dat"), st.big, 0o644), "write")
	for i := range 20 {
		must(t, os.WriteFile(filepath.Join(dir, fmt.Sprintf("entry %02d.txt", i)), []byte("x"), 0o644), "write")
	}
	return st
}

// checkUploads checks that every file the sessions uploaded (each
// session created and then overwrote its own names) holds exactly the
// bytes sent.
func (st *stress) checkUploads() {
	st.t.Helper()
	files, err := filepath.Glob(filepath.Join(st.f.root, "stress", "up-*.dat"))
	must(st.t, err, "glob")
	if len(files) == 0 {
		st.t.Fatal("no uploaded file found")
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		must(st.t, err, "read upload")
		if !bytes.Equal(b, st.small) {
			st.t.Errorf("%s: %d bytes on disk, not the %d sent", filepath.Base(name), len(b), len(st.small))
		}
	}
}

// run spreads total transfers over sessions sessions, half of them from
// 127.0.0.2.
func (st *stress) run(sessions, total int) *stressResult {
	res := &stressResult{}
	var next atomic.Int64
	var wg sync.WaitGroup
	for i := range sessions {
		from := net.IPv4(127, 0, 0, 1)
		if i%2 == 1 {
			from = net.IPv4(127, 0, 0, 2)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			st.session(i, from, &next, int64(total), res)
		}()
	}
	wg.Wait()
	return res
}

// stepTimeout bounds every read and write: far below the server's 30 s
// accept time-out, so a data connection the server lost shows as a
// failure, not as a slow transfer.
const stepTimeout = 10 * time.Second

// loginTimeout bounds the login steps: 16 first logins at once each pay
// an argon2id verification, which a loaded machine may take long over;
// logins are not what this test is about.
const loginTimeout = 2 * time.Minute

func (st *stress) session(id int, from net.IP, next *atomic.Int64, total int64, res *stressResult) {
	dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: from}, Timeout: stepTimeout}
	c, err := dialer.Dial("tcp", st.f.addr)
	if err != nil {
		res.fail("session %d: dial: %v", id, err)
		return
	}
	defer c.Close()
	tp := textproto.NewConn(c)
	timeout := loginTimeout
	cmd := func(format string, args ...any) (int, string, error) {
		_ = c.SetDeadline(time.Now().Add(timeout))
		if format != "" {
			if err := tp.PrintfLine(format, args...); err != nil {
				return 0, "", err
			}
		}
		code, msg, err := tp.ReadResponse(0)
		var te *textproto.Error
		if errors.As(err, &te) {
			return te.Code, te.Msg, nil
		}
		return code, msg, err
	}
	for _, step := range []struct {
		cmd  string
		want int
	}{{"", 220}, {"USER " + st.f.main.Login, 331}, {"PASS " + hostingtest.Password, 230}, {"CWD stress", 250}} {
		format := "%s"
		if step.cmd == "" {
			format = "" // the greeting
		}
		if code, msg, err := cmd(format, step.cmd); err != nil || code != step.want {
			res.fail("session %d: %q: %d %s %v", id, step.cmd, code, msg, err)
			return
		}
	}
	timeout = stepTimeout
	for k := 0; ; k++ {
		n := next.Add(1)
		if n > total {
			break
		}
		if !st.transfer(id, k, n, dialer, cmd, res) {
			return // the session is out of step: counted as failed
		}
	}
	cmd("QUIT")
}

// transfer runs one transfer; it returns false when the control
// connection can no longer be trusted.
func (st *stress) transfer(id, k int, n int64, dialer *net.Dialer, cmd func(string, ...any) (int, string, error), res *stressResult) bool {
	pasv := n%2 == 0
	var code int
	var msg string
	var err error
	if pasv {
		code, msg, err = cmd("PASV")
	} else {
		code, msg, err = cmd("EPSV")
	}
	if err != nil || code != 227 && code != 229 {
		res.fail("session %d transfer %d: PASV/EPSV: %d %s %v", id, k, code, msg, err)
		return err == nil
	}
	port, perr := passivePort(msg, pasv)
	if perr != nil {
		res.fail("session %d: %v", id, perr)
		return false
	}
	// Connect first, as ftplib and curl do.
	d, err := dialer.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		res.fail("session %d transfer %d: data dial to %d: %v", id, k, port, err)
		return true
	}
	defer d.Close()
	_ = d.SetDeadline(time.Now().Add(stepTimeout))
	var command string
	var up, want []byte
	kind := n % 10
	switch kind {
	case 0, 1:
		command, want = "RETR small.dat", st.small
	case 2, 3:
		command, up = fmt.Sprintf("STOR up-%d-%d.dat", id, k%50), st.small
	case 4:
		command = "MLSD"
	case 5:
		command = "LIST"
	case 6:
		command = "NLST"
	case 7:
		command = "RETR no-such-file.dat"
	case 8:
		command = "RETR big.dat" // aborted below
	case 9:
		command, want = "RETR small.dat", st.small
	}
	code, msg, err = cmd("%s", command)
	if err != nil {
		res.fail("session %d transfer %d: %s: %v", id, k, command, err)
		return false
	}
	if kind == 7 {
		if code != 550 {
			res.fail("session %d transfer %d: %s: %d %s, want 550", id, k, command, code, msg)
			return true
		}
		res.missing.Add(1)
		return true
	}
	if code != 150 {
		res.fail("session %d transfer %d: %s: %d %s", id, k, command, code, msg)
		return true
	}
	if kind == 8 {
		// Read a little, then ABOR: 426 then 226, or (when the transfer
		// ended first) 226 then 226.
		if _, err := io.ReadFull(d, make([]byte, 1000)); err != nil {
			res.fail("session %d transfer %d: read before ABOR: %v", id, k, err)
			return false
		}
		first, msg1, err := cmd("ABOR")
		if err != nil || first != 426 && first != 226 {
			res.fail("session %d transfer %d: ABOR: %d %s %v", id, k, first, msg1, err)
			return false
		}
		d.Close()
		second, msg2, err := cmd("")
		if err != nil || second != 226 && second != 225 {
			res.fail("session %d transfer %d: ABOR end: %d %s %v", id, k, second, msg2, err)
			return false
		}
		res.aborted.Add(1)
		return true
	}
	var got []byte
	if up != nil {
		_, err = d.Write(up)
		d.Close()
	} else {
		got, err = io.ReadAll(d)
	}
	if err != nil {
		res.fail("session %d transfer %d: %s data: %v", id, k, command, err)
	}
	code, msg, cerr := cmd("")
	if cerr != nil || code != 226 {
		res.fail("session %d transfer %d: %s end: %d %s %v", id, k, command, code, msg, cerr)
		return cerr == nil
	}
	switch {
	case want != nil && !bytes.Equal(got, want):
		res.fail("session %d transfer %d: %s: got %d bytes, want %d", id, k, command, len(got), len(want))
	case kind >= 4 && kind <= 6 && !bytes.Contains(got, []byte("entry 07.txt")):
		res.fail("session %d transfer %d: %s: listing without entry 07.txt: %q", id, k, command, got)
	default:
		res.ok.Add(1)
	}
	return true
}

// passivePort reads the port of a 227 or 229 reply.
func passivePort(msg string, pasv bool) (int, error) {
	if !pasv {
		i, j := strings.Index(msg, "|||"), strings.LastIndex(msg, "|")
		if i < 0 || j <= i+3 {
			return 0, fmt.Errorf("EPSV reply %q", msg)
		}
		return strconv.Atoi(msg[i+3 : j])
	}
	i, j := strings.Index(msg, "("), strings.Index(msg, ")")
	if i < 0 || j < i {
		return 0, fmt.Errorf("PASV reply %q", msg)
	}
	f := strings.Split(msg[i+1:j], ",")
	if len(f) != 6 {
		return 0, fmt.Errorf("PASV reply %q", msg)
	}
	hi, err1 := strconv.Atoi(f[4])
	lo, err2 := strconv.Atoi(f[5])
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("PASV reply %q", msg)
	}
	return hi*256 + lo, nil
}

// TestListenData: passive listeners and the data connections they accept
// are plain TCP (multipath TCP is off in go.mod) without keep-alive.
func TestListenData(t *testing.T) {
	ln, err := listenData(netip.MustParseAddrPort("127.0.0.1:0"))
	must(t, err, "listen")
	defer ln.Close()
	d, err := net.Dial("tcp", ln.Addr().String())
	must(t, err, "dial")
	defer d.Close()
	c, err := ln.Accept()
	must(t, err, "accept")
	defer c.Close()
	sockopt := func(conn syscall.Conn, level, opt int) int {
		t.Helper()
		rc, err := conn.SyscallConn()
		must(t, err, "raw conn")
		var v int
		var gerr error
		must(t, rc.Control(func(fd uintptr) { v, gerr = syscall.GetsockoptInt(int(fd), level, opt) }), "control")
		must(t, gerr, "getsockopt")
		return v
	}
	for _, tc := range []struct {
		name  string
		conn  syscall.Conn
		level int
		opt   int
		want  int
	}{
		{"listener protocol", ln, syscall.SOL_SOCKET, syscall.SO_PROTOCOL, syscall.IPPROTO_TCP},
		{"connection protocol", c.(*net.TCPConn), syscall.SOL_SOCKET, syscall.SO_PROTOCOL, syscall.IPPROTO_TCP},
		{"connection keep-alive", c.(*net.TCPConn), syscall.SOL_SOCKET, syscall.SO_KEEPALIVE, 0},
	} {
		if got := sockopt(tc.conn, tc.level, tc.opt); got != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, got, tc.want)
		}
	}
}

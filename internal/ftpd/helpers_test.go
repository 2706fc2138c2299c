package ftpd

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/textproto"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jlaffaye/ftp"
	"github.com/prometheus/client_golang/prometheus"

	"ftpanel/internal/hosting"
	"ftpanel/internal/hosting/hostingtest"
)

// lockedBuffer collects the server's log output.
type lockedBuffer = hostingtest.LogBuffer

// fixture is a real server on 127.0.0.1:0 over a real SQLite-backed
// Service, with one customer "cust", its site example.com and the site's
// main account.
type fixture struct {
	env  *hostingtest.Env
	srv  *Server
	addr string
	site *hosting.Site
	main *hosting.Account
	root string // the site root on disk
	logs *lockedBuffer
	cfg  Config
}

func newFixture(t testing.TB, edit func(*Config)) *fixture {
	t.Helper()
	return newFixtureLog(t, edit, slog.LevelDebug)
}

// newFixtureLog is newFixture with the given log level (benchmarks log
// only errors).
func newFixtureLog(t testing.TB, edit func(*Config), level slog.Level) *fixture {
	t.Helper()
	env := hostingtest.New(t)
	env.MustCustomer(t, "cust")
	site, main := env.MustSite(t, "cust", "example.com")
	f := &fixture{env: env, site: site, main: main, root: site.Root, logs: &lockedBuffer{}}
	f.cfg = Config{ListenAddr: "127.0.0.1:0", FailDelay: 5 * time.Millisecond, Node: "t1"}
	if edit != nil {
		edit(&f.cfg)
	}
	f.start(t, level)
	return f
}

func (f *fixture) start(t testing.TB, level slog.Level) {
	t.Helper()
	log := slog.New(slog.NewTextHandler(f.logs, &slog.HandlerOptions{Level: level}))
	srv, err := New(f.env.Service, f.cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	})
	f.srv, f.addr = srv, srv.Addr()
}

func (f *fixture) admin() context.Context { return f.env.Admin(context.Background()) }

// account creates an additional account of example.com.
func (f *fixture) account(t testing.TB, login, home string, read, write bool, quota int64) *hosting.Account {
	t.Helper()
	in := hosting.AccountCreate{Site: "example.com", Login: login, Password: hostingtest.Password, Home: home,
		CreateMissing: true, Read: &read, Write: &write, QuotaBytes: &quota}
	a, _, err := f.env.Service.CreateAccount(f.admin(), in)
	if err != nil {
		t.Fatalf("create account %s: %v", login, err)
	}
	return a
}

// dial logs in with jlaffaye/ftp.
func (f *fixture) dial(t testing.TB, login string, opts ...ftp.DialOption) *ftp.ServerConn {
	t.Helper()
	c, err := ftp.Dial(f.addr, append([]ftp.DialOption{ftp.DialWithTimeout(10 * time.Second)}, opts...)...)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	if err := c.Login(login, hostingtest.Password); err != nil {
		c.Quit()
		t.Fatalf("login %s: %v", login, err)
	}
	t.Cleanup(func() { c.Quit() })
	return c
}

// raw is a bare control connection, for replies jlaffaye/ftp hides.
type raw struct {
	t  testing.TB
	c  net.Conn
	tp *textproto.Conn
}

func dialRaw(t testing.TB, addr string) *raw {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	_ = c.SetDeadline(time.Now().Add(30 * time.Second))
	r := &raw{t: t, c: c, tp: textproto.NewConn(c)}
	t.Cleanup(func() { r.tp.Close() })
	if code, msg := r.read(); code != 220 {
		t.Fatalf("greeting: %d %s", code, msg)
	}
	return r
}

func (r *raw) read() (int, string) {
	code, msg, err := r.tp.ReadResponse(0)
	if err != nil {
		var te *textproto.Error
		if errors.As(err, &te) {
			return te.Code, te.Msg
		}
		return -1, err.Error()
	}
	return code, msg
}

func (r *raw) cmd(format string, args ...any) (int, string) {
	r.t.Helper()
	if err := r.tp.PrintfLine(format, args...); err != nil {
		return -1, err.Error()
	}
	return r.read()
}

func (r *raw) login(login string) {
	r.t.Helper()
	if code, msg := r.cmd("USER %s", login); code != 331 {
		r.t.Fatalf("USER: %d %s", code, msg)
	}
	if code, msg := r.cmd("PASS %s", hostingtest.Password); code != 230 {
		r.t.Fatalf("PASS: %d %s", code, msg)
	}
}

// epsv opens a passive data connection.
func (r *raw) epsv() net.Conn {
	r.t.Helper()
	code, msg := r.cmd("EPSV")
	if code != 229 {
		r.t.Fatalf("EPSV: %d %s", code, msg)
	}
	i, j := strings.Index(msg, "|||"), strings.LastIndex(msg, "|")
	port, err := strconv.Atoi(msg[i+3 : j])
	if err != nil {
		r.t.Fatalf("EPSV reply %q: %v", msg, err)
	}
	host, _, _ := net.SplitHostPort(r.c.RemoteAddr().String())
	d, err := net.DialTimeout("tcp", net.JoinHostPort(host, strconv.Itoa(port)), 5*time.Second)
	if err != nil {
		r.t.Fatalf("data dial: %v", err)
	}
	return d
}

// transfer runs a data command; it returns the first reply, the data
// read (when up is nil) and the final reply.
func (r *raw) transfer(cmd string, up []byte) (first int, data []byte, last int, lastMsg string) {
	r.t.Helper()
	d := r.epsv()
	defer d.Close()
	code, msg := r.cmd("%s", cmd)
	if code != 150 && code != 125 {
		return code, nil, code, msg
	}
	if up != nil {
		d.Write(up)
		d.Close()
	} else {
		data, _ = io.ReadAll(d)
	}
	last, lastMsg = r.read()
	return code, data, last, lastMsg
}

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i/251)
	}
	return b
}

// ftpCode returns the FTP reply code of a jlaffaye/ftp error, or 0.
func ftpCode(err error) int {
	var te *textproto.Error
	if errors.As(err, &te) {
		return te.Code
	}
	return 0
}

func retr(c *ftp.ServerConn, p string) ([]byte, error) {
	r, err := c.Retr(p)
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(r)
	if cerr := r.Close(); err == nil {
		err = cerr
	}
	return b, err
}

// waitFor polls cond until it holds or d passes.
func waitFor(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	end := time.Now().Add(d)
	for !cond() {
		if time.Now().After(end) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// sessionsOf lists the registry's sessions of an account.
func (f *fixture) sessionsOf(t testing.TB, id int64) []*hosting.Session {
	t.Helper()
	list, err := f.env.Service.Sessions(f.admin(), hosting.SessionFilter{AccountID: &id})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// tlsClient returns a client config trusting the certificate in dir.
func tlsClient(t testing.TB, dir string) *tls.Config {
	t.Helper()
	pem, err := os.ReadFile(filepath.Join(dir, "cert.pem"))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatal("bad certificate")
	}
	return &tls.Config{RootCAs: pool, ServerName: "127.0.0.1", ClientSessionCache: tls.NewLRUClientSessionCache(8),
		MinVersion: tls.VersionTLS12}
}

func fileSize(t testing.TB, p string) int64 {
	t.Helper()
	fi, err := os.Stat(p)
	if err != nil {
		return -1
	}
	return fi.Size()
}

func must(t testing.TB, err error, format string, args ...any) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", fmt.Sprintf(format, args...), err)
	}
}

// counter reads a metric of the server (the first series whose label
// values include label, or any series when label is "").
func (f *fixture) counter(t testing.TB, name, label string) float64 {
	t.Helper()
	reg := prometheus.NewRegistry()
	reg.MustRegister(f.srv.Collectors()...)
	mfs, err := reg.Gather()
	must(t, err, "gather")
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			match := label == ""
			for _, lp := range m.GetLabel() {
				if lp.GetValue() == label {
					match = true
				}
			}
			if match {
				if m.GetCounter() != nil {
					return m.GetCounter().GetValue()
				}
				return m.GetGauge().GetValue()
			}
		}
	}
	t.Fatalf("metric %s{%s} not found", name, label)
	return 0
}

func statOwner(fi os.FileInfo) [2]int {
	st := fi.Sys().(*syscall.Stat_t)
	return [2]int{int(st.Uid), int(st.Gid)}
}

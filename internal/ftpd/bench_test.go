package ftpd

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"ftpanel/internal/hosting"
	"ftpanel/internal/hosting/hostingtest"
	"ftpanel/internal/password"
)

// loginOnce connects, logs in and quits, as a benchmark client would.
func loginOnce(addr, login string) error {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(c)
	expect := func(code string) error {
		line, err := r.ReadString('\n')
		if err != nil {
			return err
		}
		if !strings.HasPrefix(line, code+" ") {
			return &net.AddrError{Err: "unexpected reply " + strings.TrimSpace(line), Addr: addr}
		}
		return nil
	}
	if err := expect("220"); err != nil {
		return err
	}
	if _, err := c.Write([]byte("USER " + login + "\r\n")); err != nil {
		return err
	}
	if err := expect("331"); err != nil {
		return err
	}
	if _, err := c.Write([]byte("PASS " + hostingtest.Password + "\r\n")); err != nil {
		return err
	}
	if err := expect("230"); err != nil {
		return err
	}
	if _, err := c.Write([]byte("QUIT\r\n")); err != nil {
		return err
	}
	return expect("221")
}

// BenchmarkLogin measures a full connect, USER/PASS (the Service's cache
// of verified passwords makes every login but the first skip argon2id)
// and QUIT, sequentially and with 8 parallel clients.
func BenchmarkLogin(b *testing.B) {
	f := newFixtureLog(b, func(c *Config) { c.MaxClientsPerIP = 1000 }, slog.LevelError)
	f.account(b, "bench", "/", true, true, -1)
	if err := loginOnce(f.addr, "bench"); err != nil { // fills the cache
		b.Fatal(err)
	}
	b.Run("Sequential", func(b *testing.B) {
		for b.Loop() {
			if err := loginOnce(f.addr, "bench"); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "logins/s")
	})
	b.Run("Parallel8", func(b *testing.B) {
		b.SetParallelism(max(1, 8/max(1, runtimeProcs())))
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := loginOnce(f.addr, "bench"); err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "logins/s")
	})
}

// BenchmarkLoginUncached is BenchmarkLogin's sequential case with the
// Service's cache of verified passwords turned off: every login pays a
// full argon2id verification (the cost of a first login, or of one after
// a password change).
func BenchmarkLoginUncached(b *testing.B) {
	f := newFixtureLog(b, nil, slog.LevelError)
	svc, err := hosting.NewService(f.env.Store, f.env.Service.Policy(), password.Hasher{}, hosting.Options{LoginCacheSize: -1})
	must(b, err, "NewService")
	srv, err := New(svc, Config{ListenAddr: "127.0.0.1:0", Node: "t2", MaxClientsPerIP: 1000}, slog.New(slog.DiscardHandler))
	must(b, err, "New")
	must(b, srv.Start(context.Background()), "Start")
	b.Cleanup(func() { _ = srv.Shutdown(context.Background()) })
	for b.Loop() {
		if err := loginOnce(srv.Addr(), f.main.Login); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "logins/s")
}

func runtimeProcs() int { return runtime.GOMAXPROCS(0) }

// BenchmarkSmallUpload measures what ftpbench's small-file test does:
// STORs of 4 KiB files over one session, each on its own EPSV data
// connection, into a folder two levels below the home.
func BenchmarkSmallUpload(b *testing.B) {
	for _, tc := range []struct {
		name  string
		ports [2]int
	}{{"AnyPort", [2]int{}}, {"PortRange", freePortRange(b, 1000)}} {
		b.Run(tc.name, func(b *testing.B) {
			f := newFixtureLog(b, func(c *Config) { c.PassivePorts = tc.ports }, slog.LevelError)
			r := dialRaw(b, f.addr)
			r.login(f.main.Login)
			for _, c := range []string{"MKD bench", "MKD bench/small", "CWD bench/small"} {
				if code, msg := r.cmd("%s", c); code/100 != 2 {
					b.Fatalf("%s: %d %s", c, code, msg)
				}
			}
			buf := pattern(4096)
			i := 0
			for b.Loop() {
				_ = r.c.SetDeadline(time.Now().Add(30 * time.Second))
				if _, _, last, msg := r.transfer(fmt.Sprintf("STOR f%07d.dat", i), buf); last != 226 {
					b.Fatalf("STOR %d: %d %s", i, last, msg)
				}
				i++
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "files/s")
		})
	}
}

// BenchmarkList measures LIST of a folder of 2,000 files (ftpbench's
// list_ms), data connection included.
func BenchmarkList(b *testing.B) {
	f := newFixtureLog(b, nil, slog.LevelError)
	dir := filepath.Join(f.root, "list")
	must(b, os.Mkdir(dir, 0o755), "mkdir")
	const n = 2000
	for i := range n {
		must(b, os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%05d.dat", i)), pattern(4096), 0o644), "write")
	}
	r := dialRaw(b, f.addr)
	r.login(f.main.Login)
	if code, msg := r.cmd("CWD list"); code != 250 {
		b.Fatalf("CWD: %d %s", code, msg)
	}
	for b.Loop() {
		_ = r.c.SetDeadline(time.Now().Add(30 * time.Second))
		_, data, last, msg := r.transfer("LIST", nil)
		if last != 226 {
			b.Fatalf("LIST: %d %s", last, msg)
		}
		if got := bytes.Count(data, []byte("\r\n")); got != n {
			b.Fatalf("LIST: got %d lines, want %d", got, n)
		}
	}
}

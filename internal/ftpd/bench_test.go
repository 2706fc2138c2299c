package ftpd

import (
	"bufio"
	"log/slog"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"

	"ftpanel/internal/hosting/hostingtest"
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

func runtimeProcs() int { return runtime.GOMAXPROCS(0) }

package sftpd

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"

	"ftpanel/internal/hosting"
	"ftpanel/internal/hosting/hostingtest"
)

// hostKeyDir holds the host keys every test server uses (an RSA 3072 key
// takes a while to generate).
var hostKeyDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "sftpd-hostkeys-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	hostKeyDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// lockedBuffer collects the server's log output.
type lockedBuffer = hostingtest.LogBuffer

// fixture is a real SFTP server on 127.0.0.1:0 over a real SQLite-backed
// Service, with one customer "cust", its site example.com and the site's
// main account.
type fixture struct {
	env  *hostingtest.Env
	srv  *Server
	addr string
	site *hosting.Site
	main *hosting.Account
	root string
	logs *lockedBuffer
	cfg  Config
}

func newFixture(t testing.TB, edit func(*Config)) *fixture {
	t.Helper()
	keys, err := LoadOrCreateHostKeys(hostKeyDir)
	if err != nil {
		t.Fatal(err)
	}
	env := hostingtest.New(t)
	env.MustCustomer(t, "cust")
	site, main := env.MustSite(t, "cust", "example.com")
	f := &fixture{env: env, site: site, main: main, root: site.Root, logs: &lockedBuffer{}}
	f.cfg = Config{ListenAddr: "127.0.0.1:0", HostKeys: keys, FailDelay: 5 * time.Millisecond, Node: "t1",
		SyncInterval: 100 * time.Millisecond}
	if edit != nil {
		edit(&f.cfg)
	}
	log := slog.New(slog.NewTextHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv, err := New(env.Service, f.cfg, log)
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
		if t.Failed() {
			t.Logf("server log:\n%s", f.logs.String())
		}
	})
	f.srv, f.addr = srv, srv.Addr()
	return f
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

// userKey is a client key pair: the signer, and the private key file in
// OpenSSH form (for OpenSSH, lftp, rclone, paramiko).
type userKey struct {
	signer ssh.Signer
	file   string
	line   string // authorized_keys form
}

func newUserKey(t testing.TB) userKey {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "test")
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "id_ed25519")
	if err := os.WriteFile(file, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	return userKey{signer: s, file: file, line: strings.TrimSpace(string(ssh.MarshalAuthorizedKey(s.PublicKey())))}
}

// addKey gives login the key.
func (f *fixture) addKey(t testing.TB, login string, k userKey) {
	t.Helper()
	if _, err := f.env.Service.AddSSHKey(f.admin(), login, k.line+" test"); err != nil {
		t.Fatal(err)
	}
}

// hostKeyCallback accepts only the server's own host keys.
func (f *fixture) hostKeyCallback() ssh.HostKeyCallback {
	return func(_ string, _ net.Addr, key ssh.PublicKey) error {
		for _, k := range f.cfg.HostKeys {
			if bytes.Equal(k.PublicKey().Marshal(), key.Marshal()) {
				return nil
			}
		}
		return fmt.Errorf("unknown host key %s", ssh.FingerprintSHA256(key))
	}
}

// sshDial logs in with x/crypto/ssh: auth is a password (string) or a key.
func (f *fixture) sshDial(login string, auth any) (*ssh.Client, error) {
	var m ssh.AuthMethod
	switch a := auth.(type) {
	case string:
		m = ssh.Password(a)
	case userKey:
		m = ssh.PublicKeys(a.signer)
	case ssh.Signer:
		m = ssh.PublicKeys(a)
	}
	return ssh.Dial("tcp", f.addr, &ssh.ClientConfig{User: login, Auth: []ssh.AuthMethod{m},
		HostKeyCallback: f.hostKeyCallback(), Timeout: 10 * time.Second})
}

// dial logs in and opens an SFTP client (github.com/pkg/sftp).
func (f *fixture) dial(t testing.TB, login string, auth any) *sftp.Client {
	t.Helper()
	sc, err := f.sshDial(login, auth)
	if err != nil {
		t.Fatalf("ssh login %s: %v", login, err)
	}
	c, err := sftp.NewClient(sc, sftp.UseConcurrentWrites(true))
	if err != nil {
		sc.Close()
		t.Fatalf("sftp %s: %v", login, err)
	}
	t.Cleanup(func() { c.Close(); sc.Close() })
	return c
}

// dialFrom logs in with a password over a connection from the local
// address ip (127.0.0.2 and up are loopback too) and opens an SFTP client
// with concurrent writes; both are closed when the test ends.
func (f *fixture) dialFrom(t testing.TB, ip, login, password string) (*sftp.Client, error) {
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 10 * time.Second}
	nc, err := d.Dial("tcp", f.addr)
	if err != nil {
		return nil, fmt.Errorf("dial from %s: %w", ip, err)
	}
	cc, chans, reqs, err := ssh.NewClientConn(nc, f.addr, &ssh.ClientConfig{User: login,
		Auth: []ssh.AuthMethod{ssh.Password(password)}, HostKeyCallback: f.hostKeyCallback(), Timeout: 10 * time.Second})
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("ssh login from %s: %w", ip, err)
	}
	sc := ssh.NewClient(cc, chans, reqs)
	c, err := sftp.NewClient(sc, sftp.UseConcurrentWrites(true))
	if err != nil {
		sc.Close()
		return nil, fmt.Errorf("sftp from %s: %w", ip, err)
	}
	t.Cleanup(func() { c.Close(); sc.Close() })
	return c, nil
}

// waitFor polls cond for up to d.
func waitFor(t testing.TB, d time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > d {
			t.Fatalf("%s: not within %s", what, d)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return time.Since(start)
}

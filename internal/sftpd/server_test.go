package sftpd

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pkg/sftp"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/crypto/ssh"

	"ftpanel/internal/hosting"
	"ftpanel/internal/hosting/hostingtest"
)

func TestLogin(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	good, other := newUserKey(t), newUserKey(t)
	a := f.account(t, "webdev", "/", true, true, -1)
	f.addKey(t, a.Login, good)
	susp := f.account(t, "frozen", "/", true, true, -1)
	f.addKey(t, susp.Login, good)
	if _, err := f.env.Service.SetAccountStatus(f.admin(), susp.Login, hosting.StatusSuspended); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		login string
		auth  any
		ok    bool
	}{
		{"OK/password", a.Login, hostingtest.Password, true},
		{"OK/key", a.Login, good, true},
		{"OK/main account password", f.main.Login, hostingtest.Password, true},
		{"ErrLogin/wrong password", a.Login, hostingtest.Password + "x", false},
		{"ErrLogin/other key", a.Login, other, false},
		{"ErrLogin/key of another account", f.main.Login, good, false},
		{"ErrLogin/unknown login", "nobody", hostingtest.Password, false},
		{"ErrLogin/suspended password", susp.Login, hostingtest.Password, false},
		{"ErrLogin/suspended key", susp.Login, good, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := f.sshDial(tc.login, tc.auth)
			if (err == nil) != tc.ok {
				t.Fatalf("login: err = %v, want ok=%v", err, tc.ok)
			}
			if err != nil {
				return
			}
			defer c.Close()
			s, err := sftp.NewClient(c)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if wd, err := s.Getwd(); err != nil || wd != "/" {
				t.Fatalf("Getwd = %q, %v", wd, err)
			}
		})
	}
}

// TestAlgorithms: the server offers modern algorithms only.
func TestAlgorithms(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	for _, tc := range []struct {
		name string
		cfg  ssh.Config
		algo []string // host key algorithms
	}{
		{"ErrNegotiate/sha1 kex", ssh.Config{KeyExchanges: []string{"diffie-hellman-group14-sha1"}}, nil},
		{"ErrNegotiate/cbc", ssh.Config{Ciphers: []string{"aes128-cbc"}}, nil},
		{"ErrNegotiate/hmac-sha1", ssh.Config{Ciphers: []string{ssh.CipherAES128CTR}, MACs: []string{"hmac-sha1"}}, nil},
		{"ErrNegotiate/ssh-rsa host signature", ssh.Config{}, []string{ssh.KeyAlgoRSA}},
		{"ErrNegotiate/dsa host key", ssh.Config{}, []string{"ssh-dss"}},
		{"OK/rsa-sha2-512", ssh.Config{}, []string{ssh.KeyAlgoRSASHA512}},
		{"OK/ed25519 aes128-gcm", ssh.Config{Ciphers: []string{ssh.CipherAES128GCM}}, []string{ssh.KeyAlgoED25519}},
		{"OK/aes-gcm", ssh.Config{Ciphers: []string{ssh.CipherAES256GCM}}, nil},
		{"OK/aes-ctr etm", ssh.Config{Ciphers: []string{ssh.CipherAES128CTR}, MACs: []string{ssh.HMACSHA256ETM}}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := &ssh.ClientConfig{Config: tc.cfg, User: f.main.Login, HostKeyAlgorithms: tc.algo,
				Auth: []ssh.AuthMethod{ssh.Password(hostingtest.Password)}, HostKeyCallback: f.hostKeyCallback(),
				Timeout: 10 * time.Second}
			c, err := ssh.Dial("tcp", f.addr, cfg)
			ok := strings.HasPrefix(tc.name, "OK")
			if (err == nil) != ok {
				t.Fatalf("err = %v, want ok=%v", err, ok)
			}
			if c != nil {
				c.Close()
			}
		})
	}
}

// TestRefused: shell, exec (scp -O), other subsystems, port forwarding.
func TestRefused(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	c, err := f.sshDial(f.main.Login, hostingtest.Password)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, cmd := range []string{"", "ls /", "scp -t /upload"} {
		s, err := c.NewSession()
		if err != nil {
			t.Fatal(err)
		}
		var stderr bytes.Buffer
		s.Stderr = &stderr
		if cmd == "" {
			err = s.Shell()
			if err == nil {
				err = s.Wait()
			}
		} else {
			err = s.Run(cmd)
		}
		var ee *ssh.ExitError
		if !errors.As(err, &ee) || ee.ExitStatus() != 1 {
			t.Errorf("%q: err = %v, want exit status 1", cmd, err)
		}
		if !strings.Contains(stderr.String(), "SFTP only") {
			t.Errorf("%q: stderr = %q", cmd, stderr.String())
		}
		s.Close()
	}
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RequestSubsystem("netconf"); err == nil {
		t.Error("netconf subsystem accepted")
	}
	s.Close()
	if _, err := c.Dial("tcp", "127.0.0.1:22"); err == nil {
		t.Error("direct-tcpip forwarding accepted")
	} else if !strings.Contains(err.Error(), "port forwarding is refused") {
		t.Errorf("forwarding error %v", err)
	}
	if _, err := c.Listen("tcp", "127.0.0.1:0"); err == nil {
		t.Error("remote forwarding accepted")
	}
	// The connection still serves SFTP after all that.
	sc, err := sftp.NewClient(c)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sc.ReadDir("/"); err != nil {
		t.Fatal(err)
	}
	sc.Close()
}

func sum(b []byte) [32]byte { return sha256.Sum256(b) }

func randomBytes(t testing.TB, n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

func TestFiles(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	a := f.account(t, "files", "/httpdocs/data", true, true, -1)
	home := filepath.Join(f.root, "httpdocs", "data")
	c := f.dial(t, a.Login, hostingtest.Password)

	for _, n := range []int{0, 1, 32 << 10, 3<<20 + 17} {
		data := randomBytes(t, n)
		name := fmt.Sprintf("/up%d.bin", n)
		w, err := c.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.ReadFrom(bytes.NewReader(data)); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		disk, err := os.ReadFile(filepath.Join(home, name))
		if err != nil || sum(disk) != sum(data) {
			t.Fatalf("%d bytes: on disk %d bytes, err %v", n, len(disk), err)
		}
		fi, err := os.Stat(filepath.Join(home, name))
		if err != nil || fi.Mode().Perm() != 0o644 {
			t.Fatalf("mode %v, %v", fi.Mode(), err)
		}
		r, err := c.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		if _, err := r.WriteTo(&got); err != nil {
			t.Fatal(err)
		}
		r.Close()
		if sum(got.Bytes()) != sum(data) {
			t.Fatalf("%d bytes: download differs", n)
		}
	}
	if err := c.Mkdir("/sub"); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(filepath.Join(home, "sub")); err != nil || fi.Mode().Perm() != 0o755 {
		t.Fatalf("folder mode %v, %v", fi.Mode(), err)
	}
	if err := c.Rename("/up0.bin", "/sub/moved.bin"); err != nil {
		t.Fatal(err)
	}
	// Plain rename refuses to replace; posix-rename replaces.
	if err := c.Rename("/up1.bin", "/sub/moved.bin"); err == nil {
		t.Fatal("rename replaced an existing file")
	}
	if err := c.PosixRename("/up1.bin", "/sub/moved.bin"); err != nil {
		t.Fatal(err)
	}
	if err := c.Chmod("/sub/moved.bin", 0o777); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(filepath.Join(home, "sub/moved.bin")); fi.Mode().Perm() != 0o755 {
		t.Fatalf("chmod 777 gave %v, want 0755 after umask", fi.Mode())
	}
	mt := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	if err := c.Chtimes("/sub/moved.bin", mt, mt); err != nil {
		t.Fatal(err)
	}
	if fi, _ := c.Stat("/sub/moved.bin"); !fi.ModTime().Equal(mt) {
		t.Fatalf("mtime %v", fi.ModTime())
	}
	if err := c.Truncate("/sub/moved.bin", 10); err != nil {
		t.Fatal(err)
	}
	if fi, _ := c.Stat("/sub/moved.bin"); fi.Size() != 10 {
		t.Fatalf("size after truncate %d", fi.Size())
	}
	if err := c.Chown("/sub/moved.bin", 0, 0); err == nil {
		t.Fatal("chown accepted")
	}
	list, err := c.ReadDir("/")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, fi := range list {
		names = append(names, fi.Name())
	}
	sort.Strings(names)
	if strings.Join(names, ",") != "sub,up3145745.bin,up32768.bin" {
		t.Fatalf("listing %v", names)
	}
	if err := c.RemoveDirectory("/sub"); err == nil {
		t.Fatal("removed a folder that is not empty")
	}
	if err := c.Remove("/sub/moved.bin"); err != nil {
		t.Fatal(err)
	}
	if err := c.RemoveDirectory("/sub"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Stat("/nope"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("stat of a missing file: %v", err)
	}
	// Failures carry fixed texts, never a host path.
	err = c.Mkdir("/up32768.bin")
	var se *sftp.StatusError
	if !errors.As(err, &se) || se.FxCode() != sftp.ErrSSHFxFailure || !strings.Contains(err.Error(), `"File exists."`) {
		t.Fatalf("mkdir over a file: %v", err)
	}
	// statvfs without quota: the file system's space.
	if st, err := c.StatVFS("/"); err != nil || st.TotalSpace() == 0 {
		t.Fatalf("statvfs %+v %v", st, err)
	}
}

// TestHostile: the home is "/" whatever the path or link.
func TestHostile(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	a := f.account(t, "jail", "/httpdocs/jail", true, true, -1)
	home := filepath.Join(f.root, "httpdocs", "jail")
	secret := filepath.Join(f.root, "httpdocs", "secret.txt")
	if err := os.WriteFile(secret, []byte("outside"), 0o644); err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile(filepath.Join(home, "in.txt"), []byte("inside"), 0o644))
	must(os.Symlink("../secret.txt", filepath.Join(home, "up")))
	must(os.Symlink("/etc/passwd", filepath.Join(home, "abs")))
	must(os.Symlink("..", filepath.Join(home, "parent")))
	must(os.Symlink("in.txt", filepath.Join(home, "good")))
	must(os.Mkdir(filepath.Join(home, "d"), 0o755))
	must(os.Symlink("../in.txt", filepath.Join(home, "d", "back")))
	c := f.dial(t, a.Login, hostingtest.Password)
	read := func(p string) (string, error) {
		r, err := c.Open(p)
		if err != nil {
			return "", err
		}
		defer r.Close()
		b, err := io.ReadAll(r)
		return string(b), err
	}
	for _, p := range []string{"../secret.txt", "/../secret.txt", "/../../../etc/passwd", "..%2fsecret.txt",
		"/up", "/abs", "/parent/secret.txt", "d/../../secret.txt", "/parent/jail/in.txt", "/parent/../secret.txt"} {
		if got, err := read(p); err == nil {
			t.Errorf("read %q = %q", p, got)
		} else if strings.Contains(err.Error(), f.root) || strings.Contains(err.Error(), "escapes") {
			t.Errorf("read %q leaks: %v", p, err)
		}
	}
	// ".." at the top stays at the top.
	if got, err := read("/../in.txt"); err != nil || got != "inside" {
		t.Errorf("/../in.txt = %q, %v", got, err)
	}
	if got, err := read("/good"); err != nil || got != "inside" {
		t.Errorf("/good = %q, %v", got, err)
	}
	if got, err := read("/d/back"); err != nil || got != "inside" {
		t.Errorf("/d/back = %q, %v", got, err)
	}
	for p, want := range map[string]string{"/good": "/in.txt", "/d/back": "/in.txt", "/up": "", "/abs": "", "/parent": ""} {
		got, err := c.ReadLink(p)
		if want == "" {
			if err == nil {
				t.Errorf("readlink %s = %q, want refused", p, got)
			}
			continue
		}
		if err != nil || got != want {
			t.Errorf("readlink %s = %q, %v; want %q", p, got, err, want)
		}
	}
	// Links leading out are not listed.
	list, err := c.ReadDir("/")
	must(err)
	for _, fi := range list {
		if fi.Name() == "up" || fi.Name() == "abs" || fi.Name() == "parent" {
			t.Errorf("listing shows %s", fi.Name())
		}
	}
	// No link creation, no writes through links out, no rename out.
	if err := c.Symlink("/in.txt", "/newlink"); err == nil {
		t.Error("symlink created")
	}
	if err := c.Symlink("../secret.txt", "/newlink2"); err == nil {
		t.Error("symlink out created")
	}
	if err := c.Link("/in.txt", "/hard"); err == nil {
		t.Error("hard link created")
	}
	if w, err := c.Create("/up"); err == nil {
		w.Write([]byte("x"))
		w.Close()
		t.Error("wrote through a link out")
	}
	if err := c.Rename("/in.txt", "/../moved.txt"); err == nil {
		if _, err := os.Stat(filepath.Join(f.root, "httpdocs", "moved.txt")); err == nil {
			t.Error("renamed out of the home")
		}
	}
	if err := c.Remove("/parent/secret.txt"); err == nil {
		t.Error("removed through a link out")
	}
	if err := c.Chmod("/up", 0o600); err == nil {
		t.Error("chmod through a link out")
	}
	b, _ := os.ReadFile(secret)
	if string(b) != "outside" {
		t.Fatalf("secret changed: %q", b)
	}
	if fi, _ := os.Stat(secret); fi.Mode().Perm() != 0o644 {
		t.Fatalf("secret mode changed: %v", fi.Mode())
	}
	for _, p := range []string{"newlink", "newlink2", "hard"} {
		if _, err := os.Lstat(filepath.Join(home, p)); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s exists", p)
		}
	}
	if rp, err := c.RealPath("../../.."); err != nil || rp != "/" {
		t.Errorf("realpath = %q, %v", rp, err)
	}
}

// TestPermissions: read-only, drop box (write-only), per operation.
func TestPermissions(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	ro := f.account(t, "reader", "/httpdocs/pub", true, false, -1)
	drop := f.account(t, "dropbox", "/httpdocs/pub", false, true, -1)
	if err := os.WriteFile(filepath.Join(f.root, "httpdocs", "pub", "a.txt"), []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := f.dial(t, ro.Login, hostingtest.Password)
	d := f.dial(t, drop.Login, hostingtest.Password)
	denied := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, fs.ErrPermission) {
			t.Errorf("%s: err = %v, want permission denied", what, err)
		}
	}
	// Read-only.
	if _, err := r.ReadDir("/"); err != nil {
		t.Error(err)
	}
	if fh, err := r.Open("/a.txt"); err != nil {
		t.Error(err)
	} else {
		fh.Close()
	}
	_, err := r.Create("/new.txt")
	denied("ro create", err)
	_, err = r.OpenFile("/a.txt", os.O_WRONLY|os.O_APPEND)
	denied("ro append", err)
	denied("ro mkdir", r.Mkdir("/x"))
	denied("ro remove", r.Remove("/a.txt"))
	denied("ro rename", r.Rename("/a.txt", "/b.txt"))
	denied("ro chmod", r.Chmod("/a.txt", 0o600))
	denied("ro truncate", r.Truncate("/a.txt", 0))
	// Drop box: upload, no listing, no download.
	// pkg/sftp's Create asks for read and write: a drop box gets write.
	w, err := d.Create("/in.txt")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.ReadAt(make([]byte, 1), 0); err == nil || errors.Is(err, io.EOF) {
		t.Errorf("drop box read through a read-write handle: %v", err)
	}
	w.Write([]byte("dropped"))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	_, err = d.ReadDir("/")
	denied("drop list", err)
	_, err = d.Open("/a.txt")
	denied("drop download", err)
	if b, _ := os.ReadFile(filepath.Join(f.root, "httpdocs", "pub", "in.txt")); string(b) != "dropped" {
		t.Fatalf("dropped file %q", b)
	}
}

// TestQuota: exact, with parallel out-of-order writes.
func TestQuota(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	const quota = 1 << 20
	a := f.account(t, "quota", "/httpdocs/q", true, true, quota)
	c := f.dial(t, a.Login, hostingtest.Password)
	// statvfs answers from the quota.
	st, err := c.StatVFS("/")
	if err != nil {
		t.Fatal(err)
	}
	if st.TotalSpace() != quota || st.FreeSpace() != quota {
		t.Fatalf("statvfs total %d free %d, want %d", st.TotalSpace(), st.FreeSpace(), quota)
	}
	// Exactly the quota fits, in 64 parallel writes at shuffled offsets.
	data := randomBytes(t, quota)
	w, err := c.Create("/full.bin")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	const part = quota / 64
	errs := make(chan error, 64)
	for i := 63; i >= 0; i-- {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			_, err := w.WriteAt(data[i*part:(i+1)*part], int64(i*part))
			errs <- err
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("write within the quota: %v", err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(f.root, "httpdocs", "q", "full.bin")); sum(b) != sum(data) {
		t.Fatal("file differs")
	}
	if st, _ := c.StatVFS("/"); st.FreeSpace() != 0 {
		t.Fatalf("free after a full upload: %d", st.FreeSpace())
	}
	// One byte more is refused, and the new file is undone.
	w, err = c.Create("/over.bin")
	if err != nil {
		t.Fatal(err)
	}
	_, err = w.Write([]byte("x"))
	cerr := w.Close()
	if err == nil && cerr == nil {
		t.Fatal("a write past the quota was accepted")
	}
	if e := errors.Join(err, cerr); !strings.Contains(e.Error(), "Quota exceeded.") {
		t.Fatalf("error %v", e)
	}
	if _, err := os.Stat(filepath.Join(f.root, "httpdocs", "q", "over.bin")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("over.bin kept: %v", err)
	}
	// Removing frees the space; 2 writers racing for 1 MiB get at most 1 MiB.
	if err := c.Remove("/full.bin"); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	total := int64(0)
	var wg2 sync.WaitGroup
	for i := range 2 {
		wg2.Add(1)
		go func() {
			defer wg2.Done()
			name := "/race" + string(rune('0'+i))
			w, err := c.Create(name)
			if err != nil {
				return
			}
			n, err := w.ReadFrom(bytes.NewReader(data[:quota*3/4]))
			if cerr := w.Close(); err == nil && cerr == nil {
				mu.Lock()
				total += n
				mu.Unlock()
			}
		}()
	}
	wg2.Wait()
	var disk int64
	filepath.Walk(filepath.Join(f.root, "httpdocs", "q"), func(_ string, fi os.FileInfo, err error) error {
		if err == nil && fi.Mode().IsRegular() {
			disk += fi.Size()
		}
		return nil
	})
	if disk > quota || total > quota {
		t.Fatalf("racing uploads: %d bytes on disk, %d accepted, quota %d", disk, total, quota)
	}
}

// sessionOf waits for login's session in the registry.
func (f *fixture) sessionOf(t testing.TB, login string) *hosting.Session {
	t.Helper()
	var s *hosting.Session
	waitFor(t, 3*time.Second, "session in the registry", func() bool {
		list, err := f.env.Service.Sessions(f.admin(), hosting.SessionFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range list {
			if x.Login == login {
				s = x
				return true
			}
		}
		return false
	})
	return s
}

// TestSessions: the registry shows SFTP sessions; kill, suspension and a
// password change close them within 2 s; keys survive a password change.
func TestSessions(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	k := newUserKey(t)
	a := f.account(t, "sess", "/", true, true, -1)
	f.addKey(t, a.Login, k)
	closed := func(c *sftp.Client) func() bool {
		return func() bool { _, err := c.Getwd(); return err != nil && !strings.Contains(err.Error(), "timeout") }
	}
	for _, tc := range []struct {
		name string
		auth any
		do   func(x *hosting.Session) error
	}{
		{"kill", hostingtest.Password, func(x *hosting.Session) error { return f.env.Service.KillSession(f.admin(), x.ID) }},
		{"suspend", k, func(*hosting.Session) error {
			_, err := f.env.Service.SetAccountStatus(f.admin(), a.Login, hosting.StatusSuspended)
			if err == nil {
				_, err = f.env.Service.SetAccountStatus(f.admin(), a.Login, hosting.StatusActive)
			}
			return err
		}},
		{"password change", k, func(*hosting.Session) error {
			_, err := f.env.Service.SetAccountPassword(f.admin(), a.Login, hostingtest.Password)
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := f.dial(t, a.Login, tc.auth)
			x := f.sessionOf(t, a.Login)
			if x.Protocol != "sftp" || x.Node != "t1" || !strings.HasPrefix(x.ID, "t1-s") || !strings.Contains(x.Client, "Go") {
				t.Fatalf("session %+v", x)
			}
			if err := tc.do(x); err != nil {
				t.Fatal(err)
			}
			d := waitFor(t, 2*time.Second, "session closed", closed(c))
			t.Logf("closed in %s", d.Round(time.Millisecond))
			waitFor(t, 2*time.Second, "session gone from the registry", func() bool {
				list, _ := f.env.Service.Sessions(f.admin(), hosting.SessionFilter{ID: &x.ID})
				return len(list) == 0
			})
		})
	}
	// The key still works after the password change.
	f.dial(t, a.Login, k)
}

// TestLimits: per-account limit across connections, per-address limit.
func TestLimits(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(c *Config) { c.MaxSessionsPerAccount = 2; c.MaxClientsPerIP = 3 })
	a := f.account(t, "lim", "/", true, true, -1)
	f.dial(t, a.Login, hostingtest.Password)
	f.dial(t, a.Login, hostingtest.Password)
	if c, err := f.sshDial(a.Login, hostingtest.Password); err == nil {
		// The SSH login succeeds but the session is closed at once.
		_, err := sftp.NewClient(c)
		c.Close()
		if err == nil {
			t.Fatal("third session of the account served")
		}
	}
	waitFor(t, 2*time.Second, "refused connection released", func() bool {
		f.srv.mu.Lock()
		defer f.srv.mu.Unlock()
		return len(f.srv.conns) == 2
	})
	f.dial(t, f.main.Login, hostingtest.Password)
	if c, err := f.sshDial(f.main.Login, hostingtest.Password); err == nil {
		c.Close()
		t.Fatal("fourth connection from the address accepted")
	}
}

// TestBan: wrong passwords (counted by the service's guard, shared with
// every interface) and refused keys (counted here) ban the address for
// every protocol (the registry's bans).
func TestBan(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		guess func(f *fixture) error
	}{
		{"password", func(f *fixture) error { _, err := f.sshDial(f.main.Login, "wrong"); return err }},
		{"key", func(f *fixture) error { _, err := f.sshDial(f.main.Login, newUserKey(t)); return err }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, func(c *Config) { c.Defender.MaxFailures = 3 })
			f.env.Service.Guard().Configure(hosting.GuardConfig{MaxFailures: 3, Window: time.Minute,
				BanTime: time.Minute, MaxBanTime: time.Minute, RefreshInterval: 50 * time.Millisecond})
			for i := range 3 {
				if err := tc.guess(f); err == nil {
					t.Fatalf("attempt %d: wrong %s accepted", i, tc.name)
				}
			}
			waitFor(t, 2*time.Second, "ban recorded", func() bool {
				b, err := f.env.Service.BanOf(f.admin(), "127.0.0.1")
				return err == nil && b.Until.After(time.Now())
			})
			// Even the right password is refused now.
			if _, err := f.sshDial(f.main.Login, hostingtest.Password); err == nil {
				t.Fatal("banned address logged in")
			}
			if err := f.env.Service.DeleteBan(f.admin(), "127.0.0.1"); err != nil {
				t.Fatal(err)
			}
			waitFor(t, 3*time.Second, "ban lifted", func() bool {
				c, err := f.sshDial(f.main.Login, hostingtest.Password)
				if err == nil {
					c.Close()
				}
				return err == nil
			})
		})
	}
}

// TestIdle: a session without requests is closed after IdleTimeout.
func TestIdle(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(c *Config) { c.IdleTimeout = time.Second })
	c := f.dial(t, f.main.Login, hostingtest.Password)
	if _, err := c.Getwd(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2500 * time.Millisecond)
	if _, err := c.Getwd(); err == nil {
		if _, err := c.ReadDir("/"); err == nil {
			t.Fatal("idle session still served")
		}
	}
}

var _ = net.Dial

// TestLimitsAcrossProtocols: the account's and the address's FTP sessions
// in the registry (this node's FTP server, other nodes) count against the
// SFTP limits.
func TestLimitsAcrossProtocols(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(c *Config) { c.MaxSessionsPerAccount = 1; c.MaxClientsPerIP = 2 })
	a := f.account(t, "both", "/", true, true, -1)
	ftp := &hosting.Session{ID: "t1-7", Node: "t1", Protocol: "ftp", AccountID: a.ID, Login: a.Login, SiteID: a.SiteID,
		SiteName: a.SiteName, CustomerID: a.CustomerID, RemoteAddr: "127.0.0.1:40000", StartedAt: time.Now().UTC(),
		UpdatedAt: time.Now().UTC()}
	if err := f.env.Service.PutSession(f.admin(), ftp); err != nil {
		t.Fatal(err)
	}
	time.Sleep(3 * f.cfg.SyncInterval) // the server counts the registry's sessions
	if c, err := f.sshDial(a.Login, hostingtest.Password); err == nil {
		c.Close()
		t.Fatal("SFTP login beyond the account's limit (1 FTP session open)")
	}
	waitFor(t, 2*time.Second, "refused connection released", func() bool {
		f.srv.mu.Lock()
		defer f.srv.mu.Unlock()
		return len(f.srv.conns) == 0
	})
	f.dial(t, f.main.Login, hostingtest.Password) // another account: fine
	// The address now has one FTP and one SFTP session: the limit of 2 is reached.
	if c, err := f.sshDial(f.main.Login, hostingtest.Password); err == nil {
		c.Close()
		t.Fatal("connection beyond the address's limit accepted")
	}
	if err := f.env.Service.EndSession(f.admin(), ftp.ID); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 2*time.Second, "login after the FTP session ended", func() bool {
		c, err := f.sshDial(a.Login, hostingtest.Password)
		if err == nil {
			c.Close()
		}
		return err == nil
	})
}

// TestMetrics: logins by method and result, sessions, bytes.
func TestMetrics(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	k := newUserKey(t)
	f.addKey(t, f.main.Login, k)
	if _, err := f.sshDial(f.main.Login, "wrong"); err == nil {
		t.Fatal("wrong password accepted")
	}
	c := f.dial(t, f.main.Login, k)
	w, err := c.Create("/httpdocs/m.bin")
	if err != nil {
		t.Fatal(err)
	}
	w.Write(make([]byte, 1000))
	w.Close()
	reg := prometheus.NewRegistry()
	reg.MustRegister(f.srv.Collectors()...)
	want := map[string]float64{
		`ftpanel_sftp_logins_total{method="password",result="failed"}`: 1,
		`ftpanel_sftp_logins_total{method="publickey",result="ok"}`:    1,
		`ftpanel_sftp_sessions`:       1,
		`ftpanel_sftp_bytes_in_total`: 1000,
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			name := mf.GetName()
			if len(m.GetLabel()) > 0 {
				var ls []string
				for _, l := range m.GetLabel() {
					ls = append(ls, l.GetName()+`="`+l.GetValue()+`"`)
				}
				name += "{" + strings.Join(ls, ",") + "}"
			}
			switch {
			case m.Counter != nil:
				got[name] = m.GetCounter().GetValue()
			case m.Gauge != nil:
				got[name] = m.GetGauge().GetValue()
			}
		}
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
}

// TestDefaultCiphers: AEAD and AES-CTR are always offered;
// chacha20-poly1305 only where AES has no hardware help (see
// DefaultCiphers), and then it is also negotiated.
func TestDefaultCiphers(t *testing.T) {
	t.Parallel()
	def := DefaultCiphers()
	if err := CheckCiphers(def); err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{ssh.CipherAES128GCM, ssh.CipherAES256GCM, ssh.CipherAES128CTR} {
		if !slices.Contains(def, c) {
			t.Errorf("default ciphers %v lack %s", def, c)
		}
	}
	if slices.Contains(def, ssh.CipherChaCha20Poly1305) == fastAES() {
		t.Errorf("default ciphers %v with fast AES = %v", def, fastAES())
	}
	f := newFixture(t, nil)
	cfg := &ssh.ClientConfig{Config: ssh.Config{Ciphers: []string{ssh.CipherChaCha20Poly1305}}, User: f.main.Login,
		Auth: []ssh.AuthMethod{ssh.Password(hostingtest.Password)}, HostKeyCallback: f.hostKeyCallback(), Timeout: 10 * time.Second}
	c, err := ssh.Dial("tcp", f.addr, cfg)
	if (err == nil) != slices.Contains(def, ssh.CipherChaCha20Poly1305) {
		t.Errorf("chacha20-poly1305 only: err = %v with default ciphers %v", err, def)
	}
	if c != nil {
		c.Close()
	}
}

// TestCiphersConfigured: sftp.ciphers replaces the ciphers offered, and a
// cipher outside the allowed set is refused at start.
func TestCiphersConfigured(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(c *Config) { c.Ciphers = []string{ssh.CipherAES128GCM} })
	for _, tc := range []struct {
		name    string
		ciphers []string
		ok      bool
	}{
		{"chacha20 only", []string{ssh.CipherChaCha20Poly1305}, false},
		{"aes256-gcm only", []string{ssh.CipherAES256GCM}, false},
		{"aes128-gcm among others", []string{ssh.CipherChaCha20Poly1305, ssh.CipherAES128GCM}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := &ssh.ClientConfig{Config: ssh.Config{Ciphers: tc.ciphers}, User: f.main.Login,
				Auth: []ssh.AuthMethod{ssh.Password(hostingtest.Password)}, HostKeyCallback: f.hostKeyCallback(),
				Timeout: 10 * time.Second}
			c, err := ssh.Dial("tcp", f.addr, cfg)
			if (err == nil) != tc.ok {
				t.Fatalf("err = %v, want ok=%v", err, tc.ok)
			}
			if c != nil {
				c.Close()
			}
		})
	}
	for _, bad := range [][]string{{"aes128-cbc"}, {"3des-cbc"}, {ssh.CipherAES128CTR, ssh.CipherAES128CTR}} {
		if _, err := New(f.env.Service, Config{HostKeys: f.cfg.HostKeys, Ciphers: bad}, nil); err == nil {
			t.Errorf("New with ciphers %v: no error", bad)
		}
	}
}

// TestParallelTransfersIntact: pkg/sftp's request server reuses packet
// buffers (WithRSAllocator). Many sessions at once, from two addresses
// (127.0.0.1 and 127.0.0.2), each writing and then reading several files
// with requests in flight in parallel, get back exactly the bytes they
// wrote.
func TestParallelTransfersIntact(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(c *Config) { c.MaxClientsPerIP, c.MaxSessionsPerAccount = 100, 100 })
	const sessions, files = 8, 3
	var wg sync.WaitGroup
	for s := range sessions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := f.dialFrom(t, fmt.Sprintf("127.0.0.%d", 1+s%2), f.main.Login, hostingtest.Password)
			if err != nil {
				t.Error(err)
				return
			}
			for i := range files {
				data := make([]byte, 1<<20+s*4096+i*17) // not a multiple of the packet size
				if _, err := rand.Read(data); err != nil {
					t.Error(err)
					return
				}
				name := fmt.Sprintf("/par-%d-%d.bin", s, i)
				w, err := c.Create(name)
				if err != nil {
					t.Errorf("create %s: %v", name, err)
					return
				}
				if _, err := w.ReadFrom(bytes.NewReader(data)); err != nil { // concurrent WRITEs
					t.Errorf("write %s: %v", name, err)
				}
				if err := w.Close(); err != nil {
					t.Errorf("close %s: %v", name, err)
				}
				r, err := c.Open(name)
				if err != nil {
					t.Errorf("open %s: %v", name, err)
					return
				}
				var back bytes.Buffer
				if _, err := r.WriteTo(&back); err != nil { // concurrent READs
					t.Errorf("read %s: %v", name, err)
				}
				r.Close()
				if sha256.Sum256(back.Bytes()) != sha256.Sum256(data) {
					t.Errorf("%s: read back %d bytes that differ from the %d written", name, back.Len(), len(data))
				}
				disk, err := os.ReadFile(filepath.Join(f.root, name))
				if err != nil || !bytes.Equal(disk, data) {
					t.Errorf("%s on disk differs (%v)", name, err)
				}
			}
		}()
	}
	wg.Wait()
}

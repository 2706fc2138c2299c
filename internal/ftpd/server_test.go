package ftpd

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jlaffaye/ftp"

	"ftpanel/internal/homefs"
	"ftpanel/internal/hosting"
	"ftpanel/internal/hosting/hostingtest"
)

func TestServer_Login(t *testing.T) {
	f := newFixture(t, nil)
	f.account(t, "bob", "/httpdocs", true, true, -1)
	if _, err := f.env.Service.SetAccountStatus(f.admin(), f.account(t, "sus", "/", true, true, -1).Login, hosting.StatusSuspended); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, login, pass string
		code              int
		msg               string
	}{
		{"OK", "bob", hostingtest.Password, 230, "Login successful."},
		{"WrongPassword", "bob", "Wrong-Passw0rd", 530, "Login incorrect."},
		{"UnknownLogin", "nobody", hostingtest.Password, 530, "Login incorrect."},
		{"EmptyPassword", "bob", "", 530, "Login incorrect."},
		{"Suspended", "sus", hostingtest.Password, 530, "Account suspended."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := dialRaw(t, f.addr)
			if code, msg := r.cmd("USER %s", tc.login); code != 331 {
				t.Fatalf("USER: %d %s", code, msg)
			}
			code, msg := r.cmd("PASS %s", tc.pass)
			if code != tc.code || msg != tc.msg {
				t.Fatalf("PASS: got %d %q, want %d %q", code, msg, tc.code, tc.msg)
			}
			if code == 230 {
				if code, msg := r.cmd("PWD"); code != 257 || !strings.Contains(msg, `"/"`) {
					t.Fatalf("PWD: %d %s", code, msg)
				}
			}
		})
	}
	logs := f.logs.String()
	for _, secret := range []string{hostingtest.Password, "Wrong-Passw0rd"} {
		if strings.Contains(logs, secret) {
			t.Errorf("logs contain a password: %s", logs)
		}
	}
	for _, want := range []string{`msg=login `, `msg="login failed"`, `reason=unauthorized`, `reason=suspended`} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %q", want)
		}
	}
	ok, failed := f.counter(t, "ftpanel_ftp_logins_total", "ok"), f.counter(t, "ftpanel_ftp_logins_total", "failed")
	if ok != 1 || failed != 4 {
		t.Errorf("logins_total ok=%v failed=%v, want 1 and 4", ok, failed)
	}
}

func TestServer_ListAndTransfers(t *testing.T) {
	f := newFixture(t, nil)
	f.account(t, "bob", "/httpdocs", true, true, -1)
	home := filepath.Join(f.root, "httpdocs")
	for _, mode := range []struct {
		name string
		opts []ftp.DialOption
	}{
		{"EPSV+MLSD", nil},
		{"PASV+LIST", []ftp.DialOption{ftp.DialWithDisabledEPSV(true), ftp.DialWithDisabledMLSD(true)}},
	} {
		t.Run(mode.name, func(t *testing.T) {
			c := f.dial(t, "bob", mode.opts...)
			dir := "/" + strings.ReplaceAll(strings.ToLower(mode.name), "+", "-")
			must(t, c.MakeDir(dir), "MKD")
			sizes := map[string]int{"zero": 0, "one": 1, "big": 10 << 20}
			for name, n := range sizes {
				data := pattern(n)
				p := dir + "/" + name + ".bin"
				must(t, c.Stor(p, bytes.NewReader(data)), "STOR %s", p)
				got, err := retr(c, p)
				must(t, err, "RETR %s", p)
				if sum(got) != sum(data) {
					t.Errorf("%s: downloaded %d bytes, sha256 differs from the %d uploaded", p, len(got), n)
				}
				disk, err := os.ReadFile(filepath.Join(home, dir, name+".bin"))
				if err != nil || sum(disk) != sum(data) {
					t.Errorf("%s on disk: %d bytes, %v; want the upload", p, len(disk), err)
				}
				if sz, err := c.FileSize(p); err != nil || sz != int64(n) {
					t.Errorf("SIZE %s = %d, %v; want %d", p, sz, err, n)
				}
			}
			entries, err := c.List(dir)
			must(t, err, "list")
			var names []string
			for _, e := range entries {
				names = append(names, e.Name)
				if want := int64(sizes[strings.TrimSuffix(e.Name, ".bin")]); e.Type != ftp.EntryTypeFile || int64(e.Size) != want {
					t.Errorf("entry %s: type %v size %d, want file of %d", e.Name, e.Type, e.Size, want)
				}
			}
			slices.Sort(names)
			if want := []string{"big.bin", "one.bin", "zero.bin"}; !slices.Equal(names, want) {
				t.Errorf("list = %v, want %v", names, want)
			}
			nl, err := c.NameList(dir)
			must(t, err, "NLST")
			if len(nl) != 3 {
				t.Errorf("NLST = %v, want 3 names", nl)
			}
		})
	}
	if in, out := f.counter(t, "ftpanel_ftp_bytes_in_total", ""), f.counter(t, "ftpanel_ftp_bytes_out_total", ""); in != 2*(10<<20+1) || out != in {
		t.Errorf("bytes in/out = %v/%v, want %d each", in, out, 2*(10<<20+1))
	}
	if !strings.Contains(f.logs.String(), `msg=transfer`) || !strings.Contains(f.logs.String(), "bytes=10485760") {
		t.Errorf("no transfer log with bytes")
	}
}

func TestServer_Resume(t *testing.T) {
	f := newFixture(t, nil)
	f.account(t, "bob", "/httpdocs", true, true, -1)
	c := f.dial(t, "bob")
	data := pattern(3<<20 + 17)

	t.Run("Download", func(t *testing.T) {
		must(t, c.Stor("/d.bin", bytes.NewReader(data)), "STOR")
		r, err := c.Retr("/d.bin")
		must(t, err, "RETR")
		part := make([]byte, 1<<20)
		if _, err := io.ReadFull(r, part); err != nil {
			t.Fatal(err)
		}
		r.Close() // interrupted: the rest is never read
		rest, err := c.RetrFrom("/d.bin", uint64(len(part)))
		must(t, err, "REST+RETR")
		tail, err := io.ReadAll(rest)
		must(t, err, "read")
		must(t, rest.Close(), "close")
		if got := append(part, tail...); sum(got) != sum(data) {
			t.Errorf("resumed download: %d bytes, sha256 differs", len(got))
		}
	})
	t.Run("Upload", func(t *testing.T) {
		// The upload breaks after 1 MiB: the client drops the data
		// connection without ABOR.
		broken := io.MultiReader(bytes.NewReader(data[:1<<20]), errReader{})
		if err := c.Stor("/u.bin", broken); err == nil {
			t.Fatal("broken upload: got no error")
		}
		c2 := f.dial(t, "bob") // the first control connection may be out of sync now
		size, err := c2.FileSize("/u.bin")
		must(t, err, "SIZE")
		if size <= 0 || size > int64(len(data)) {
			t.Fatalf("partial upload is %d bytes", size)
		}
		must(t, c2.StorFrom("/u.bin", bytes.NewReader(data[size:]), uint64(size)), "REST+STOR")
		disk, _ := os.ReadFile(filepath.Join(f.root, "httpdocs", "u.bin"))
		if sum(disk) != sum(data) {
			t.Errorf("resumed upload: %d bytes on disk, sha256 differs", len(disk))
		}
	})
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("client gave up") }

func TestServer_DirsAndModes(t *testing.T) {
	f := newFixture(t, nil)
	f.account(t, "bob", "/httpdocs", true, true, -1)
	c := f.dial(t, "bob")
	home := filepath.Join(f.root, "httpdocs")
	must(t, c.MakeDir("a"), "MKD a")
	must(t, c.ChangeDir("a"), "CWD a")
	must(t, c.MakeDir("b"), "MKD b (relative)")
	if d, err := c.CurrentDir(); err != nil || d != "/a" {
		t.Errorf("PWD = %q, %v; want /a", d, err)
	}
	must(t, c.Stor("f.txt", strings.NewReader("x")), "STOR relative")
	must(t, c.ChangeDirToParent(), "CDUP")
	if d, _ := c.CurrentDir(); d != "/" {
		t.Errorf("after CDUP: PWD = %q, want /", d)
	}
	must(t, c.ChangeDirToParent(), "CDUP at the home")
	if d, _ := c.CurrentDir(); d != "/" {
		t.Errorf("CDUP above the home: PWD = %q, want /", d)
	}
	for p, want := range map[string]os.FileMode{"a": 0o755 | os.ModeDir, "a/b": 0o755 | os.ModeDir, "a/f.txt": 0o644} {
		fi, err := os.Stat(filepath.Join(home, p))
		if err != nil || fi.Mode() != want {
			t.Errorf("%s: %v, %v; want mode %v", p, fi, err, want)
		}
	}
	must(t, c.Rename("/a/f.txt", "/a/g.txt"), "rename")
	if _, err := os.Stat(filepath.Join(home, "a", "g.txt")); err != nil {
		t.Errorf("after rename: %v", err)
	}
	if err := c.RemoveDir("/a"); ftpCode(err) != 550 {
		t.Errorf("RMD of a folder that is not empty: got %v, want 550", err)
	}
	must(t, c.Delete("/a/g.txt"), "DELE")
	must(t, c.RemoveDir("/a/b"), "RMD")
	must(t, c.RemoveDir("/a"), "RMD")
	if _, err := os.Stat(filepath.Join(home, "a")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("after RMD: %v", err)
	}
	r := dialRaw(t, f.addr)
	r.login("bob")
	if code, msg := r.cmd("AVBL"); code != 213 || msg == "0" || strings.ContainsAny(msg, " -") {
		t.Errorf("AVBL without quota: %d %s, want the free space", code, msg)
	}
	when := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	must(t, c.Stor("/t.txt", strings.NewReader("t")), "STOR")
	must(t, c.SetTime("/t.txt", when), "MFMT")
	if got, err := c.GetTime("/t.txt"); err != nil || !got.Equal(when) {
		t.Errorf("MDTM = %v, %v; want %v", got, err, when)
	}
}

func TestServer_Ownership(t *testing.T) {
	if !homefs.CanChown() {
		t.Skip("needs CAP_CHOWN")
	}
	f := newFixture(t, nil)
	uid, gid := 4321, 4322
	if _, err := f.env.Service.UpdateSite(f.admin(), "example.com", hosting.SiteUpdate{UID: &uid, GID: &gid}); err != nil {
		t.Fatal(err)
	}
	f.account(t, "bob", "/httpdocs", true, true, -1)
	c := f.dial(t, "bob")
	must(t, c.MakeDir("/d"), "MKD")
	must(t, c.Stor("/d/f", strings.NewReader("x")), "STOR")
	for _, p := range []string{"d", "d/f"} {
		fi, err := os.Stat(filepath.Join(f.root, "httpdocs", p))
		if err != nil {
			t.Fatal(err)
		}
		st := statOwner(fi)
		if st[0] != uid || st[1] != gid {
			t.Errorf("%s owned by %d:%d, want %d:%d", p, st[0], st[1], uid, gid)
		}
	}
}

func TestServer_TLS(t *testing.T) {
	dir := t.TempDir()
	conf, err := LoadOrCreateCert(dir, []string{"127.0.0.1", "localhost"})
	must(t, err, "cert")
	if fi, err := os.Stat(filepath.Join(dir, "key.pem")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("key.pem: %v %v, want mode 0600", fi, err)
	}
	again, err := LoadOrCreateCert(dir, nil)
	must(t, err, "load cert")
	if !bytes.Equal(again.Certificates[0].Certificate[0], conf.Certificates[0].Certificate[0]) {
		t.Error("second LoadOrCreateCert made a new certificate")
	}
	for _, mode := range []TLSMode{TLSRequired, TLSOptional} {
		t.Run(string(mode), func(t *testing.T) {
			f := newFixture(t, func(c *Config) { c.TLS, c.TLSConfig = mode, conf })
			f.account(t, "bob", "/httpdocs", true, true, -1)

			plain, err := ftp.Dial(f.addr, ftp.DialWithTimeout(5*time.Second))
			must(t, err, "dial")
			err = plain.Login("bob", hostingtest.Password)
			if mode == TLSRequired && (err == nil || !strings.Contains(err.Error(), "FTPS")) {
				t.Errorf("plain login with tls=required: got %v, want a refusal", err)
			}
			if mode == TLSOptional && err != nil {
				t.Errorf("plain login with tls=optional: %v", err)
			}
			plain.Quit()

			c := f.dial(t, "bob", ftp.DialWithExplicitTLS(tlsClient(t, dir)))
			data := pattern(2<<20 + 3)
			must(t, c.Stor("/s.bin", bytes.NewReader(data)), "STOR over TLS")
			got, err := retr(c, "/s.bin")
			must(t, err, "RETR over TLS")
			if sum(got) != sum(data) {
				t.Errorf("TLS round trip: sha256 differs")
			}
			entries, err := c.List("/")
			if err != nil || len(entries) != 1 {
				t.Errorf("LIST over TLS: %v %v", entries, err)
			}
			waitFor(t, 3*time.Second, "the registry to show a TLS session", func() bool {
				list := f.sessionsOf(t, f.accountID(t, "bob"))
				return len(list) == 1 && list[0].TLS
			})
		})
	}
	t.Run("off", func(t *testing.T) {
		f := newFixture(t, nil)
		r := dialRaw(t, f.addr)
		if code, _ := r.cmd("AUTH TLS"); code != 504 {
			t.Errorf("AUTH TLS with tls=off: %d, want 504", code)
		}
	})
	if _, err := New(hostingtest.New(t).Service, Config{TLS: TLSRequired}, nil); err == nil {
		t.Error("tls=required without a certificate: got no error")
	}
}

func (f *fixture) accountID(t testing.TB, login string) int64 {
	t.Helper()
	a, err := f.env.Service.Account(f.admin(), login)
	must(t, err, "account %s", login)
	return a.ID
}

func TestServer_HostilePaths(t *testing.T) {
	f := newFixture(t, nil)
	f.account(t, "bob", "/httpdocs", true, true, -1)
	home := filepath.Join(f.root, "httpdocs")
	outside := filepath.Join(f.env.Dir, "outside")
	must(t, os.MkdirAll(outside, 0o755), "mkdir")
	must(t, os.WriteFile(filepath.Join(outside, "secret.txt"), []byte("secret"), 0o644), "write")
	must(t, os.WriteFile(filepath.Join(f.root, "private", "site-secret.txt"), []byte("sitesecret"), 0o644), "write")
	must(t, os.MkdirAll(filepath.Join(home, "pub"), 0o755), "mkdir")
	must(t, os.WriteFile(filepath.Join(home, "pub", "ok.txt"), []byte("ok"), 0o644), "write")
	for name, target := range map[string]string{
		"out": outside, "rel": "../private", "chain": "rel/site-secret.txt", "in": "pub",
		"absin": filepath.Join(home, "pub"),
	} {
		must(t, os.Symlink(target, filepath.Join(home, name)), "symlink")
	}
	r := dialRaw(t, f.addr)
	r.login("bob")
	// Created after the login.
	must(t, os.Symlink(filepath.Join(outside, "secret.txt"), filepath.Join(home, "late")), "symlink")

	paths := []string{"../private/site-secret.txt", "/../../outside/secret.txt", "out/secret.txt", "rel/site-secret.txt",
		"chain", "late", "absin/ok.txt", "..%2fprivate%2fsite-secret.txt", "../../../../../../etc/passwd",
		outside + "/secret.txt", "/pub/../../private/site-secret.txt"}
	for _, p := range paths {
		_, data, last, msg := r.transfer("RETR "+p, nil)
		if last/100 == 2 || strings.Contains(string(data), "secret") {
			t.Errorf("RETR %s: %d %q, data %q", p, last, msg, data)
		}
		if strings.Contains(msg, f.env.Dir) {
			t.Errorf("RETR %s: reply shows a host path: %s", p, msg)
		}
		// Replies echo the client's own path; they must show no other.
		leaks := func(msg string) bool { return strings.Contains(strings.ReplaceAll(msg, p, ""), f.env.Dir) }
		if code, msg := r.cmd("SIZE %s", p); code == 213 || leaks(msg) {
			t.Errorf("SIZE %s: %d %s", p, code, msg)
		}
		// "..%2f…" is a plain (odd) file name inside the home.
		literal := strings.HasPrefix(p, "..%2f")
		_, _, last, _ = r.transfer("STOR "+p, []byte("pwned"))
		if last/100 == 2 && !literal {
			t.Errorf("STOR %s: %d", p, last)
		}
		for _, cmd := range []string{"MKD " + p + "/x", "RMD " + p, "SITE CHMOD 777 " + p} {
			if code, msg := r.cmd("%s", cmd); (code/100 == 2 && !literal) || leaks(msg) {
				t.Errorf("%s: %d %s", cmd, code, msg)
			}
		}
	}
	// DELE of a link removes the link, which is in the home; never its target.
	for _, p := range []string{"chain", "late", "out"} {
		if code, msg := r.cmd("DELE %s", p); code != 250 {
			t.Errorf("DELE %s: %d %s", p, code, msg)
		}
	}
	for _, dir := range []string{"out", "rel", "..", "../private", "/.."} {
		if code, _ := r.cmd("CWD %s", dir); code == 250 {
			if c, msg := r.cmd("PWD"); c != 257 || !strings.Contains(msg, `"/"`) {
				t.Errorf("CWD %s left the home: %s", dir, msg)
			}
		}
		_, data, _, _ := r.transfer("LIST "+dir, nil)
		if strings.Contains(string(data), " secret.txt\r\n") || strings.Contains(string(data), " site-secret.txt\r\n") {
			t.Errorf("LIST %s: %q", dir, data)
		}
	}
	_, data, _, _ := r.transfer("LIST -la /", nil)
	for _, hidden := range []string{"out", "rel", "chain", "late", "absin"} {
		if strings.Contains(string(data), " "+hidden+"\r\n") {
			t.Errorf("LIST shows the link %s leading outside:\n%s", hidden, data)
		}
	}
	inDir := false
	for _, line := range strings.Split(string(data), "\r\n") {
		if strings.HasSuffix(line, " in") && strings.HasPrefix(line, "d") {
			inDir = true
		}
	}
	if !inDir {
		t.Errorf("LIST does not show the inside link 'in' as a folder:\n%s", data)
	}
	if b, _ := os.ReadFile(filepath.Join(outside, "secret.txt")); string(b) != "secret" {
		t.Errorf("outside file changed: %q", b)
	}
	if b, _ := os.ReadFile(filepath.Join(f.root, "private", "site-secret.txt")); string(b) != "sitesecret" {
		t.Errorf("site file outside the home changed: %q", b)
	}
	entries, _ := os.ReadDir(outside)
	if len(entries) != 1 {
		t.Errorf("outside folder now holds %d entries", len(entries))
	}
}

func TestServer_Permissions(t *testing.T) {
	f := newFixture(t, nil)
	f.account(t, "ro", "/httpdocs", true, false, -1)
	f.account(t, "drop", "/httpdocs", false, true, -1)
	home := filepath.Join(f.root, "httpdocs")
	must(t, os.WriteFile(filepath.Join(home, "f.txt"), []byte("file"), 0o644), "write")
	must(t, os.Mkdir(filepath.Join(home, "d"), 0o755), "mkdir")

	type step struct {
		name string
		run  func(r *raw) int // the reply code that says whether it worked
	}
	simple := func(cmd string) func(r *raw) int {
		return func(r *raw) int { c, _ := r.cmd("%s", cmd); return c }
	}
	data := func(cmd string, up []byte) func(r *raw) int {
		return func(r *raw) int { _, _, last, _ := r.transfer(cmd, up); return last }
	}
	steps := []step{
		{"LIST", data("LIST /", nil)},
		{"NLST", data("NLST /", nil)},
		{"MLSD", data("MLSD /", nil)},
		{"RETR", data("RETR /f.txt", nil)},
		{"STOR", data("STOR /new.txt", []byte("n"))},
		{"APPE", data("APPE /f.txt", []byte("a"))},
		{"MKD", simple("MKD /nd")},
		{"RNFR/RNTO", func(r *raw) int {
			if c, _ := r.cmd("RNFR /f.txt"); c != 350 {
				return c
			}
			c, _ := r.cmd("RNTO /g.txt")
			return c
		}},
		{"SITE CHMOD", simple("SITE CHMOD 600 /d")},
		{"MFMT", simple("MFMT 20200102030405 /d")},
		{"DELE", simple("DELE /new.txt")},
		{"RMD", simple("RMD /nd")},
		{"ALLO", simple("ALLO 100")},
		{"SITE SYMLINK", simple("SITE SYMLINK / /s")},
		{"SITE CHOWN", simple("SITE CHOWN 0 /d")},
	}
	reads := map[string]bool{"LIST": true, "NLST": true, "MLSD": true, "RETR": true}
	never := map[string]bool{"SITE SYMLINK": true, "SITE CHOWN": true}
	for _, acct := range []struct {
		login       string
		read, write bool
	}{{"ro", true, false}, {"drop", false, true}} {
		t.Run(acct.login, func(t *testing.T) {
			r := dialRaw(t, f.addr)
			r.login(acct.login)
			// What both may do: move around, see sizes (a drop box resumes).
			for _, cmd := range []string{"CWD /d", "CDUP", "PWD", "SIZE /f.txt", "MDTM /d", "FEAT", "NOOP"} {
				if code, msg := r.cmd("%s", cmd); code/100 != 2 {
					t.Errorf("%s as %s: %d %s", cmd, acct.login, code, msg)
				}
			}
			for _, s := range steps {
				code := s.run(r)
				want := reads[s.name] && acct.read || !reads[s.name] && acct.write && !never[s.name]
				if got := code/100 == 2; got != want {
					t.Errorf("%s as %s: reply %d, want allowed=%v", s.name, acct.login, code, want)
				}
			}
		})
	}
	// The drop box's changes are all there.
	if b, err := os.ReadFile(filepath.Join(home, "g.txt")); err != nil || string(b) != "filea" {
		t.Errorf("after the drop box's APPE and rename: %q, %v", b, err)
	}
}

func TestServer_Quota(t *testing.T) {
	const quota = 1 << 20
	f := newFixture(t, nil)
	f.account(t, "q", "/httpdocs", true, true, quota)
	home := filepath.Join(f.root, "httpdocs")
	usage := func() int64 { return treeSize(t, home) }
	c := f.dial(t, "q")
	r := dialRaw(t, f.addr)
	r.login("q")
	avbl := func() string { _, msg := r.cmd("AVBL /"); return msg }

	if got := avbl(); got != "1048576" {
		t.Errorf("AVBL on an empty home = %s, want 1048576", got)
	}
	t.Run("SingleOver", func(t *testing.T) {
		err := c.Stor("/big.bin", bytes.NewReader(pattern(quota+1)))
		if ftpCode(err) != 552 {
			t.Fatalf("STOR over quota: got %v, want 552", err)
		}
		if n := fileSize(t, filepath.Join(home, "big.bin")); n != -1 {
			t.Errorf("partial upload left: %d bytes", n)
		}
		if got := avbl(); got != "1048576" {
			t.Errorf("AVBL after the failed upload = %s", got)
		}
	})
	t.Run("Overwrite", func(t *testing.T) {
		must(t, c.Stor("/o.bin", bytes.NewReader(pattern(600<<10))), "STOR 600 KiB")
		must(t, c.Stor("/o.bin", bytes.NewReader(pattern(900<<10))), "overwrite with 900 KiB (the old bytes are freed)")
		if got := avbl(); got != "126976" {
			t.Errorf("AVBL = %s, want 126976", got)
		}
		err := c.Stor("/p.bin", bytes.NewReader(pattern(200<<10)))
		if ftpCode(err) != 552 {
			t.Errorf("STOR 200 KiB with 124 KiB left: got %v, want 552", err)
		}
		must(t, c.Delete("/o.bin"), "DELE")
	})
	t.Run("Append", func(t *testing.T) {
		must(t, c.Stor("/a.bin", bytes.NewReader(pattern(1000<<10))), "STOR")
		err := c.Append("/a.bin", bytes.NewReader(pattern(100<<10)))
		if ftpCode(err) != 552 {
			t.Errorf("APPE over quota: got %v, want 552", err)
		}
		if n := fileSize(t, filepath.Join(home, "a.bin")); n != 1000<<10 {
			t.Errorf("after the failed APPE: %d bytes, want it truncated back to %d", n, 1000<<10)
		}
		must(t, c.Append("/a.bin", bytes.NewReader(pattern(24<<10))), "APPE of the last bytes")
		if got := avbl(); got != "0" {
			t.Errorf("AVBL at the quota = %s, want 0", got)
		}
		must(t, c.Delete("/a.bin"), "DELE")
	})
	t.Run("ConcurrentRace", func(t *testing.T) {
		// 100 KiB left; four sessions upload 60 KiB each at once.
		must(t, c.Stor("/fill.bin", bytes.NewReader(pattern(quota-100<<10))), "fill")
		var wg sync.WaitGroup
		errs := make([]error, 4)
		conns := make([]*ftp.ServerConn, 4)
		for i := range conns {
			conns[i] = f.dial(t, "q")
		}
		for i := range errs {
			wg.Go(func() {
				errs[i] = conns[i].Stor("/race"+string(rune('a'+i))+".bin", bytes.NewReader(pattern(60<<10)))
			})
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case ftpCode(err) != 552:
				t.Errorf("racing upload: %v", err)
			}
		}
		if ok != 1 {
			t.Errorf("%d racing uploads succeeded, want 1", ok)
		}
	})
	if got := usage(); got > quota {
		t.Errorf("home holds %d bytes, quota %d", got, quota)
	}
	f.srv.usages.Record(f.admin(), true, f.srv.svc.RecordUsage, f.srv.log)
	a, err := f.env.Service.Account(f.admin(), "q")
	must(t, err, "account")
	if a.UsedBytes != usage() {
		t.Errorf("recorded usage %d, disk %d", a.UsedBytes, usage())
	}
}

func TestServer_SessionsClosed(t *testing.T) {
	triggers := []struct {
		name  string
		do    func(f *fixture, login string, sessionID string) error
		reply string // the last line before the connection closes
	}{
		{"Kill", func(f *fixture, _, id string) error { return f.env.Service.KillSession(f.admin(), id) }, "421 Session closed by the administrator."},
		{"AccountSuspend", func(f *fixture, login, _ string) error {
			_, err := f.env.Service.SetAccountStatus(f.admin(), login, hosting.StatusSuspended)
			return err
		}, "421 Account suspended."},
		{"SiteSuspend", func(f *fixture, _, _ string) error {
			_, err := f.env.Service.SetSiteStatus(f.admin(), "example.com", hosting.StatusSuspended)
			return err
		}, "421 Account suspended."},
		{"CustomerSuspend", func(f *fixture, _, _ string) error {
			_, err := f.env.Service.SetCustomerStatus(f.admin(), "cust", hosting.StatusSuspended)
			return err
		}, "421 Account suspended."},
		{"Delete", func(f *fixture, login, _ string) error { return f.env.Service.DeleteAccount(f.admin(), login) }, "421 Account deleted."},
		{"PasswordChange", func(f *fixture, login, _ string) error {
			_, err := f.env.Service.SetAccountPassword(f.admin(), login, "N3w-Passw0rd!x")
			return err
		}, "421 Password changed, log in again."},
		{"HomeChange", func(f *fixture, login, _ string) error {
			home := "/private"
			_, err := f.env.Service.UpdateAccount(f.admin(), login, hosting.AccountUpdate{Home: &home})
			return err
		}, "421 Account changed, log in again."},
		{"PermissionChange", func(f *fixture, login, _ string) error {
			no := false
			_, err := f.env.Service.UpdateAccount(f.admin(), login, hosting.AccountUpdate{Write: &no})
			return err
		}, "421 Account changed, log in again."},
	}
	for _, early := range []bool{false, true} {
		for _, tc := range triggers {
			name := tc.name
			if early {
				name += "BeforeFirstSync"
			}
			t.Run(name, func(t *testing.T) {
				if early && tc.name == "Kill" {
					t.Skip("a kill needs the session in the registry")
				}
				t.Parallel()
				f := newFixture(t, nil) // default SyncInterval: 500ms, so "early" triggers precede the first write
				a := f.account(t, "bob", "/httpdocs", true, true, -1)
				r := dialRaw(t, f.addr)
				if code, _ := r.cmd("CLNT test-client/1.0"); code != 200 {
					t.Fatal("CLNT")
				}
				r.login("bob")
				id := ""
				if !early {
					waitFor(t, 3*time.Second, "the session in the registry", func() bool {
						list := f.sessionsOf(t, a.ID)
						if len(list) == 1 {
							id = list[0].ID
						}
						return id != ""
					})
					s := f.sessionsOf(t, a.ID)[0]
					if s.Login != "bob" || s.Client != "test-client/1.0" || s.Node != "t1" || s.SiteName != "example.com" ||
						s.RemoteAddr != r.c.LocalAddr().String() || s.TLS {
						t.Errorf("registry session = %+v", s)
					}
				}
				must(t, tc.do(f, "bob", id), "trigger")
				// From the change on: a password change first hashes the
				// new password, which the race detector makes slow.
				start := time.Now()
				_ = r.c.SetReadDeadline(time.Now().Add(3 * time.Second))
				var got []byte
				buf := make([]byte, 512)
				for {
					n, err := r.c.Read(buf)
					got = append(got, buf[:n]...)
					if err != nil {
						var ne net.Error
						if errors.As(err, &ne) && ne.Timeout() {
							t.Fatalf("session still open after %v", time.Since(start))
						}
						break
					}
				}
				if !bytes.HasSuffix(got, []byte(tc.reply+"\r\n")) {
					t.Errorf("last reply %q, want %q", got, tc.reply)
				}
				if d := time.Since(start); d > 2*time.Second {
					t.Errorf("session closed after %v, want ≤ 2s", d)
				}
				waitFor(t, 3*time.Second, "the registry to drop the session", func() bool { return len(f.sessionsOf(t, a.ID)) == 0 })
				if early && !strings.Contains(f.logs.String(), `reason="account changed"`) {
					t.Logf("closed through a kill request, not the first-write check")
				}
			})
		}
	}
}

func TestServer_Defender(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.SyncInterval = 100 * time.Millisecond })
	f.env.Service.Guard().Configure(hosting.GuardConfig{MaxFailures: 3, Window: time.Minute, BanTime: 400 * time.Millisecond,
		MaxBanTime: time.Hour, RefreshInterval: 100 * time.Millisecond})
	f.account(t, "bob", "/", true, true, -1)
	fail := func() {
		r := dialRaw(t, f.addr)
		r.cmd("USER bob")
		if code, _ := r.cmd("PASS nope-Nope-1"); code != 530 {
			t.Fatalf("bad password: %d", code)
		}
	}
	refused := func() (bool, string) {
		c, err := net.DialTimeout("tcp", f.addr, 2*time.Second)
		must(t, err, "dial")
		defer c.Close()
		_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
		line := make([]byte, 200)
		n, _ := c.Read(line)
		return strings.HasPrefix(string(line[:n]), "421 "), string(line[:n])
	}
	for round := 1; round <= 2; round++ {
		for i := 0; i < 3; i++ {
			if r, msg := refused(); r {
				t.Fatalf("round %d: refused after %d failures: %s", round, i, msg)
			}
			fail()
		}
		start := time.Now()
		r, msg := refused()
		if !r || !strings.Contains(msg, "failed logins") {
			t.Fatalf("round %d: after 3 failures got %q, want a 421 refusal", round, msg)
		}
		bans, err := f.env.Service.Bans(f.admin())
		must(t, err, "bans")
		if len(bans) != 1 || bans[0].Addr != "127.0.0.1" || bans[0].Strikes != round {
			t.Fatalf("round %d: bans = %+v", round, bans)
		}
		want := 400 * time.Millisecond << (round - 1)
		if d := bans[0].Until.Sub(bans[0].CreatedAt); d < want-50*time.Millisecond || d > want+50*time.Millisecond {
			t.Errorf("round %d: ban lasts %v, want %v", round, d, want)
		}
		waitFor(t, 5*time.Second, "the ban to expire", func() bool { r, _ := refused(); return !r })
		if d := time.Since(start); d < want-100*time.Millisecond {
			t.Errorf("round %d: ban lifted after %v, want %v", round, d, want)
		}
	}
	// A long ban, lifted by `ban del`.
	for i := 0; i < 3; i++ {
		fail()
	}
	if r, _ := refused(); !r {
		t.Fatal("third ban not in force")
	}
	must(t, f.env.Service.DeleteBan(f.admin(), "127.0.0.1"), "ban del")
	waitFor(t, 2*time.Second, "ban del to take effect", func() bool { r, _ := refused(); return !r })
	c := f.dial(t, "bob")
	must(t, c.NoOp(), "NOOP after the ban was lifted")
	if !strings.Contains(f.logs.String(), `msg="address banned"`) {
		t.Error("no ban in the logs")
	}
	if got := f.counter(t, "ftpanel_ftp_bans_total", ""); got != 3 {
		t.Errorf("bans_total = %v, want 3", got)
	}
}

func TestServer_Limits(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.MaxClientsPerIP = 3; c.MaxSessionsPerAccount = 2 })
	f.account(t, "bob", "/", true, true, -1)
	f.dial(t, "bob")
	f.dial(t, "bob")
	r := dialRaw(t, f.addr)
	r.cmd("USER bob")
	if code, msg := r.cmd("PASS %s", hostingtest.Password); code != 530 || msg != "Too many sessions for this account." {
		t.Errorf("third session of an account: %d %s", code, msg)
	}
	waitFor(t, 2*time.Second, "the refused session to go", func() bool {
		f.srv.mu.Lock()
		defer f.srv.mu.Unlock()
		return f.srv.conns == 2
	})
	dialRaw(t, f.addr)
	c, err := net.Dial("tcp", f.addr)
	must(t, err, "dial")
	defer c.Close()
	line := make([]byte, 100)
	n, _ := c.Read(line)
	if !strings.HasPrefix(string(line[:n]), "421 Too many connections from your address") {
		t.Errorf("fourth connection from one address: %q", line[:n])
	}

	g := newFixture(t, func(c *Config) { c.MaxClients = 1 })
	dialRaw(t, g.addr)
	c2, err := net.Dial("tcp", g.addr)
	must(t, err, "dial")
	defer c2.Close()
	n, _ = c2.Read(line)
	if !strings.HasPrefix(string(line[:n]), "421 Too many users") {
		t.Errorf("connection over max_clients: %q", line[:n])
	}
}

func TestServer_ActiveModeOnlyToClient(t *testing.T) {
	f := newFixture(t, nil)
	f.account(t, "bob", "/", true, true, -1)
	r := dialRaw(t, f.addr)
	r.login("bob")
	for _, cmd := range []string{"PORT 10,0,0,1,4,1", "EPRT |1|127.0.0.2|1025|", "EPRT |1|192.0.2.1|21|"} {
		if code, _ := r.cmd("%s", cmd); code != 501 {
			t.Errorf("%s: %d, want 501", cmd, code)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err, "listen")
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	if code, msg := r.cmd("EPRT |1|127.0.0.1|%d|", port); code != 200 {
		t.Fatalf("EPRT to the client itself: %d %s", code, msg)
	}
	if code, _ := r.cmd("LIST /"); code != 150 {
		t.Fatalf("LIST: %d", code)
	}
	d, err := ln.Accept()
	must(t, err, "accept")
	io.ReadAll(d)
	d.Close()
	if code, _ := r.read(); code != 226 {
		t.Errorf("LIST over an active connection: %d", code)
	}
}

func TestServer_GracefulShutdown(t *testing.T) {
	f := newFixture(t, nil)
	a := f.account(t, "bob", "/", true, true, -1)
	data := pattern(8 << 20)
	must(t, os.WriteFile(filepath.Join(f.root, "big.bin"), data, 0o644), "write")
	c := f.dial(t, "bob")
	idle := dialRaw(t, f.addr)
	idle.login("bob")
	waitFor(t, 3*time.Second, "two sessions in the registry", func() bool { return len(f.sessionsOf(t, a.ID)) == 2 })

	resp, err := c.Retr("/big.bin")
	must(t, err, "RETR")
	first := make([]byte, 1<<20)
	_, err = io.ReadFull(resp, first)
	must(t, err, "read")

	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		done <- f.srv.Shutdown(ctx)
	}()
	// New connections are refused and idle sessions closed, while the
	// transfer goes on.
	waitFor(t, 2*time.Second, "the listener to close", func() bool {
		c, err := net.Dial("tcp", f.addr)
		if err != nil {
			return true
		}
		c.Close()
		return false
	})
	_ = idle.c.SetReadDeadline(time.Now().Add(2 * time.Second))
	if code, msg := idle.read(); code != 421 || msg != "Server shutting down." {
		t.Errorf("idle session at shutdown: %d %s, want 421 Server shutting down.", code, msg)
	}
	if _, err := idle.c.Read(make([]byte, 10)); err == nil {
		t.Error("idle session not closed")
	}
	select {
	case err := <-done:
		t.Fatalf("Shutdown returned during the transfer: %v", err)
	case <-time.After(200 * time.Millisecond):
	}
	rest, err := io.ReadAll(resp)
	must(t, err, "read the rest")
	if err := resp.Close(); err != nil {
		t.Errorf("transfer end during shutdown: %v", err)
	}
	if got := append(first, rest...); sum(got) != sum(data) {
		t.Errorf("download during shutdown: %d bytes, sha256 differs", len(got))
	}
	select {
	case err := <-done:
		must(t, err, "Shutdown")
	case <-time.After(5 * time.Second):
		t.Fatal("Shutdown did not return after the transfer")
	}
	if list := f.sessionsOf(t, a.ID); len(list) != 0 {
		t.Errorf("registry still holds %d sessions", len(list))
	}
}

func TestServer_ShutdownForcesStalledTransfers(t *testing.T) {
	f := newFixture(t, nil)
	f.account(t, "bob", "/", true, true, -1)
	must(t, os.WriteFile(filepath.Join(f.root, "big.bin"), pattern(32<<20), 0o644), "write")
	c := f.dial(t, "bob")
	resp, err := c.Retr("/big.bin")
	must(t, err, "RETR")
	defer resp.Close()
	resp.Read(make([]byte, 1000)) // then the client stalls
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	must(t, f.srv.Shutdown(ctx), "Shutdown")
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("Shutdown took %v", d)
	}
	f.srv.mu.Lock()
	n := len(f.srv.sessions)
	f.srv.mu.Unlock()
	if n != 0 {
		t.Errorf("%d sessions left after Shutdown", n)
	}
}

func TestServer_RepliesHideHostPaths(t *testing.T) {
	f := newFixture(t, nil)
	f.account(t, "bob", "/httpdocs", true, true, -1)
	r := dialRaw(t, f.addr)
	r.login("bob")
	for _, cmd := range []string{"CWD /nothere", "SIZE /nothere", "MDTM /x/y", "DELE /nothere", "RMD /nothere",
		"MKD /no/such/dir", "RNFR /nothere", "MLST /nothere", "STAT /nothere", "SITE CHMOD 644 /nothere",
		"MFMT 20200101000000 /nothere", "CWD ../../..", "MKD /\x01bad"} {
		code, msg := r.cmd("%s", cmd)
		if strings.Contains(msg, f.env.Dir) || strings.Contains(msg, "openat") || strings.Contains(msg, "escapes") {
			t.Errorf("%s: %d %s", cmd, code, msg)
		}
	}
	for _, cmd := range []string{"RETR /nothere", "LIST /nothere", "RETR /", "STOR /"} {
		_, _, code, msg := r.transfer(cmd, []byte{})
		if strings.Contains(msg, f.env.Dir) || strings.Contains(msg, "openat") || code/100 == 2 {
			t.Errorf("%s: %d %s", cmd, code, msg)
		}
	}
}

func TestServer_KillDuringTransfer(t *testing.T) {
	for _, dir := range []string{"Download", "Upload"} {
		t.Run(dir, func(t *testing.T) {
			f := newFixture(t, nil)
			a := f.account(t, "bob", "/", true, true, -1)
			must(t, os.WriteFile(filepath.Join(f.root, "big.bin"), pattern(64<<20), 0o644), "write")
			r := dialRaw(t, f.addr)
			r.login("bob")
			d := r.epsv()
			defer d.Close()
			cmd := "RETR /big.bin"
			if dir == "Upload" {
				cmd = "STOR /up.bin"
			}
			if code, msg := r.cmd("%s", cmd); code != 150 {
				t.Fatalf("%s: %d %s", cmd, code, msg)
			}
			// Download: read a little, then stall. Upload: keep sending.
			stop := make(chan struct{})
			defer close(stop)
			if dir == "Download" {
				d.Read(make([]byte, 4096))
			} else {
				go func() {
					buf := pattern(64 << 10)
					for {
						select {
						case <-stop:
							return
						default:
						}
						if _, err := d.Write(buf); err != nil {
							return
						}
					}
				}()
			}
			var id string
			waitFor(t, 3*time.Second, "the session in the registry", func() bool {
				if list := f.sessionsOf(t, a.ID); len(list) == 1 {
					id = list[0].ID
				}
				return id != ""
			})
			start := time.Now()
			must(t, f.env.Service.KillSession(f.admin(), id), "kill")
			_ = d.SetDeadline(time.Now().Add(3 * time.Second))
			buf := make([]byte, 1<<20)
			for {
				var err error
				if dir == "Download" {
					_, err = d.Read(buf)
				} else {
					_, err = d.Write(buf)
				}
				if err != nil {
					var ne net.Error
					if errors.As(err, &ne) && ne.Timeout() {
						t.Fatalf("data connection still open after %v", time.Since(start))
					}
					break
				}
			}
			if el := time.Since(start); el > 2*time.Second {
				t.Errorf("transfer stopped after %v, want ≤ 2s", el)
			}
			waitFor(t, 3*time.Second, "the server to drop the session", func() bool {
				f.srv.mu.Lock()
				defer f.srv.mu.Unlock()
				return len(f.srv.sessions) == 0
			})
		})
	}
}

func TestServer_IdleTimeout(t *testing.T) {
	// Long enough for a login (an argon2id verification, slow under the
	// race detector) to fit in it: the time-out also runs while the
	// client waits for the PASS reply.
	const idle = 4 * time.Second
	f := newFixture(t, func(c *Config) { c.IdleTimeout = idle })
	f.account(t, "bob", "/", true, true, -1)
	r := dialRaw(t, f.addr)
	r.login("bob")
	start := time.Now()
	code, msg := r.read()
	if el := time.Since(start); code != 421 || el < idle*9/10-2*time.Second || el > idle+5*time.Second {
		t.Errorf("after %v idle: %d %s, want 421 after about %v", el, code, msg, idle)
	}
}

func TestNew_Config(t *testing.T) {
	svc := hostingtest.New(t).Service
	for _, tc := range []struct {
		name string
		cfg  Config
		ok   bool
	}{
		{"Defaults", Config{}, true},
		{"BadTLSMode", Config{TLS: "maybe"}, false},
		{"RequiredWithoutCert", Config{TLS: TLSRequired}, false},
		{"PortRange", Config{PassivePorts: [2]int{30000, 30100}}, true},
		{"PortRangeReversed", Config{PassivePorts: [2]int{30100, 30000}}, false},
		{"PortRangeZeroLow", Config{PassivePorts: [2]int{0, 30000}}, false},
		{"PortTooHigh", Config{PassivePorts: [2]int{60000, 70000}}, false},
		{"PublicHostIPv4", Config{PublicHost: "203.0.113.10"}, true},
		{"PublicHostName", Config{PublicHost: "ftp.example.com"}, false},
		{"PublicHostIPv6", Config{PublicHost: "2001:db8::1"}, false},
		{"BadUmask", Config{Umask: 0o1022}, false},
		{"NodeWithSpace", Config{Node: "a b"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(svc, tc.cfg, nil)
			if (err == nil) != tc.ok {
				t.Errorf("New: got %v, want ok=%v", err, tc.ok)
			}
		})
	}
}

func TestServer_StartErrors(t *testing.T) {
	f := newFixture(t, nil)
	srv, err := New(f.env.Service, Config{ListenAddr: f.addr}, nil)
	must(t, err, "New")
	if err := srv.Start(context.Background()); err == nil || !strings.Contains(err.Error(), "listen") {
		t.Errorf("Start on a port in use: got %v", err)
	}
	if err := srv.Shutdown(context.Background()); err != nil {
		t.Errorf("Shutdown of a server that did not start: %v", err)
	}
	if err := f.srv.Start(context.Background()); err == nil {
		t.Error("second Start: got no error")
	}
}

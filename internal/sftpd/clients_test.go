package sftpd

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"ftpanel/internal/hosting/hostingtest"
)

// e2e is a server with an account "e2e" (home /httpdocs, with a key) and
// the files real clients need: a known_hosts with the server's host keys
// and a random local file.
type e2e struct {
	*fixture
	login      string
	home       string
	key        userKey
	host, port string
	knownHosts string
	local      string // a 3 MiB + 7 B random file
	localSum   string
	dir        string
}

func newE2E(t *testing.T, tools ...string) *e2e {
	t.Helper()
	if testing.Short() {
		t.Skip("-short")
	}
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed", tool)
		}
	}
	f := newFixture(t, nil)
	a := f.account(t, "e2e", "/httpdocs", true, true, -1)
	k := newUserKey(t)
	f.addKey(t, a.Login, k)
	host, port, _ := net.SplitHostPort(f.addr)
	dir := t.TempDir()
	var kh bytes.Buffer
	for _, hk := range f.cfg.HostKeys {
		fmt.Fprintf(&kh, "[%s]:%s %s", host, port, ssh.MarshalAuthorizedKey(hk.PublicKey()))
	}
	e := &e2e{fixture: f, login: a.Login, home: filepath.Join(f.root, "httpdocs"), key: k, host: host, port: port,
		knownHosts: filepath.Join(dir, "known_hosts"), local: filepath.Join(dir, "local.bin"), dir: dir}
	if err := os.WriteFile(e.knownHosts, kh.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	data := randomBytes(t, 3<<20+7)
	if err := os.WriteFile(e.local, data, 0o600); err != nil {
		t.Fatal(err)
	}
	e.localSum = fileSum(t, e.local)
	return e
}

func fileSum(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// sshOpts are OpenSSH options: the test key only, the server's host keys
// checked strictly, never a prompt.
func (e *e2e) sshOpts() []string {
	return []string{"-F", "/dev/null", "-i", e.key.file, "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes",
		"-o", "StrictHostKeyChecking=yes", "-o", "UserKnownHostsFile=" + e.knownHosts,
		"-o", "GlobalKnownHostsFile=/dev/null", "-o", "ConnectTimeout=10"}
}

func (e *e2e) run(t *testing.T, name string, env []string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = e.dir
	cmd.Env = append(append(os.Environ(), "HOME="+e.dir), env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// wantFile checks that the upload landed byte-exact in the home.
func (e *e2e) wantFile(t *testing.T, name string) {
	t.Helper()
	if got := fileSum(t, filepath.Join(e.home, name)); got != e.localSum {
		t.Fatalf("%s on disk differs from the upload", name)
	}
}

// put places the local file in the home through the Go client, for
// downloads by another client.
func (e *e2e) put(t *testing.T, name string) {
	t.Helper()
	c := e.dial(t, e.login, hostingtest.Password)
	w, err := c.Create("/" + name)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(e.local)
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestOpenSSH: sftp -b (batch) and scp, which speaks SFTP since OpenSSH 9;
// scp -O (exec), ssh (shell) and port forwarding are refused.
func TestOpenSSH(t *testing.T) {
	t.Parallel()
	e := newE2E(t, "sftp", "scp", "ssh")
	e.put(t, "fromgo.bin")
	batch := filepath.Join(e.dir, "batch")
	script := `put local.bin up.bin
mkdir sub
rename up.bin sub/up.bin
ls -l sub
chmod 600 sub/up.bin
df
get fromgo.bin back.bin
-symlink sub/up.bin link
-get ../../../etc/passwd passwd
-put local.bin ../../escape.bin
`
	if err := os.WriteFile(batch, []byte(script), 0o600); err != nil {
		t.Fatal(err)
	}
	args := append(e.sshOpts(), "-b", batch, "-P", e.port, e.login+"@"+e.host)
	out, err := e.run(t, "sftp", nil, args...)
	if err != nil {
		t.Fatalf("sftp -b: %v\n%s", err, out)
	}
	e.wantFile(t, "sub/up.bin")
	if fi, _ := os.Stat(filepath.Join(e.home, "sub", "up.bin")); fi.Mode().Perm() != 0o600 {
		t.Errorf("chmod 600: %v", fi.Mode())
	}
	if got := fileSum(t, filepath.Join(e.dir, "back.bin")); got != e.localSum {
		t.Error("sftp get differs")
	}
	for _, bad := range []string{filepath.Join(e.home, "link"), filepath.Join(e.dir, "passwd"),
		filepath.Join(e.home, "..", "..", "escape.bin"), filepath.Join(filepath.Dir(e.home), "escape.bin")} {
		if _, err := os.Lstat(bad); err == nil {
			t.Errorf("%s exists", bad)
		}
	}
	if !strings.Contains(out, "Size") && !strings.Contains(out, "Avail") {
		t.Errorf("df printed nothing:\n%s", out)
	}
	t.Logf("sftp -b:\n%s", out)

	// scp (SFTP mode), both ways.
	args = append(e.sshOpts(), "-P", e.port, e.local, e.login+"@"+e.host+":/scp.bin")
	if out, err := e.run(t, "scp", nil, args...); err != nil {
		t.Fatalf("scp upload: %v\n%s", err, out)
	}
	e.wantFile(t, "scp.bin")
	if fi, _ := os.Stat(filepath.Join(e.home, "scp.bin")); fi.Mode().Perm() != 0o644 {
		t.Errorf("scp.bin mode %v, want 0644", fi.Mode())
	}
	args = append(e.sshOpts(), "-P", e.port, e.login+"@"+e.host+":/fromgo.bin", filepath.Join(e.dir, "scp-back.bin"))
	if out, err := e.run(t, "scp", nil, args...); err != nil {
		t.Fatalf("scp download: %v\n%s", err, out)
	}
	if fileSum(t, filepath.Join(e.dir, "scp-back.bin")) != e.localSum {
		t.Error("scp download differs")
	}
	// scp -O is the legacy exec mode: refused with the message.
	args = append(e.sshOpts(), "-O", "-P", e.port, e.local, e.login+"@"+e.host+":/legacy.bin")
	out, err = e.run(t, "scp", nil, args...)
	if err == nil || !strings.Contains(out, "SFTP only") {
		t.Errorf("scp -O: err %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(e.home, "legacy.bin")); err == nil {
		t.Error("scp -O wrote a file")
	}
	// A shell command, and a port forward.
	args = append(e.sshOpts(), "-p", e.port, e.login+"@"+e.host, "cat /etc/passwd")
	out, err = e.run(t, "ssh", nil, args...)
	if err == nil || !strings.Contains(out, "SFTP only") || strings.Contains(out, "root:") {
		t.Errorf("ssh command: err %v\n%s", err, out)
	}
	args = append(e.sshOpts(), "-p", e.port, "-N", "-o", "ExitOnForwardFailure=yes", "-R", "0:127.0.0.1:9", e.login+"@"+e.host)
	out, err = e.run(t, "ssh", nil, args...)
	if err == nil {
		t.Errorf("ssh -R: no error\n%s", out)
	}
}

// TestLFTP: lftp's sftp:// (through the ssh binary, key login).
func TestLFTP(t *testing.T) {
	t.Parallel()
	e := newE2E(t, "lftp", "ssh")
	e.put(t, "fromgo.bin")
	connect := "ssh -a -x " + strings.Join(e.sshOpts(), " ")
	script := fmt.Sprintf(`set sftp:connect-program "%s"; set net:max-retries 1; set net:timeout 10;
open -u %s, -p %s sftp://%s; put -O / local.bin -o lftp.bin; get /fromgo.bin -o lftp-back.bin; mkdir /ldir; mv /lftp.bin /ldir/lftp.bin; ls /ldir; quit`,
		connect, e.login, e.port, e.host)
	out, err := e.run(t, "lftp", nil, "-c", script)
	if err != nil {
		t.Fatalf("lftp: %v\n%s", err, out)
	}
	e.wantFile(t, "ldir/lftp.bin")
	if fileSum(t, filepath.Join(e.dir, "lftp-back.bin")) != e.localSum {
		t.Error("lftp download differs")
	}
	t.Logf("lftp:\n%s", out)
}

// TestRclone: rclone's sftp backend, password login.
func TestRclone(t *testing.T) {
	t.Parallel()
	e := newE2E(t, "rclone")
	e.put(t, "fromgo.bin")
	obscured, err := e.run(t, "rclone", nil, "obscure", hostingtest.Password)
	if err != nil {
		t.Fatalf("rclone obscure: %v %s", err, obscured)
	}
	env := []string{"RCLONE_CONFIG=/dev/null", "RCLONE_CONFIG_E2E_TYPE=sftp", "RCLONE_CONFIG_E2E_HOST=" + e.host,
		"RCLONE_CONFIG_E2E_PORT=" + e.port, "RCLONE_CONFIG_E2E_USER=" + e.login,
		"RCLONE_CONFIG_E2E_PASS=" + strings.TrimSpace(obscured), "RCLONE_CONFIG_E2E_KNOWN_HOSTS_FILE=" + e.knownHosts,
		"RCLONE_CONFIG_E2E_DISABLE_HASHCHECK=true", "RCLONE_CONFIG_E2E_SHELL_TYPE=none"}
	for _, args := range [][]string{
		{"copyto", e.local, "e2e:/rclone/up.bin"},
		{"copyto", "e2e:/fromgo.bin", filepath.Join(e.dir, "rclone-back.bin")},
		{"lsl", "e2e:/rclone"},
		{"about", "e2e:/"},
	} {
		out, err := e.run(t, "rclone", env, append(args, "--retries", "1", "--low-level-retries", "1")...)
		if err != nil {
			t.Fatalf("rclone %s: %v\n%s", args[0], err, out)
		}
		t.Logf("rclone %s:\n%s", args[0], out)
	}
	e.wantFile(t, "rclone/up.bin")
	if fileSum(t, filepath.Join(e.dir, "rclone-back.bin")) != e.localSum {
		t.Error("rclone download differs")
	}
}

// TestParamiko: python3-paramiko, password login; then curl (libssh2),
// downloading paramiko's upload: bytes checked through another client.
func TestParamiko(t *testing.T) {
	t.Parallel()
	e := newE2E(t, "/usr/bin/python3")
	if out, err := e.run(t, "/usr/bin/python3", nil, "-c", "import paramiko"); err != nil {
		t.Skipf("paramiko is not installed: %s", out)
	}
	script := `
import hashlib, sys, paramiko
host, port, user, pw, local = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
t = paramiko.Transport((host, port))
t.connect(username=user, password=pw)
print("cipher", t.remote_cipher, "mac", t.remote_mac, "kex", t.kex_engine.__class__.__name__)
s = paramiko.SFTPClient.from_transport(t)
s.put(local, "/paramiko.bin")
s.get("/paramiko.bin", local + ".back")
print("stat", s.stat("/paramiko.bin").st_size, oct(s.stat("/paramiko.bin").st_mode))
print("list", sorted(s.listdir("/")))
try:
    s.open("/../../../etc/passwd").read()
    print("ESCAPED"); sys.exit(3)
except IOError as e:
    print("refused", e)
try:
    s.symlink("/paramiko.bin", "/plink")
    print("SYMLINK"); sys.exit(4)
except IOError as e:
    print("symlink refused", e)
s.close(); t.close()
a = hashlib.sha256(open(local, "rb").read()).hexdigest()
b = hashlib.sha256(open(local + ".back", "rb").read()).hexdigest()
sys.exit(0 if a == b else 5)
`
	out, err := e.run(t, "/usr/bin/python3", nil, "-c", script, e.host, e.port, e.login, hostingtest.Password, e.local)
	if err != nil {
		t.Fatalf("paramiko: %v\n%s", err, out)
	}
	t.Logf("paramiko:\n%s", out)
	e.wantFile(t, "paramiko.bin")
	// Wrong password: refused.
	out, err = e.run(t, "/usr/bin/python3", nil, "-c", script, e.host, e.port, e.login, "wrong", e.local)
	if err == nil || !strings.Contains(out, "Authentication failed") {
		t.Errorf("paramiko with a wrong password: %v\n%s", err, out)
	}
	if _, err := exec.LookPath("curl"); err != nil {
		return
	}
	if v, _ := e.run(t, "curl", nil, "-V"); !strings.Contains(v, "sftp") {
		return
	}
	back := filepath.Join(e.dir, "curl-back.bin")
	out, err = e.run(t, "curl", nil, "-sS", "--insecure", "-u", e.login+":"+hostingtest.Password,
		"-o", back, "sftp://"+net.JoinHostPort(e.host, e.port)+"/paramiko.bin")
	if err != nil {
		t.Fatalf("curl sftp: %v\n%s", err, out)
	}
	if fileSum(t, back) != e.localSum {
		t.Error("curl download of paramiko's upload differs")
	}
}

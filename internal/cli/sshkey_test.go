package cli_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"
)

func newAuthorizedKey(t *testing.T, comment string) (line, fingerprint string) {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pk, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pk))) + " " + comment, ssh.FingerprintSHA256(pk)
}

type sshKey struct {
	ID          int64  `json:"id"`
	Login       string `json:"login"`
	Type        string `json:"type"`
	PublicKey   string `json:"public_key"`
	Fingerprint string `json:"fingerprint"`
	Comment     string `json:"comment"`
}

// TestCLI_AccountKey: account key add (flag, file, stdin), list, del and
// their errors.
func TestCLI_AccountKey(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.ok(t, nil, "customer", "add", "kc")
	e.ok(t, nil, "site", "add", "keys.example", "--customer", "kc", "--main-login", "keysmain")
	login := "keysmain"
	k1, fp1 := newAuthorizedKey(t, "one@laptop")
	k2, fp2 := newAuthorizedKey(t, "two")
	k3, fp3 := newAuthorizedKey(t, "")
	file := filepath.Join(t.TempDir(), "id.pub")
	if err := os.WriteFile(file, []byte(k2+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var k sshKey
	e.ok(t, &k, "account", "key", "add", login, "--key", k1)
	if k.Fingerprint != fp1 || k.Login != login || k.Type != "ssh-ed25519" || k.Comment != "one@laptop" || k.ID == 0 {
		t.Fatalf("added %+v", k)
	}
	e.ok(t, &k, "account", "key", "add", login, "--file", file)
	if k.Fingerprint != fp2 {
		t.Fatalf("from file: %+v", k)
	}
	e.okIn(t, k3+"\n", &k, "account", "key", "add", login)
	if k.Fingerprint != fp3 {
		t.Fatalf("from stdin: %+v", k)
	}
	e.fails(t, "", 4, "conflict", "account", "key", "add", login, "--key", k1)
	e.fails(t, "", 2, "invalid_input", "account", "key", "add", login, "--key", "ssh-dss AAAAB3NzaC1kc3M")
	e.fails(t, "", 2, "invalid_input", "account", "key", "add", login, "--key", `command="sh" `+k1)
	e.fails(t, "", 3, "not_found", "account", "key", "add", "nobody", "--key", k1)
	var list []sshKey
	e.ok(t, &list, "account", "key", "list", login)
	if len(list) != 3 || list[0].Fingerprint != fp1 || list[1].Fingerprint != fp2 || list[2].Fingerprint != fp3 {
		t.Fatalf("list %+v", list)
	}
	r := e.run(t, "account", "key", "list", login)
	if r.code != 0 || !strings.Contains(r.stdout, "FINGERPRINT") || !strings.Contains(r.stdout, fp1) || !strings.Contains(r.stdout, "one@laptop") {
		t.Fatalf("text list: %v", r)
	}
	var d deleted
	e.ok(t, &d, "account", "key", "del", login, fp2)
	if d.Deleted != fp2 || d.Type != "ssh_key" {
		t.Fatalf("deleted %+v", d)
	}
	e.fails(t, "", 3, "not_found", "account", "key", "del", login, fp2)
	e.ok(t, nil, "account", "key", "del", login, "1") // by ID
	e.ok(t, &list, "account", "key", "list", login)
	if len(list) != 1 || list[0].Fingerprint != fp3 {
		t.Fatalf("after deletes: %+v", list)
	}
	var events []auditEvent
	e.ok(t, &events, "audit", "list")
	n := 0
	for _, ev := range events {
		if strings.HasPrefix(ev.Action, "sshkey.") {
			n++
		}
	}
	if n != 5 {
		t.Errorf("%d sshkey audit events, want 5", n)
	}
}

// TestCLI_ServeSFTP: serve prints the SFTP address and the host key
// fingerprints (the keys generated in <data>/ssh, kept across starts); an
// account made with the CLI logs in over SFTP with a key added with
// `account key add`.
func TestCLI_ServeSFTP(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := e.startServe(t)
	var text []string
	for {
		l := strings.TrimSpace(s.line(t))
		text = append(text, l)
		if strings.HasPrefix(l, "sftp -P ") {
			break
		}
	}
	out := strings.Join(text, "\n")
	pub, err := os.ReadFile(filepath.Join(e.data, "ssh", "ssh_host_ed25519_key.pub"))
	if err != nil {
		t.Fatalf("host key: %v\n%s", err, out)
	}
	hk, _, _, _, err := ssh.ParseAuthorizedKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"SFTP:           127.0.0.1:", "host key:     ssh-ed25519 " + ssh.FingerprintSHA256(hk),
		"host key:     ssh-rsa SHA256:", "sftp -P "} {
		if !strings.Contains(out, want) {
			t.Errorf("serve output lacks %q:\n%s", want, out)
		}
	}
	for _, f := range []string{"ssh_host_ed25519_key", "ssh_host_rsa_key"} {
		if fi, err := os.Stat(filepath.Join(e.data, "ssh", f)); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v %v", f, fi, err)
		}
	}
	s.stop(t)

	s = e.startServe(t, "--json")
	var info struct {
		SFTPAddr string   `json:"sftp_addr"`
		HostKeys []string `json:"sftp_host_keys"`
	}
	if err := json.Unmarshal([]byte(s.line(t)), &info); err != nil {
		t.Fatal(err)
	}
	if info.SFTPAddr == "" || len(info.HostKeys) != 2 || info.HostKeys[0] != "ssh-ed25519 "+ssh.FingerprintSHA256(hk) {
		t.Fatalf("second start %+v: want the same host keys", info)
	}
	e.ok(t, nil, "customer", "add", "sc")
	e.ok(t, nil, "site", "add", "sftp.example", "--customer", "sc", "--main-login", "sftpmain")
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	e.ok(t, nil, "account", "key", "add", "sftpmain", "--key", string(ssh.MarshalAuthorizedKey(signer.PublicKey())))
	c, err := ssh.Dial("tcp", info.SFTPAddr, &ssh.ClientConfig{User: "sftpmain", Auth: []ssh.AuthMethod{ssh.PublicKeys(signer)},
		HostKeyCallback: ssh.FixedHostKey(hk), HostKeyAlgorithms: []string{ssh.KeyAlgoED25519}, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatalf("ssh: %v", err)
	}
	sc, err := sftp.NewClient(c)
	if err != nil {
		t.Fatal(err)
	}
	names, err := sc.ReadDir("/")
	if err != nil || len(names) < 2 {
		t.Fatalf("ReadDir: %v %v", names, err)
	}
	var sessions []struct {
		Protocol string `json:"protocol"`
		Login    string `json:"login"`
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		e.ok(t, &sessions, "session", "list")
		if len(sessions) == 1 || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if len(sessions) != 1 || sessions[0].Protocol != "sftp" || sessions[0].Login != "sftpmain" {
		t.Errorf("session list = %+v", sessions)
	}
	sc.Close()
	c.Close()
	s.stop(t)
}

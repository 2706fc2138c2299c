package cli_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

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

package hosting_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"maps"
	"net/netip"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"

	"ftpanel/internal/hosting"
	"ftpanel/internal/hosting/hostingtest"
)

// authorizedKey returns a fresh public key of kind in authorized_keys form.
func authorizedKey(tb testing.TB, kind string) (string, ssh.PublicKey) {
	tb.Helper()
	var pub any
	switch kind {
	case "ed25519":
		p, _, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			tb.Fatal(err)
		}
		pub = p
	case "ecdsa":
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			tb.Fatal(err)
		}
		pub = &k.PublicKey
	case "rsa1024", "rsa2048":
		bits := 1024
		if kind == "rsa2048" {
			bits = 2048
		}
		k, err := rsa.GenerateKey(rand.Reader, bits)
		if err != nil {
			tb.Fatal(err)
		}
		pub = &k.PublicKey
	}
	pk, err := ssh.NewPublicKey(pub)
	if err != nil {
		tb.Fatal(err)
	}
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pk))), pk
}

func TestParseSSHKey(t *testing.T) {
	t.Parallel()
	ed, edKey := authorizedKey(t, "ed25519")
	ec, _ := authorizedKey(t, "ecdsa")
	r2, _ := authorizedKey(t, "rsa2048")
	r1, _ := authorizedKey(t, "rsa1024")
	dsa := "ssh-dss AAAAB3NzaC1kc3MAAACBAP1/U4EddRIpUt9KnC7s5Of2EbdSPO9EAMMeP4C2USZpRV1AIlH7WT2NWPq/xfW6MPbLm1Vs14E7gB00b/JmYLdrmVClpJ+f6AR7ECLCT7up1/63xhv4O1fnxqimFQ8E+4P208UewwI1VBNaFpEy9nXzrith1yrv8iIDGZ3RSAHHAAAAFQCXYFCPFSMLzLKSuYKi64QL8Fgc9QAAAIEA9+GghdabPd7LvKtcNrhXuXmUr7v6OuqC+VdMCz0HgmdRWVeOutRZT+ZxBxCBgLRJFnEj6EwoFhO3zwkyjMim4TwWeotUfI0o4KOuHiuzpnWRbqN/C/ohNWLx+2J6ASQ7zKTxvqhRkImog9/hWuWfBpKLZl6Ae1UlZAFMO/7PSSoAAACBAPK4S9EYVqYgPEyDNphR4PwzDnRPmBFYnJTuPvJW+OwZBQk5H5A3WN2fQyHn9iBLLChbXHqj9vrTx7X7m4wFgVs9LqHp3ntEpu7rJhFp6aZAa3PbnY0W91CK7ZTZd0ldHHsHrBPeOMpVPrn6XWBtLjPcX9rKsDtfMbUxPwM4IxPW"
	tests := []struct {
		name, in, typ string
		comment       string
		want          hosting.Code
	}{
		{"OK/ed25519 with comment", ed + " alice@laptop", "ssh-ed25519", "alice@laptop", ""},
		{"OK/ed25519 spaces around", "  " + ed + "  ", "ssh-ed25519", "", ""},
		{"OK/ecdsa", ec, "ecdsa-sha2-nistp256", "", ""},
		{"OK/rsa 2048", r2 + " build", "ssh-rsa", "build", ""},
		{"ErrInvalid/rsa 1024", r1, "", "", hosting.CodeInvalidInput},
		{"ErrInvalid/dsa", dsa, "", "", hosting.CodeInvalidInput},
		{"ErrInvalid/empty", "  ", "", "", hosting.CodeInvalidInput},
		{"ErrInvalid/garbage", "ssh-ed25519 not-base64!!", "", "", hosting.CodeInvalidInput},
		{"ErrInvalid/private key", "-----BEGIN OPENSSH PRIVATE KEY-----", "", "", hosting.CodeInvalidInput},
		{"ErrInvalid/options", `from="10.0.0.1" ` + ed, "", "", hosting.CodeInvalidInput},
		{"ErrInvalid/command option", `command="/bin/sh" ` + ed, "", "", hosting.CodeInvalidInput},
		{"ErrInvalid/two keys", ed + "\n" + ec, "", "", hosting.CodeInvalidInput},
		{"ErrInvalid/control char in comment", ed + " a\x01b", "", "", hosting.CodeInvalidInput},
		{"ErrInvalid/too long", ed + " " + strings.Repeat("x", 17<<10), "", "", hosting.CodeInvalidInput},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k, err := hosting.ParseSSHKey(tc.in)
			wantCode(t, err, tc.want)
			if tc.want != "" {
				if hosting.ErrorField(err) != "public_key" && hosting.ErrorField(err) != "comment" {
					t.Errorf("field %q", hosting.ErrorField(err))
				}
				return
			}
			if k.Type != tc.typ || k.Comment != tc.comment || !strings.HasPrefix(k.Fingerprint, "SHA256:") ||
				strings.Contains(k.PublicKey, " "+tc.comment+"x") || len(strings.Fields(k.PublicKey)) != 2 {
				t.Errorf("key = %+v", k)
			}
		})
	}
	k, err := hosting.ParseSSHKey(ed)
	if err != nil || k.Fingerprint != ssh.FingerprintSHA256(edKey) || k.PublicKey != ed {
		t.Fatalf("fingerprint %q (want %q), key %q, err %v", k.Fingerprint, ssh.FingerprintSHA256(edKey), k.PublicKey, err)
	}
}

func TestService_SSHKeys(t *testing.T) {
	t.Parallel()
	env := hostingtest.New(t)
	env.MustCustomer(t, "alice")
	env.MustCustomer(t, "bob")
	env.MustSite(t, "alice", "a.example")
	env.MustSite(t, "bob", "b.example")
	ctx := admin(env)
	if _, _, err := env.Service.CreateAccount(ctx, hosting.AccountCreate{Site: "a.example", Login: "ak", Password: pw}); err != nil {
		t.Fatal(err)
	}
	line, pk := authorizedKey(t, "ed25519")
	_, other := authorizedKey(t, "ed25519")
	alice, bob := as(env, "alice"), as(env, "bob")
	ip := netip.MustParseAddr("127.0.0.1")

	k, err := env.Service.AddSSHKey(alice, "ak", line+" alice@laptop")
	if err != nil {
		t.Fatal(err)
	}
	if k.AccountLogin != "ak" || k.Comment != "alice@laptop" || k.Fingerprint != ssh.FingerprintSHA256(pk) {
		t.Fatalf("added %+v", k)
	}
	_, err = env.Service.AddSSHKey(ctx, "ak", line+" again")
	wantCode(t, err, hosting.CodeConflict)
	_, err = env.Service.AddSSHKey(bob, "ak", line)
	wantCode(t, err, hosting.CodeNotFound)
	_, err = env.Service.AddSSHKey(alice, "ak", "ssh-ed25519 nonsense")
	wantCode(t, err, hosting.CodeInvalidInput)
	if list, err := env.Service.SSHKeys(bob, "ak"); hosting.ErrorCode(err) != hosting.CodeNotFound {
		t.Fatalf("bob lists alice's keys: %v %v", list, err)
	}
	if list, err := env.Service.SSHKeys(alice, "ak"); err != nil || len(list) != 1 {
		t.Fatalf("SSHKeys = %v, %v", list, err)
	}
	ak, err := env.Service.Account(ctx, "ak")
	if err != nil {
		t.Fatal(err)
	}
	all, err := env.Service.Accounts(ctx, hosting.AccountFilter{}) // ak, and both sites' main accounts
	if err != nil || len(all) != 3 {
		t.Fatalf("Accounts = %v, %v", all, err)
	}
	for _, tc := range []struct {
		name  string
		actor context.Context
		want  map[int64]int
	}{
		{"admin", ctx, map[int64]int{ak.ID: 1}},
		{"owner", alice, map[int64]int{ak.ID: 1}},
		{"another customer", bob, map[int64]int{}},
	} {
		got, err := env.Service.SSHKeyCounts(tc.actor, all)
		if err != nil || !maps.Equal(got, tc.want) {
			t.Errorf("SSHKeyCounts as %s = %v, %v; want %v", tc.name, got, err, tc.want)
		}
	}
	if ev, err := env.Service.AuditEvents(ctx, hosting.AuditFilter{Action: "sshkey.add"}); err != nil || len(ev) != 1 ||
		!strings.Contains(ev[0].Detail, k.Fingerprint) {
		t.Fatalf("audit: %v %v", ev, err)
	}

	login := func(login string, key ssh.PublicKey) error {
		_, err := env.Service.AuthenticateSSHKey(context.Background(), login, key, ip)
		return err
	}
	wantCode(t, login("ak", pk), "")
	wantCode(t, login("ak", other), hosting.CodeUnauthorized)
	wantCode(t, login("nobody", pk), hosting.CodeUnauthorized)
	wantCode(t, login("a", pk), hosting.CodeUnauthorized) // the site's main account has no key
	// A password change keeps the keys.
	if _, err := env.Service.SetAccountPassword(alice, "ak", "N3w-passw0rd-long"); err != nil {
		t.Fatal(err)
	}
	wantCode(t, login("ak", pk), "")
	// Suspension blocks key logins.
	if _, err := env.Service.SetAccountStatus(ctx, "ak", hosting.StatusSuspended); err != nil {
		t.Fatal(err)
	}
	wantCode(t, login("ak", pk), hosting.CodeSuspended)
	if _, err := env.Service.SetAccountStatus(ctx, "ak", hosting.StatusActive); err != nil {
		t.Fatal(err)
	}
	wantCode(t, env.Service.DeleteSSHKey(bob, "ak", k.Fingerprint), hosting.CodeNotFound)
	wantCode(t, env.Service.DeleteSSHKey(alice, "ak", "SHA256:nope"), hosting.CodeNotFound)
	wantCode(t, env.Service.DeleteSSHKey(alice, "ak", k.Fingerprint), "")
	wantCode(t, login("ak", pk), hosting.CodeUnauthorized)
}

// Common mistakes get a message saying what to give instead, on every
// interface (CLI, REST, panel), and never quote the text given.
func TestParseSSHKey_Mistakes(t *testing.T) {
	t.Parallel()
	const secret = "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ"
	tests := []struct{ name, in, want string }{
		{"OpenSSH private key", "-----BEGIN OPENSSH PRIVATE KEY-----\n" + secret + "\n-----END OPENSSH PRIVATE KEY-----", "private key"},
		{"PKCS#1 private key", "-----BEGIN RSA PRIVATE KEY-----\n" + secret + "\n-----END RSA PRIVATE KEY-----", "private key"},
		{"PuTTY private key", "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nPrivate-Lines: 1\n" + secret, "private key"},
		{"DSA", "ssh-dss AAAAB3NzaC1kc3MAAACBAP1 old", "ssh-dss (DSA) is not accepted"},
		{"SSH2 form", "---- BEGIN SSH2 PUBLIC KEY ----\nComment: x\n" + secret + "\n---- END SSH2 PUBLIC KEY ----", "OpenSSH form"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := hosting.ParseSSHKey(tc.in)
			wantCode(t, err, hosting.CodeInvalidInput)
			if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), secret) {
				t.Errorf("error %v: want %q, without the text given", err, tc.want)
			}
		})
	}
}

package web_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/pem"
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"

	"ftpanel/internal/hosting"
	"ftpanel/internal/web"
)

// Host key fingerprints the SFTP tests give the panel.
var testHostKeys = []string{"ssh-ed25519 SHA256:7r1nVxYzqg0aHbq4m3Gf0xq6C3sWZVn0gK9T4cQpR2E",
	"ssh-rsa SHA256:Qm9vZ0F1dGhlbnRpY2F0ZWRLZXlGaW5nZXJwcmludDE"}

// newSSHKey returns a fresh ed25519 key: its authorized_keys line (no
// comment), its fingerprint and the private key in OpenSSH PEM form.
func newSSHKey(t testing.TB) (line, fingerprint, private string) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pk, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pk))), ssh.FingerprintSHA256(pk), string(pem.EncodeToMemory(block))
}

// htmlText is s as html/template writes it into a page (it also escapes
// "+", which fingerprints and base64 hold).
func htmlText(s string) string { return strings.ReplaceAll(html.EscapeString(s), "+", "&#43;") }

// sshWire encodes SSH wire strings (uint32 length, bytes) one after the
// other, as public key blobs are made.
func sshWire(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		n := len(p)
		out = append(out, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
		out = append(out, p...)
	}
	return out
}

// keyIDs returns the IDs of an account's keys, through the service.
func keyIDs(t testing.TB, p *panel, login string) []int64 {
	t.Helper()
	keys, err := p.env.Service.SSHKeys(p.ctx(), login)
	if err != nil {
		t.Fatalf("SSHKeys %s: %v", login, err)
	}
	var ids []int64
	for _, k := range keys {
		ids = append(ids, k.ID)
	}
	return ids
}

func TestSSHKeys(t *testing.T) {
	p := newPanel(t, web.Options{FTPHost: "ftp.example.com", SFTPPort: 2222, SFTPHostKeys: testHostKeys})
	alice := p.loggedIn(t, "alice")
	line, fp, private := newSSHKey(t)

	t.Run("ListEmpty", func(t *testing.T) {
		r := alice.get("/accounts/web1/keys")
		wantStatus(t, "GET keys", r, http.StatusOK)
		wantBody(t, "GET keys", r, "SSH keys of", "No keys yet", `<textarea id="k-public-key" name="public_key"`,
			`<label for="k-public-key">Public key</label>`, `action="/accounts/web1/keys"`,
			"sftp -P 2222 web1@ftp.example.com", htmlText(testHostKeys[0]), htmlText(testHostKeys[1]))
	})

	var keyID int64
	t.Run("Add", func(t *testing.T) {
		r := alice.post("/accounts/web1/keys", url.Values{"public_key": {"  " + line + " alice@laptop\r\n"}})
		wantStatus(t, "POST keys", r, http.StatusSeeOther)
		if r.location != "/accounts/web1/keys" {
			t.Fatalf("Location=%q, want /accounts/web1/keys", r.location)
		}
		r = alice.get(r.location)
		wantBody(t, "keys after add", r, `flash-success`, "added to web1", `<code>ssh-ed25519</code>`,
			`<code class="fingerprint">`+htmlText(fp)+`</code>`, "<td>alice@laptop</td>", "1 SSH key")
		wantNoBody(t, "keys after add", r, "No keys yet")
		ids := keyIDs(t, p, "web1")
		if len(ids) != 1 {
			t.Fatalf("keys after add: %v, want 1", ids)
		}
		keyID = ids[0]
		wantBody(t, "keys after add", r, `href="/accounts/web1/keys/`+strconv.FormatInt(keyID, 10)+`/delete"`)
		wantBody(t, "card", alice.get("/accounts"), "1 SSH key", `href="/accounts/web1/keys"`)
	})

	rsa1024, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	rsaPub, err := ssh.NewPublicKey(&rsa1024.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	certKey, err := ssh.NewPublicKey(ed25519.PublicKey(make([]byte, ed25519.PublicKeySize)))
	if err != nil {
		t.Fatal(err)
	}
	_, caPriv, _ := ed25519.GenerateKey(rand.Reader)
	ca, err := ssh.NewSignerFromKey(caPriv)
	if err != nil {
		t.Fatal(err)
	}
	cert := &ssh.Certificate{Key: certKey, CertType: ssh.UserCert, ValidPrincipals: []string{"web1"}, ValidBefore: ssh.CertTimeInfinity}
	if err := cert.SignCert(rand.Reader, ca); err != nil {
		t.Fatal(err)
	}
	dsa := "ssh-dss " + base64.StdEncoding.EncodeToString(sshWire([]byte("ssh-dss"), []byte{0x00, 0xc1, 0x02}, []byte{0x00, 0xd3},
		[]byte{0x02}, []byte{0x05})) + " old@dsa"

	for _, tc := range []struct {
		name string
		in   string
		code hosting.Code
		msg  string
		echo bool // the input is written back into the field
	}{
		{"Garbage", "hello world, this is not a key", hosting.CodeInvalidInput, "Not an SSH public key", true},
		{"Empty", "", hosting.CodeInvalidInput, "The public key is empty", false},
		{"PrivateKey", private, hosting.CodeInvalidInput, "This is a private key", false},
		{"Duplicate", line + " other-comment", hosting.CodeConflict, "Account web1 already has the key " + htmlText(fp), true},
		{"DSA", dsa, hosting.CodeInvalidInput, "Key type ssh-dss (DSA) is not accepted", true},
		{"ShortRSA", strings.TrimSpace(string(ssh.MarshalAuthorizedKey(rsaPub))), hosting.CodeInvalidInput, "RSA keys need 2048 bits or more", true},
		{"Certificate", strings.TrimSpace(string(ssh.MarshalAuthorizedKey(cert))), hosting.CodeInvalidInput, "Key type ssh-ed25519-cert-v01@openssh.com is not accepted", true},
		{"Options", "no-pty,no-port-forwarding " + line, hosting.CodeInvalidInput, "Authorized_keys options (no-pty,no-port-forwarding) are not supported", true},
		{"TwoKeys", line + "\n" + line, hosting.CodeInvalidInput, "Give one public key, on one line", true},
		{"SSH2Form", "---- BEGIN SSH2 PUBLIC KEY ----\nAAAAC3NzaC1lZDI1NTE5AAAAIA==\n---- END SSH2 PUBLIC KEY ----", hosting.CodeInvalidInput, "This key is in the SSH2 (RFC 4716) form", true},
	} {
		t.Run("Refused/"+tc.name, func(t *testing.T) {
			r := alice.post("/accounts/web1/keys", url.Values{"public_key": {tc.in}})
			wantStatus(t, "POST keys", r, http.StatusUnprocessableEntity)
			wantBody(t, "POST keys", r, `data-error-summary`, `<a href="#k-public-key" data-focus="k-public-key">`,
				`<p class="field-error" id="k-public-key-error" data-code="`+string(tc.code)+`">`+tc.msg, `aria-invalid="true"`,
				`aria-describedby="k-public-key-hint k-public-key-error"`)
			if tc.echo && tc.in != "" {
				wantBody(t, "POST keys", r, htmlText(strings.Split(tc.in, "\n")[0][:20]))
			}
			if ids := keyIDs(t, p, "web1"); len(ids) != 1 || ids[0] != keyID {
				t.Errorf("keys after a refused add: %v, want [%d]", ids, keyID)
			}
		})
	}
	t.Run("PrivateKeyNotEchoed", func(t *testing.T) {
		body := strings.Split(private, "\n")[1] // the first line of the key's base64
		r := alice.post("/accounts/web1/keys", url.Values{"public_key": {private}})
		wantNoBody(t, "POST private key", r, body, htmlText(body), "BEGIN OPENSSH PRIVATE KEY")
	})

	t.Run("CSRFMissing", func(t *testing.T) {
		other, _, _ := newSSHKey(t)
		r := alice.postRaw("/accounts/web1/keys", url.Values{"public_key": {other}})
		wantStatus(t, "POST keys without csrf", r, http.StatusForbidden)
		r = alice.postRaw("/accounts/web1/keys", url.Values{"public_key": {other}, "csrf": {"forged"}})
		wantStatus(t, "POST keys with a wrong csrf", r, http.StatusForbidden)
		r = alice.postRaw("/accounts/web1/keys/"+strconv.FormatInt(keyID, 10)+"/delete", url.Values{})
		wantStatus(t, "POST delete without csrf", r, http.StatusForbidden)
		if ids := keyIDs(t, p, "web1"); len(ids) != 1 {
			t.Errorf("keys after refused requests: %v, want 1", ids)
		}
	})

	t.Run("OtherCustomer", func(t *testing.T) {
		bob := p.loggedIn(t, "bob")
		other, _, _ := newSSHKey(t)
		id := strconv.FormatInt(keyID, 10)
		for _, r := range []response{
			bob.get("/accounts/web1/keys"),
			bob.post("/accounts/web1/keys", url.Values{"public_key": {other}}),
			bob.get("/accounts/web1/keys/" + id + "/delete"),
			bob.post("/accounts/web1/keys/"+id+"/delete", nil),
		} {
			wantStatus(t, "bob on web1's keys", r, http.StatusNotFound)
			wantNoBody(t, "bob on web1's keys", r, htmlText(fp))
		}
		if ids := keyIDs(t, p, "web1"); len(ids) != 1 || ids[0] != keyID {
			t.Errorf("web1 keys after bob: %v, want [%d]", ids, keyID)
		}
		wantStatus(t, "bob on his own keys", bob.get("/accounts/bobftp/keys"), http.StatusOK)
		// A key ID of another account, under one's own account, is not found either.
		wantStatus(t, "bob deletes web1's key through bobftp", bob.post("/accounts/bobftp/keys/"+id+"/delete", nil), http.StatusNotFound)
		if ids := keyIDs(t, p, "web1"); len(ids) != 1 {
			t.Errorf("web1 keys after bob: %v, want 1", ids)
		}
	})

	t.Run("AdminSees", func(t *testing.T) {
		r := p.loggedIn(t, "admin").get("/accounts/web1/keys")
		wantStatus(t, "admin GET keys", r, http.StatusOK)
		wantBody(t, "admin GET keys", r, htmlText(fp))
	})

	t.Run("Delete", func(t *testing.T) {
		id := strconv.FormatInt(keyID, 10)
		for _, bad := range []string{"999999", "abc", "0"} {
			wantStatus(t, "confirm "+bad, alice.get("/accounts/web1/keys/"+bad+"/delete"), http.StatusNotFound)
			wantStatus(t, "delete "+bad, alice.post("/accounts/web1/keys/"+bad+"/delete", nil), http.StatusNotFound)
		}
		r := alice.get("/accounts/web1/keys/" + id + "/delete")
		wantStatus(t, "GET confirm", r, http.StatusOK)
		wantBody(t, "GET confirm", r, "Delete SSH key?", htmlText(fp), `action="/accounts/web1/keys/`+id+`/delete"`, "alice@laptop")
		r = alice.post("/accounts/web1/keys/"+id+"/delete", nil)
		wantStatus(t, "POST delete", r, http.StatusSeeOther)
		if r.location != "/accounts/web1/keys" {
			t.Errorf("Location=%q, want /accounts/web1/keys", r.location)
		}
		r = alice.get(r.location)
		wantBody(t, "keys after delete", r, "flash-success", "deleted from web1", "No keys yet")
		if ids := keyIDs(t, p, "web1"); len(ids) != 0 {
			t.Errorf("keys after delete: %v, want none", ids)
		}
		wantStatus(t, "delete again", alice.post("/accounts/web1/keys/"+id+"/delete", nil), http.StatusNotFound)
	})

	t.Run("Audit", func(t *testing.T) {
		for _, action := range []string{"sshkey.add", "sshkey.delete"} {
			evs, err := p.env.Service.AuditEvents(p.ctx(), hosting.AuditFilter{Action: action, Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			if len(evs) != 1 {
				t.Fatalf("%s events: %d, want 1 (refused requests leave none)", action, len(evs))
			}
			e := evs[0]
			if e.Via != hosting.ViaWeb || e.Actor != "alice" || e.ObjectName != "web1" || e.Detail != "ssh-ed25519 "+fp {
				t.Errorf("%s event = %+v, want via web by alice on web1 with the fingerprint", action, e)
			}
		}
	})
}

// TestAccountCard_SFTP: with SFTPPort set, cards, the site header, the
// edit page and the once-page after a create show how to connect over
// SFTP (a ready command line, without -P for port 22) and the host key
// fingerprints; with SFTPPort 0 nothing about SFTP is shown.
func TestAccountCard_SFTP(t *testing.T) {
	for _, tc := range []struct {
		name   string
		opts   web.Options
		want   []string
		wantNo []string
	}{
		{"On", web.Options{FTPHost: "ftp.example.com", SFTPPort: 2222, SFTPHostKeys: testHostKeys},
			[]string{`<code id="sftp-web1" class="sftp-command">sftp -P 2222 web1@ftp.example.com</code>`,
				`data-copy="sftp-web1"`, testHostKeys[0], testHostKeys[1], "SFTP host key fingerprints",
				`, SFTP on port <code>2222</code>`, "No SSH keys", `href="/accounts/web1/keys"`, "Manage<span class=\"sr-only\"> SSH keys of web1</span>"},
			[]string{"sftp-bobftp"}},
		{"Port22", web.Options{FTPHost: "ftp.example.com", SFTPPort: 22},
			[]string{`>sftp web1@ftp.example.com</code>`, `, SFTP on port <code>22</code>`},
			[]string{"sftp -P", "SFTP host key fingerprints"}},
		{"IPv6", web.Options{FTPHost: "2001:db8::21", SFTPPort: 2222},
			[]string{`>sftp -P 2222 &#39;web1@[2001:db8::21]&#39;</code>`}, nil},
		{"Off", web.Options{FTPHost: "ftp.example.com"}, nil,
			[]string{"sftp", "SFTP", "SSH key", "host key", "/keys"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newPanel(t, tc.opts)
			alice := p.loggedIn(t, "alice")
			pages := map[string]response{
				"accounts":      alice.get("/accounts"),
				"site accounts": alice.get("/sites/example.com/accounts"),
			}
			for name, r := range pages {
				wantStatus(t, name, r, http.StatusOK)
				wantNoBody(t, name, r, tc.wantNo...)
			}
			wantBody(t, "accounts", pages["accounts"], tc.want...)
			edit := alice.get("/accounts/web1/edit")
			wantStatus(t, "edit", edit, http.StatusOK)
			wantNoBody(t, "edit", edit, tc.wantNo...)
			created := alice.reveal("simple add", alice.post("/accounts", url.Values{"site": {"example.com"}}))
			wantNoBody(t, "once-page", created, tc.wantNo...)
			if tc.opts.SFTPPort == 0 {
				return
			}
			wantBody(t, "site accounts", pages["site accounts"], `<span>SFTP port <code>`+strconv.Itoa(tc.opts.SFTPPort)+`</code></span>`)
			wantBody(t, "edit", edit, `No SSH keys · <a href="/accounts/web1/keys">Manage SSH keys</a>`)
			wantBody(t, "once-page", created, `id="cred-sftp"`, `data-copy="cred-sftp"`, "SFTP port")
			for i, fp := range tc.opts.SFTPHostKeys {
				wantBody(t, "once-page", created, `<code id="cred-hostkey-`+strconv.Itoa(i+1)+`">`+fp+`</code>`)
			}
		})
	}
}

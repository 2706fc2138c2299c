package api

import (
	"crypto/ed25519"
	"crypto/rand"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"

	"ftpanel/internal/hosting"
)

// testKeyLine returns a fresh ed25519 public key in authorized_keys form.
func testKeyLine(t testing.TB) string {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pk, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pk)))
}

func TestAPI_SSHKeys(t *testing.T) {
	e := newTestEnv(t, nil)
	line := testKeyLine(t)
	r := e.do(t, e.alice, "POST", "/api/v1/accounts/alice1/keys", map[string]any{"public_key": line + " laptop"}).want(t, http.StatusCreated)
	k := decodeAs[sshKeyJSON](t, r)
	if k.Login != "alice1" || k.Type != "ssh-ed25519" || k.Comment != "laptop" || k.PublicKey != line ||
		!strings.HasPrefix(k.Fingerprint, "SHA256:") || k.ID == 0 {
		t.Fatalf("added %+v", k)
	}
	for _, tc := range []struct {
		name   string
		body   any
		status int
		code   hosting.Code
		field  string
	}{
		{"duplicate", map[string]any{"public_key": line}, http.StatusConflict, hosting.CodeConflict, "public_key"},
		{"not a key", map[string]any{"public_key": "ssh-ed25519 AAAA"}, http.StatusBadRequest, hosting.CodeInvalidInput, "public_key"},
		{"options", map[string]any{"public_key": `no-pty ` + line}, http.StatusBadRequest, hosting.CodeInvalidInput, "public_key"},
		{"empty", map[string]any{"public_key": ""}, http.StatusBadRequest, hosting.CodeInvalidInput, "public_key"},
		{"unknown field", map[string]any{"public_key": line, "x": 1}, http.StatusBadRequest, hosting.CodeInvalidInput, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.do(t, e.alice, "POST", "/api/v1/accounts/alice1/keys", tc.body).wantError(t, tc.status, tc.code, tc.field)
		})
	}
	keys := decodeAs[list[sshKeyJSON]](t, e.do(t, e.admin, "GET", "/api/v1/accounts/alice1/keys", nil).want(t, http.StatusOK))
	if len(keys.Items) != 1 || keys.Items[0].Fingerprint != k.Fingerprint || keys.NextCursor != nil {
		t.Fatalf("list %+v", keys)
	}
	// By fingerprint, URL-encoded (it may hold "/" and "+").
	e.do(t, e.alice, "DELETE", "/api/v1/accounts/alice1/keys/"+url.PathEscape(k.Fingerprint), nil).want(t, http.StatusNoContent)
	e.do(t, e.alice, "DELETE", "/api/v1/accounts/alice1/keys/"+url.PathEscape(k.Fingerprint), nil).wantError(t, http.StatusNotFound, hosting.CodeNotFound, "")
	keys = decodeAs[list[sshKeyJSON]](t, e.do(t, e.alice, "GET", "/api/v1/accounts/alice1/keys", nil).want(t, http.StatusOK))
	if len(keys.Items) != 0 {
		t.Fatalf("after delete %+v", keys)
	}
}

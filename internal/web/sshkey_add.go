package web

import (
	"net/http"
	"strings"

	"ftpanel/internal/hosting"
)

// handleSSHKeyAdd adds the pasted public key (one authorized_keys line)
// to an account and goes back to its keys page. A key the service refuses
// is shown in the error summary and next to the field, with nothing
// changed; a pasted private key is refused before the service sees it and
// is never written back into the page.
func (h *handler) handleSSHKeyAdd(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	a, err := h.svc.Account(ctx, r.PathValue("login"))
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	f := SSHKeyForm{PublicKey: strings.TrimSpace(r.PostFormValue("public_key"))}
	var k *hosting.SSHKey
	if err = notPublicKey(f.PublicKey); err != nil {
		if isPrivateKey(f.PublicKey) {
			f.PublicKey = "" // never echoed back
		}
	} else {
		k, err = h.svc.AddSSHKey(ctx, a.Login, f.PublicKey)
	}
	switch code := hosting.ErrorCode(err); code {
	case "":
		h.setFlash(r, "success", "SSH key "+k.Type+" "+k.Fingerprint+" added to "+a.Login+".")
		http.Redirect(w, r, "/accounts/"+pathEscape(a.Login)+"/keys", http.StatusSeeOther)
		return
	case hosting.CodeNotFound, hosting.CodeForbidden, hosting.CodeUnauthorized:
		h.serviceError(w, r, err) // the account went away or is not the user's
		return
	default:
		fe := FieldErrors{}
		f.Error = h.addErr(r, fe, err, sshKeyFormFields)
		if f.Error == "" {
			f.Error = fe["public_key"]
		}
		f.Code = code
	}
	h.renderSSHKeys(w, r, http.StatusUnprocessableEntity, a, f)
}

// notPublicKey recognizes what people paste instead of an OpenSSH public
// key the service accepts: a private key (any PEM or OpenSSH private key,
// or a PuTTY .ppk file), an old DSA key, and a public key in the SSH2
// (RFC 4716) form PuTTYgen saves.
// It says what to paste instead; nil means "let the service check it".
func notPublicKey(s string) error {
	switch {
	case isPrivateKey(s):
		return hosting.FieldErrorf(hosting.CodeInvalidInput, "public_key",
			"this is a private key, which must stay secret (it was not stored): paste the public key instead, "+
				"the one line of the .pub file, e.g. ~/.ssh/id_ed25519.pub")
	case strings.HasPrefix(s, "ssh-dss ") || strings.HasPrefix(s, "ssh-dss\t"):
		// x/crypto/ssh no longer parses DSA keys, so the service would
		// call it "not an SSH public key"; say what is wrong with it.
		return hosting.FieldErrorf(hosting.CodeInvalidInput, "public_key",
			"key type ssh-dss (DSA) is not accepted (use ssh-ed25519, ecdsa-sha2-* or ssh-rsa of 2048 bits or more)")
	case strings.HasPrefix(s, "---- BEGIN SSH2 PUBLIC KEY ----"):
		return hosting.FieldErrorf(hosting.CodeInvalidInput, "public_key",
			"this key is in the SSH2 (RFC 4716) form: paste it in OpenSSH form instead, one line starting with "+
				"ssh-ed25519, ecdsa-sha2-… or ssh-rsa (PuTTYgen shows it as “Public key for pasting into OpenSSH authorized_keys file”)")
	}
	return nil
}

// isPrivateKey reports whether s looks like a private key: PEM (OpenSSH,
// PKCS#1, PKCS#8, EC) or PuTTY's .ppk.
func isPrivateKey(s string) bool {
	return strings.Contains(s, "PRIVATE KEY-----") || strings.HasPrefix(s, "PuTTY-User-Key-File-")
}

package web

import (
	"net/http"
	"strings"

	"ftpanel/internal/hosting"
)

// handleSSHKeyAdd adds the pasted public key (one authorized_keys line)
// to an account and goes back to its keys page. A key the service refuses
// is shown in the error summary and next to the field, with nothing
// changed; a pasted private key is refused (with its own message) and is
// never written back into the page.
func (h *handler) handleSSHKeyAdd(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	a, err := h.svc.Account(ctx, r.PathValue("login"))
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	f := SSHKeyForm{PublicKey: strings.TrimSpace(r.PostFormValue("public_key"))}
	k, err := h.svc.AddSSHKey(ctx, a.Login, f.PublicKey)
	if err != nil && isPrivateKey(f.PublicKey) {
		f.PublicKey = "" // never echoed back
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

// isPrivateKey reports whether s looks like a private key: PEM (OpenSSH,
// PKCS#1, PKCS#8, EC) or PuTTY's .ppk.
func isPrivateKey(s string) bool {
	return strings.Contains(s, "PRIVATE KEY-----") || strings.HasPrefix(s, "PuTTY-User-Key-File-")
}

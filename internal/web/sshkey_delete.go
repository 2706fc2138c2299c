package web

import (
	"net/http"
	"strconv"
)

// handleSSHKeyDelete deletes one of an account's keys and goes back to
// its keys page. Open SFTP sessions stay: a key is checked at login.
func (h *handler) handleSSHKeyDelete(w http.ResponseWriter, r *http.Request) {
	a, k, err := h.sshKey(r)
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	if err := h.svc.DeleteSSHKey(r.Context(), a.Login, strconv.FormatInt(k.ID, 10)); err != nil {
		h.serviceError(w, r, err)
		return
	}
	h.setFlash(r, "success", "SSH key "+k.Type+" "+k.Fingerprint+" deleted from "+a.Login+". It can no longer log in.")
	http.Redirect(w, r, "/accounts/"+pathEscape(a.Login)+"/keys", http.StatusSeeOther)
}

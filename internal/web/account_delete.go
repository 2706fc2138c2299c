package web

import (
	"net/http"

	"ftpanel/internal/hosting"
)

// handleAccountDelete deletes an account (its files stay) and closes its
// sessions.
func (h *handler) handleAccountDelete(w http.ResponseWriter, r *http.Request) {
	login := r.PathValue("login")
	back := localPath(r.FormValue("back"), "/accounts")
	err := h.svc.DeleteAccount(r.Context(), login)
	switch hosting.ErrorCode(err) {
	case "":
		h.setFlash(r, "success", "Account "+login+" deleted. Its files were kept.")
		http.Redirect(w, r, back, http.StatusSeeOther)
	case hosting.CodeMainAccount:
		h.setFlash(r, "error", sentence(hosting.ErrorMessage(err)))
		http.Redirect(w, r, back, http.StatusSeeOther)
	default:
		h.serviceError(w, r, err)
	}
}

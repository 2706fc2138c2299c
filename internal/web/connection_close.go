package web

import (
	"net/http"
)

// handleConnectionClose asks the FTP server holding a session to close it.
func (h *handler) handleConnectionClose(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := h.svc.KillSession(r.Context(), id); err != nil {
		h.serviceError(w, r, err)
		return
	}
	h.setFlash(r, "success", "The connection is being closed.")
	http.Redirect(w, r, "/connections", http.StatusSeeOther)
}

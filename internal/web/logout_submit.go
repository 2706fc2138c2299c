package web

import "net/http"

// handleLogout ends the session (the CSRF check has run) and returns to
// the login page.
func (h *handler) handleLogout(w http.ResponseWriter, r *http.Request) {
	if s := sessionFrom(r.Context()); s != nil {
		if err := h.svc.DeleteKV(r.Context(), sessionScope, sessionKeyOf(s.id)); err != nil {
			h.log.Warn("web: delete session", "err", err)
		}
	}
	h.clearCookie(w)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

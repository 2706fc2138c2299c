package web

import (
	"net/http"

	"ftpanel/internal/hosting"
)

// handleSiteStatus suspends or unsuspends a site (its accounts' open
// sessions are closed on suspension).
func (h *handler) handleSiteStatus(w http.ResponseWriter, r *http.Request) {
	st := hosting.Status(r.PostFormValue("status"))
	s, err := h.svc.SetSiteStatus(r.Context(), r.PathValue("name"), st)
	if err != nil {
		if hosting.ErrorCode(err) == hosting.CodeInvalidInput {
			h.errorPage(w, r, http.StatusBadRequest, "Request not completed", sentence(hosting.ErrorMessage(err)))
			return
		}
		h.serviceError(w, r, err)
		return
	}
	verb := "unsuspended"
	if s.Status == hosting.StatusSuspended {
		verb = "suspended; its FTP accounts cannot log in"
	}
	h.setFlash(r, "success", "Site "+hosting.DisplayDomain(s.Name)+" "+verb+".")
	http.Redirect(w, r, localPath(r.PostFormValue("back"), "/sites"), http.StatusSeeOther)
}

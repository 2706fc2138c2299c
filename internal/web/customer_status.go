package web

import (
	"net/http"

	"ftpanel/internal/hosting"
)

// handleCustomerStatus suspends or unsuspends a customer (and with it all
// its sites' accounts, whose open sessions are closed).
func (h *handler) handleCustomerStatus(w http.ResponseWriter, r *http.Request) {
	st := hosting.Status(r.PostFormValue("status"))
	c, err := h.svc.SetCustomerStatus(r.Context(), r.PathValue("login"), st)
	if err != nil {
		if hosting.ErrorCode(err) == hosting.CodeInvalidInput {
			h.errorPage(w, r, http.StatusBadRequest, "Request not completed", sentence(hosting.ErrorMessage(err)))
			return
		}
		h.serviceError(w, r, err)
		return
	}
	verb := "unsuspended"
	if c.Status == hosting.StatusSuspended {
		verb = "suspended; its FTP accounts cannot log in"
	}
	h.setFlash(r, "success", "Customer "+c.Login+" "+verb+".")
	http.Redirect(w, r, localPath(r.PostFormValue("back"), "/customers"), http.StatusSeeOther)
}

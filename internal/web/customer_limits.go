package web

import (
	"net/http"

	"ftpanel/internal/hosting"
)

// handleCustomerLimits changes a customer's limit of additional FTP
// accounts; an error is shown on the customer's row.
func (h *handler) handleCustomerLimits(w http.ResponseWriter, r *http.Request) {
	login := r.PathValue("login")
	entered := r.PostFormValue("max_ftp_accounts")
	n, err := parseLimit("max_ftp_accounts", entered)
	if err == nil {
		_, err = h.svc.UpdateCustomer(r.Context(), login, hosting.CustomerUpdate{MaxFTPAccounts: &n})
	}
	if err != nil {
		if c := hosting.ErrorCode(err); c == hosting.CodeNotFound || c == hosting.CodeInternal {
			h.serviceError(w, r, err)
			return
		}
		p, perr := h.customerListPage(r, login, sentence(hosting.ErrorMessage(err)), entered)
		if perr != nil {
			h.serviceError(w, r, perr)
			return
		}
		h.render(w, r, http.StatusUnprocessableEntity, "customers", p)
		return
	}
	h.setFlash(r, "success", "Limit of customer "+login+" saved.")
	http.Redirect(w, r, "/customers", http.StatusSeeOther)
}

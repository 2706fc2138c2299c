package web

import (
	"net/http"
)

// AccountDeletePage is the data of account_delete.html, the confirmation
// page used without JavaScript (with it, a dialog asks instead).
type AccountDeletePage struct {
	Layout
	Card    AccountCard
	BackURL string
	Error   string
}

// handleAccountDeleteConfirm asks whether to delete an account.
func (h *handler) handleAccountDeleteConfirm(w http.ResponseWriter, r *http.Request) {
	a, err := h.svc.Account(r.Context(), r.PathValue("login"))
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	site, err := h.svc.SiteByID(r.Context(), a.SiteID)
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	p := AccountDeletePage{Layout: h.layout(r, "Delete "+a.Login, "accounts"),
		Card: h.accountCard(r, a, h.siteView(r, site)), BackURL: localPath(r.URL.Query().Get("back"), "/accounts")}
	if a.Main {
		p.Error = "This is the main FTP account of " + p.Card.Site.Display + ". It cannot be deleted while the site exists."
	}
	h.render(w, r, http.StatusOK, "account_delete", p)
}

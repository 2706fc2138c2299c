package web

import (
	"net/http"
	"strings"

	"ftpanel/internal/hosting"
)

// AccountEditPage is the data of account_edit.html.
type AccountEditPage struct {
	Layout
	Card    AccountCard
	Form    AccountForm
	BackURL string
}

// handleAccountEdit shows the edit form of an account: password, home
// folder, quota and permissions.
func (h *handler) handleAccountEdit(w http.ResponseWriter, r *http.Request) {
	a, err := h.svc.Account(r.Context(), r.PathValue("login"))
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	q, unit := quotaFormValue(a.QuotaBytes)
	f := AccountForm{Home: a.Home, Quota: q, QuotaUnit: unit, Read: a.Read, Write: a.Write,
		Expires: expiryFormValue(a.ExpiresAt), AllowedIPs: strings.Join(a.AllowedIPs, "\n")}
	h.renderAccountEdit(w, r, http.StatusOK, a, f, localPath(r.URL.Query().Get("back"), "/accounts"))
}

// renderAccountEdit renders the edit page of a with form f.
func (h *handler) renderAccountEdit(w http.ResponseWriter, r *http.Request, status int, a *hosting.Account, f AccountForm, back string) {
	site, err := h.svc.SiteByID(r.Context(), a.SiteID)
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	f.Login = a.Login
	f.MainAccount = a.Main
	f.Edit = true
	f.finish(h.svc.Now().Format("2006-01-02"))
	h.withFolders(r, &f, site.Name)
	p := AccountEditPage{Layout: h.layout(r, "Edit "+a.Login, "accounts"),
		Card: h.accountCard(r, a, h.siteView(r, site)), Form: f, BackURL: back}
	h.render(w, r, status, "account_edit", p)
}

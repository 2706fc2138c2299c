package web

import (
	"net/http"

	"ftpanel/internal/hosting"
)

// handleSiteAccountCreate adds an account in advanced mode: login,
// password (or generated), home folder (created when asked), quota,
// permissions, expiry and allowed addresses. Every field is checked at
// once; errors are listed in a summary and shown next to their fields,
// values kept (except the password). Success redirects to a once-page.
func (h *handler) handleSiteAccountCreate(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	site, err := h.svc.Site(ctx, r.PathValue("name"))
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	f := readAccountForm(r)
	in := h.check(r, &f, site)
	if len(f.Errors) == 0 {
		c := hosting.AccountCreate{SiteID: site.ID, Login: f.Login, Home: f.Home, CreateMissing: f.CreateMissing,
			Read: &f.Read, Write: &f.Write, QuotaBytes: &in.quota, ExpiresAt: in.expires, AllowedIPs: in.allowed}
		if !f.Generate {
			c.Password = f.Password
		}
		a, pw, err := h.svc.CreateAccount(ctx, c)
		if err == nil {
			h.revealAccount(w, r, a, pw, "FTP account created", "/sites/"+pathEscape(site.Name)+"/accounts")
			return
		}
		h.failForm(r, &f, err)
	}
	h.renderSiteAccounts(w, r, http.StatusUnprocessableEntity, site, f)
}

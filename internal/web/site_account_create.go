package web

import (
	"net/http"

	"ftpanel/internal/hosting"
)

// handleSiteAccountCreate adds an account in advanced mode: login,
// password (or generated), home folder (created when asked), quota and
// permissions. Errors are shown next to their fields, values kept.
func (h *handler) handleSiteAccountCreate(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	site, err := h.svc.Site(ctx, r.PathValue("name"))
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	f := readAccountForm(r)
	in := hosting.AccountCreate{SiteID: site.ID, Login: f.Login, Home: f.Home, CreateMissing: f.CreateMissing,
		Read: &f.Read, Write: &f.Write}
	switch {
	case f.Login == "":
		err = hosting.FieldErrorf(hosting.CodeInvalidLogin, "login", "enter a login")
	case !f.Generate && f.Password == "":
		err = hosting.FieldErrorf(hosting.CodeWeakPassword, "password", "enter a password, or tick Generate")
	}
	if !f.Generate {
		in.Password = f.Password
	}
	if err == nil {
		var q int64
		if q, err = parseQuota(f.Quota, f.QuotaUnit); err == nil {
			in.QuotaBytes = &q
		}
	}
	var a *hosting.Account
	var pw string
	if err == nil {
		a, pw, err = h.svc.CreateAccount(ctx, in)
	}
	if err != nil {
		h.failForm(r, &f, err)
		h.renderSiteAccounts(w, r, http.StatusUnprocessableEntity, site, f)
		return
	}
	h.renderCreated(w, r, a, pw, "FTP account created", "/sites/"+pathEscape(site.Name)+"/accounts")
}

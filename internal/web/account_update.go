package web

import (
	"net/http"

	"ftpanel/internal/hosting"
)

// handleAccountUpdate saves the edit form in one service call: a new
// password (typed or generated, shown once after a redirect), home
// folder, quota, permissions, expiry and allowed addresses. Every field
// is checked at once; errors are listed in a summary and shown next to
// their fields, values kept (except the password).
func (h *handler) handleAccountUpdate(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	a, err := h.svc.Account(ctx, r.PathValue("login"))
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	site, err := h.svc.SiteByID(ctx, a.SiteID)
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	back := localPath(r.FormValue("back"), "/accounts")
	f := readAccountForm(r)
	f.Edit, f.MainAccount, f.Login = true, a.Main, a.Login
	in := h.check(r, &f, site)
	if len(f.Errors) == 0 {
		u := hosting.AccountUpdate{CreateMissing: f.CreateMissing, Read: &f.Read, Write: &f.Write,
			QuotaBytes: &in.quota, ExpiresAt: &in.expires, AllowedIPs: &in.allowed}
		if !a.Main {
			u.Home = &f.Home
		}
		var generated string
		switch {
		case f.Generate:
			if generated, err = h.svc.Policy().GeneratePassword(); err != nil {
				h.serverError(w, r, err)
				return
			}
			u.Password = &generated
		case f.Password != "":
			u.Password = &f.Password
		}
		a, err = h.svc.UpdateAccount(ctx, a.Login, u)
		if err == nil {
			if generated != "" {
				h.revealAccount(w, r, a, generated, "New password set", back)
				return
			}
			h.setFlash(r, "success", "Account "+a.Login+" saved.")
			http.Redirect(w, r, back, http.StatusSeeOther)
			return
		}
		h.failForm(r, &f, err)
	}
	cur, cerr := h.svc.Account(ctx, r.PathValue("login"))
	if cerr != nil {
		h.serviceError(w, r, cerr)
		return
	}
	h.renderAccountEdit(w, r, http.StatusUnprocessableEntity, cur, f, back)
}

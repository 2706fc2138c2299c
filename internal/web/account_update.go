package web

import (
	"net/http"

	"ftpanel/internal/hosting"
)

// handleAccountUpdate saves the edit form in one service call: a new
// password (typed or generated, shown once), home folder, quota and
// permissions. Errors are shown next to their fields, values kept.
func (h *handler) handleAccountUpdate(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	a, err := h.svc.Account(ctx, r.PathValue("login"))
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	back := localPath(r.FormValue("back"), "/accounts")
	f := readAccountForm(r)
	u := hosting.AccountUpdate{CreateMissing: f.CreateMissing, Read: &f.Read, Write: &f.Write}
	if !a.Main || f.Home != "" {
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
	q, err := parseQuota(f.Quota, f.QuotaUnit)
	if err == nil {
		u.QuotaBytes = &q
		a, err = h.svc.UpdateAccount(ctx, a.Login, u)
	}
	if err != nil {
		h.failForm(r, &f, err)
		cur, cerr := h.svc.Account(ctx, r.PathValue("login"))
		if cerr != nil {
			h.serviceError(w, r, cerr)
			return
		}
		h.renderAccountEdit(w, r, http.StatusUnprocessableEntity, cur, f, back)
		return
	}
	if generated != "" {
		h.renderCreated(w, r, a, generated, "New password set", back)
		return
	}
	h.setFlash(r, "success", "Account "+a.Login+" saved.")
	http.Redirect(w, r, back, http.StatusSeeOther)
}

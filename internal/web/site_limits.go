package web

import (
	"net/http"
	"strings"

	"ftpanel/internal/hosting"
)

// handleSiteLimits changes a site's account limit, default quota and IP;
// errors are shown on the site's row with the entered values.
func (h *handler) handleSiteLimits(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	entered := SiteRow{MaxAccounts: r.PostFormValue("max_ftp_accounts"), DefaultQuota: r.PostFormValue("default_quota"),
		QuotaUnit: r.PostFormValue("quota_unit"), IP: strings.TrimSpace(r.PostFormValue("ip"))}
	var u hosting.SiteUpdate
	n, err := parseLimit("max_ftp_accounts", entered.MaxAccounts)
	if err == nil {
		u.MaxFTPAccounts = &n
		var q int64
		if q, err = parseQuota(entered.DefaultQuota, entered.QuotaUnit); err != nil {
			err = hosting.FieldErrorf(hosting.CodeInvalidInput, "default_quota", "%s", hosting.ErrorMessage(err))
		}
		u.DefaultQuota = &q
	}
	var site *hosting.Site
	if err == nil {
		u.IP = &entered.IP
		site, err = h.svc.UpdateSite(r.Context(), name, u)
	}
	if err != nil {
		if c := hosting.ErrorCode(err); c == hosting.CodeNotFound || c == hosting.CodeInternal {
			h.serviceError(w, r, err)
			return
		}
		entered.Errors, entered.FormError = h.formErrors(r, err, siteLimitFields...)
		p, perr := h.siteListPage(r, name, &entered)
		if perr != nil {
			h.serviceError(w, r, perr)
			return
		}
		h.render(w, r, http.StatusUnprocessableEntity, "sites", p)
		return
	}
	h.setFlash(r, "success", "Limits of "+hosting.DisplayDomain(site.Name)+" saved.")
	http.Redirect(w, r, "/sites", http.StatusSeeOther)
}

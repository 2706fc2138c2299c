package web

import (
	"net/http"

	"ftpanel/internal/hosting"
)

// webFolders are the usual names of a site's web folder, after the first
// folder of the policy's site skeleton.
var webFolders = []string{"httpdocs", "public_html", "public", "www", "htdocs"}

// simpleHome returns the home of a simple-mode account of site: the
// configured Options.SimpleHome, else the site's web folder when it
// exists (the policy's first skeleton folder, or a usual name), else "/".
func (h *handler) simpleHome(site *hosting.Site) string {
	if h.opts.SimpleHome != "" {
		return h.opts.SimpleHome
	}
	names := append([]string(nil), h.svc.Policy().SiteSkeleton...)
	if len(names) > 1 {
		names = names[:1]
	}
	for _, n := range append(names, webFolders...) {
		if home, err := hosting.NormalizeHome(n, site.Root); err == nil && home != "/" && folderExists(site.Root, home) {
			return home
		}
	}
	return "/"
}

// handleAccountCreateSimple adds an account in simple mode: the user picks
// a site; login and password are generated, the home is the site's web
// folder. The credentials are shown once, after a redirect.
func (h *handler) handleAccountCreateSimple(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	siteName := r.PostFormValue("site")
	var a *hosting.Account
	var pw string
	site, err := h.svc.Site(ctx, siteName)
	if err == nil {
		a, pw, err = h.svc.CreateAccount(ctx, hosting.AccountCreate{SiteID: site.ID, Home: h.simpleHome(site)})
	} else if hosting.ErrorCode(err) == hosting.CodeNotFound {
		err = hosting.FieldErrorf(hosting.CodeNotFound, "site", "site %q not found", siteName)
	}
	if err != nil {
		add := SimpleAddForm{Site: siteName}
		fe := FieldErrors{}
		msg := h.addErr(r, fe, err, []formField{{"site", "add-site", "Site"}})
		add.Error = fe["site"] + msg
		add.Summary = summary(fe, msg, []formField{{"site", "add-site", "Site"}})
		p, perr := h.accountListPage(r, add)
		if perr != nil {
			h.serviceError(w, r, perr)
			return
		}
		h.render(w, r, http.StatusUnprocessableEntity, "accounts", p)
		return
	}
	h.revealAccount(w, r, a, pw, "FTP account created", "/accounts")
}

package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"ftpanel/internal/hosting"
)

// SiteAccountsPage is the data of site_accounts.html: one site's
// accounts and the advanced-mode add form.
type SiteAccountsPage struct {
	Layout
	Site  SiteView
	Cards []AccountCard
	Limit string // the site's account limit, e.g. "3 of 10 additional accounts"
	Form  AccountForm
}

// handleSiteAccountList shows a site's accounts page.
func (h *handler) handleSiteAccountList(w http.ResponseWriter, r *http.Request) {
	site, err := h.svc.Site(r.Context(), r.PathValue("name"))
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	q, unit := quotaFormValue(site.DefaultQuota)
	f := AccountForm{Read: true, Write: true, Home: h.simpleHome(site), Quota: q, QuotaUnit: unit}
	h.renderSiteAccounts(w, r, http.StatusOK, site, f)
}

// renderSiteAccounts renders the page of site with the add form f.
func (h *handler) renderSiteAccounts(w http.ResponseWriter, r *http.Request, status int, site *hosting.Site, f AccountForm) {
	ctx := r.Context()
	accounts, err := h.svc.Accounts(ctx, hosting.AccountFilter{SiteID: &site.ID})
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	sv := h.siteView(r, site)
	p := SiteAccountsPage{Layout: h.layout(r, sv.Display+" · FTP accounts", "accounts"), Site: sv}
	extra := 0
	keys := h.keyCounts(r, accounts)
	for _, a := range accounts {
		p.Cards = append(p.Cards, h.accountCardCounted(r, a, sv, keys))
		if !a.Main {
			extra++
		}
	}
	p.Limit = plainCount(extra, "additional account")
	if site.MaxFTPAccounts >= 0 {
		p.Limit += " of " + limitText(site.MaxFTPAccounts) + " allowed"
	}
	h.withFolders(r, &f, site.Name)
	pol := h.svc.Policy()
	if pol.Namespace != hosting.NamespaceNone {
		f.LoginExample = pol.FullLogin("name", site.CustomerLogin, site.Name)
	}
	f.LoginHint = fmt.Sprintf("%d to %d lowercase letters, digits, “-” and “_”, starting with a letter.", pol.LoginMinLen, pol.LoginMaxLen)
	if pol.LoginPreset == "hestia" {
		f.LoginHint = fmt.Sprintf("%d to %d letters, digits, “.”, “_” and “-”, starting and ending with a letter or digit.", pol.LoginMinLen, pol.LoginMaxLen)
	}
	f.finish(h.svc.Now().Format("2006-01-02"))
	p.Form = f
	h.render(w, r, status, "site_accounts", p)
}

func plainCount(n int, noun string) string {
	s := strings.TrimSpace(noun)
	if n != 1 {
		s += "s"
	}
	return strconv.Itoa(n) + " " + s
}

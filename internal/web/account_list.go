package web

import (
	"net/http"
	"strings"

	"ftpanel/internal/hosting"
)

// maxListedAccounts bounds the cards on one page; search narrows it.
const maxListedAccounts = 500

// AccountListPage is the data of accounts.html: the FTP account cards,
// grouped by site, and the simple-mode add form.
type AccountListPage struct {
	Layout
	Groups    []SiteGroup
	Add       SimpleAddForm
	Query     string
	Total     int // accounts matching, before the page limit
	Shown     int
	Truncated bool
	Summary   AccountSummary
}

// SiteGroup is one site with its account cards.
type SiteGroup struct {
	Site  SiteView
	Cards []AccountCard
}

// AccountSummary counts the listed accounts by status.
type AccountSummary struct {
	Active, Suspended int
}

// SimpleAddForm is the simple-mode "Add account" form: pick a site; login
// and password are generated.
type SimpleAddForm struct {
	Sites    []SiteOption
	Site     string
	Error    string
	Summary  []SummaryItem
	Disabled bool // the user has no site
}

// SiteOption is an entry of a site select.
type SiteOption struct {
	Name     string
	Display  string
	Selected bool
}

// handleAccountList shows the accounts page.
func (h *handler) handleAccountList(w http.ResponseWriter, r *http.Request) {
	p, err := h.accountListPage(r, SimpleAddForm{Site: r.URL.Query().Get("site")})
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "accounts", p)
}

// accountListPage builds the accounts page with the add form add.
func (h *handler) accountListPage(r *http.Request, add SimpleAddForm) (AccountListPage, error) {
	ctx := r.Context()
	p := AccountListPage{Layout: h.layout(r, "FTP accounts", "accounts"), Query: strings.TrimSpace(r.URL.Query().Get("q"))}
	sites, err := h.svc.Sites(ctx, hosting.SiteFilter{})
	if err != nil {
		return p, err
	}
	f := hosting.AccountFilter{Query: p.Query}
	if p.Total, err = h.svc.CountAccounts(ctx, f); err != nil {
		return p, err
	}
	f.Limit = maxListedAccounts
	accounts, err := h.svc.Accounts(ctx, f)
	if err != nil {
		return p, err
	}
	p.Shown, p.Truncated = len(accounts), len(accounts) < p.Total
	byID := make(map[int64]*hosting.Site, len(sites))
	for _, s := range sites {
		byID[s.ID] = s
		add.Sites = append(add.Sites, SiteOption{Name: s.Name, Display: hosting.DisplayDomain(s.Name), Selected: s.Name == add.Site})
	}
	add.Disabled = len(sites) == 0
	p.Add = add
	groups := make(map[int64]int) // site ID → index in p.Groups
	for _, s := range sites {
		if p.Query == "" {
			groups[s.ID] = len(p.Groups)
			p.Groups = append(p.Groups, SiteGroup{Site: h.siteView(r, s)})
		}
	}
	for _, a := range accounts {
		s, ok := byID[a.SiteID]
		if !ok {
			continue
		}
		i, ok := groups[s.ID]
		if !ok {
			i = len(p.Groups)
			groups[s.ID] = i
			p.Groups = append(p.Groups, SiteGroup{Site: h.siteView(r, s)})
		}
		c := h.accountCard(r, a, p.Groups[i].Site)
		if c.Suspended {
			p.Summary.Suspended++
		} else {
			p.Summary.Active++
		}
		p.Groups[i].Cards = append(p.Groups[i].Cards, c)
	}
	return p, nil
}

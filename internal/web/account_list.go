package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"ftpanel/internal/hosting"
)

// accountsPerPage is the number of cards on one page of the list.
const accountsPerPage = 50

// AccountListPage is the data of accounts.html: the FTP account cards,
// grouped by site, and the simple-mode add form.
type AccountListPage struct {
	Layout
	Groups  []SiteGroup
	Add     SimpleAddForm
	Query   string
	Sort    string // "login", "last_login" or "usage"
	Sorts   []SiteOption
	Total   int // accounts matching
	Page    int // 1-based
	Pages   int
	First   int // 1-based index of the first card shown
	Last    int
	PrevURL string
	NextURL string
	Summary AccountSummary
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

// accountSorts are the orders of the list, with their labels.
var accountSorts = []SiteOption{{Name: "login", Display: "Login"}, {Name: "last_login", Display: "Last login (latest first)"},
	{Name: "usage", Display: "Disk usage (largest first)"}}

// accountListURL is the list's URL for query q, order sort and page.
func accountListURL(q, sort string, page int) string {
	v := url.Values{}
	if q != "" {
		v.Set("q", q)
	}
	if sort != "" && sort != "login" {
		v.Set("sort", sort)
	}
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	if len(v) == 0 {
		return "/accounts"
	}
	return "/accounts?" + v.Encode()
}

// accountListPage builds the accounts page with the add form add: the
// accounts matching the search, in the chosen order, 50 to a page, each
// page's cards grouped by site.
func (h *handler) accountListPage(r *http.Request, add SimpleAddForm) (AccountListPage, error) {
	ctx := r.Context()
	q := r.URL.Query()
	p := AccountListPage{Layout: h.layout(r, "FTP accounts", "accounts"), Query: strings.TrimSpace(q.Get("q")), Sort: q.Get("sort")}
	if !slices.ContainsFunc(accountSorts, func(o SiteOption) bool { return o.Name == p.Sort }) {
		p.Sort = "login"
	}
	for _, o := range accountSorts {
		o.Selected = o.Name == p.Sort
		p.Sorts = append(p.Sorts, o)
	}
	sites, err := h.svc.Sites(ctx, hosting.SiteFilter{})
	if err != nil {
		return p, err
	}
	f := hosting.AccountFilter{Query: p.Query}
	if p.Total, err = h.svc.CountAccounts(ctx, f); err != nil {
		return p, err
	}
	if p.Summary, err = h.accountSummary(r, f, sites, p.Total); err != nil {
		return p, err
	}
	p.Pages = max(1, (p.Total+accountsPerPage-1)/accountsPerPage)
	p.Page, _ = strconv.Atoi(q.Get("page"))
	p.Page = min(max(p.Page, 1), p.Pages)
	f.Order, f.Offset, f.Limit = hosting.AccountOrder(p.Sort), (p.Page-1)*accountsPerPage, accountsPerPage
	accounts, err := h.svc.Accounts(ctx, f)
	if err != nil {
		return p, err
	}
	if len(accounts) > 0 {
		p.First, p.Last = f.Offset+1, f.Offset+len(accounts)
	}
	if p.Page > 1 {
		p.PrevURL = accountListURL(p.Query, p.Sort, p.Page-1)
	}
	if p.Page < p.Pages {
		p.NextURL = accountListURL(p.Query, p.Sort, p.Page+1)
	}
	byID := make(map[int64]*hosting.Site, len(sites))
	for _, s := range sites {
		byID[s.ID] = s
		add.Sites = append(add.Sites, SiteOption{Name: s.Name, Display: hosting.DisplayDomain(s.Name), Selected: s.Name == add.Site})
	}
	add.Disabled = len(sites) == 0
	p.Add = add
	groups := make(map[int64]int) // site ID → index in p.Groups
	if p.Query == "" && p.Page == 1 && p.Sort == "login" {
		for _, s := range sites { // every site, also those without accounts
			groups[s.ID] = len(p.Groups)
			p.Groups = append(p.Groups, SiteGroup{Site: h.siteView(r, s)})
		}
	}
	keys := h.keyCounts(r, accounts)
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
		p.Groups[i].Cards = append(p.Groups[i].Cards, h.accountCardCounted(r, a, p.Groups[i].Site, keys))
	}
	return p, nil
}

// accountSummary counts the accounts of filter f (total of them) by
// effective status without loading them: the own-suspended ones, plus
// the other accounts of suspended sites (a site is suspended also when
// its customer is).
func (h *handler) accountSummary(r *http.Request, f hosting.AccountFilter, sites []*hosting.Site, total int) (AccountSummary, error) {
	ctx := r.Context()
	susp := hosting.StatusSuspended
	own := f
	own.Status = &susp
	n, err := h.svc.CountAccounts(ctx, own)
	if err != nil {
		return AccountSummary{}, err
	}
	for _, s := range sites {
		if s.EffectiveStatus() != hosting.StatusSuspended {
			continue
		}
		id := s.ID
		all, ownS := f, own
		all.SiteID, ownS.SiteID = &id, &id
		na, err := h.svc.CountAccounts(ctx, all)
		if err != nil {
			return AccountSummary{}, err
		}
		ns, err := h.svc.CountAccounts(ctx, ownS)
		if err != nil {
			return AccountSummary{}, err
		}
		n += na - ns
	}
	return AccountSummary{Active: total - n, Suspended: n}, nil
}

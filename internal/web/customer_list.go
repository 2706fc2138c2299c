package web

import (
	"net/http"
	"net/url"
	"strings"

	"ftpanel/internal/hosting"
)

// CustomerListPage is the data of customers.html (administrators only).
type CustomerListPage struct {
	Layout
	Rows  []CustomerRow
	Query string
}

// CustomerRow is one customer with its counts and forms.
type CustomerRow struct {
	Login       string
	Name        string
	Email       string
	Status      string
	Suspended   bool
	Sites       int
	Accounts    int
	MaxAccounts string // form value; "" = unlimited
	LimitText   string
	Error       string // error of this row's last form
	StatusURL   string
	LimitsURL   string
	AccountsURL string
	EditURL     string
}

// handleCustomerList lists the customers.
func (h *handler) handleCustomerList(w http.ResponseWriter, r *http.Request) {
	p, err := h.customerListPage(r, "", "", "")
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "customers", p)
}

// customerListPage builds the page; errLogin's row shows errText and
// keeps the entered limit.
func (h *handler) customerListPage(r *http.Request, errLogin, errText, entered string) (CustomerListPage, error) {
	ctx := r.Context()
	p := CustomerListPage{Layout: h.layout(r, "Customers", "customers"), Query: strings.TrimSpace(r.URL.Query().Get("q"))}
	cs, err := h.svc.Customers(ctx, hosting.CustomerFilter{Query: p.Query})
	if err != nil {
		return p, err
	}
	sites, err := h.svc.Sites(ctx, hosting.SiteFilter{})
	if err != nil {
		return p, err
	}
	siteCount := make(map[int64]int)
	for _, s := range sites {
		siteCount[s.CustomerID]++
	}
	for _, c := range cs {
		id := c.ID
		n, err := h.svc.CountAccounts(ctx, hosting.AccountFilter{CustomerID: &id})
		if err != nil {
			return p, err
		}
		row := CustomerRow{Login: c.Login, Name: c.Name, Email: c.Email, Status: statusText(c.Status),
			Suspended: c.Status == hosting.StatusSuspended, Sites: siteCount[c.ID], Accounts: n,
			MaxAccounts: limitFormValue(c.MaxFTPAccounts), LimitText: limitText(c.MaxFTPAccounts),
			StatusURL: "/customers/" + pathEscape(c.Login) + "/status", LimitsURL: "/customers/" + pathEscape(c.Login) + "/limits",
			AccountsURL: "/accounts?q=" + url.QueryEscape(c.Login), EditURL: "/customers/" + pathEscape(c.Login) + "/edit"}
		if c.Login == errLogin {
			row.Error, row.MaxAccounts = errText, entered
		}
		p.Rows = append(p.Rows, row)
	}
	return p, nil
}

package web

import (
	"net/http"
	"strings"

	"ftpanel/internal/hosting"
)

// SiteListPage is the data of sites.html (administrators only).
type SiteListPage struct {
	Layout
	Rows  []SiteRow
	Query string
}

// SiteRow is one site with its counts and forms.
type SiteRow struct {
	Site         SiteView
	OwnStatus    string
	Accounts     int
	MaxAccounts  string // form values; "" = unlimited
	DefaultQuota string
	QuotaUnit    string
	IP           string
	LimitText    string
	QuotaText    string
	Errors       FieldErrors
	FormError    string
	StatusURL    string
	EditURL      string
	LimitsURL    string
}

// siteLimitFields are the fields of the limits form.
var siteLimitFields = []string{"max_ftp_accounts", "default_quota", "ip"}

// handleSiteList lists the sites.
func (h *handler) handleSiteList(w http.ResponseWriter, r *http.Request) {
	p, err := h.siteListPage(r, "", nil)
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "sites", p)
}

// siteListPage builds the page; the row of errSite is replaced by errRow.
func (h *handler) siteListPage(r *http.Request, errSite string, errRow *SiteRow) (SiteListPage, error) {
	ctx := r.Context()
	p := SiteListPage{Layout: h.layout(r, "Sites", "sites"), Query: strings.TrimSpace(r.URL.Query().Get("q"))}
	sites, err := h.svc.Sites(ctx, hosting.SiteFilter{Query: p.Query})
	if err != nil {
		return p, err
	}
	for _, s := range sites {
		id := s.ID
		n, err := h.svc.CountAccounts(ctx, hosting.AccountFilter{SiteID: &id})
		if err != nil {
			return p, err
		}
		q, unit := quotaFormValue(s.DefaultQuota)
		row := SiteRow{Site: h.siteView(r, s), OwnStatus: statusText(s.Status), Accounts: n,
			MaxAccounts: limitFormValue(s.MaxFTPAccounts), DefaultQuota: q, QuotaUnit: unit, IP: s.IP,
			LimitText: limitText(s.MaxFTPAccounts), QuotaText: "Unlimited",
			StatusURL: "/sites/" + pathEscape(s.Name) + "/status", LimitsURL: "/sites/" + pathEscape(s.Name) + "/limits", EditURL: "/sites/" + pathEscape(s.Name) + "/edit"}
		if s.DefaultQuota >= 0 {
			row.QuotaText = formatBytes(s.DefaultQuota)
		}
		if s.Name == errSite && errRow != nil {
			row.MaxAccounts, row.DefaultQuota, row.QuotaUnit, row.IP = errRow.MaxAccounts, errRow.DefaultQuota, errRow.QuotaUnit, errRow.IP
			row.Errors, row.FormError = errRow.Errors, errRow.FormError
		}
		p.Rows = append(p.Rows, row)
	}
	return p, nil
}

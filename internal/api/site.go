package api

import (
	"net/http"
	"net/url"
	"time"

	"ftpanel/internal/hosting"
)

// siteJSON is a site as the API shows it.
type siteJSON struct {
	ID              int64          `json:"id"`
	Name            string         `json:"name"`         // ASCII (punycode) domain
	DisplayName     string         `json:"display_name"` // Unicode domain
	Customer        string         `json:"customer"`
	Root            string         `json:"root"`
	IP              string         `json:"ip"`
	UID             int            `json:"uid"`
	GID             int            `json:"gid"`
	Status          hosting.Status `json:"status"`
	EffectiveStatus hosting.Status `json:"effective_status"`
	MaxFTPAccounts  int            `json:"max_ftp_accounts"`
	DefaultQuota    int64          `json:"default_quota"`
	UsedBytes       int64          `json:"used_bytes"`
	UsedMeasuredAt  *time.Time     `json:"used_measured_at"`
	CreatedAt       time.Time      `json:"created_at"`
	UpdatedAt       time.Time      `json:"updated_at"`
	// MainAccount is the site's main FTP account, in the create answer
	// only (with its password when it was generated).
	MainAccount *accountJSON `json:"main_account,omitempty"`
}

func toSite(s *hosting.Site) siteJSON {
	return siteJSON{ID: s.ID, Name: s.Name, DisplayName: hosting.DisplayDomain(s.Name), Customer: s.CustomerLogin,
		Root: s.Root, IP: s.IP, UID: s.UID, GID: s.GID, Status: s.Status, EffectiveStatus: s.EffectiveStatus(),
		MaxFTPAccounts: s.MaxFTPAccounts, DefaultQuota: s.DefaultQuota, UsedBytes: s.UsedBytes,
		UsedMeasuredAt: s.UsedMeasuredAt, CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt}
}

// siteCreateRequest is the body of POST /sites.
type siteCreateRequest struct {
	Name           string `json:"name"`
	Customer       string `json:"customer"`
	Root           string `json:"root"`
	IP             string `json:"ip"`
	UID            *int   `json:"uid"`
	GID            *int   `json:"gid"`
	MaxFTPAccounts *int   `json:"max_ftp_accounts"`
	DefaultQuota   *int64 `json:"default_quota"`
	MainLogin      string `json:"main_login"`
	MainPassword   string `json:"main_password"`
}

func (in siteCreateRequest) create() hosting.SiteCreate {
	return hosting.SiteCreate{Name: in.Name, Customer: in.Customer, Root: in.Root, IP: in.IP, UID: in.UID, GID: in.GID,
		MaxFTPAccounts: in.MaxFTPAccounts, DefaultQuota: in.DefaultQuota, MainLogin: in.MainLogin, MainPassword: in.MainPassword}
}

// siteUpdateRequest is the body of PATCH /sites/{name}; absent fields stay
// as they are.
type siteUpdateRequest struct {
	IP             *string `json:"ip"`
	UID            *int    `json:"uid"`
	GID            *int    `json:"gid"`
	MaxFTPAccounts *int    `json:"max_ftp_accounts"`
	DefaultQuota   *int64  `json:"default_quota"`
	Customer       *string `json:"customer"`
}

func (in siteUpdateRequest) update() hosting.SiteUpdate {
	return hosting.SiteUpdate{IP: in.IP, UID: in.UID, GID: in.GID, MaxFTPAccounts: in.MaxFTPAccounts,
		DefaultQuota: in.DefaultQuota, Customer: in.Customer}
}

func (h *handler) handleSiteList(w http.ResponseWriter, r *http.Request) {
	q, err := query(r, "customer", "status", "q", "limit", "cursor")
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	limit, err := pageLimit(q)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	offset, err := pageCursor(q)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	st, err := statusParam(q, "status")
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	// Sites are ordered by name, so the cursor is an offset.
	f := hosting.SiteFilter{Status: st, Query: q.Get("q"), Offset: int(min(offset, 1<<31)), Limit: limit + 1}
	if login := q.Get("customer"); login != "" {
		c, err := h.svc.Customer(r.Context(), login)
		if err != nil {
			h.writeError(w, r, asField(err, "customer"))
			return
		}
		f.CustomerID = &c.ID
	}
	sites, err := h.svc.Sites(r.Context(), f)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	out := list[siteJSON]{Items: make([]siteJSON, 0, min(len(sites), limit))}
	for i, s := range sites {
		if i == limit {
			out.NextCursor = cursorString(int64(f.Offset + limit))
			break
		}
		out.Items = append(out.Items, toSite(s))
	}
	h.writeJSON(w, r, http.StatusOK, out)
}

func (h *handler) handleSiteCreate(w http.ResponseWriter, r *http.Request) {
	var in siteCreateRequest
	if err := decodeJSON(r, &in, false); err != nil {
		h.writeError(w, r, err)
		return
	}
	s, main, pw, err := h.svc.CreateSite(r.Context(), in.create())
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	out := toSite(s)
	ma := h.toAccount(main)
	ma.Password = pw
	out.MainAccount = &ma
	w.Header().Set("Location", "/api/v1/sites/"+url.PathEscape(s.Name))
	h.writeJSON(w, r, http.StatusCreated, out)
}

func (h *handler) handleSiteShow(w http.ResponseWriter, r *http.Request) {
	s, err := h.svc.Site(r.Context(), r.PathValue("name"))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, toSite(s))
}

func (h *handler) handleSiteUpdate(w http.ResponseWriter, r *http.Request) {
	var in siteUpdateRequest
	if err := decodeJSON(r, &in, false); err != nil {
		h.writeError(w, r, err)
		return
	}
	s, err := h.svc.UpdateSite(r.Context(), r.PathValue("name"), in.update())
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, toSite(s))
}

func (h *handler) handleSiteDelete(w http.ResponseWriter, r *http.Request) {
	if err := h.svc.DeleteSite(r.Context(), r.PathValue("name")); err != nil {
		h.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *handler) handleSiteSuspend(w http.ResponseWriter, r *http.Request) {
	h.setSiteStatus(w, r, hosting.StatusSuspended)
}

func (h *handler) handleSiteUnsuspend(w http.ResponseWriter, r *http.Request) {
	h.setSiteStatus(w, r, hosting.StatusActive)
}

func (h *handler) setSiteStatus(w http.ResponseWriter, r *http.Request, st hosting.Status) {
	if err := decodeJSON(r, &struct{}{}, true); err != nil {
		h.writeError(w, r, err)
		return
	}
	s, err := h.svc.SetSiteStatus(r.Context(), r.PathValue("name"), st)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, toSite(s))
}

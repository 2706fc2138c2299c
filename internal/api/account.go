package api

import (
	"net/http"
	"net/url"
	"time"

	"ftpanel/internal/hosting"
)

// accountJSON is an FTP account as the API shows it.
type accountJSON struct {
	ID              int64           `json:"id"`
	Login           string          `json:"login"`
	Site            string          `json:"site"`
	SiteID          int64           `json:"site_id"`
	Customer        string          `json:"customer"`
	Home            string          `json:"home"`
	QuotaBytes      int64           `json:"quota_bytes"`
	UsedBytes       int64           `json:"used_bytes"`
	UsedMeasuredAt  *time.Time      `json:"used_measured_at"`
	Read            bool            `json:"read"`
	Write           bool            `json:"write"`
	Status          hosting.Status  `json:"status"`
	EffectiveStatus hosting.Status  `json:"effective_status"`
	Main            bool            `json:"main"`
	ExpiresAt       *time.Time      `json:"expires_at"`
	AllowedIPs      []string        `json:"allowed_ips"`
	CreatedAt       time.Time       `json:"created_at"`
	UpdatedAt       time.Time       `json:"updated_at"`
	LastLoginAt     *time.Time      `json:"last_login_at"`
	Connection      *connectionJSON `json:"connection,omitempty"`
	// SFTP tells SFTP clients where to connect; beside Connection (which
	// stays FTP's) so that clients written before SFTP see no change.
	SFTP *sftpConnectionJSON `json:"sftp,omitempty"`
	// Password is a generated password, in the create and password answers
	// only: it is shown once and stored only as a hash.
	Password string `json:"password,omitempty"`
}

// connectionJSON tells FTP clients where to connect.
type connectionJSON struct {
	Protocol string `json:"protocol"`
	Host     string `json:"host"`
	Port     int    `json:"port"`
}

// sftpConnectionJSON tells SFTP clients where to connect and which host
// keys the server offers.
type sftpConnectionJSON struct {
	Protocol            string   `json:"protocol"`
	Host                string   `json:"host"`
	Port                int      `json:"port"`
	HostKeyFingerprints []string `json:"host_key_fingerprints"`
}

func (h *handler) toAccount(a *hosting.Account) accountJSON {
	out := accountJSON{ID: a.ID, Login: a.Login, Site: a.SiteName, SiteID: a.SiteID, Customer: a.CustomerLogin,
		Home: a.Home, QuotaBytes: a.QuotaBytes, UsedBytes: a.UsedBytes, UsedMeasuredAt: a.UsedMeasuredAt, Read: a.Read, Write: a.Write,
		Status: a.Status, EffectiveStatus: a.EffectiveStatus(), Main: a.Main, ExpiresAt: a.ExpiresAt,
		AllowedIPs: a.AllowedIPs, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt, LastLoginAt: a.LastLoginAt}
	if out.AllowedIPs == nil {
		out.AllowedIPs = []string{}
	}
	if h.opts.FTPHost != "" {
		out.Connection = &connectionJSON{Protocol: "ftp", Host: h.opts.FTPHost, Port: h.opts.FTPPort}
		if h.opts.SFTPPort > 0 {
			fps := h.opts.SFTPHostKeys
			if fps == nil {
				fps = []string{}
			}
			out.SFTP = &sftpConnectionJSON{Protocol: "sftp", Host: h.opts.FTPHost, Port: h.opts.SFTPPort, HostKeyFingerprints: fps}
		}
	}
	return out
}

// accountCreateRequest is the body of POST /accounts. With only site given
// (simple mode) the login and password are generated.
type accountCreateRequest struct {
	Site          string       `json:"site"`
	SiteID        int64        `json:"site_id"`
	Login         string       `json:"login"`
	Password      string       `json:"password"`
	Home          string       `json:"home"`
	CreateMissing bool         `json:"create_missing"`
	QuotaBytes    *int64       `json:"quota_bytes"`
	Read          *bool        `json:"read"`
	Write         *bool        `json:"write"`
	ExpiresAt     optionalTime `json:"expires_at"`
	AllowedIPs    []string     `json:"allowed_ips"`
}

func (in accountCreateRequest) create() hosting.AccountCreate {
	return hosting.AccountCreate{Site: in.Site, SiteID: in.SiteID, Login: in.Login, Password: in.Password,
		Home: in.Home, CreateMissing: in.CreateMissing, QuotaBytes: in.QuotaBytes, Read: in.Read, Write: in.Write,
		ExpiresAt: in.ExpiresAt.Value, AllowedIPs: in.AllowedIPs}
}

// accountUpdateRequest is the body of PATCH /accounts/{login}; absent
// fields stay as they are. expires_at null removes the expiry; a new
// password goes through POST /accounts/{login}/password.
type accountUpdateRequest struct {
	Login         *string      `json:"login"`
	Home          *string      `json:"home"`
	CreateMissing bool         `json:"create_missing"`
	QuotaBytes    *int64       `json:"quota_bytes"`
	Read          *bool        `json:"read"`
	Write         *bool        `json:"write"`
	ExpiresAt     optionalTime `json:"expires_at"`
	AllowedIPs    *[]string    `json:"allowed_ips"`
}

func (in accountUpdateRequest) update() hosting.AccountUpdate {
	u := hosting.AccountUpdate{Login: in.Login, Home: in.Home, CreateMissing: in.CreateMissing,
		QuotaBytes: in.QuotaBytes, Read: in.Read, Write: in.Write, AllowedIPs: in.AllowedIPs}
	if in.ExpiresAt.Set {
		u.ExpiresAt = &in.ExpiresAt.Value
	}
	return u
}

// accountPasswordRequest is the body of POST /accounts/{login}/password;
// an empty body or password generates one.
type accountPasswordRequest struct {
	Password string `json:"password"`
}

func (h *handler) handleAccountList(w http.ResponseWriter, r *http.Request) {
	q, err := query(r, "site", "customer", "status", "main", "q", "limit", "cursor")
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	f, limit, err := h.accountFilter(r, q)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	as, err := h.svc.Accounts(r.Context(), f)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	out := list[accountJSON]{Items: make([]accountJSON, 0, min(len(as), limit))}
	for i, a := range as {
		if i == limit {
			// Accounts are ordered by ID: the cursor is the last one shown.
			out.NextCursor = cursorString(as[i-1].ID)
			break
		}
		out.Items = append(out.Items, h.toAccount(a))
	}
	h.writeJSON(w, r, http.StatusOK, out)
}

// accountFilter builds the filter of a list request, asking for one more
// than limit to know whether there is a next page. A site or customer the
// caller cannot see is not_found, as when it does not exist.
func (h *handler) accountFilter(r *http.Request, q url.Values) (hosting.AccountFilter, int, error) {
	var f hosting.AccountFilter
	limit, err := pageLimit(q)
	if err != nil {
		return f, 0, err
	}
	if f.AfterID, err = pageCursor(q); err != nil {
		return f, 0, err
	}
	if f.Status, err = statusParam(q, "status"); err != nil {
		return f, 0, err
	}
	if f.Main, err = boolParam(q, "main"); err != nil {
		return f, 0, err
	}
	f.Query = q.Get("q")
	f.Limit = limit + 1
	if name := q.Get("site"); name != "" {
		s, err := h.svc.Site(r.Context(), name)
		if err != nil {
			return f, 0, asField(err, "site")
		}
		f.SiteID = &s.ID
	}
	if login := q.Get("customer"); login != "" {
		c, err := h.svc.Customer(r.Context(), login)
		if err != nil {
			return f, 0, asField(err, "customer")
		}
		f.CustomerID = &c.ID
	}
	return f, limit, nil
}

func (h *handler) handleAccountCreate(w http.ResponseWriter, r *http.Request) {
	var in accountCreateRequest
	if err := decodeJSON(r, &in, false); err != nil {
		h.writeError(w, r, err)
		return
	}
	a, pw, err := h.svc.CreateAccount(r.Context(), in.create())
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	out := h.toAccount(a)
	out.Password = pw
	w.Header().Set("Location", "/api/v1/accounts/"+url.PathEscape(a.Login))
	h.writeJSON(w, r, http.StatusCreated, out)
}

func (h *handler) handleAccountShow(w http.ResponseWriter, r *http.Request) {
	a, err := h.svc.Account(r.Context(), r.PathValue("login"))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, h.toAccount(a))
}

func (h *handler) handleAccountUpdate(w http.ResponseWriter, r *http.Request) {
	var in accountUpdateRequest
	if err := decodeJSON(r, &in, false); err != nil {
		h.writeError(w, r, err)
		return
	}
	a, err := h.svc.UpdateAccount(r.Context(), r.PathValue("login"), in.update())
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, h.toAccount(a))
}

func (h *handler) handleAccountDelete(w http.ResponseWriter, r *http.Request) {
	if err := h.svc.DeleteAccount(r.Context(), r.PathValue("login")); err != nil {
		h.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *handler) handleAccountPassword(w http.ResponseWriter, r *http.Request) {
	var in accountPasswordRequest
	if err := decodeJSON(r, &in, true); err != nil {
		h.writeError(w, r, err)
		return
	}
	login := r.PathValue("login")
	pw, err := h.svc.SetAccountPassword(r.Context(), login, in.Password)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	a, err := h.svc.Account(r.Context(), login)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	out := h.toAccount(a)
	out.Password = pw
	h.writeJSON(w, r, http.StatusOK, out)
}

func (h *handler) handleAccountSuspend(w http.ResponseWriter, r *http.Request) {
	h.setAccountStatus(w, r, hosting.StatusSuspended)
}

func (h *handler) handleAccountUnsuspend(w http.ResponseWriter, r *http.Request) {
	h.setAccountStatus(w, r, hosting.StatusActive)
}

func (h *handler) setAccountStatus(w http.ResponseWriter, r *http.Request, st hosting.Status) {
	if err := decodeJSON(r, &struct{}{}, true); err != nil {
		h.writeError(w, r, err)
		return
	}
	a, err := h.svc.SetAccountStatus(r.Context(), r.PathValue("login"), st)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, h.toAccount(a))
}

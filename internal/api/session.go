package api

import (
	"net/http"
	"time"

	"ftpanel/internal/hosting"
)

// sessionJSON is a live FTP session as the API shows it.
type sessionJSON struct {
	ID            string    `json:"id"`
	Node          string    `json:"node"`
	Protocol      string    `json:"protocol"`
	AccountID     int64     `json:"account_id"`
	Login         string    `json:"login"`
	SiteID        int64     `json:"site_id"`
	Site          string    `json:"site"`
	RemoteAddr    string    `json:"remote_addr"`
	Client        string    `json:"client"`
	TLS           bool      `json:"tls"`
	StartedAt     time.Time `json:"started_at"`
	Command       string    `json:"command"`
	Transfer      string    `json:"transfer"`
	BytesIn       int64     `json:"bytes_in"`
	BytesOut      int64     `json:"bytes_out"`
	UpdatedAt     time.Time `json:"updated_at"`
	KillRequested bool      `json:"kill_requested"`
}

func toSession(s *hosting.Session) sessionJSON {
	return sessionJSON{ID: s.ID, Node: s.Node, Protocol: s.Protocol, AccountID: s.AccountID, Login: s.Login,
		SiteID: s.SiteID, Site: s.SiteName, RemoteAddr: s.RemoteAddr, Client: s.Client, TLS: s.TLS,
		StartedAt: s.StartedAt, Command: s.Command, Transfer: s.Transfer, BytesIn: s.BytesIn, BytesOut: s.BytesOut,
		UpdatedAt: s.UpdatedAt, KillRequested: s.KillRequested}
}

// banJSON is a defender ban as the API shows it.
type banJSON struct {
	Addr      string    `json:"addr"`
	Until     time.Time `json:"until"`
	Strikes   int       `json:"strikes"`
	Reason    string    `json:"reason"`
	Node      string    `json:"node"`
	CreatedAt time.Time `json:"created_at"`
}

// handleSessionList lists live sessions of every node. Sessions are few
// (bounded by the servers' client limits), so the list is one page.
func (h *handler) handleSessionList(w http.ResponseWriter, r *http.Request) {
	q, err := query(r, "site", "account")
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	var f hosting.SessionFilter
	if name := q.Get("site"); name != "" {
		s, err := h.svc.Site(r.Context(), name)
		if err != nil {
			h.writeError(w, r, asField(err, "site"))
			return
		}
		f.SiteID = &s.ID
	}
	if login := q.Get("account"); login != "" {
		a, err := h.svc.Account(r.Context(), login)
		if err != nil {
			h.writeError(w, r, asField(err, "account"))
			return
		}
		f.AccountID = &a.ID
	}
	ss, err := h.svc.Sessions(r.Context(), f)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	out := list[sessionJSON]{Items: make([]sessionJSON, 0, len(ss))}
	for _, s := range ss {
		out.Items = append(out.Items, toSession(s))
	}
	h.writeJSON(w, r, http.StatusOK, out)
}

// handleSessionKill asks the node holding a session to close it; the node
// does so within moments.
func (h *handler) handleSessionKill(w http.ResponseWriter, r *http.Request) {
	if err := h.svc.KillSession(r.Context(), r.PathValue("id")); err != nil {
		h.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *handler) handleBanList(w http.ResponseWriter, r *http.Request) {
	if _, err := query(r); err != nil {
		h.writeError(w, r, err)
		return
	}
	bs, err := h.svc.Bans(r.Context())
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	out := list[banJSON]{Items: make([]banJSON, 0, len(bs))}
	for _, b := range bs {
		out.Items = append(out.Items, banJSON{Addr: b.Addr, Until: b.Until, Strikes: b.Strikes, Reason: b.Reason,
			Node: b.Node, CreatedAt: b.CreatedAt})
	}
	h.writeJSON(w, r, http.StatusOK, out)
}

func (h *handler) handleBanDelete(w http.ResponseWriter, r *http.Request) {
	if err := h.svc.DeleteBan(r.Context(), r.PathValue("addr")); err != nil {
		h.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

package web

import (
	"net/http"

	"ftpanel/internal/hosting"
)

// ConnectionListPage is the data of connections.html.
type ConnectionListPage struct {
	Layout
	Table ConnectionTable
}

// ConnectionTable is the live part of the page, also served alone to the
// page's polling script.
type ConnectionTable struct {
	Rows    []ConnectionRow
	CSRF    string
	Admin   bool
	Updated string
}

// ConnectionRow is one live FTP session.
type ConnectionRow struct {
	ID         string
	Login      string
	Site       string // Unicode domain
	Customer   string
	RemoteAddr string
	Client     string
	TLS        bool
	Protocol   string
	Since      string // "5 min ago"
	StartedAt  string // ISO time for <time datetime>
	Started    string // formatted
	Activity   string // transfer or last command
	BytesIn    string
	BytesOut   string
	Closing    bool
	CloseURL   string
}

// handleConnectionList shows the live FTP sessions the user may see.
func (h *handler) handleConnectionList(w http.ResponseWriter, r *http.Request) {
	t, err := h.connectionTable(r)
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "connections", ConnectionListPage{Layout: h.layout(r, "Connections", "connections"), Table: t})
}

// handleConnectionTable serves the table alone, for live refresh.
func (h *handler) handleConnectionTable(w http.ResponseWriter, r *http.Request) {
	t, err := h.connectionTable(r)
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	h.renderTemplate(w, r, http.StatusOK, "connections", "connection_table", t)
}

// connectionTable lists the sessions of the request's user.
func (h *handler) connectionTable(r *http.Request) (ConnectionTable, error) {
	s := sessionFrom(r.Context())
	t := ConnectionTable{CSRF: s.CSRF, Admin: s.isAdmin()}
	list, err := h.svc.Sessions(r.Context(), hosting.SessionFilter{})
	if err != nil {
		return t, err
	}
	var customers map[int64]string
	if s.isAdmin() && len(list) > 0 {
		cs, err := h.svc.Customers(r.Context(), hosting.CustomerFilter{})
		if err != nil {
			return t, err
		}
		customers = make(map[int64]string, len(cs))
		for _, c := range cs {
			customers[c.ID] = c.Login
		}
	}
	now := h.svc.Now()
	t.Updated = formatTime(now)
	for _, x := range list {
		row := ConnectionRow{ID: x.ID, Login: x.Login, Site: hosting.DisplayDomain(x.SiteName), Customer: customers[x.CustomerID],
			RemoteAddr: x.RemoteAddr, Client: x.Client, TLS: x.TLS, Protocol: x.Protocol,
			Since: since(now, x.StartedAt), StartedAt: x.StartedAt.UTC().Format("2006-01-02T15:04:05Z"),
			Started: formatTime(x.StartedAt), Activity: x.Transfer, BytesIn: formatBytes(x.BytesIn),
			BytesOut: formatBytes(x.BytesOut), Closing: x.KillRequested,
			CloseURL: "/connections/" + pathEscape(x.ID) + "/close"}
		if row.Activity == "" {
			row.Activity = x.Command
		}
		if row.Protocol == "" {
			row.Protocol = "ftp"
		}
		t.Rows = append(t.Rows, row)
	}
	return t, nil
}

package hosting

import "time"

// Session is one live FTP or SFTP connection.
type Session struct {
	ID            string    `json:"id"` // unique across nodes: "<node>-<n>"
	Node          string    `json:"node"`
	Protocol      string    `json:"protocol"` // "ftp" (TLS says whether FTPS) or "sftp"
	AccountID     int64     `json:"account_id"`
	Login         string    `json:"login"`
	SiteID        int64     `json:"site_id"`
	SiteName      string    `json:"site"`
	CustomerID    int64     `json:"customer_id"`
	RemoteAddr    string    `json:"remote_addr"`
	Client        string    `json:"client"` // from CLNT, if sent
	TLS           bool      `json:"tls"`
	StartedAt     time.Time `json:"started_at"`
	Command       string    `json:"command"`  // last command, never with a password
	Transfer      string    `json:"transfer"` // current transfer, e.g. "STOR /a.zip"
	BytesIn       int64     `json:"bytes_in"`
	BytesOut      int64     `json:"bytes_out"`
	UpdatedAt     time.Time `json:"updated_at"`
	KillRequested bool      `json:"kill_requested"`
}

// SessionFilter selects sessions. Zero fields do not filter.
type SessionFilter struct {
	ID            *string
	Node          *string
	AccountID     *int64
	SiteID        *int64
	CustomerID    *int64
	KillRequested *bool
}

// Ban is an address refused by the defender until Until.
type Ban struct {
	Addr      string    `json:"addr"`
	Until     time.Time `json:"until"`
	Strikes   int       `json:"strikes"` // how many times the address was banned
	Reason    string    `json:"reason"`
	Node      string    `json:"node"`
	CreatedAt time.Time `json:"created_at"`
}

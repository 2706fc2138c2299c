package hosting

import "time"

// Site is a web site (Plesk "webspace", HestiaCP "web domain") of a customer.
type Site struct {
	ID             int64     `json:"id"`
	Name           string    `json:"name"` // domain, ASCII (punycode) form
	CustomerID     int64     `json:"customer_id"`
	CustomerLogin  string    `json:"customer"` // filled by the store
	Root           string    `json:"root"`     // absolute folder on disk
	IP             string    `json:"ip"`       // address shown to users, "" = server default
	UID            int       `json:"uid"`      // system user owning uploads; -1 = none
	GID            int       `json:"gid"`      // -1 = none
	Status         Status    `json:"status"`
	MaxFTPAccounts int       `json:"max_ftp_accounts"` // additional accounts; -1 = unlimited
	DefaultQuota   int64     `json:"default_quota"`    // bytes for new accounts; -1 = unlimited
	CustomerStatus Status    `json:"customer_status"`  // filled by the store
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`

	// The site folder's size when last measured from disk, and when
	// (nil = never).
	UsedBytes      int64      `json:"used_bytes"`
	UsedMeasuredAt *time.Time `json:"used_measured_at,omitempty"`
}

// EffectiveStatus is suspended when the site or its customer is.
func (s *Site) EffectiveStatus() Status {
	if s.Status == StatusSuspended || s.CustomerStatus == StatusSuspended {
		return StatusSuspended
	}
	return StatusActive
}

// HasSystemUser reports whether uploads must be chowned to UID:GID.
func (s *Site) HasSystemUser() bool { return s.UID >= 0 && s.GID >= 0 }

// SiteFilter selects sites. Zero fields do not filter.
type SiteFilter struct {
	ID         *int64
	Name       *string
	CustomerID *int64
	Status     *Status
	Query      string
	Offset     int
	Limit      int
}

// SiteCreate is the input of Service.CreateSite.
type SiteCreate struct {
	Name           string // domain, Unicode or punycode
	Customer       string // customer login
	Root           string // "" = <sites_dir>/<name>
	IP             string
	UID, GID       *int
	MaxFTPAccounts *int
	DefaultQuota   *int64
	MainLogin      string // "" = generated
	MainPassword   string // "" = generated and returned once
}

// SiteUpdate holds the fields to change; nil fields stay as they are.
type SiteUpdate struct {
	IP             *string
	UID, GID       *int
	MaxFTPAccounts *int
	DefaultQuota   *int64
	Customer       *string // move to another customer (admin only)
}

package hosting

import (
	"net/netip"
	"time"
)

// Account is an FTP account of a site.
type Account struct {
	ID             int64      `json:"id"`
	Login          string     `json:"login"`
	SiteID         int64      `json:"site_id"`
	SiteName       string     `json:"site"` // filled by the store
	CustomerID     int64      `json:"customer_id"`
	CustomerLogin  string     `json:"customer"` // filled by the store
	Home           string     `json:"home"`     // site-relative, "/" = site root
	PasswordHash   string     `json:"-"`
	QuotaBytes     int64      `json:"quota_bytes"` // -1 = unlimited
	Read           bool       `json:"read"`
	Write          bool       `json:"write"`
	Status         Status     `json:"status"` // own status
	Main           bool       `json:"main"`
	ExpiresAt      *time.Time `json:"expires_at,omitempty"`
	AllowedIPs     []string   `json:"allowed_ips,omitempty"` // addresses or CIDRs; empty = any
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
	LastLoginAt    *time.Time `json:"last_login_at,omitempty"`
	UsedBytes      int64      `json:"used_bytes"`
	LastLoginAddr  string     `json:"last_login_addr,omitempty"` // client address of the last login
	SiteStatus     Status     `json:"site_status"`               // filled by the store
	CustomerStatus Status     `json:"customer_status"`           // filled by the store
	SiteRoot       string     `json:"-"`                         // filled by the store
	SiteUID        int        `json:"-"`                         // filled by the store
	SiteGID        int        `json:"-"`                         // filled by the store

	// When UsedBytes was last measured from disk; nil = never.
	UsedMeasuredAt *time.Time `json:"used_measured_at,omitempty"`
}

// EffectiveStatus is suspended when the account, its site or its customer is.
func (a *Account) EffectiveStatus() Status {
	if a.Status == StatusSuspended || a.SiteStatus == StatusSuspended || a.CustomerStatus == StatusSuspended {
		return StatusSuspended
	}
	return StatusActive
}

// Expired reports whether the account may no longer log in at now.
func (a *Account) Expired(now time.Time) bool {
	return a.ExpiresAt != nil && !now.Before(*a.ExpiresAt)
}

// AllowsIP reports whether a login from ip is allowed by AllowedIPs.
func (a *Account) AllowsIP(ip netip.Addr) bool {
	if len(a.AllowedIPs) == 0 {
		return true
	}
	ip = ip.Unmap()
	for _, s := range a.AllowedIPs {
		if p, err := netip.ParsePrefix(s); err == nil {
			if p.Contains(ip) {
				return true
			}
			continue
		}
		if x, err := netip.ParseAddr(s); err == nil && x.Unmap() == ip {
			return true
		}
	}
	return false
}

// AccountFilter selects accounts. Zero fields do not filter. Results are
// ordered by ID; AfterID and Limit page through them.
type AccountFilter struct {
	ID         *int64
	Login      *string
	SiteID     *int64
	CustomerID *int64
	Status     *Status // own status
	Main       *bool
	Query      string // substring of the login
	AfterID    int64  // cursor: only IDs greater than this
	Limit      int    // 0 = no limit
	// Order sorts the result (issue 12: the panel's sorted pages); "" =
	// by ID. Ties are broken by login.
	Order  AccountOrder
	Offset int // skip this many (with Order, for pages)
}

// AccountOrder is a sort order of AccountFilter.
type AccountOrder string

// AccountOrder values.
const (
	OrderByID        AccountOrder = ""
	OrderByLogin     AccountOrder = "login"
	OrderByLastLogin AccountOrder = "last_login" // latest first, never-logged-in last
	OrderByUsage     AccountOrder = "usage"      // largest first
)

// AccountCreate is the input of Service.CreateAccount.
type AccountCreate struct {
	Site          string // site name (domain); or SiteID
	SiteID        int64
	Login         string // name before the namespace is applied; "" = generated
	Password      string // "" = generated and returned once (unless PasswordHash)
	PasswordHash  string // an imported crypt/argon2id hash instead of Password
	Home          string // "" = "/"
	CreateMissing bool
	QuotaBytes    *int64 // nil = the site's default quota
	Read, Write   *bool  // nil = true
	ExpiresAt     *time.Time
	AllowedIPs    []string
	Compat        Compat
}

// Compat selects the naming and folder semantics of a foreign protocol.
type Compat string

// Compat values.
const (
	CompatNone Compat = ""
	// CompatHestia: the login is CUSTOMER_NAME checked by HestiaCP's format
	// rule; missing folders are created and the top-level folder rule does
	// not apply, as HestiaCP does.
	CompatHestia Compat = "hestia"
)

// AccountUpdate holds the fields to change; nil fields stay as they are.
type AccountUpdate struct {
	Login         *string // rename: the new name, namespaced as in CreateAccount; with CompatHestia the full USER_name login
	Password      *string // new password; "" is refused
	Home          *string
	CreateMissing bool
	QuotaBytes    *int64
	Read, Write   *bool
	ExpiresAt     **time.Time // non-nil pointer to nil clears
	AllowedIPs    *[]string
	Compat        Compat
}

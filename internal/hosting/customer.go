package hosting

import "time"

// Status is the own status of a customer, site or account.
type Status string

// Statuses.
const (
	StatusActive    Status = "active"
	StatusSuspended Status = "suspended"
)

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return s == StatusActive || s == StatusSuspended }

// Unlimited is the value of a limit or quota without bound.
const Unlimited = -1

// Customer is a site owner with a panel login.
type Customer struct {
	ID             int64     `json:"id"`
	Login          string    `json:"login"`
	Name           string    `json:"name"`
	Email          string    `json:"email"`
	PasswordHash   string    `json:"-"`
	Status         Status    `json:"status"`
	MaxFTPAccounts int       `json:"max_ftp_accounts"` // additional accounts over all sites; -1 = unlimited
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// CustomerFilter selects customers. Zero fields do not filter.
type CustomerFilter struct {
	ID     *int64
	Login  *string
	Status *Status
	Query  string // substring of login, name or email
	Offset int
	Limit  int // 0 = no limit
}

// CustomerCreate is the input of Service.CreateCustomer.
type CustomerCreate struct {
	Login          string
	Name           string
	Email          string
	Password       string // "" = generated and returned once
	MaxFTPAccounts *int   // nil = policy default (unlimited)
}

// CustomerUpdate holds the fields to change; nil fields stay as they are.
type CustomerUpdate struct {
	Name           *string
	Email          *string
	MaxFTPAccounts *int
}

// Admin is a panel administrator.
type Admin struct {
	ID           int64     `json:"id"`
	Login        string    `json:"login"`
	PasswordHash string    `json:"-"`
	CreatedAt    time.Time `json:"created_at"`
}

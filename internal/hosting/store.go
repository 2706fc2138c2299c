package hosting

import (
	"context"
	"time"
)

// Store persists the model. Each method is one transaction. Methods that
// change the model take the AuditEvent describing the change and write it in
// the same transaction (ev may be nil only where noted). Lookups of a missing
// object return an *Error with CodeNotFound; unique-constraint violations
// return CodeLoginTaken (logins) or CodeConflict (other names). Stores never
// apply business rules beyond the atomic checks documented here.
type Store interface {
	// Close releases the store's resources.
	Close() error

	// CreateAdmin inserts a and sets its ID. login_taken when the login exists.
	CreateAdmin(ctx context.Context, a *Admin, ev *AuditEvent) error
	// AdminByLogin returns the admin; not_found.
	AdminByLogin(ctx context.Context, login string) (*Admin, error)
	// Admins lists all admins by login.
	Admins(ctx context.Context) ([]*Admin, error)
	// SetAdminPassword replaces the admin's hash; not_found.
	SetAdminPassword(ctx context.Context, id int64, hash string, ev *AuditEvent) error
	// DeleteAdmin removes the admin; not_found.
	DeleteAdmin(ctx context.Context, id int64, ev *AuditEvent) error

	// CreateCustomer inserts c and sets ID and timestamps; login_taken.
	CreateCustomer(ctx context.Context, c *Customer, ev *AuditEvent) error
	// CustomerByID returns the customer; not_found.
	CustomerByID(ctx context.Context, id int64) (*Customer, error)
	// CustomerByLogin returns the customer; not_found.
	CustomerByLogin(ctx context.Context, login string) (*Customer, error)
	// Customers lists customers by login.
	Customers(ctx context.Context, f CustomerFilter) ([]*Customer, error)
	// UpdateCustomer writes the mutable fields of c (name, email, password
	// hash, status, max_ftp_accounts) and sets UpdatedAt; not_found.
	UpdateCustomer(ctx context.Context, c *Customer, ev *AuditEvent) error
	// DeleteCustomer removes the customer; conflict while it owns sites;
	// not_found.
	DeleteCustomer(ctx context.Context, id int64, ev *AuditEvent) error

	// CreateSite inserts s and its main account (main.SiteID is set) in one
	// transaction; conflict when the site name exists, login_taken when the
	// main login exists, not_found when the customer does not exist.
	CreateSite(ctx context.Context, s *Site, main *Account, ev *AuditEvent) error
	// SiteByID returns the site; not_found.
	SiteByID(ctx context.Context, id int64) (*Site, error)
	// SiteByName returns the site by its ASCII name; not_found.
	SiteByName(ctx context.Context, name string) (*Site, error)
	// Sites lists sites by name.
	Sites(ctx context.Context, f SiteFilter) ([]*Site, error)
	// UpdateSite writes the mutable fields of s (customer, ip, uid, gid,
	// status, max_ftp_accounts, default_quota) and moves its accounts with
	// it when the customer changes; not_found.
	UpdateSite(ctx context.Context, s *Site, ev *AuditEvent) error
	// DeleteSite removes the site with all its accounts; not_found.
	DeleteSite(ctx context.Context, id int64, ev *AuditEvent) error

	// CreateAccount inserts a and sets ID and timestamps. Atomically with the
	// insert, when a is not a main account it checks the site's and the
	// customer's max_ftp_accounts (when ≥ 0) against their additional
	// (non-main) accounts and fails with limit_exceeded; login_taken when
	// the login exists; not_found when the site does not exist.
	CreateAccount(ctx context.Context, a *Account, ev *AuditEvent) error
	// AccountByID returns the account with its site and customer fields; not_found.
	AccountByID(ctx context.Context, id int64) (*Account, error)
	// AccountByLogin returns the account with its site and customer fields; not_found.
	AccountByLogin(ctx context.Context, login string) (*Account, error)
	// Accounts lists accounts ordered by ID.
	Accounts(ctx context.Context, f AccountFilter) ([]*Account, error)
	// CountAccounts counts the accounts f selects (ignoring AfterID/Limit).
	CountAccounts(ctx context.Context, f AccountFilter) (int, error)
	// UpdateAccount writes the mutable fields of a (login, home, password
	// hash, quota, read, write, status, expires_at, allowed_ips) and sets
	// UpdatedAt; login_taken on a rename to an existing login; not_found.
	UpdateAccount(ctx context.Context, a *Account, ev *AuditEvent) error
	// DeleteAccount removes the account; not_found.
	DeleteAccount(ctx context.Context, id int64, ev *AuditEvent) error
	// RecordLogin sets last_login_at and, when newHash is not empty,
	// replaces the password hash (upgrade after a successful login) only if
	// it still equals oldHash. No audit event.
	RecordLogin(ctx context.Context, id int64, at time.Time, oldHash, newHash string) error
	// SetUsedBytes records the measured usage of the account's home.
	SetUsedBytes(ctx context.Context, id int64, used int64) error

	// AppendAudit writes an event that goes with no other change.
	AppendAudit(ctx context.Context, ev *AuditEvent) error
	// AuditEvents lists events newest first.
	AuditEvents(ctx context.Context, f AuditFilter) ([]*AuditEvent, error)

	// CreateToken inserts t; conflict when its key exists.
	CreateToken(ctx context.Context, t *Token, ev *AuditEvent) error
	// TokenByKey returns the token with that public key; not_found.
	TokenByKey(ctx context.Context, key string) (*Token, error)
	// Tokens lists tokens by ID.
	Tokens(ctx context.Context, f TokenFilter) ([]*Token, error)
	// DeleteToken revokes the token; not_found.
	DeleteToken(ctx context.Context, id int64, ev *AuditEvent) error
	// TouchToken sets last_used_at.
	TouchToken(ctx context.Context, id int64, at time.Time) error

	// PutSession inserts or replaces a live session (by ID). The
	// kill_requested flag already set in the store is kept.
	PutSession(ctx context.Context, s *Session) error
	// DeleteSession removes a session; no error when it is gone.
	DeleteSession(ctx context.Context, id string) error
	// DeleteNodeSessions removes every session of a node (at start and stop).
	DeleteNodeSessions(ctx context.Context, node string) error
	// Sessions lists sessions by start time.
	Sessions(ctx context.Context, f SessionFilter) ([]*Session, error)
	// RequestSessionKill flags the sessions f selects for closing by the
	// node holding them and returns how many were flagged.
	RequestSessionKill(ctx context.Context, f SessionFilter) (int, error)

	// PutBan inserts or replaces the ban of b.Addr.
	PutBan(ctx context.Context, b *Ban) error
	// BanByAddr returns the ban of addr (also an expired one); not_found.
	BanByAddr(ctx context.Context, addr string) (*Ban, error)
	// Bans lists bans whose Until is after now, by address.
	Bans(ctx context.Context, now time.Time) ([]*Ban, error)
	// DeleteBan removes the ban of addr; not_found.
	DeleteBan(ctx context.Context, addr string) error

	// PutKV stores an opaque value under scope and key, until expires
	// (idempotency keys, web sessions). Existing values are replaced.
	PutKV(ctx context.Context, scope, key string, value []byte, expires time.Time) error
	// KV returns a value stored with PutKV that has not expired; not_found.
	KV(ctx context.Context, scope, key string) ([]byte, error)
	// DeleteKV removes a value; no error when it is gone.
	DeleteKV(ctx context.Context, scope, key string) error

	// --- SSH public keys (issue 13) ---

	// CreateSSHKey inserts k and sets its ID; conflict when the account
	// already has this key, not_found when the account does not exist.
	CreateSSHKey(ctx context.Context, k *SSHKey, ev *AuditEvent) error
	// SSHKeys lists an account's keys by ID (none: empty).
	SSHKeys(ctx context.Context, accountID int64) ([]*SSHKey, error)
	// SSHKeyCounts counts the keys of each of the accounts, in one query;
	// accounts without keys (or unknown) are absent from the map.
	SSHKeyCounts(ctx context.Context, accountIDs []int64) (map[int64]int, error)
	// DeleteSSHKey removes a key; not_found.
	DeleteSSHKey(ctx context.Context, id int64, ev *AuditEvent) error

	// --- usage and quota (issues 12, 17) ---
	// RecordSiteUsage stores a measure of a site's folder taken at at:
	// the site's total and the usage of its accounts (by ID; IDs of other
	// sites' accounts are ignored); not_found when the site is gone.
	RecordSiteUsage(ctx context.Context, siteID, total int64, accounts map[int64]int64, at time.Time) error
	// ClaimQuota settles a node's growth of an account's home and renews
	// its reservation, atomically against every node's live reservation;
	// see QuotaClaim. not_found when the account is gone.
	ClaimQuota(ctx context.Context, c QuotaClaim) (QuotaGrant, error)

	// --- panel two-factor sign-in (issue 12) ---

	// TwoFactor returns the two-factor state of an admin or customer (by
	// kind and ID; Secret "" when off); not_found when there is none.
	TwoFactor(ctx context.Context, kind ActorKind, id int64) (*TwoFactor, error)
	// UpdateTwoFactor replaces the two-factor state of t.Kind/t.ID if it
	// still equals prev (compare and swap, so a recovery code or a TOTP
	// step is used once even by concurrent sign-ins); conflict when it
	// changed meanwhile, not_found when the user is gone.
	UpdateTwoFactor(ctx context.Context, t, prev *TwoFactor, ev *AuditEvent) error
	// SetLastLoginAddr records the client address of an FTP account's
	// last login (shown on the panel's cards); not_found.
	SetLastLoginAddr(ctx context.Context, id int64, addr string) error
}

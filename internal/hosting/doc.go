// Package hosting is ftpanel's domain: customers, their sites, the FTP
// accounts of each site, live FTP sessions, bans, API tokens and the audit
// trail, plus every rule of DESIGN §3.
//
// The model: a Customer owns Sites; each Site has a root folder on disk and
// exactly one main Account (home "/") that can be edited but not deleted
// while the site exists, plus any number of additional Accounts (within the
// site's and the customer's max_ftp_accounts; the main account does not
// count). An account's effective status is suspended when the account, its
// site or its customer is suspended; suspending a parent never rewrites the
// children's own status, so unsuspending restores each account's own state.
//
// Who may do what: an Actor travels in the context (WithActor). Admins may
// act on everything; a customer acts only on its own sites and accounts and
// sees any other customer's object as not_found; the system actor (CLI, the
// FTP server) acts as an admin. Every mutation goes through Service, which
// applies the rules, authorization and limits, and hands the store an
// AuditEvent that is written in the same transaction as the change.
//
// Interfaces (CLI, FTP server, REST, Plesk XML, HestiaCP API, web panel)
// call Service only; they never talk to a Store directly.
package hosting

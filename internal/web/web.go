// Package web is ftpanel's control panel: server-rendered pages for
// administrators and customers (FTP account cards, simple and advanced
// account creation, edit and delete, SSH keys for SFTP, live
// connections, and the admin lists of customers, sites and audit events).
//
// Pages are html/template files embedded in the binary and parsed once in
// NewHandler; each page has its own data struct. Every page works without
// JavaScript; static/app.js adds dialogs, copy buttons, a folder picker and
// live refresh of the connections table. All data goes through
// hosting.Service with an Actor (Via web) taken from a server-side session.
package web

import (
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"

	"ftpanel/internal/homefs"
	"ftpanel/internal/hosting"
)

// Options configure the panel.
type Options struct {
	// Logger receives request errors; nil discards.
	Logger *slog.Logger
	// FTPHost is the host name shown on account cards for FTP clients to
	// connect to; "" falls back to the site's IP, then to the panel's host.
	FTPHost string
	// FTPPort is the FTP port shown on account cards; 0 means 21.
	FTPPort int
	// SFTPPort is the SFTP port shown on account cards, with a ready
	// "sftp" command line, the host key fingerprints and the account's
	// SSH keys (at the same host as FTP); 0 means the server has no SFTP,
	// and then cards show nothing about it.
	SFTPPort int
	// SFTPHostKeys are the SFTP server's host key fingerprints as
	// "ssh-ed25519 SHA256:...", shown so that users can check the key
	// their client is offered on first connect.
	SFTPHostKeys []string
	// SecureCookies marks cookies Secure (HTTPS deployments). It is false
	// only for plain-HTTP loopback use and tests.
	SecureCookies bool
	// FileManagerURL is a link template for the per-site "File manager"
	// button, e.g. "https://files.example.com/?site={site}"; {site} is
	// replaced by the site's domain and {customer} by its owner's login.
	// "" opens the built-in file manager (/sites/{site}/files).
	FileManagerURL string
	// Usages are the node's per-account quota pools, shared with the FTP
	// and SFTP servers; nil gives the panel pools of its own.
	Usages *homefs.Usages
	// Umask applies to files and folders the file manager creates
	// (files 0666&^Umask, folders 0777&^Umask), as for FTP uploads;
	// nil means 022.
	Umask *fs.FileMode
	// SimpleHome is the home folder of accounts added in simple mode; ""
	// picks the site's web folder (e.g. /httpdocs) when it exists, else
	// the whole site.
	SimpleHome string
	// Require2FAForAdmins sends administrators without two-factor
	// sign-in to its set-up page until they enrol
	// (panel.require_2fa_for_admins).
	Require2FAForAdmins bool
}

// handler holds the panel's dependencies; its methods are the routes.
type handler struct {
	svc    *hosting.Service
	opts   Options
	log    *slog.Logger
	pages  *pages
	usages *homefs.Usages
	// throttle guards second-factor codes and the current-password check
	// of a password change; sign-in passwords go through the service's
	// guard.
	throttle *loginThrottle
}

// NewHandler returns the panel's HTTP handler. Templates are parsed here;
// a template error is returned rather than found at request time.
func NewHandler(svc *hosting.Service, o Options) (http.Handler, error) {
	if svc == nil {
		return nil, fmt.Errorf("web: nil service")
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if o.FTPPort == 0 {
		o.FTPPort = 21
	}
	p, err := parsePages()
	if err != nil {
		return nil, err
	}
	h := &handler{svc: svc, opts: o, log: o.Logger, pages: p, usages: o.Usages,
		throttle: newLoginThrottle(loginMaxFailures, loginWindow)}
	if h.usages == nil {
		h.usages = homefs.NewUsages()
	}

	mux := http.NewServeMux()
	mux.Handle("GET /static/", h.static())
	mux.HandleFunc("GET /{$}", h.handleHome)
	mux.HandleFunc("GET /login", h.handleLoginForm)
	mux.HandleFunc("POST /login", h.handleLoginSubmit)
	mux.HandleFunc("POST /logout", h.handleLogout)

	mux.HandleFunc("GET /accounts", h.auth(h.handleAccountList))
	mux.HandleFunc("POST /accounts", h.auth(h.handleAccountCreateSimple))
	mux.HandleFunc("GET /accounts/{login}/edit", h.auth(h.handleAccountEdit))
	mux.HandleFunc("POST /accounts/{login}/edit", h.auth(h.handleAccountUpdate))
	mux.HandleFunc("GET /accounts/{login}/delete", h.auth(h.handleAccountDeleteConfirm))
	mux.HandleFunc("POST /accounts/{login}/delete", h.auth(h.handleAccountDelete))
	mux.HandleFunc("GET /accounts/{login}/keys", h.auth(h.handleSSHKeyList))
	mux.HandleFunc("POST /accounts/{login}/keys", h.auth(h.handleSSHKeyAdd))
	mux.HandleFunc("GET /accounts/{login}/keys/{key}/delete", h.auth(h.handleSSHKeyDeleteConfirm))
	mux.HandleFunc("POST /accounts/{login}/keys/{key}/delete", h.auth(h.handleSSHKeyDelete))
	mux.HandleFunc("GET /sites/{name}/accounts", h.auth(h.handleSiteAccountList))
	mux.HandleFunc("POST /sites/{name}/accounts", h.auth(h.handleSiteAccountCreate))

	mux.HandleFunc("GET /connections", h.auth(h.handleConnectionList))
	mux.HandleFunc("GET /connections/table", h.auth(h.handleConnectionTable))
	mux.HandleFunc("POST /connections/{id}/close", h.auth(h.handleConnectionClose))

	mux.HandleFunc("GET /customers", h.admin(h.handleCustomerList))
	mux.HandleFunc("POST /customers/{login}/status", h.admin(h.handleCustomerStatus))
	mux.HandleFunc("POST /customers/{login}/limits", h.admin(h.handleCustomerLimits))
	mux.HandleFunc("GET /sites", h.admin(h.handleSiteList))
	mux.HandleFunc("POST /sites/{name}/status", h.admin(h.handleSiteStatus))
	mux.HandleFunc("POST /sites/{name}/limits", h.admin(h.handleSiteLimits))
	mux.HandleFunc("GET /audit", h.admin(h.handleAuditList))

	// The built-in file manager (files*.go).
	h.registerFileRoutes(mux)
	h.panelRoutes(mux)

	mux.HandleFunc("/", h.handleNotFound)

	// Outermost first: headers and recovery, then the session (and with
	// it the actor), then the CSRF check of every state-changing request.
	var chain http.Handler = mux
	chain = h.checkCSRF(chain)
	chain = h.loadSession(chain)
	chain = h.secure(chain)
	return chain, nil
}

// handleHome sends signed-in users to their accounts and others to login.
func (h *handler) handleHome(w http.ResponseWriter, r *http.Request) {
	if sessionFrom(r.Context()) == nil {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/accounts", http.StatusSeeOther)
}

// handleNotFound answers every unknown path.
func (h *handler) handleNotFound(w http.ResponseWriter, r *http.Request) {
	h.notFound(w, r)
}

// Package api is ftpanel's REST API under /api/v1 (DESIGN §5): JSON in and
// out, bearer tokens for administrators and customers, and an OpenAPI 3.1
// document served at /api/v1/openapi.json.
//
// Every handler translates HTTP into one hosting.Service call; authorization,
// validation, limits and audit happen there. This package adds only what is
// HTTP's own: authentication of the bearer token (with a limit on failed
// attempts per address and per token key), request size limits, strict JSON
// decoding, pagination cursors, Idempotency-Key replay, and the mapping of
// hosting error codes to HTTP statuses (error.go).
package api

import (
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"ftpanel/internal/hosting"
)

// Options configure the API handler. The zero value is usable.
type Options struct {
	// Logger receives one line per request and the causes of internal
	// errors; nil discards.
	Logger *slog.Logger
	// FTPHost and FTPPort are shown in account objects as the address FTP
	// clients connect to. FTPHost "" omits the connection info; FTPPort 0
	// means 21.
	FTPHost string
	FTPPort int
	// SFTPPort is the SFTP port shown in account objects (field "sftp",
	// at FTPHost, with SFTPHostKeys); 0 means the server has no SFTP and
	// omits the field, as does FTPHost "".
	SFTPPort int
	// SFTPHostKeys are the SFTP server's host key fingerprints
	// ("ssh-ed25519 SHA256:..."), for clients to check on first connect.
	SFTPHostKeys []string
	// MaxBodyBytes bounds request bodies; 0 means 1 MiB.
	MaxBodyBytes int64
}

// Defaults of Options, and how long idempotent answers are kept.
const (
	defaultMaxBody = 1 << 20
	idempotencyTTL = 24 * time.Hour
)

// handler holds the API's dependencies; its methods are the routes.
type handler struct {
	svc  *hosting.Service
	opts Options
	log  *slog.Logger
	idem *inflight
}

// route is one line of the route table: a Go 1.22 ServeMux pattern, its
// handler, and whether it may be called without a token.
type route struct {
	pattern string
	handle  http.HandlerFunc
	public  bool
}

// routes is the API's route table. The OpenAPI test checks that the
// document lists exactly these operations.
func (h *handler) routes() []route {
	return []route{
		{pattern: "GET /api/v1/openapi.json", handle: h.handleOpenAPI, public: true},

		{pattern: "GET /api/v1/customers", handle: h.handleCustomerList},
		{pattern: "POST /api/v1/customers", handle: h.handleCustomerCreate},
		{pattern: "GET /api/v1/customers/{login}", handle: h.handleCustomerShow},
		{pattern: "PATCH /api/v1/customers/{login}", handle: h.handleCustomerUpdate},
		{pattern: "DELETE /api/v1/customers/{login}", handle: h.handleCustomerDelete},
		{pattern: "POST /api/v1/customers/{login}/suspend", handle: h.handleCustomerSuspend},
		{pattern: "POST /api/v1/customers/{login}/unsuspend", handle: h.handleCustomerUnsuspend},

		{pattern: "GET /api/v1/sites", handle: h.handleSiteList},
		{pattern: "POST /api/v1/sites", handle: h.handleSiteCreate},
		{pattern: "GET /api/v1/sites/{name}", handle: h.handleSiteShow},
		{pattern: "PATCH /api/v1/sites/{name}", handle: h.handleSiteUpdate},
		{pattern: "DELETE /api/v1/sites/{name}", handle: h.handleSiteDelete},
		{pattern: "POST /api/v1/sites/{name}/suspend", handle: h.handleSiteSuspend},
		{pattern: "POST /api/v1/sites/{name}/unsuspend", handle: h.handleSiteUnsuspend},

		{pattern: "GET /api/v1/accounts", handle: h.handleAccountList},
		{pattern: "POST /api/v1/accounts", handle: h.handleAccountCreate},
		{pattern: "GET /api/v1/accounts/{login}", handle: h.handleAccountShow},
		{pattern: "PATCH /api/v1/accounts/{login}", handle: h.handleAccountUpdate},
		{pattern: "DELETE /api/v1/accounts/{login}", handle: h.handleAccountDelete},
		{pattern: "POST /api/v1/accounts/{login}/password", handle: h.handleAccountPassword},
		{pattern: "POST /api/v1/accounts/{login}/suspend", handle: h.handleAccountSuspend},
		{pattern: "POST /api/v1/accounts/{login}/unsuspend", handle: h.handleAccountUnsuspend},
		{pattern: "GET /api/v1/accounts/{login}/keys", handle: h.handleSSHKeyList},
		{pattern: "POST /api/v1/accounts/{login}/keys", handle: h.handleSSHKeyAdd},
		{pattern: "DELETE /api/v1/accounts/{login}/keys/{key}", handle: h.handleSSHKeyDelete},

		{pattern: "GET /api/v1/sessions", handle: h.handleSessionList},
		{pattern: "DELETE /api/v1/sessions/{id}", handle: h.handleSessionKill},
		{pattern: "GET /api/v1/bans", handle: h.handleBanList},
		{pattern: "DELETE /api/v1/bans/{addr}", handle: h.handleBanDelete},
		{pattern: "GET /api/v1/audit", handle: h.handleAuditList},
	}
}

// NewHandler returns the REST API handler. It serves paths under /api/v1/
// and answers every other path with a JSON 404.
func NewHandler(svc *hosting.Service, o Options) http.Handler {
	h := newHandler(svc, o)
	mux := http.NewServeMux()
	// Per route: authenticate the bearer token, bound the body, then replay
	// or record POSTs that carry an Idempotency-Key.
	private := []middleware{h.authenticate, h.limitBody, h.idempotent}
	for _, rt := range h.routes() {
		if rt.public {
			mux.Handle(rt.pattern, rt.handle)
			continue
		}
		mux.Handle(rt.pattern, chain(rt.handle, private...))
	}
	// Around everything: log, recover from panics (logged as 500s), set
	// common headers, and answer unmatched paths and methods in JSON.
	return chain(h.fallback(mux), h.logRequests, h.recoverPanics, h.commonHeaders)
}

func newHandler(svc *hosting.Service, o Options) *handler {
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if o.FTPPort == 0 {
		o.FTPPort = 21
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = defaultMaxBody
	}
	return &handler{svc: svc, opts: o, log: o.Logger,
		idem: newInflight()}
}

// fallback serves matched routes through mux and answers the rest with a
// JSON 405 (the path exists for other methods) or 404.
func (h *handler) fallback(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pattern := mux.Handler(r); pattern != "" {
			mux.ServeHTTP(w, r)
			return
		}
		if allow := allowedMethods(mux, r); len(allow) > 0 {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			h.writeErrorStatus(w, r, http.StatusMethodNotAllowed,
				hosting.Errorf(hosting.CodeInvalidInput, "method %s is not allowed here; allowed: %s", r.Method, strings.Join(allow, ", ")))
			return
		}
		h.writeError(w, r, hosting.Errorf(hosting.CodeNotFound, "no such API path: %s", r.URL.Path))
	})
}

// allowedMethods returns the methods some route accepts for r's path.
func allowedMethods(mux *http.ServeMux, r *http.Request) []string {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPatch, http.MethodDelete} {
		r2 := r.Clone(r.Context())
		r2.Method = m
		if _, p := mux.Handler(r2); p != "" {
			allow = append(allow, m)
		}
	}
	return allow
}

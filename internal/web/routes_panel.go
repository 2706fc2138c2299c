package web

import "net/http"

// panelRoutes registers the pages of issue 12: one-time secret pages,
// admin management of customers, sites, tokens and bans, and the
// customer's self-service (own password, account status).
func (h *handler) panelRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /done/{id}", h.auth(h.handleReveal))
	mux.HandleFunc("GET /login/2fa", h.handleSecondFactorForm)
	mux.HandleFunc("POST /login/2fa", h.handleSecondFactorSubmit)
	mux.HandleFunc("GET /2fa", h.auth(h.handleTwoFactor))
	mux.HandleFunc("POST /2fa/setup", h.auth(h.handleTwoFactorSetup))
	mux.HandleFunc("POST /2fa/enable", h.auth(h.handleTwoFactorEnable))
	mux.HandleFunc("POST /2fa/disable", h.auth(h.handleTwoFactorDisable))
	mux.HandleFunc("POST /accounts/{login}/status", h.auth(h.handleAccountStatus))
	mux.HandleFunc("GET /password", h.auth(h.handlePasswordForm))
	mux.HandleFunc("POST /password", h.auth(h.handlePasswordSubmit))

	mux.HandleFunc("GET /customers/new", h.admin(h.handleCustomerNew))
	mux.HandleFunc("POST /customers/new", h.admin(h.handleCustomerCreate))
	mux.HandleFunc("GET /customers/{login}/edit", h.admin(h.handleCustomerEdit))
	mux.HandleFunc("POST /customers/{login}/edit", h.admin(h.handleCustomerUpdate))
	mux.HandleFunc("POST /customers/{login}/password", h.admin(h.handleCustomerPasswordReset))
	mux.HandleFunc("GET /customers/{login}/delete", h.admin(h.handleCustomerDeleteConfirm))
	mux.HandleFunc("POST /customers/{login}/delete", h.admin(h.handleCustomerDelete))

	mux.HandleFunc("GET /sites/new", h.admin(h.handleSiteNew))
	mux.HandleFunc("POST /sites/new", h.admin(h.handleSiteCreate))
	mux.HandleFunc("GET /sites/{name}/edit", h.admin(h.handleSiteEdit))
	mux.HandleFunc("POST /sites/{name}/edit", h.admin(h.handleSiteUpdate))
	mux.HandleFunc("GET /sites/{name}/delete", h.admin(h.handleSiteDeleteConfirm))
	mux.HandleFunc("POST /sites/{name}/delete", h.admin(h.handleSiteDelete))

	mux.HandleFunc("GET /tokens", h.admin(h.handleTokenList))
	mux.HandleFunc("POST /tokens", h.admin(h.handleTokenCreate))
	mux.HandleFunc("POST /tokens/{key}/delete", h.admin(h.handleTokenDelete))
	mux.HandleFunc("GET /bans", h.admin(h.handleBanList))
	mux.HandleFunc("POST /bans/delete", h.admin(h.handleBanDelete))
}

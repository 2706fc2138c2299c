package web

import (
	"net/http"
)

// LoginPage is the data of login.html.
type LoginPage struct {
	Layout
	Login     string
	Next      string
	LoginCSRF string
	Error     string
}

// handleLoginForm shows the sign-in form, with a fresh login CSRF cookie.
func (h *handler) handleLoginForm(w http.ResponseWriter, r *http.Request) {
	if sessionFrom(r.Context()) != nil {
		http.Redirect(w, r, localPath(r.URL.Query().Get("next"), "/accounts"), http.StatusSeeOther)
		return
	}
	h.renderLogin(w, r, http.StatusOK, LoginPage{Next: localPath(r.URL.Query().Get("next"), "")})
}

// renderLogin renders the login page and (re)sets its CSRF cookie.
func (h *handler) renderLogin(w http.ResponseWriter, r *http.Request, status int, p LoginPage) {
	// Keep the token of a login form open in another tab valid.
	var tok string
	if c, err := r.Cookie(h.loginCSRFCookie()); err == nil && len(c.Value) == 43 {
		tok = c.Value
	} else if tok, err = randomToken(32); err != nil {
		h.serverError(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: h.loginCSRFCookie(), Value: tok, Path: "/", MaxAge: 3600,
		HttpOnly: true, Secure: h.opts.SecureCookies, SameSite: http.SameSiteStrictMode})
	p.Layout = h.layout(r, "Sign in", "login")
	p.LoginCSRF = tok
	h.render(w, r, status, "login", p)
}

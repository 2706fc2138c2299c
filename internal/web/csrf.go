package web

import (
	"crypto/subtle"
	"net/http"
)

// csrfField is the name of the hidden form field carrying the token.
const csrfField = "csrf"

// maxFormBytes bounds request bodies; panel forms are small.
const maxFormBytes = 1 << 20

// loginCSRFCookie names the cookie that carries the login form's token
// before there is a session (double-submit: the form's hidden field must
// equal the cookie, which another site can neither read nor set).
func (h *handler) loginCSRFCookie() string {
	if h.opts.SecureCookies {
		return "__Host-ftpanel_login"
	}
	return "ftpanel_login"
}

// checkCSRF refuses (403) every state-changing request whose form does not
// carry the token of its session (or, for the login form, of its login
// cookie). Safe methods pass.
func (h *handler) checkCSRF(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			next.ServeHTTP(w, r)
			return
		}
		limit := int64(maxFormBytes)
		got := r.Header.Get("X-CSRF-Token")
		if l, tokenInBody, ok := fileBodyLimit(r); ok && sessionFrom(r.Context()) != nil {
			if got == "" && tokenInBody {
				next.ServeHTTP(w, r) // a streamed upload: the handler checks its first form field
				return
			}
			limit = l
		}
		if limit >= 0 {
			r.Body = http.MaxBytesReader(w, r.Body, limit)
		}
		if got == "" {
			got = r.PostFormValue(csrfField)
		}
		want := ""
		if r.URL.Path == "/login" || r.URL.Path == "/login/2fa" {
			if c, err := r.Cookie(h.loginCSRFCookie()); err == nil {
				want = c.Value
			}
		} else if s := sessionFrom(r.Context()); s != nil {
			want = s.CSRF
		}
		if want == "" || got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
			h.log.Info("web: csrf token missing or wrong", "path", r.URL.Path, "remote", remoteAddr(r))
			h.forbidden(w, r, "This form has expired or did not come from this panel. Go back, reload the page and try again.")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// secure sets the security headers of every answer and turns a panic
// into a 500 instead of a dropped connection.
func (h *handler) secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; "+
			"style-src-attr 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; "+
			"frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Referrer-Policy", "same-origin")
		if h.opts.SecureCookies {
			hd.Set("Strict-Transport-Security", "max-age=31536000")
		}
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				h.log.Error("web: panic", "path", r.URL.Path, "panic", v)
				http.Error(w, "Internal server error", http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

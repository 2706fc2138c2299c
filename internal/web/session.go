package web

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"ftpanel/internal/hosting"
)

const (
	// sessionScope is the KV scope of panel sessions.
	sessionScope = "websession"
	// sessionTTL is the absolute lifetime of a panel session.
	sessionTTL = 12 * time.Hour
)

// webSession is a signed-in panel user, stored server-side (hosting KV,
// scope "websession") under the SHA-256 of the random cookie value, so
// that a copy of the database does not hand out live sessions.
type webSession struct {
	id         string            // cookie value; not stored
	Kind       hosting.ActorKind `json:"kind"`
	Login      string            `json:"login"`
	CustomerID int64             `json:"customer_id,omitempty"`
	CSRF       string            `json:"csrf"`
	Created    time.Time         `json:"created"`
	Expires    time.Time         `json:"expires"`
	Flash      *flash            `json:"flash,omitempty"`
	// TwoFA: the user signed in with a second factor (or enrolled one in
	// this session); PendingTOTP: an otpauth:// URL being enrolled.
	TwoFA       bool   `json:"two_fa,omitempty"`
	PendingTOTP string `json:"pending_totp,omitempty"`
}

// flash is a one-time message shown on the next page. It never holds a
// secret: generated passwords are shown in the response that made them.
type flash struct {
	Kind string `json:"kind"` // "success" or "error"
	Text string `json:"text"`
}

// isAdmin reports whether the session belongs to an administrator.
func (s *webSession) isAdmin() bool { return s.Kind == hosting.ActorAdmin }

type ctxKey int

const sessionKey ctxKey = iota

// sessionFrom returns the request's session, or nil when signed out.
func sessionFrom(ctx context.Context) *webSession {
	s, _ := ctx.Value(sessionKey).(*webSession)
	return s
}

// randomToken returns n random bytes, URL-safe base64 encoded.
func randomToken(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("web: random: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func sessionKeyOf(id string) string {
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:])
}

// cookieName is the session cookie's name; with Secure cookies it takes
// the __Host- prefix, which browsers only accept from HTTPS, for path /
// and without a Domain, so no subdomain can plant or read it.
func (h *handler) cookieName() string {
	if h.opts.SecureCookies {
		return "__Host-ftpanel_session"
	}
	return "ftpanel_session"
}

// newSession stores a session for actor and sets its cookie.
func (h *handler) newSession(w http.ResponseWriter, r *http.Request, a hosting.Actor) (*webSession, error) {
	id, err := randomToken(32)
	if err != nil {
		return nil, err
	}
	csrf, err := randomToken(32)
	if err != nil {
		return nil, err
	}
	now := h.svc.Now()
	s := &webSession{id: id, Kind: a.Kind, Login: a.Login, CustomerID: a.CustomerID, CSRF: csrf,
		Created: now, Expires: now.Add(sessionTTL)}
	if err := h.saveSession(r.Context(), s); err != nil {
		return nil, err
	}
	http.SetCookie(w, &http.Cookie{Name: h.cookieName(), Value: id, Path: "/", Expires: s.Expires,
		MaxAge: int(sessionTTL.Seconds()), HttpOnly: true, Secure: h.opts.SecureCookies, SameSite: http.SameSiteLaxMode})
	return s, nil
}

// saveSession writes s back, keeping its absolute expiry.
func (h *handler) saveSession(ctx context.Context, s *webSession) error {
	ttl := s.Expires.Sub(h.svc.Now())
	if ttl <= 0 {
		return fmt.Errorf("web: session expired")
	}
	b, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("web: encode session: %w", err)
	}
	if err := h.svc.PutKV(ctx, sessionScope, sessionKeyOf(s.id), b, ttl); err != nil {
		return fmt.Errorf("web: save session: %w", err)
	}
	return nil
}

// clearCookie removes the session cookie from the browser.
func (h *handler) clearCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: h.cookieName(), Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: h.opts.SecureCookies, SameSite: http.SameSiteLaxMode})
}

// setFlash stores a message for the next page of the session.
func (h *handler) setFlash(r *http.Request, kind, text string) {
	s := sessionFrom(r.Context())
	if s == nil {
		return
	}
	s.Flash = &flash{Kind: kind, Text: text}
	if err := h.saveSession(r.Context(), s); err != nil {
		h.log.Warn("web: save flash", "err", err)
	}
}

// takeFlash returns and forgets the session's flash message.
func (h *handler) takeFlash(r *http.Request) *flash {
	s := sessionFrom(r.Context())
	if s == nil || s.Flash == nil {
		return nil
	}
	f := s.Flash
	s.Flash = nil
	if err := h.saveSession(r.Context(), s); err != nil {
		h.log.Warn("web: clear flash", "err", err)
	}
	return f
}

// remoteAddr returns the client's address without the port.
func remoteAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// actorOf returns the hosting actor of a session for request r.
func actorOf(s *webSession, r *http.Request) hosting.Actor {
	return hosting.Actor{Kind: s.Kind, Login: s.Login, CustomerID: s.CustomerID, Via: hosting.ViaWeb, RemoteAddr: remoteAddr(r)}
}

// loadSession resolves the session cookie. A valid session puts the
// session and its actor into the request context; a session whose user
// was deleted, or whose customer was suspended, ends here.
func (h *handler) loadSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(h.cookieName())
		if err != nil || c.Value == "" || len(c.Value) > 100 {
			next.ServeHTTP(w, r)
			return
		}
		ctx := r.Context()
		b, err := h.svc.KV(ctx, sessionScope, sessionKeyOf(c.Value))
		if err != nil {
			if hosting.ErrorCode(err) != hosting.CodeNotFound {
				h.log.Error("web: load session", "err", err)
			}
			h.clearCookie(w)
			next.ServeHTTP(w, r)
			return
		}
		var s webSession
		if err := json.Unmarshal(b, &s); err != nil || !h.svc.Now().Before(s.Expires) {
			h.clearCookie(w)
			next.ServeHTTP(w, r)
			return
		}
		s.id = c.Value
		actx := hosting.WithActor(ctx, actorOf(&s, r))
		if !h.principalValid(actx, &s) {
			_ = h.svc.DeleteKV(ctx, sessionScope, sessionKeyOf(s.id))
			h.clearCookie(w)
			next.ServeHTTP(w, r)
			return
		}
		actx = context.WithValue(actx, sessionKey, &s)
		next.ServeHTTP(w, r.WithContext(actx))
	})
}

// principalValid reports whether the session's admin still exists, or
// its customer still exists and is active.
func (h *handler) principalValid(ctx context.Context, s *webSession) bool {
	switch s.Kind {
	case hosting.ActorAdmin:
		admins, err := h.svc.Admins(ctx)
		if err != nil {
			h.log.Error("web: check session admin", "err", err)
			return false
		}
		for _, a := range admins {
			if a.Login == s.Login {
				return true
			}
		}
		return false
	case hosting.ActorCustomer:
		c, err := h.svc.Customer(ctx, s.Login)
		if err != nil {
			if hosting.ErrorCode(err) != hosting.CodeNotFound {
				h.log.Error("web: check session customer", "err", err)
			}
			return false
		}
		return c.ID == s.CustomerID && c.Status == hosting.StatusActive
	}
	return false
}

// auth wraps a page that needs a signed-in user. Signed-out browsers are
// sent to the login page (and back afterwards); fetches get 401.
func (h *handler) auth(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if sessionFrom(r.Context()) != nil {
			if h.needsEnrolment(r) {
				if r.Method == http.MethodGet {
					http.Redirect(w, r, "/2fa", http.StatusSeeOther)
				} else {
					h.forbidden(w, r, "Set up two-factor sign-in first: your hosting provider requires it for administrators.")
				}
				return
			}
			next(w, r)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			http.Error(w, "Forbidden: sign in first.", http.StatusForbidden)
			return
		}
		if r.Header.Get("X-Requested-With") != "" {
			http.Error(w, "Unauthorized", http.StatusUnauthorized)
			return
		}
		http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
	}
}

// admin wraps an administrators' page; customers get 404, as for any
// object they may not see.
func (h *handler) admin(next http.HandlerFunc) http.HandlerFunc {
	return h.auth(func(w http.ResponseWriter, r *http.Request) {
		if !sessionFrom(r.Context()).isAdmin() {
			h.notFound(w, r)
			return
		}
		next(w, r)
	})
}

// localPath returns p when it is a path on this site, else fallback; it
// keeps redirects after login and forms from leaving the panel. Browsers
// drop tabs and newlines anywhere in a URL and read a backslash as a slash
// (WHATWG URL), so p is judged as they would read it: it must be printable
// ASCII without backslashes (every path this panel links to is), start
// with one slash, and parse as a path with no scheme, host or user.
func localPath(p, fallback string) string {
	if p == "" || len(p) > 2048 || p[0] != '/' {
		return fallback
	}
	for i := 0; i < len(p); i++ {
		if c := p[i]; c < 0x21 || c > 0x7e || c == '\\' {
			return fallback
		}
	}
	if strings.HasPrefix(p, "//") {
		return fallback
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" ||
		!strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") {
		return fallback
	}
	return p
}

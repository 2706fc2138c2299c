package web

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"image/png"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/pquerna/otp"

	"ftpanel/internal/hosting"
)

const (
	// pending2FAScope is the KV scope of sign-ins waiting for their
	// second factor, keyed by the SHA-256 of a random cookie value.
	pending2FAScope = "web2fa"
	pending2FATTL   = 5 * time.Minute
	// totpIssuer names the panel in authenticator apps.
	totpIssuer = "ftpanel"
)

// pending2FA is a sign-in whose password was right and whose second
// factor is still to come.
type pending2FA struct {
	Kind       hosting.ActorKind `json:"kind"`
	Login      string            `json:"login"`
	CustomerID int64             `json:"customer_id,omitempty"`
	Next       string            `json:"next"`
}

func (h *handler) pending2FACookie() string {
	if h.opts.SecureCookies {
		return "__Host-ftpanel_2fa"
	}
	return "ftpanel_2fa"
}

// throttleBlocked and throttleFail are the one place sign-in attempts
// (passwords and second factors) meet the throttle, so that the shared
// throttle of the hosting layer can replace the panel's own here.
func (h *handler) throttleBlocked(w http.ResponseWriter, addr string) (string, bool) {
	wait, blocked := h.throttle.blocked(addr, h.svc.Now())
	if !blocked {
		return "", false
	}
	minutes := int(math.Ceil(wait.Minutes()))
	w.Header().Set("Retry-After", fmt.Sprint(int(math.Ceil(wait.Seconds()))))
	return fmt.Sprintf("Too many failed sign-in attempts from your address. Please wait %d minute%s and try again.", minutes, plural(minutes)), true
}

func (h *handler) throttleFail(addr string)    { h.throttle.fail(addr, h.svc.Now()) }
func (h *handler) throttleSucceed(addr string) { h.throttle.succeed(addr) }

// startSecondFactor parks a sign-in whose password was right and sends
// the browser to the code form.
func (h *handler) startSecondFactor(w http.ResponseWriter, r *http.Request, a hosting.Actor, next string) {
	id, err := randomToken(32)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	b, _ := json.Marshal(pending2FA{Kind: a.Kind, Login: a.Login, CustomerID: a.CustomerID, Next: next})
	if err := h.svc.PutKV(r.Context(), pending2FAScope, sessionKeyOf(id), b, pending2FATTL); err != nil {
		h.serverError(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: h.pending2FACookie(), Value: id, Path: "/", MaxAge: int(pending2FATTL.Seconds()),
		HttpOnly: true, Secure: h.opts.SecureCookies, SameSite: http.SameSiteStrictMode})
	http.Redirect(w, r, "/login/2fa", http.StatusSeeOther)
}

// pendingSignIn returns the parked sign-in of the request, if any.
func (h *handler) pendingSignIn(r *http.Request) (*pending2FA, string) {
	c, err := r.Cookie(h.pending2FACookie())
	if err != nil || c.Value == "" || len(c.Value) > 100 {
		return nil, ""
	}
	b, err := h.svc.KV(r.Context(), pending2FAScope, sessionKeyOf(c.Value))
	if err != nil {
		return nil, ""
	}
	var p pending2FA
	if json.Unmarshal(b, &p) != nil {
		return nil, ""
	}
	return &p, c.Value
}

// SecondFactorPage is the data of login_2fa.html.
type SecondFactorPage struct {
	Layout
	LoginCSRF string
	Error     string
}

func (h *handler) renderSecondFactor(w http.ResponseWriter, r *http.Request, status int, msg string) {
	var tok string
	if c, err := r.Cookie(h.loginCSRFCookie()); err == nil {
		tok = c.Value
	}
	p := SecondFactorPage{Layout: h.layout(r, "Two-factor sign-in", "login"), LoginCSRF: tok, Error: msg}
	h.render(w, r, status, "login_2fa", p)
}

// handleSecondFactorForm asks for the code of a parked sign-in.
func (h *handler) handleSecondFactorForm(w http.ResponseWriter, r *http.Request) {
	if p, _ := h.pendingSignIn(r); p == nil {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	h.renderSecondFactor(w, r, http.StatusOK, "")
}

// handleSecondFactorSubmit checks the code (throttled like passwords) and
// starts the session.
func (h *handler) handleSecondFactorSubmit(w http.ResponseWriter, r *http.Request) {
	p, id := h.pendingSignIn(r)
	if p == nil {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	addr := remoteAddr(r)
	if msg, blocked := h.throttleBlocked(w, addr); blocked {
		h.renderSecondFactor(w, r, http.StatusTooManyRequests, msg)
		return
	}
	err := h.svc.VerifyTwoFactor(r.Context(), p.Kind, p.Login, r.PostFormValue("code"), hosting.ViaWeb, addr)
	if err != nil {
		if hosting.ErrorCode(err) != hosting.CodeUnauthorized {
			h.serverError(w, r, err)
			return
		}
		h.throttleFail(addr)
		h.log.Info("web: wrong second factor", "login", p.Login, "remote", addr)
		h.renderSecondFactor(w, r, http.StatusUnauthorized, "Wrong code. Enter the current 6-digit code of your authenticator app, or one of your recovery codes.")
		return
	}
	h.throttleSucceed(addr)
	_ = h.svc.DeleteKV(r.Context(), pending2FAScope, sessionKeyOf(id))
	http.SetCookie(w, &http.Cookie{Name: h.pending2FACookie(), Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: h.opts.SecureCookies, SameSite: http.SameSiteStrictMode})
	actor := hosting.Actor{Kind: p.Kind, Login: p.Login, CustomerID: p.CustomerID, Via: hosting.ViaWeb, RemoteAddr: addr}
	h.finishSignIn(w, r, actor, p.Next, true)
}

// finishSignIn starts the session of a signed-in user and leaves the
// login pages.
func (h *handler) finishSignIn(w http.ResponseWriter, r *http.Request, actor hosting.Actor, next string, twoFA bool) {
	s, err := h.newSession(w, r, actor)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	if twoFA {
		s.TwoFA = true
		if err := h.saveSession(r.Context(), s); err != nil {
			h.serverError(w, r, err)
			return
		}
	}
	ctx := hosting.WithActor(r.Context(), actor)
	detail := "web panel sign-in"
	if twoFA {
		detail += " with a second factor"
	}
	if err := h.svc.Audit(ctx, "panel.login", string(actor.Kind), actor.Login, detail); err != nil {
		h.log.Warn("web: audit login", "err", err)
	}
	http.SetCookie(w, &http.Cookie{Name: h.loginCSRFCookie(), Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: h.opts.SecureCookies, SameSite: http.SameSiteStrictMode})
	http.Redirect(w, r, localPath(next, "/accounts"), http.StatusSeeOther)
}

// TwoFactorPage is the data of twofactor.html: the signed-in user's
// two-factor settings and, while enrolling, the QR code.
type TwoFactorPage struct {
	Layout
	Enabled   bool
	CodesLeft int
	Required  bool         // the provider requires it (administrators)
	Enrolling bool         // a secret waits for its first code
	QR        template.URL // data: URL of the PNG QR code (made here, not user input)
	Secret    string       // the secret in groups, for typing by hand
	Errors    FieldErrors
	Summary   []SummaryItem
}

var twoFactorFields = []formField{{"code", "tf-code", "Code"}}

func (h *handler) renderTwoFactor(w http.ResponseWriter, r *http.Request, status int, errs FieldErrors) {
	s := sessionFrom(r.Context())
	on, left, err := h.svc.TwoFactorStatus(r.Context())
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	if errs == nil {
		errs = FieldErrors{}
	}
	p := TwoFactorPage{Layout: h.layout(r, "Two-factor sign-in", "2fa"), Enabled: on, CodesLeft: left,
		Required: s.isAdmin() && h.opts.Require2FAForAdmins, Errors: errs, Summary: summary(errs, "", twoFactorFields)}
	if !on && s.PendingTOTP != "" {
		key, err := otp.NewKeyFromURL(s.PendingTOTP)
		if err != nil {
			h.serverError(w, r, err)
			return
		}
		img, err := key.Image(220, 220)
		if err != nil {
			h.serverError(w, r, err)
			return
		}
		var buf bytes.Buffer
		if err := png.Encode(&buf, img); err != nil {
			h.serverError(w, r, err)
			return
		}
		p.Enrolling = true
		p.QR = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes()))
		var groups []string
		sec := key.Secret()
		for i := 0; i < len(sec); i += 4 {
			groups = append(groups, sec[i:min(i+4, len(sec))])
		}
		p.Secret = strings.Join(groups, " ")
	}
	h.render(w, r, status, "twofactor", p)
}

// handleTwoFactor shows the settings.
func (h *handler) handleTwoFactor(w http.ResponseWriter, r *http.Request) {
	h.renderTwoFactor(w, r, http.StatusOK, nil)
}

// handleTwoFactorSetup makes a new secret for enrolment, kept in the
// server-side session until confirmed.
func (h *handler) handleTwoFactorSetup(w http.ResponseWriter, r *http.Request) {
	key, err := h.svc.NewTwoFactorKey(r.Context(), totpIssuer)
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	s := sessionFrom(r.Context())
	s.PendingTOTP = key.URL()
	if err := h.saveSession(r.Context(), s); err != nil {
		h.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/2fa", http.StatusSeeOther)
}

// handleTwoFactorEnable confirms enrolment with a code and shows the
// recovery codes once.
func (h *handler) handleTwoFactorEnable(w http.ResponseWriter, r *http.Request) {
	s := sessionFrom(r.Context())
	key, err := otp.NewKeyFromURL(s.PendingTOTP)
	if s.PendingTOTP == "" || err != nil {
		http.Redirect(w, r, "/2fa", http.StatusSeeOther)
		return
	}
	addr := remoteAddr(r)
	if msg, blocked := h.throttleBlocked(w, addr); blocked {
		h.renderTwoFactor(w, r, http.StatusTooManyRequests, FieldErrors{"code": msg})
		return
	}
	codes, err := h.svc.EnableTwoFactor(r.Context(), key.Secret(), r.PostFormValue("code"))
	if err != nil {
		if hosting.ErrorCode(err) == hosting.CodeUnauthorized {
			h.throttleFail(addr)
		}
		fe := FieldErrors{}
		if msg := h.addErr(r, fe, err, twoFactorFields); msg != "" {
			fe.add("code", msg)
		}
		h.renderTwoFactor(w, r, http.StatusUnprocessableEntity, fe)
		return
	}
	s.PendingTOTP, s.TwoFA = "", true
	if err := h.saveSession(r.Context(), s); err != nil {
		h.serverError(w, r, err)
		return
	}
	rec := revealRecord{Heading: "Two-factor sign-in is on", Active: "2fa", BackURL: "/2fa",
		Intro: "Keep these ten recovery codes somewhere safe: each signs you in once if your phone is lost. They are shown only now.",
		Note:  "From now on, signing in asks for the code of your authenticator app after the password."}
	for i, c := range codes {
		rec.Items = append(rec.Items, RevealItem{ID: fmt.Sprintf("recovery-%d", i+1), Label: fmt.Sprintf("Code %d", i+1), Value: c, Code: true, Secret: true})
	}
	h.reveal(w, r, rec)
}

// handleTwoFactorDisable turns it off after a valid code.
func (h *handler) handleTwoFactorDisable(w http.ResponseWriter, r *http.Request) {
	s := sessionFrom(r.Context())
	if s.isAdmin() && h.opts.Require2FAForAdmins {
		h.renderTwoFactor(w, r, http.StatusForbidden, FieldErrors{"code": "Your provider requires two-factor sign-in for administrators; it cannot be turned off."})
		return
	}
	addr := remoteAddr(r)
	if msg, blocked := h.throttleBlocked(w, addr); blocked {
		h.renderTwoFactor(w, r, http.StatusTooManyRequests, FieldErrors{"code": msg})
		return
	}
	if err := h.svc.DisableTwoFactor(r.Context(), r.PostFormValue("code")); err != nil {
		if hosting.ErrorCode(err) == hosting.CodeUnauthorized {
			h.throttleFail(addr)
		}
		fe := FieldErrors{}
		if msg := h.addErr(r, fe, err, twoFactorFields); msg != "" {
			fe.add("code", msg)
		}
		h.renderTwoFactor(w, r, http.StatusUnprocessableEntity, fe)
		return
	}
	s.TwoFA = false
	if err := h.saveSession(r.Context(), s); err != nil {
		h.serverError(w, r, err)
		return
	}
	h.setFlash(r, "success", "Two-factor sign-in is off.")
	http.Redirect(w, r, "/2fa", http.StatusSeeOther)
}

// needsEnrolment reports whether the request's admin must set up
// two-factor sign-in before using the panel (panel.require_2fa_for_admins).
func (h *handler) needsEnrolment(r *http.Request) bool {
	s := sessionFrom(r.Context())
	if s == nil || !s.isAdmin() || !h.opts.Require2FAForAdmins || s.TwoFA {
		return false
	}
	p := r.URL.Path
	return !(p == "/2fa" || strings.HasPrefix(p, "/2fa/") || strings.HasPrefix(p, "/done/") || p == "/logout")
}

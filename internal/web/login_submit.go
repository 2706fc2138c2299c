package web

import (
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"

	"ftpanel/internal/hosting"
)

// handleLoginSubmit checks panel credentials (administrators, then
// customers) and starts a session, or asks for the second factor. The
// service's guard counts failures per address and login, on every
// interface together, and refuses a banned address before the password
// is checked.
func (h *handler) handleLoginSubmit(w http.ResponseWriter, r *http.Request) {
	login := strings.TrimSpace(r.PostFormValue("login"))
	pw := r.PostFormValue("password")
	p := LoginPage{Login: login, Next: localPath(r.PostFormValue("next"), "")}
	addr := remoteAddr(r)
	actor, err := h.svc.AuthenticatePanel(r.Context(), login, pw, hosting.ViaWeb, addr)
	if until, refused := hosting.LoginRefused(err); refused {
		wait := max(time.Until(until), time.Second)
		minutes := int(math.Ceil(wait.Minutes()))
		p.Error = fmt.Sprintf("Too many failed sign-in attempts from your address. Please wait %d minute%s and try again.",
			minutes, plural(minutes))
		w.Header().Set("Retry-After", fmt.Sprint(int(math.Ceil(wait.Seconds()))))
		h.renderLogin(w, r, http.StatusTooManyRequests, p)
		return
	}
	if err != nil {
		switch hosting.ErrorCode(err) {
		case hosting.CodeUnauthorized:
			h.log.Info("web: failed login", "login", login, "remote", addr)
			p.Error = "Wrong login or password."
			h.renderLogin(w, r, http.StatusUnauthorized, p)
		case hosting.CodeSuspended:
			p.Error = "Your account is suspended. Please contact your hosting provider."
			h.renderLogin(w, r, http.StatusForbidden, p)
		default:
			h.serverError(w, r, err)
		}
		return
	}
	need, err := h.svc.TwoFactorRequired(r.Context(), actor.Kind, actor.Login)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	if need {
		h.startSecondFactor(w, r, actor, p.Next)
		return
	}
	h.finishSignIn(w, r, actor, p.Next, false)
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

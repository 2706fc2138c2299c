package web

import (
	"net/http"
	"strings"

	"ftpanel/internal/hosting"
)

// handleLoginSubmit checks panel credentials (administrators, then
// customers), throttled per client address, and starts a session.
func (h *handler) handleLoginSubmit(w http.ResponseWriter, r *http.Request) {
	login := strings.TrimSpace(r.PostFormValue("login"))
	pw := r.PostFormValue("password")
	p := LoginPage{Login: login, Next: localPath(r.PostFormValue("next"), "")}
	addr := remoteAddr(r)
	if msg, blocked := h.throttleBlocked(w, addr); blocked {
		p.Error = msg
		h.renderLogin(w, r, http.StatusTooManyRequests, p)
		return
	}
	actor, err := h.svc.AuthenticatePanel(r.Context(), login, pw, hosting.ViaWeb, addr)
	if err != nil {
		switch hosting.ErrorCode(err) {
		case hosting.CodeUnauthorized:
			h.throttleFail(addr)
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
	h.throttleSucceed(addr)
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

package web

import (
	"net/http"

	"ftpanel/internal/hosting"
)

// PasswordPage is the data of password.html: the signed-in user changes
// their own panel password, entering the current one first.
type PasswordPage struct {
	Layout
	Errors  FieldErrors
	Summary []SummaryItem
}

var passwordFormFields = []formField{
	{"current", "p-current", "Current password"},
	{"password", "p-new", "New password"},
	{"confirm", "p-confirm", "Repeat the new password"},
}

func (h *handler) renderPassword(w http.ResponseWriter, r *http.Request, status int, p PasswordPage) {
	if p.Errors == nil {
		p.Errors = FieldErrors{}
	}
	p.Layout = h.layout(r, "Change password", "password")
	p.Summary = summary(p.Errors, "", passwordFormFields)
	h.render(w, r, status, "password", p)
}

// handlePasswordForm shows the form.
func (h *handler) handlePasswordForm(w http.ResponseWriter, r *http.Request) {
	h.renderPassword(w, r, http.StatusOK, PasswordPage{})
}

// handlePasswordSubmit checks the current password (throttled like a
// sign-in) and sets the new one.
func (h *handler) handlePasswordSubmit(w http.ResponseWriter, r *http.Request) {
	s := sessionFrom(r.Context())
	cur, pw, again := r.PostFormValue("current"), r.PostFormValue("password"), r.PostFormValue("confirm")
	p := PasswordPage{Errors: FieldErrors{}}
	addr := remoteAddr(r)
	if cur == "" {
		p.Errors.add("current", "enter your current password")
	} else if _, err := h.svc.AuthenticatePanel(r.Context(), s.Login, cur, hosting.ViaWeb, addr); err != nil {
		// The service's guard counts this check like a sign-in.
		if _, refused := hosting.LoginRefused(err); refused {
			p.Errors.add("current", "too many wrong passwords; wait a few minutes and try again")
			h.renderPassword(w, r, http.StatusTooManyRequests, p)
			return
		}
		if _, banned := hosting.BanStarted(err); !banned && hosting.ErrorCode(err) != hosting.CodeUnauthorized {
			h.serverError(w, r, err)
			return
		}
		p.Errors.add("current", "the current password is wrong")
	}
	if err := h.svc.Policy().CheckPassword(pw, s.Login); err != nil {
		p.Errors.add("password", hosting.ErrorMessage(err))
	} else if pw == cur {
		p.Errors.add("password", "choose a password other than the current one")
	}
	if again != pw {
		p.Errors.add("confirm", "the two new passwords differ")
	}
	if len(p.Errors) == 0 {
		var err error
		if s.isAdmin() {
			_, err = h.svc.SetAdminPassword(r.Context(), s.Login, pw)
		} else {
			_, err = h.svc.SetCustomerPassword(r.Context(), s.Login, pw)
		}
		if err == nil {
			h.setFlash(r, "success", "Your panel password was changed.")
			http.Redirect(w, r, "/accounts", http.StatusSeeOther)
			return
		}
		if msg := h.addErr(r, p.Errors, err, passwordFormFields); msg != "" {
			p.Errors.add("password", msg)
		}
	}
	h.renderPassword(w, r, http.StatusUnprocessableEntity, p)
}

// handleAccountStatus suspends or resumes one FTP account (its open
// connections are closed when suspended).
func (h *handler) handleAccountStatus(w http.ResponseWriter, r *http.Request) {
	st := hosting.Status(r.PostFormValue("status"))
	a, err := h.svc.SetAccountStatus(r.Context(), r.PathValue("login"), st)
	if err != nil {
		if hosting.ErrorCode(err) == hosting.CodeInvalidInput {
			h.errorPage(w, r, http.StatusBadRequest, "Request not completed", sentence(hosting.ErrorMessage(err)))
			return
		}
		h.serviceError(w, r, err)
		return
	}
	msg := "Account " + a.Login + " resumed; it can log in again."
	if a.Status == hosting.StatusSuspended {
		msg = "Account " + a.Login + " suspended; it cannot log in and its connections were closed."
	}
	h.setFlash(r, "success", msg)
	http.Redirect(w, r, localPath(r.PostFormValue("back"), "/accounts"), http.StatusSeeOther)
}

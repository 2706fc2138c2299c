package web

import (
	"net/http"

	"ftpanel/internal/hosting"
)

// AccountCreatedPage shows a new account's (or a new password's)
// credentials once, with copy buttons.
type AccountCreatedPage struct {
	Layout
	Heading  string
	Intro    string
	Login    string
	Password string
	Site     SiteView
	Home     string
	BackURL  string
}

// handleAccountCreateSimple adds an account in simple mode: the user picks
// a site; login and password are generated and shown once.
func (h *handler) handleAccountCreateSimple(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	siteName := r.PostFormValue("site")
	a, pw, err := h.svc.CreateAccount(ctx, hosting.AccountCreate{Site: siteName})
	if err != nil {
		add := SimpleAddForm{Site: siteName}
		fe, msg := h.formErrors(r, err, "site")
		add.Error = fe["site"] + msg
		p, perr := h.accountListPage(r, add)
		if perr != nil {
			h.serviceError(w, r, perr)
			return
		}
		h.render(w, r, http.StatusUnprocessableEntity, "accounts", p)
		return
	}
	h.renderCreated(w, r, a, pw, "FTP account created", "/accounts")
}

// renderCreated shows the credentials of account a with password pw.
func (h *handler) renderCreated(w http.ResponseWriter, r *http.Request, a *hosting.Account, pw, heading, back string) {
	site, err := h.svc.SiteByID(r.Context(), a.SiteID)
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	p := AccountCreatedPage{Layout: h.layout(r, heading, "accounts"), Heading: heading,
		Intro: "Copy the password now: it is shown only once and cannot be displayed again.",
		Login: a.Login, Password: pw, Site: h.siteView(r, site), Home: a.Home, BackURL: back}
	if pw == "" {
		p.Intro = "The account uses the password you entered."
	}
	h.render(w, r, http.StatusOK, "account_created", p)
}

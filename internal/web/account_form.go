package web

import (
	"net/http"
	"strings"
)

// AccountForm holds the advanced-mode fields of the add and edit forms,
// with the values the user entered and the errors of each field.
type AccountForm struct {
	Login         string
	Password      string
	Generate      bool
	Home          string
	CreateMissing bool
	Quota         string
	QuotaUnit     string
	Read, Write   bool
	Errors        FieldErrors
	FormError     string
	Folders       []string // the site's folders, for the folder picker
	LoginExample  string   // what a login looks like under the namespace policy
	LoginHint     string   // the login rule of the policy
	MainAccount   bool     // edit of the main account: home fixed at "/"
	Edit          bool     // the edit form (password optional, no login)
}

// accountFormFields are the fields service errors are shown next to.
var accountFormFields = []string{"login", "password", "home", "quota"}

// readAccountForm reads the posted advanced-mode fields.
func readAccountForm(r *http.Request) AccountForm {
	return AccountForm{
		Login:         strings.TrimSpace(r.PostFormValue("login")),
		Password:      r.PostFormValue("password"),
		Generate:      r.PostFormValue("generate") != "",
		Home:          strings.TrimSpace(r.PostFormValue("home")),
		CreateMissing: r.PostFormValue("create_missing") != "",
		Quota:         strings.TrimSpace(r.PostFormValue("quota")),
		QuotaUnit:     r.PostFormValue("quota_unit"),
		Read:          r.PostFormValue("read") != "",
		Write:         r.PostFormValue("write") != "",
	}
}

// withFolders adds the site's folders for the picker; a failure only
// leaves the picker empty.
func (h *handler) withFolders(r *http.Request, f *AccountForm, site string) {
	folders, err := h.svc.SiteFolders(r.Context(), site, 4, 500)
	if err != nil {
		h.log.Warn("web: site folders", "site", site, "err", err)
		return
	}
	f.Folders = folders
}

// failForm puts err on the form.
func (h *handler) failForm(r *http.Request, f *AccountForm, err error) {
	f.Errors, f.FormError = h.formErrors(r, err, accountFormFields...)
}

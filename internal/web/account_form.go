package web

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"ftpanel/internal/hosting"
)

// AccountForm holds the advanced-mode fields of the add and edit forms,
// with the values the user entered and the errors of each field. The
// password is never written back into the page.
type AccountForm struct {
	Login         string
	Password      string // read from the post only; the templates never show it
	Generate      bool
	Home          string
	CreateMissing bool
	Quota         string
	QuotaUnit     string
	Read, Write   bool
	Expires       string // YYYY-MM-DD, "" = never
	AllowedIPs    string // one per line
	Errors        FieldErrors
	FormError     string
	Summary       []SummaryItem
	Folders       []string // the site's folders, for the folder picker
	LoginExample  string   // what a login looks like under the namespace policy
	LoginHint     string   // the login rule of the policy
	MainAccount   bool     // edit of the main account: home fixed at "/"
	Edit          bool     // the edit form (password optional, no login)
	Today         string   // min of the expiry date field
}

// accountFormFields are the fields service errors are shown next to, in
// the order of the form.
var accountFormFields = []formField{
	{"login", "f-login", "Login"},
	{"password", "f-password", "Password"},
	{"home", "f-home", "Home folder"},
	{"quota", "f-quota", "Disk quota"},
	{"expires", "f-expires", "Expiry date"},
	{"allowed_ips", "f-allowed-ips", "Allowed addresses"},
}

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
		Expires:       strings.TrimSpace(r.PostFormValue("expires")),
		AllowedIPs:    strings.TrimSpace(r.PostFormValue("allowed_ips")),
		Errors:        FieldErrors{},
	}
}

// accountInput is the parsed, checked content of an account form.
type accountInput struct {
	quota   int64
	expires *time.Time
	allowed []string
}

// check validates every field of f at once (so the user sees all
// problems together), putting each problem on its field. site is the
// account's site; login is the account's full login when editing.
func (h *handler) check(r *http.Request, f *AccountForm, site *hosting.Site) accountInput {
	pol := h.svc.Policy()
	var in accountInput
	if !f.Edit {
		if f.Login == "" {
			f.Errors.add("login", "enter a login")
		} else if err := pol.CheckName(f.Login); err != nil {
			f.Errors.add("login", hosting.ErrorMessage(err))
		} else if a, err := h.svc.Account(r.Context(), pol.FullLogin(f.Login, site.CustomerLogin, site.Name)); err == nil && a != nil {
			f.Errors.add("login", "login "+a.Login+" is already taken")
		}
	}
	switch {
	case f.Generate:
	case f.Password == "" && !f.Edit:
		f.Errors.add("password", "enter a password, or tick Generate")
	case f.Password != "":
		login := f.Login
		if !f.Edit {
			login = pol.FullLogin(f.Login, site.CustomerLogin, site.Name)
		}
		if err := pol.CheckPassword(f.Password, login); err != nil {
			f.Errors.add("password", hosting.ErrorMessage(err))
		}
	}
	if !f.MainAccount {
		home, err := hosting.NormalizeHome(f.Home, site.Root)
		switch {
		case err != nil:
			f.Errors.add("home", hosting.ErrorMessage(err))
		case !f.CreateMissing && pol.OnMissingHome != hosting.MissingHomeReset && !folderExists(site.Root, home):
			f.Errors.add("home", "folder "+home+" does not exist; tick “Create the folder” or choose another")
		}
	}
	q, err := parseQuota(f.Quota, f.QuotaUnit)
	if err != nil {
		f.Errors.add("quota", hosting.ErrorMessage(err))
	}
	in.quota = q
	if in.expires, err = parseExpiry(f.Expires); err != nil {
		f.Errors.add("expires", hosting.ErrorMessage(err))
	}
	if in.allowed, err = parseAllowedIPs(f.AllowedIPs); err != nil {
		f.Errors.add("allowed_ips", hosting.ErrorMessage(err))
	}
	return in
}

// folderExists reports whether home (site-relative, normalized) is a
// folder of the site. It is a hint for the form only; the service checks
// again, safely, when it saves.
func folderExists(root, home string) bool {
	r, err := os.OpenRoot(root)
	if err != nil {
		return false
	}
	defer r.Close()
	rel := strings.TrimPrefix(filepath.Clean("/"+home), "/")
	if rel == "" {
		return true
	}
	fi, err := r.Stat(rel)
	return err == nil && fi.IsDir()
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

// failForm puts a service error on the form.
func (h *handler) failForm(r *http.Request, f *AccountForm, err error) {
	if f.Errors == nil {
		f.Errors = FieldErrors{}
	}
	if msg := h.addErr(r, f.Errors, err, accountFormFields); msg != "" {
		f.FormError = msg
	}
}

// finish builds the summary of a form about to be shown.
func (f *AccountForm) finish(now string) {
	f.Summary = summary(f.Errors, f.FormError, accountFormFields)
	f.Today = now
}

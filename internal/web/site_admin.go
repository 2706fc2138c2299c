package web

import (
	"net/http"
	"os/user"
	"strconv"
	"strings"

	"ftpanel/internal/hosting"
)

// SiteFormPage is the data of site_form.html: add or edit a site
// (administrators only).
type SiteFormPage struct {
	Layout
	New          bool
	Action       string
	Name         string // the domain (edit: fixed)
	Display      string
	Customer     string
	Customers    []SiteOption
	Root         string
	IP           string
	SystemUser   string // "uid:gid", a user name, or "" for none
	MaxAccounts  string
	DefaultQuota string
	QuotaUnit    string
	MainLogin    string
	Errors       FieldErrors
	Summary      []SummaryItem
	DeleteURL    string
	BackURL      string
}

// siteFormFields are the site form's fields in order.
var siteFormFields = []formField{
	{"name", "s-name", "Domain"},
	{"customer", "s-customer", "Customer"},
	{"root", "s-root", "Folder on disk"},
	{"ip", "s-ip", "IP address"},
	{"system_user", "s-user", "System user"},
	{"max_ftp_accounts", "s-max", "Maximum additional FTP accounts"},
	{"default_quota", "s-quota", "Default quota"},
	{"login", "s-main-login", "Main account login"},
}

func (h *handler) renderSiteForm(w http.ResponseWriter, r *http.Request, status int, p SiteFormPage) {
	title := "Add site"
	p.Action, p.BackURL = "/sites/new", "/sites"
	if !p.New {
		title = "Edit site " + p.Display
		p.Action = "/sites/" + pathEscape(p.Name) + "/edit"
		p.DeleteURL = "/sites/" + pathEscape(p.Name) + "/delete"
	}
	cs, err := h.svc.Customers(r.Context(), hosting.CustomerFilter{})
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	for _, c := range cs {
		p.Customers = append(p.Customers, SiteOption{Name: c.Login, Display: c.Login, Selected: c.Login == p.Customer})
	}
	p.Layout = h.layout(r, title, "sites")
	p.Summary = summary(p.Errors, "", siteFormFields)
	h.render(w, r, status, "site_form", p)
}

// handleSiteNew shows the empty add form; ?customer= preselects one.
func (h *handler) handleSiteNew(w http.ResponseWriter, r *http.Request) {
	q, unit := quotaFormValue(hosting.Unlimited)
	h.renderSiteForm(w, r, http.StatusOK, SiteFormPage{New: true, Customer: r.URL.Query().Get("customer"),
		DefaultQuota: q, QuotaUnit: unit, Errors: FieldErrors{}})
}

// parseSystemUser reads "uid:gid" or a user name (with its primary
// group); empty is none (-1, -1).
func parseSystemUser(s string) (uid, gid int, err error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return -1, -1, nil
	}
	bad := hosting.FieldErrorf(hosting.CodeInvalidInput, "system_user", "enter a user name of this server or uid:gid (e.g. 1001:1001), or leave the field empty")
	if u, g, ok := strings.Cut(s, ":"); ok {
		uid, err1 := strconv.Atoi(u)
		gid, err2 := strconv.Atoi(g)
		if err1 != nil || err2 != nil || uid < 0 || gid < 0 {
			return 0, 0, bad
		}
		return uid, gid, nil
	}
	u, err := user.Lookup(s)
	if err != nil {
		return 0, 0, hosting.FieldErrorf(hosting.CodeInvalidInput, "system_user", "there is no user %q on this server; enter uid:gid instead", s)
	}
	uid, err1 := strconv.Atoi(u.Uid)
	gid, err2 := strconv.Atoi(u.Gid)
	if err1 != nil || err2 != nil {
		return 0, 0, bad
	}
	return uid, gid, nil
}

// systemUserValue shows a site's system user in the form.
func systemUserValue(uid, gid int) string {
	if uid < 0 || gid < 0 {
		return ""
	}
	return strconv.Itoa(uid) + ":" + strconv.Itoa(gid)
}

// siteInput is the parsed content of the site form.
type siteInput struct {
	uid, gid int
	max      int
	quota    int64
}

// readSiteForm reads and checks the fields both forms share.
func readSiteForm(r *http.Request, p *SiteFormPage) siteInput {
	p.Customer = strings.TrimSpace(r.PostFormValue("customer"))
	p.IP = strings.TrimSpace(r.PostFormValue("ip"))
	p.SystemUser = strings.TrimSpace(r.PostFormValue("system_user"))
	p.MaxAccounts = strings.TrimSpace(r.PostFormValue("max_ftp_accounts"))
	p.DefaultQuota = strings.TrimSpace(r.PostFormValue("default_quota"))
	p.QuotaUnit = r.PostFormValue("quota_unit")
	p.Errors = FieldErrors{}
	var in siteInput
	var err error
	if p.Customer == "" {
		p.Errors.add("customer", "choose the customer who owns the site")
	}
	if p.IP != "" {
		if _, perr := parseAllowedIPs(p.IP); perr != nil || strings.Contains(p.IP, "/") {
			p.Errors.add("ip", "enter one IP address, or leave the field empty for the server default")
		}
	}
	if in.uid, in.gid, err = parseSystemUser(p.SystemUser); err != nil {
		p.Errors.add("system_user", hosting.ErrorMessage(err))
	}
	if in.max, err = parseLimit("max_ftp_accounts", p.MaxAccounts); err != nil {
		p.Errors.add("max_ftp_accounts", hosting.ErrorMessage(err))
	}
	if in.quota, err = parseQuota(p.DefaultQuota, p.QuotaUnit); err != nil {
		p.Errors.add("default_quota", hosting.ErrorMessage(err))
	}
	return in
}

// handleSiteCreate adds a site with its main FTP account, whose
// credentials are shown once after a redirect.
func (h *handler) handleSiteCreate(w http.ResponseWriter, r *http.Request) {
	p := SiteFormPage{New: true}
	in := readSiteForm(r, &p)
	p.Name = strings.TrimSpace(r.PostFormValue("name"))
	p.Root = strings.TrimSpace(r.PostFormValue("root"))
	p.MainLogin = strings.TrimSpace(r.PostFormValue("main_login"))
	if p.Name == "" {
		p.Errors.add("name", "enter the site's domain, e.g. example.com")
	} else if _, err := h.svc.Site(r.Context(), p.Name); err == nil {
		p.Errors.add("name", "site "+p.Name+" already exists")
	}
	if p.MainLogin != "" {
		if err := h.svc.Policy().CheckName(p.MainLogin); err != nil {
			p.Errors.add("login", hosting.ErrorMessage(err))
		}
	}
	if len(p.Errors) == 0 {
		c := hosting.SiteCreate{Name: p.Name, Customer: p.Customer, Root: p.Root,
			IP: p.IP, MaxFTPAccounts: &in.max, DefaultQuota: &in.quota, MainLogin: p.MainLogin}
		if in.uid >= 0 {
			c.UID, c.GID = &in.uid, &in.gid
		}
		site, main, pw, err := h.svc.CreateSite(r.Context(), c)
		if err == nil {
			back := "/sites/" + pathEscape(site.Name) + "/accounts"
			if main == nil {
				h.setFlash(r, "success", "Site "+site.Name+" added.")
				http.Redirect(w, r, back, http.StatusSeeOther)
				return
			}
			h.revealAccount(w, r, main, pw, "Site "+hosting.DisplayDomain(site.Name)+" added", back)
			return
		}
		if msg := h.addErr(r, p.Errors, err, siteFormFields); msg != "" {
			p.Errors.add("name", msg)
		}
	}
	h.renderSiteForm(w, r, http.StatusUnprocessableEntity, p)
}

// handleSiteEdit shows the edit form of a site.
func (h *handler) handleSiteEdit(w http.ResponseWriter, r *http.Request) {
	s, err := h.svc.Site(r.Context(), r.PathValue("name"))
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	q, unit := quotaFormValue(s.DefaultQuota)
	h.renderSiteForm(w, r, http.StatusOK, SiteFormPage{Name: s.Name, Display: hosting.DisplayDomain(s.Name), Customer: s.CustomerLogin,
		Root: s.Root, IP: s.IP, SystemUser: systemUserValue(s.UID, s.GID), MaxAccounts: limitFormValue(s.MaxFTPAccounts),
		DefaultQuota: q, QuotaUnit: unit, Errors: FieldErrors{}})
}

// handleSiteUpdate saves owner, IP, system user and limits of a site.
func (h *handler) handleSiteUpdate(w http.ResponseWriter, r *http.Request) {
	s, err := h.svc.Site(r.Context(), r.PathValue("name"))
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	p := SiteFormPage{Name: s.Name, Display: hosting.DisplayDomain(s.Name), Root: s.Root}
	in := readSiteForm(r, &p)
	if len(p.Errors) == 0 {
		u := hosting.SiteUpdate{IP: &p.IP, UID: &in.uid, GID: &in.gid, MaxFTPAccounts: &in.max, DefaultQuota: &in.quota}
		if p.Customer != s.CustomerLogin {
			u.Customer = &p.Customer
		}
		if _, err = h.svc.UpdateSite(r.Context(), s.Name, u); err == nil {
			h.setFlash(r, "success", "Site "+hosting.DisplayDomain(s.Name)+" saved.")
			http.Redirect(w, r, "/sites", http.StatusSeeOther)
			return
		}
		if msg := h.addErr(r, p.Errors, err, siteFormFields); msg != "" {
			p.Errors.add("customer", msg)
		}
	}
	h.renderSiteForm(w, r, http.StatusUnprocessableEntity, p)
}

// siteDeletePage builds the confirmation page of a site.
func (h *handler) siteDeletePage(r *http.Request) (ConfirmDeletePage, error) {
	s, err := h.svc.Site(r.Context(), r.PathValue("name"))
	if err != nil {
		return ConfirmDeletePage{}, err
	}
	n, err := h.svc.CountAccounts(r.Context(), hosting.AccountFilter{SiteID: &s.ID})
	if err != nil {
		return ConfirmDeletePage{}, err
	}
	d := hosting.DisplayDomain(s.Name)
	return ConfirmDeletePage{Layout: h.layout(r, "Delete site "+d, "sites"), Heading: "Delete site " + d + "?",
		What: "site", Name: s.Name, Action: "/sites/" + pathEscape(s.Name) + "/delete", BackURL: "/sites",
		Deletes: []string{"the site " + d + " from the panel", "its " + plainCount(n, "FTP account") + " (the main account included); their open connections are closed"},
		Keeps:   "The files stay on disk in " + s.Root + "."}, nil
}

// handleSiteDeleteConfirm shows the confirmation page.
func (h *handler) handleSiteDeleteConfirm(w http.ResponseWriter, r *http.Request) {
	p, err := h.siteDeletePage(r)
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "confirm_delete", p)
}

// handleSiteDelete deletes a site once its domain was typed.
func (h *handler) handleSiteDelete(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if strings.TrimSpace(r.PostFormValue("confirm")) != name {
		p, err := h.siteDeletePage(r)
		if err != nil {
			h.serviceError(w, r, err)
			return
		}
		p.Error = "Type the domain " + name + " to confirm."
		p.Summary = []SummaryItem{{Target: "confirm-name", Text: p.Error}}
		p.Typed = r.PostFormValue("confirm")
		h.render(w, r, http.StatusUnprocessableEntity, "confirm_delete", p)
		return
	}
	if err := h.svc.DeleteSite(r.Context(), name); err != nil {
		h.serviceError(w, r, err)
		return
	}
	h.setFlash(r, "success", "Site "+hosting.DisplayDomain(name)+" deleted; its files stay on disk.")
	http.Redirect(w, r, "/sites", http.StatusSeeOther)
}

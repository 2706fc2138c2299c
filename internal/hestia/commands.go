package hestia

import (
	"context"
	"fmt"
	"path"
	"regexp"
	"strings"

	"ftpanel/internal/hosting"
)

// result is what a HestiaCP script gives back: its exit code and its
// standard output (without the final newline).
type result struct {
	code int
	out  string
}

// command is one supported v-* script.
type command struct {
	min   int    // required arguments (check_args)
	usage string // the options line printed by check_args
	run   func(ctx context.Context, args []string) result
}

// commands is the table of supported scripts.
func (h *handler) commands() map[string]command {
	return map[string]command{
		"v-list-web-domains":               {1, "USER [FORMAT]", h.listWebDomains},
		"v-list-web-domain":                {2, "USER DOMAIN [FORMAT]", h.listWebDomain},
		"v-add-web-domain-ftp":             {4, "USER DOMAIN FTP_USER FTP_PASSWORD [FTP_PATH]", h.addFTP},
		"v-change-web-domain-ftp-password": {4, "USER DOMAIN FTP_USER FTP_PASSWORD", h.changeFTPPassword},
		"v-change-web-domain-ftp-path":     {4, "USER DOMAIN FTP_USER FTP_PATH", h.changeFTPPath},
		"v-delete-web-domain-ftp":          {3, "USER DOMAIN FTP_USER", h.deleteFTP},
	}
}

func errorf(code int, format string, a ...any) result {
	return result{code: code, out: "Error: " + fmt.Sprintf(format, a...)}
}

// failure turns a Service error into a result: the code from the mapping
// table, the message from the Service; internal errors are logged.
func (h *handler) failure(op string, err error) result {
	code := hosting.ErrorCode(err)
	if code == hosting.CodeInternal {
		h.log.Error("hestia: "+op, "err", err)
	}
	return result{code: exitCode(code), out: "Error: " + hosting.ErrorMessage(err)}
}

// accountFailure is failure with HestiaCP's texts for the errors its FTP
// scripts name: a taken login, a refused password, a path outside the
// domain folder.
func (h *handler) accountFailure(op string, err error, full, abs string) result {
	res := h.failure(op, err)
	switch hosting.ErrorCode(err) {
	case hosting.CodeLoginTaken, hosting.CodeReservedLogin:
		res.out = "Error: ftp user " + full + " already exists"
	case hosting.CodeInvalidLogin:
		res.out = "Error: invalid ftp_user format :: " + full
	case hosting.CodeWeakPassword:
		res.out = "Error: Password not accepted due to PAM restrictions"
	case hosting.CodeInvalidHome, hosting.CodeHomeOutsideSite, hosting.CodeHomeNotFound, hosting.CodeTopLevelDirForbidden:
		res.out = "Error: absolute path " + abs + " is invalid"
	case hosting.CodeInvalidInput:
		if hosting.ErrorField(err) == "password" {
			res.out = "Error: Password not accepted due to PAM restrictions"
		}
	}
	return res
}

// hestiaUserRe is HestiaCP's is_user_format_valid.
var hestiaUserRe = regexp.MustCompile(`^([A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9._|-]{0,28}[A-Za-z0-9])$`)

// checkUser is is_format_valid 'user': HestiaCP's rule, or ftpanel's
// customer login rule (which allows up to 32 characters). Empty values
// are not checked, as in HestiaCP.
func (h *handler) checkUser(user string) *result {
	if user == "" || hestiaUserRe.MatchString(user) || h.svc.Policy().CheckCustomerLogin(user) == nil {
		return nil
	}
	r := errorf(exitInvalid, "invalid user format :: %s", user)
	return &r
}

// hestiaDomain is format_domain followed by ftpanel's IDN normalization:
// lower case, a leading "www." and surrounding dots removed. bad is set
// when the name is not a valid domain.
func hestiaDomain(d string) (name string, bad *result) {
	d = strings.ToLower(strings.TrimSpace(d))
	d = strings.TrimPrefix(d, "www.")
	d = strings.TrimLeft(strings.TrimRight(d, "."), ".")
	if d == "" {
		return "", nil // not checked; the lookup fails
	}
	n, err := hosting.NormalizeDomain(d)
	if err != nil {
		r := errorf(exitInvalid, "invalid domain format :: %s", d)
		return d, &r
	}
	return n, nil
}

// checkFTPUser is is_format_valid 'ftp_user'.
func checkFTPUser(name string) *result {
	if name == "" || hosting.CheckHestiaLogin(name) == nil {
		return nil
	}
	r := errorf(exitInvalid, "invalid ftp_user format :: %s", name)
	return &r
}

// customer is is_object_valid 'user' (and is_object_unsuspended when
// active is set).
func (h *handler) customer(ctx context.Context, user string, active bool) (*hosting.Customer, *result) {
	c, err := h.svc.Customer(ctx, user)
	if err != nil {
		r := h.failure("customer", err)
		if isCode(err, hosting.CodeNotFound) {
			r = errorf(exitNotExist, "user %s doesn't exist", user)
		}
		return nil, &r
	}
	if active && c.Status == hosting.StatusSuspended {
		r := errorf(exitSuspended, "user %s is suspended", user)
		return nil, &r
	}
	return c, nil
}

// site is is_object_valid 'web' (and is_object_unsuspended when active is
// set): the domain must be a site of customer c.
func (h *handler) site(ctx context.Context, c *hosting.Customer, domain string, active bool) (*hosting.Site, *result) {
	notExist := errorf(exitNotExist, "web domain %s doesn't exist", domain)
	if domain == "" {
		return nil, &notExist
	}
	s, err := h.svc.Site(ctx, domain)
	if err != nil {
		if isCode(err, hosting.CodeNotFound) {
			return nil, &notExist
		}
		r := h.failure("site", err)
		return nil, &r
	}
	if s.CustomerID != c.ID {
		return nil, &notExist
	}
	if active && s.Status == hosting.StatusSuspended {
		r := errorf(exitSuspended, "web %s is suspended", domain)
		return nil, &r
	}
	return s, nil
}

// target runs the checks common to the domain scripts in HestiaCP's
// order: formats of user, domain and ftpUser; user exists (and is
// active); domain exists (and is active).
func (h *handler) target(ctx context.Context, user, domain, ftpUser string, active bool) (*hosting.Customer, *hosting.Site, *result) {
	if r := h.checkUser(user); r != nil {
		return nil, nil, r
	}
	d, bad := hestiaDomain(domain)
	if bad != nil {
		return nil, nil, bad
	}
	if r := checkFTPUser(ftpUser); r != nil {
		return nil, nil, r
	}
	c, r := h.customer(ctx, user, active)
	if r != nil {
		return nil, nil, r
	}
	s, r := h.site(ctx, c, d, active)
	return c, s, r
}

// ftpAccount finds an additional account of site by its full name; any
// other account "doesn't exist" on this domain.
func (h *handler) ftpAccount(ctx context.Context, site *hosting.Site, name string) (*hosting.Account, *result) {
	notExist := errorf(exitNotExist, "account %s doesn't exist", name)
	if name == "" {
		return nil, &notExist
	}
	a, err := h.svc.Account(ctx, name)
	if err != nil {
		if isCode(err, hosting.CodeNotFound) {
			return nil, &notExist
		}
		r := h.failure("account", err)
		return nil, &r
	}
	if a.SiteID != site.ID || a.Main {
		return nil, &notExist
	}
	return a, nil
}

// sitePath resolves a path argument as HestiaCP does, relative to the
// domain folder (an absolute path inside the site root is taken as such),
// lexically. It returns the site-relative home, and the absolute path that
// HestiaCP names when it refuses the path (ok false: outside the folder).
func sitePath(root, p string) (home, abs string, ok bool) {
	r := strings.TrimRight(root, "/")
	if p == r || strings.HasPrefix(p, r+"/") {
		p = strings.TrimPrefix(p, r)
	}
	abs = path.Join(r, p)
	if abs != r && !strings.HasPrefix(abs, r+"/") {
		return "", abs, false
	}
	return "/" + strings.TrimPrefix(abs[len(r):], "/"), abs, true
}

func arg(list []string, i int, def string) string {
	if i < len(list) {
		return list[i]
	}
	return def
}

// listWebDomains is v-list-web-domains USER [FORMAT].
func (h *handler) listWebDomains(ctx context.Context, list []string) result {
	user, format := list[0], arg(list, 1, "shell")
	if r := h.checkUser(user); r != nil {
		return *r
	}
	c, r := h.customer(ctx, user, false)
	if r != nil {
		return *r
	}
	ds, err := h.domains(ctx, c, nil)
	if err != nil {
		return h.failure("list web domains", err)
	}
	return result{out: formatDomains(ds, format)}
}

// listWebDomain is v-list-web-domain USER DOMAIN [FORMAT]. Unlike
// HestiaCP's script, the domain is normalized as the FTP scripts do.
func (h *handler) listWebDomain(ctx context.Context, list []string) result {
	user, domain, format := list[0], list[1], arg(list, 2, "shell")
	c, site, r := h.target(ctx, user, domain, "", false)
	if r != nil {
		return *r
	}
	ds, err := h.domains(ctx, c, site)
	if err != nil {
		return h.failure("list web domain", err)
	}
	if len(ds) != 1 {
		return errorf(exitNotExist, "web domain %s doesn't exist", site.Name)
	}
	return result{out: formatDomain(ds[0], format)}
}

// addFTP is v-add-web-domain-ftp USER DOMAIN FTP_USER FTP_PASSWORD [FTP_PATH]:
// creates USER_FTP_USER; checks in HestiaCP's order (duplicate, path,
// password) before the Service applies them all again.
func (h *handler) addFTP(ctx context.Context, list []string) result {
	user, domain, name, pw, p := list[0], list[1], list[2], list[3], arg(list, 4, "")
	full := user + "_" + name
	_, site, r := h.target(ctx, user, domain, full, true)
	if r != nil {
		return *r
	}
	if _, err := h.svc.Account(ctx, full); err == nil {
		return errorf(exitExists, "ftp user %s already exists", full)
	} else if !isCode(err, hosting.CodeNotFound) {
		return h.failure("add ftp: lookup", err)
	}
	home, abs, ok := "/", site.Root, true
	if p != "" {
		if home, abs, ok = sitePath(site.Root, p); !ok {
			return errorf(exitInvalid, "absolute path %s is invalid", abs)
		}
		if _, err := hosting.NormalizeHome(home, site.Root); err != nil {
			return errorf(exitInvalid, "absolute path %s is invalid", abs)
		}
	}
	if err := h.svc.Policy().CheckPassword(pw, full); err != nil {
		return h.accountFailure("add ftp", err, full, abs)
	}
	_, _, err := h.svc.CreateAccount(ctx, hosting.AccountCreate{SiteID: site.ID, Login: name, Password: pw,
		Home: home, Compat: hosting.CompatHestia})
	if err != nil {
		return h.accountFailure("add ftp", err, full, abs)
	}
	return result{}
}

// changeFTPPassword is v-change-web-domain-ftp-password USER DOMAIN FTP_USER FTP_PASSWORD.
func (h *handler) changeFTPPassword(ctx context.Context, list []string) result {
	user, domain, name, pw := list[0], list[1], list[2], list[3]
	_, site, r := h.target(ctx, user, domain, name, true)
	if r != nil {
		return *r
	}
	if _, r := h.ftpAccount(ctx, site, name); r != nil {
		return *r
	}
	if _, err := h.svc.UpdateAccount(ctx, name, hosting.AccountUpdate{Password: &pw, Compat: hosting.CompatHestia}); err != nil {
		return h.accountFailure("change ftp password", err, name, "")
	}
	return result{}
}

// changeFTPPath is v-change-web-domain-ftp-path USER DOMAIN FTP_USER FTP_PATH:
// a missing folder is created; an empty path is the domain folder.
func (h *handler) changeFTPPath(ctx context.Context, list []string) result {
	user, domain, name, p := list[0], list[1], list[2], list[3]
	_, site, r := h.target(ctx, user, domain, name, true)
	if r != nil {
		return *r
	}
	if _, r := h.ftpAccount(ctx, site, name); r != nil {
		return *r
	}
	home, abs, ok := sitePath(site.Root, p)
	if !ok {
		return errorf(exitInvalid, "absolute path %s is invalid", abs)
	}
	if _, err := h.svc.UpdateAccount(ctx, name, hosting.AccountUpdate{Home: &home, Compat: hosting.CompatHestia}); err != nil {
		return h.accountFailure("change ftp path", err, name, abs)
	}
	return result{}
}

// deleteFTP is v-delete-web-domain-ftp USER DOMAIN FTP_USER; it works on
// suspended users and domains, and keeps the files.
func (h *handler) deleteFTP(ctx context.Context, list []string) result {
	user, domain, name := list[0], list[1], list[2]
	_, site, r := h.target(ctx, user, domain, name, false)
	if r != nil {
		return *r
	}
	if _, r := h.ftpAccount(ctx, site, name); r != nil {
		return *r
	}
	if err := h.svc.DeleteAccount(ctx, name); err != nil {
		return h.accountFailure("delete ftp", err, name, "")
	}
	return result{}
}

package hosting

import (
	"context"
	"errors"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// CreateSite adds a site for a customer, creates its root folder (with the
// policy's skeleton when the folder is new) and its main FTP account. The
// main account's password is generated and returned when not given. Admin
// only. A failure leaves no folder or row behind.
func (s *Service) CreateSite(ctx context.Context, in SiteCreate) (*Site, *Account, string, error) {
	const opName = "hosting.CreateSite"
	if _, err := s.admin(ctx); err != nil {
		return nil, nil, "", op(opName, err)
	}
	name, err := NormalizeDomain(in.Name)
	if err != nil {
		return nil, nil, "", op(opName, err)
	}
	c, err := s.store.CustomerByLogin(ctx, in.Customer)
	if err != nil {
		if isCode(err, CodeNotFound) {
			err = FieldErrorf(CodeNotFound, "customer", "customer %q not found", in.Customer)
		}
		return nil, nil, "", op(opName, err)
	}
	if err := checkLimit("max_ftp_accounts", in.MaxFTPAccounts); err != nil {
		return nil, nil, "", op(opName, err)
	}
	if in.DefaultQuota != nil && *in.DefaultQuota < Unlimited {
		return nil, nil, "", op(opName, FieldErrorf(CodeInvalidInput, "default_quota", "default_quota must be -1 (unlimited) or a number of bytes ≥ 0"))
	}
	if err := checkIP(in.IP); err != nil {
		return nil, nil, "", op(opName, err)
	}
	site := &Site{Name: name, CustomerID: c.ID, CustomerLogin: c.Login, IP: in.IP, UID: -1, GID: -1,
		Status: StatusActive, MaxFTPAccounts: Unlimited, DefaultQuota: Unlimited, CustomerStatus: c.Status,
		CreatedAt: s.Now(), UpdatedAt: s.Now()}
	if in.MaxFTPAccounts != nil {
		site.MaxFTPAccounts = *in.MaxFTPAccounts
	}
	if in.DefaultQuota != nil {
		site.DefaultQuota = *in.DefaultQuota
	}
	if (in.UID == nil) != (in.GID == nil) || (in.UID != nil && (*in.UID < 0 || *in.GID < 0)) {
		return nil, nil, "", op(opName, FieldErrorf(CodeInvalidInput, "system_user", "the system user needs both uid and gid, each ≥ 0"))
	}
	if in.UID != nil {
		site.UID, site.GID = *in.UID, *in.GID
	}
	root := in.Root
	if root == "" {
		if s.policy.SitesDir == "" {
			return nil, nil, "", op(opName, FieldErrorf(CodeInvalidInput, "root", "no root given and no sites_dir configured"))
		}
		root = filepath.Join(s.policy.SitesDir, name)
	}
	if !filepath.IsAbs(root) || strings.ContainsAny(root, "\x00\n\r") {
		return nil, nil, "", op(opName, FieldErrorf(CodeInvalidInput, "root", "root %q must be an absolute folder path", root))
	}
	site.Root = filepath.Clean(root)

	// The main account.
	mainName := in.MainLogin
	if mainName == "" {
		if mainName, err = s.policy.GenerateName(domainPrefix(name)); err != nil {
			return nil, nil, "", op(opName, &Error{Code: CodeInternal, Message: "cannot generate a login", Err: err})
		}
	} else if err := s.policy.CheckName(mainName); err != nil {
		return nil, nil, "", op(opName, err)
	}
	login := s.policy.FullLogin(mainName, c.Login, name)
	hash, gen, err := s.passwordOrGenerate(in.MainPassword, login, true)
	if err != nil {
		return nil, nil, "", op(opName, err)
	}
	main := &Account{Login: login, CustomerID: c.ID, CustomerLogin: c.Login, SiteName: name, Home: "/",
		PasswordHash: hash, QuotaBytes: Unlimited, Read: true, Write: true, Status: StatusActive, Main: true,
		CreatedAt: s.Now(), UpdatedAt: s.Now(), SiteStatus: StatusActive, CustomerStatus: c.Status, SiteRoot: site.Root,
		SiteUID: site.UID, SiteGID: site.GID}

	s.siteMu.Lock()
	defer s.siteMu.Unlock()
	undo, err := s.makeRoot(site)
	if err != nil {
		return nil, nil, "", op(opName, err)
	}
	ev := s.event(ctx, "site.create", "site", 0, name, c.ID, "root "+site.Root+", main account "+login)
	if err := s.store.CreateSite(ctx, site, main, ev); err != nil {
		undo()
		return nil, nil, "", op(opName, err)
	}
	return site, main, gen, nil
}

// domainPrefix returns up to six ASCII letters and digits of the domain's
// first label, read in its Unicode form so that "bücher.example" gives
// "bcher" rather than the punycode "xnbche".
func domainPrefix(domain string) string {
	var b strings.Builder
	for _, c := range strings.Split(DisplayDomain(domain), ".")[0] {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' && b.Len() > 0 {
			b.WriteRune(c)
		}
		if b.Len() >= 6 {
			break
		}
	}
	return b.String()
}

func checkIP(ip string) error {
	if ip == "" {
		return nil
	}
	if _, err := netip.ParseAddr(ip); err != nil {
		return FieldErrorf(CodeInvalidInput, "ip", "%q is not an IP address", ip)
	}
	return nil
}

// makeRoot creates the site root (and the skeleton when the root is new)
// and returns a function that removes what it created: the root, and the
// missing ancestors it made only while they are empty, so that a failure
// never takes another site's folders with it.
func (s *Service) makeRoot(site *Site) (undo func(), err error) {
	undo = func() {}
	fi, err := os.Stat(site.Root)
	if err == nil {
		if !fi.IsDir() {
			return undo, FieldErrorf(CodeInvalidInput, "root", "root %q is not a folder", site.Root)
		}
		return undo, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return undo, &Error{Code: CodeInternal, Field: "root", Message: "cannot use the site root", Err: err}
	}
	mode := fs.FileMode(s.policy.DirMode)
	if mode == 0 {
		mode = 0o755
	}
	// The missing folders from the outermost down to the root itself.
	var missing []string
	for p := site.Root; p != "/" && p != "."; p = filepath.Dir(p) {
		if _, err := os.Lstat(p); err == nil {
			break
		}
		missing = append([]string{p}, missing...)
	}
	var made []string // created by this call, outermost first
	undo = func() {
		for i := len(made) - 1; i >= 0; i-- {
			if made[i] == site.Root {
				_ = os.RemoveAll(made[i])
			} else {
				_ = os.Remove(made[i]) // only when empty
			}
		}
	}
	for _, p := range missing {
		err := os.Mkdir(p, mode)
		switch {
		case err == nil:
			made = append(made, p)
		case errors.Is(err, fs.ErrExist) && p == site.Root:
			// Made by a concurrent request in the meantime: not ours to
			// fill or to remove.
			if fi, err := os.Stat(p); err != nil || !fi.IsDir() {
				undo()
				return func() {}, FieldErrorf(CodeInvalidInput, "root", "root %q is not a folder", site.Root)
			}
			return undo, nil
		case errors.Is(err, fs.ErrExist):
		default:
			undo()
			return func() {}, &Error{Code: CodeInternal, Field: "root", Message: "cannot create the site root", Err: err}
		}
	}
	for _, d := range s.policy.SiteSkeleton {
		d = strings.Trim(filepath.Clean("/"+d), "/")
		if d == "" {
			continue
		}
		if err := os.MkdirAll(filepath.Join(site.Root, d), mode); err != nil {
			undo()
			return func() {}, &Error{Code: CodeInternal, Field: "root", Message: "cannot create the site skeleton", Err: err}
		}
	}
	if s.chown && site.HasSystemUser() {
		_ = filepath.WalkDir(site.Root, func(p string, _ fs.DirEntry, err error) error {
			if err == nil {
				_ = os.Lchown(p, site.UID, site.GID)
			}
			return nil
		})
	}
	return undo, nil
}

// Site returns a site by name (Unicode or ASCII). Another customer's site
// is not_found.
func (s *Service) Site(ctx context.Context, name string) (*Site, error) {
	const opName = "hosting.Site"
	a, err := s.actor(ctx)
	if err != nil {
		return nil, op(opName, err)
	}
	n, err := NormalizeDomain(name)
	if err != nil {
		return nil, op(opName, Errorf(CodeNotFound, "site %q not found", name))
	}
	site, err := s.store.SiteByName(ctx, n)
	if err != nil {
		return nil, op(opName, err)
	}
	if !a.IsAdmin() && site.CustomerID != a.CustomerID {
		return nil, op(opName, Errorf(CodeNotFound, "site %q not found", name))
	}
	return site, nil
}

// SiteByID returns a site by ID. Another customer's site is not_found.
func (s *Service) SiteByID(ctx context.Context, id int64) (*Site, error) {
	const opName = "hosting.SiteByID"
	a, err := s.actor(ctx)
	if err != nil {
		return nil, op(opName, err)
	}
	site, err := s.store.SiteByID(ctx, id)
	if err != nil {
		return nil, op(opName, err)
	}
	if !a.IsAdmin() && site.CustomerID != a.CustomerID {
		return nil, op(opName, Errorf(CodeNotFound, "site %d not found", id))
	}
	return site, nil
}

// Sites lists sites; a customer sees only its own.
func (s *Service) Sites(ctx context.Context, f SiteFilter) ([]*Site, error) {
	a, err := s.actor(ctx)
	if err != nil {
		return nil, op("hosting.Sites", err)
	}
	if !a.IsAdmin() {
		if !ownScope(a, &f.CustomerID) {
			return []*Site{}, nil // another customer's objects: none of them are visible
		}
	}
	return s.store.Sites(ctx, f)
}

// UpdateSite changes a site's IP, system user, limits or owner. Admin only.
func (s *Service) UpdateSite(ctx context.Context, name string, u SiteUpdate) (*Site, error) {
	const opName = "hosting.UpdateSite"
	if _, err := s.admin(ctx); err != nil {
		return nil, op(opName, err)
	}
	site, err := s.Site(ctx, name)
	if err != nil {
		return nil, op(opName, err)
	}
	var changed []string
	if u.IP != nil {
		if err := checkIP(*u.IP); err != nil {
			return nil, op(opName, err)
		}
		site.IP = *u.IP
		changed = append(changed, "ip")
	}
	if u.UID != nil || u.GID != nil {
		if u.UID == nil || u.GID == nil || (*u.UID < 0) != (*u.GID < 0) {
			return nil, op(opName, FieldErrorf(CodeInvalidInput, "system_user", "the system user needs both uid and gid (-1 for none)"))
		}
		site.UID, site.GID = max(*u.UID, -1), max(*u.GID, -1)
		changed = append(changed, "system_user")
	}
	if u.MaxFTPAccounts != nil {
		if err := checkLimit("max_ftp_accounts", u.MaxFTPAccounts); err != nil {
			return nil, op(opName, err)
		}
		site.MaxFTPAccounts = *u.MaxFTPAccounts
		changed = append(changed, "max_ftp_accounts")
	}
	if u.DefaultQuota != nil {
		if *u.DefaultQuota < Unlimited {
			return nil, op(opName, FieldErrorf(CodeInvalidInput, "default_quota", "default_quota must be -1 (unlimited) or a number of bytes ≥ 0"))
		}
		site.DefaultQuota = *u.DefaultQuota
		changed = append(changed, "default_quota")
	}
	if u.Customer != nil && *u.Customer != site.CustomerLogin {
		c, err := s.store.CustomerByLogin(ctx, *u.Customer)
		if err != nil {
			if isCode(err, CodeNotFound) {
				err = FieldErrorf(CodeNotFound, "customer", "customer %q not found", *u.Customer)
			}
			return nil, op(opName, err)
		}
		// The site's additional accounts move with it and must fit in the
		// new owner's limit.
		if c.MaxFTPAccounts >= 0 {
			no := false
			moving, err := s.store.CountAccounts(ctx, AccountFilter{SiteID: &site.ID, Main: &no})
			if err != nil {
				return nil, op(opName, err)
			}
			has, err := s.store.CountAccounts(ctx, AccountFilter{CustomerID: &c.ID, Main: &no})
			if err != nil {
				return nil, op(opName, err)
			}
			if has+moving > c.MaxFTPAccounts {
				return nil, op(opName, FieldErrorf(CodeLimitExceeded, "customer",
					"customer %s may have %d additional FTP accounts; it has %d and the site brings %d", c.Login, c.MaxFTPAccounts, has, moving))
			}
		}
		site.CustomerID, site.CustomerLogin, site.CustomerStatus = c.ID, c.Login, c.Status
		changed = append(changed, "customer")
	}
	if len(changed) == 0 {
		return site, nil
	}
	ev := s.event(ctx, "site.update", "site", site.ID, site.Name, site.CustomerID, "changed "+strings.Join(changed, ", "))
	if err := s.store.UpdateSite(ctx, site, ev); err != nil {
		return nil, op(opName, err)
	}
	return s.store.SiteByID(ctx, site.ID)
}

// SetSiteStatus suspends or unsuspends a site. Suspending closes the FTP
// sessions of its accounts; their own status is kept. Admin only.
func (s *Service) SetSiteStatus(ctx context.Context, name string, st Status) (*Site, error) {
	const opName = "hosting.SetSiteStatus"
	if _, err := s.admin(ctx); err != nil {
		return nil, op(opName, err)
	}
	if !st.Valid() {
		return nil, op(opName, FieldErrorf(CodeInvalidInput, "status", "unknown status %q", st))
	}
	site, err := s.Site(ctx, name)
	if err != nil {
		return nil, op(opName, err)
	}
	if site.Status == st {
		return site, nil
	}
	site.Status = st
	action := "site.suspend"
	if st == StatusActive {
		action = "site.unsuspend"
	}
	if err := s.store.UpdateSite(ctx, site, s.event(ctx, action, "site", site.ID, site.Name, site.CustomerID, "")); err != nil {
		return nil, op(opName, err)
	}
	if st == StatusSuspended {
		s.killSessions(ctx, SessionFilter{SiteID: &site.ID})
	}
	return site, nil
}

// DeleteSite removes a site and all its accounts (the main one included)
// and closes their sessions. Files on disk are kept. Admin only.
func (s *Service) DeleteSite(ctx context.Context, name string) error {
	const opName = "hosting.DeleteSite"
	if _, err := s.admin(ctx); err != nil {
		return op(opName, err)
	}
	site, err := s.Site(ctx, name)
	if err != nil {
		return op(opName, err)
	}
	if err := s.store.DeleteSite(ctx, site.ID, s.event(ctx, "site.delete", "site", site.ID, site.Name, site.CustomerID, "files kept in "+site.Root)); err != nil {
		return op(opName, err)
	}
	s.killSessions(ctx, SessionFilter{SiteID: &site.ID})
	return nil
}

// SiteFolders lists the folders of a site (site-relative, sorted), up to
// depth levels deep and at most limit entries, without following symlinks
// that lead outside the site. For folder pickers.
func (s *Service) SiteFolders(ctx context.Context, name string, depth, limit int) ([]string, error) {
	const opName = "hosting.SiteFolders"
	site, err := s.Site(ctx, name)
	if err != nil {
		return nil, op(opName, err)
	}
	r, err := os.OpenRoot(site.Root)
	if err != nil {
		return nil, op(opName, &Error{Code: CodeNotFound, Message: "the site's root folder is missing", Err: err})
	}
	defer r.Close()
	out := []string{"/"}
	var walk func(dir string, level int)
	walk = func(dir string, level int) {
		if level > depth || len(out) >= limit {
			return
		}
		f, err := r.Open(strings.TrimPrefix(dir, "/") + ".")
		if dir != "/" {
			f, err = r.Open(strings.TrimPrefix(dir, "/"))
		}
		if err != nil {
			return
		}
		ents, _ := f.ReadDir(1000)
		f.Close()
		sort.Slice(ents, func(i, j int) bool { return ents[i].Name() < ents[j].Name() })
		for _, e := range ents {
			if !e.IsDir() || len(out) >= limit {
				continue
			}
			p := strings.TrimSuffix(dir, "/") + "/" + e.Name()
			out = append(out, p)
			walk(p, level+1)
		}
	}
	walk("/", 1)
	return out, nil
}

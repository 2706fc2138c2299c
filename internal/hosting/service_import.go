package hosting

import (
	"context"
	"slices"
	"strings"
)

// AccountImport is the input of Service.ImportAccount: an FTP account moved
// from another server, kept as it was there (login, password hash, folder).
type AccountImport struct {
	Site   string // site name (domain); or SiteID
	SiteID int64
	// Login is the full login as users type it today. It is kept unchanged:
	// the policy's namespace mode must produce it from a valid name.
	Login string
	// PasswordHash is stored as given (crypt or argon2id; never recomputed);
	// or Password, hashed as by CreateAccount (policy applies).
	PasswordHash  string
	Password      string
	Home          string // site-relative, "" = "/"
	CreateMissing bool
	QuotaBytes    *int64 // nil = the site's default quota
	Read, Write   *bool  // nil = true
	AllowedIPs    []string
	Compat        Compat
	// DryRun checks everything a real import checks, except the limits the
	// store enforces on write, and changes nothing.
	DryRun bool
}

// ImportOutcome says what ImportAccount did.
type ImportOutcome string

// Import outcomes.
const (
	ImportCreated   ImportOutcome = "created"   // the account was (or, in a dry run, would be) created
	ImportUnchanged ImportOutcome = "unchanged" // an identical account exists and was left alone
)

// hashChecker is implemented by hashers that can tell a supported hash from
// an unsupported one without computing it (password.Hasher does).
type hashChecker interface {
	CheckEncoding(encoded string) error
}

// CheckPasswordHash reports whether encoded is a hash the service can
// verify at login; the error has code invalid_input on field password_hash.
// It computes no hash when the hasher can parse without computing.
func (s *Service) CheckPasswordHash(encoded string) error {
	bad := FieldErrorf(CodeInvalidInput, "password_hash", "unsupported password hash format")
	if encoded == "" {
		return FieldErrorf(CodeInvalidInput, "password_hash", "password hash is empty")
	}
	if c, ok := s.hasher.(hashChecker); ok {
		if err := c.CheckEncoding(encoded); err != nil {
			return bad
		}
		return nil
	}
	if ok, err := s.hasher.Verify(encoded, "\x00probe"); ok || err != nil {
		return bad
	}
	return nil
}

// importName returns the account name that, under the policy's namespace
// mode (or HestiaCP's USER_name), gives exactly login.
func (s *Service) importName(login string, site *Site, compat Compat) (string, error) {
	if login == "" {
		return "", FieldErrorf(CodeInvalidLogin, "login", "login is empty")
	}
	cut := func(name string, ok bool) (string, error) {
		if !ok || name == "" {
			return "", FieldErrorf(CodeInvalidLogin, "login",
				"login %q cannot be kept: the namespace mode %q of site %s does not produce it", login, s.policy.Namespace, site.Name)
		}
		return name, nil
	}
	if compat == CompatHestia {
		name, ok := strings.CutPrefix(login, site.CustomerLogin+"_")
		if !ok || name == "" {
			return "", FieldErrorf(CodeInvalidLogin, "login", "login %q does not start with %s_", login, site.CustomerLogin)
		}
		return name, nil
	}
	switch s.policy.Namespace {
	case NamespacePrefix:
		return cut(strings.CutPrefix(login, site.CustomerLogin+"_"))
	case NamespaceSuffix:
		return cut(strings.CutSuffix(login, "."+site.CustomerLogin))
	case NamespaceDomain:
		return cut(strings.CutSuffix(login, "@"+site.Name))
	}
	return login, nil
}

// ImportAccount creates an account moved from another server with its login,
// password hash and folder unchanged, or leaves an identical existing account
// alone (ImportUnchanged). Every rule of CreateAccount applies (login policy,
// hash format, home inside the site, limits, audit); an account with the
// same login that differs is login_taken. Admin only. Nothing is created when
// an error is returned.
func (s *Service) ImportAccount(ctx context.Context, in AccountImport) (*Account, ImportOutcome, error) {
	const opName = "hosting.ImportAccount"
	if _, err := s.admin(ctx); err != nil {
		return nil, "", op(opName, err)
	}
	site, err := s.siteFor(ctx, in.Site, in.SiteID)
	if err != nil {
		return nil, "", op(opName, err)
	}
	a, err := s.PrepareImport(site, in)
	if err != nil {
		return nil, "", op(opName, err)
	}
	existing, err := s.store.AccountByLogin(ctx, a.Login)
	switch {
	case err == nil:
		if diff := s.importDiff(existing, a, in.Password); diff != "" {
			return nil, "", op(opName, FieldErrorf(CodeLoginTaken, "login",
				"login %q already exists with a different %s", a.Login, diff))
		}
		return existing, ImportUnchanged, nil
	case !isCode(err, CodeNotFound):
		return nil, "", op(opName, err)
	}
	if in.Password != "" {
		if a.PasswordHash, err = s.hash(in.Password); err != nil {
			return nil, "", op(opName, err)
		}
	}
	s.homeMu.Lock()
	defer s.homeMu.Unlock()
	if in.DryRun {
		_, err := ResolveHome(site.Root, a.Home, s.homeOptions(site, false, in.Compat))
		if isCode(err, CodeHomeNotFound) && (in.CreateMissing || in.Compat == CompatHestia) {
			err = nil // would be created
		}
		if err != nil {
			return nil, "", op(opName, err)
		}
		return a, ImportCreated, nil
	}
	created, err := ResolveHome(site.Root, a.Home, s.homeOptions(site, in.CreateMissing, in.Compat))
	if err != nil {
		return nil, "", op(opName, err)
	}
	ev := s.event(ctx, "account.create", "account", 0, a.Login, site.CustomerID,
		"imported, site "+site.Name+", home "+a.Home)
	if err := s.store.CreateAccount(ctx, a, ev); err != nil {
		RemoveCreated(site.Root, created)
		return nil, "", op(opName, err)
	}
	return a, ImportCreated, nil
}

// PrepareImport checks in against site without touching the store or the
// disk and returns the account ImportAccount would create (its password
// hash empty when in gives a password). The importer's dry run uses it for
// sites that do not exist yet.
func (s *Service) PrepareImport(site *Site, in AccountImport) (*Account, error) {
	login := strings.TrimSpace(in.Login)
	name, err := s.importName(login, site, in.Compat)
	if err != nil {
		return nil, err
	}
	full, err := s.accountLogin(name, site, in.Compat)
	if err != nil {
		return nil, err
	}
	if full != login {
		return nil, FieldErrorf(CodeInvalidLogin, "login", "login %q cannot be kept: it would become %q", login, full)
	}
	switch {
	case in.PasswordHash != "" && in.Password != "":
		return nil, FieldErrorf(CodeInvalidInput, "password", "give a password or a password hash, not both")
	case in.Password != "":
		if err := s.policy.CheckPassword(in.Password, login); err != nil {
			return nil, err
		}
	default:
		if err := s.CheckPasswordHash(in.PasswordHash); err != nil {
			return nil, err
		}
	}
	if err := checkQuota(in.QuotaBytes); err != nil {
		return nil, err
	}
	ips, err := checkAllowedIPs(in.AllowedIPs)
	if err != nil {
		return nil, err
	}
	home, err := NormalizeHome(in.Home, site.Root)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	a := &Account{Login: login, SiteID: site.ID, SiteName: site.Name, CustomerID: site.CustomerID,
		CustomerLogin: site.CustomerLogin, Home: home, PasswordHash: in.PasswordHash, QuotaBytes: site.DefaultQuota,
		Read: true, Write: true, Status: StatusActive, AllowedIPs: ips, CreatedAt: now, UpdatedAt: now,
		SiteStatus: site.Status, CustomerStatus: site.CustomerStatus, SiteRoot: site.Root, SiteUID: site.UID, SiteGID: site.GID}
	if in.QuotaBytes != nil {
		a.QuotaBytes = *in.QuotaBytes
	}
	if in.Read != nil {
		a.Read = *in.Read
	}
	if in.Write != nil {
		a.Write = *in.Write
	}
	return a, nil
}

// importDiff names what differs between an existing account and the one an
// import would create ("" = identical). A stored argon2id hash that replaced
// the imported one at a login counts as the same password, since only the
// imported password could have produced it.
func (s *Service) importDiff(old, want *Account, password string) string {
	var d []string
	if old.SiteID != want.SiteID {
		d = append(d, "site ("+old.SiteName+")")
	}
	if old.Home != want.Home {
		d = append(d, "home ("+old.Home+")")
	}
	switch {
	case password != "":
		if ok, err := s.hasher.Verify(old.PasswordHash, password); !ok || err != nil {
			d = append(d, "password")
		}
	case old.PasswordHash != want.PasswordHash &&
		!(old.LastLoginAt != nil && strings.HasPrefix(old.PasswordHash, "$argon2id$") && !strings.HasPrefix(want.PasswordHash, "$argon2id$")):
		d = append(d, "password")
	}
	if old.QuotaBytes != want.QuotaBytes {
		d = append(d, "quota")
	}
	if old.Read != want.Read || old.Write != want.Write {
		d = append(d, "permissions")
	}
	if !slices.Equal(old.AllowedIPs, want.AllowedIPs) && len(old.AllowedIPs)+len(want.AllowedIPs) > 0 {
		d = append(d, "allowed IPs")
	}
	return strings.Join(d, ", ")
}

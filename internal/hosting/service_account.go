package hosting

import (
	"context"
	"net/netip"
	"strings"
)

// siteFor returns the site an account request names, checking that the
// actor may use it (another customer's site is not_found).
func (s *Service) siteFor(ctx context.Context, name string, id int64) (*Site, error) {
	if id != 0 {
		site, err := s.SiteByID(ctx, id)
		if isCode(err, CodeNotFound) {
			return nil, FieldErrorf(CodeNotFound, "site", "site %d not found", id)
		}
		return site, err
	}
	if strings.TrimSpace(name) == "" {
		return nil, FieldErrorf(CodeInvalidInput, "site", "site is required")
	}
	site, err := s.Site(ctx, name)
	if isCode(err, CodeNotFound) {
		return nil, FieldErrorf(CodeNotFound, "site", "site %q not found", name)
	}
	return site, err
}

func checkAllowedIPs(ips []string) ([]string, error) {
	out := make([]string, 0, len(ips))
	for _, ip := range ips {
		ip = strings.TrimSpace(ip)
		if ip == "" {
			continue
		}
		if p, err := netip.ParsePrefix(ip); err == nil {
			out = append(out, p.Masked().String())
			continue
		}
		a, err := netip.ParseAddr(ip)
		if err != nil {
			return nil, FieldErrorf(CodeInvalidInput, "allowed_ips", "%q is not an IP address or CIDR", ip)
		}
		out = append(out, a.String())
	}
	if len(out) > 100 {
		return nil, FieldErrorf(CodeInvalidInput, "allowed_ips", "at most 100 addresses or CIDRs")
	}
	return out, nil
}

func checkQuota(q *int64) error {
	if q != nil && *q < Unlimited {
		return FieldErrorf(CodeInvalidInput, "quota", "quota must be -1 (unlimited) or a number of bytes ≥ 0")
	}
	return nil
}

// homeOptions returns how folders are created for an account of site.
func (s *Service) homeOptions(site *Site, createMissing bool, compat Compat) HomeOptions {
	o := HomeOptions{CreateMissing: createMissing, AllowTopLevel: s.policy.AllowNewTopLevelDirs,
		DirMode: s.policy.DirMode, UID: site.UID, GID: site.GID, ChownAvailable: s.chown}
	if compat == CompatHestia {
		o.CreateMissing, o.AllowTopLevel = true, true
	}
	return o
}

// accountLogin turns a requested name into the full login and checks it.
func (s *Service) accountLogin(name string, site *Site, compat Compat) (string, error) {
	if compat == CompatHestia {
		full := site.CustomerLogin + "_" + name
		if err := CheckHestiaLogin(full); err != nil {
			return "", err
		}
		if s.policy.IsReserved(full) {
			return "", FieldErrorf(CodeReservedLogin, "login", "login %q is reserved", full)
		}
		return full, nil
	}
	if err := s.policy.CheckName(name); err != nil {
		return "", err
	}
	return s.policy.FullLogin(name, site.CustomerLogin, site.Name), nil
}

// CreateAccount adds an FTP account to a site. Login and password are
// generated when empty (simple mode) and the generated password is
// returned once. The home folder is resolved inside the site and created
// when CreateMissing allows it; a failure removes what was created.
func (s *Service) CreateAccount(ctx context.Context, in AccountCreate) (*Account, string, error) {
	const opName = "hosting.CreateAccount"
	if _, err := s.actor(ctx); err != nil {
		return nil, "", op(opName, err)
	}
	site, err := s.siteFor(ctx, in.Site, in.SiteID)
	if err != nil {
		return nil, "", op(opName, err)
	}
	var login string
	if in.Login == "" {
		for range 5 {
			name, err := s.policy.GenerateName(domainPrefix(site.Name))
			if err != nil {
				return nil, "", op(opName, &Error{Code: CodeInternal, Message: "cannot generate a login", Err: err})
			}
			if login, err = s.accountLogin(name, site, in.Compat); err != nil {
				return nil, "", op(opName, err)
			}
			if _, err := s.store.AccountByLogin(ctx, login); isCode(err, CodeNotFound) {
				break
			}
		}
	} else if login, err = s.accountLogin(strings.TrimSpace(in.Login), site, in.Compat); err != nil {
		return nil, "", op(opName, err)
	}
	if err := checkQuota(in.QuotaBytes); err != nil {
		return nil, "", op(opName, err)
	}
	ips, err := checkAllowedIPs(in.AllowedIPs)
	if err != nil {
		return nil, "", op(opName, err)
	}
	// Every check that needs no password hash runs first, the duplicate
	// login included, so that a refused create costs no hashing (a Plesk
	// packet may repeat an add of an existing login hundreds of times).
	var hash, pw, gen string
	if in.PasswordHash != "" {
		if in.Password != "" {
			return nil, "", op(opName, FieldErrorf(CodeInvalidInput, "password", "give a password or a password hash, not both"))
		}
		hash = in.PasswordHash
		if ok, err := s.hasher.Verify(hash, "\x00probe"); ok || err != nil {
			return nil, "", op(opName, FieldErrorf(CodeInvalidInput, "password_hash", "unsupported password hash format"))
		}
	} else if in.Password == "" {
		if pw, err = s.policy.GeneratePassword(); err != nil {
			return nil, "", op(opName, &Error{Code: CodeInternal, Message: "cannot generate a password", Err: err})
		}
		gen = pw
	} else if err := s.policy.CheckPassword(in.Password, login); err != nil {
		return nil, "", op(opName, err)
	} else {
		pw = in.Password
	}
	home, err := NormalizeHome(in.Home, site.Root)
	if err != nil {
		return nil, "", op(opName, err)
	}
	// The store checks again inside its transaction (races); this early
	// look-up only spares the hash.
	if _, err := s.store.AccountByLogin(ctx, login); err == nil {
		return nil, "", op(opName, FieldErrorf(CodeLoginTaken, "login", "login %q is already taken", login))
	} else if !isCode(err, CodeNotFound) {
		return nil, "", op(opName, err)
	}
	if hash == "" {
		if hash, err = s.hash(pw); err != nil {
			return nil, "", op(opName, err)
		}
	}
	a := &Account{Login: login, SiteID: site.ID, SiteName: site.Name, CustomerID: site.CustomerID,
		CustomerLogin: site.CustomerLogin, Home: home, PasswordHash: hash, QuotaBytes: site.DefaultQuota,
		Read: true, Write: true, Status: StatusActive, ExpiresAt: in.ExpiresAt, AllowedIPs: ips,
		CreatedAt: s.Now(), UpdatedAt: s.Now(), SiteStatus: site.Status, CustomerStatus: site.CustomerStatus,
		SiteRoot: site.Root, SiteUID: site.UID, SiteGID: site.GID}
	if in.QuotaBytes != nil {
		a.QuotaBytes = *in.QuotaBytes
	}
	if in.Read != nil {
		a.Read = *in.Read
	}
	if in.Write != nil {
		a.Write = *in.Write
	}
	if a.ExpiresAt != nil {
		t := a.ExpiresAt.UTC()
		a.ExpiresAt = &t
	}
	s.homeMu.Lock()
	defer s.homeMu.Unlock()
	created, err := ResolveHome(site.Root, home, s.homeOptions(site, in.CreateMissing, in.Compat))
	if err != nil {
		return nil, "", op(opName, err)
	}
	ev := s.event(ctx, "account.create", "account", 0, login, site.CustomerID, "site "+site.Name+", home "+home)
	if err := s.store.CreateAccount(ctx, a, ev); err != nil {
		RemoveCreated(site.Root, created)
		return nil, "", op(opName, err)
	}
	return a, gen, nil
}

// Account returns an account by login; another customer's account is
// not_found.
func (s *Service) Account(ctx context.Context, login string) (*Account, error) {
	const opName = "hosting.Account"
	act, err := s.actor(ctx)
	if err != nil {
		return nil, op(opName, err)
	}
	a, err := s.store.AccountByLogin(ctx, login)
	if err != nil {
		return nil, op(opName, err)
	}
	if !act.IsAdmin() && a.CustomerID != act.CustomerID {
		return nil, op(opName, Errorf(CodeNotFound, "account %q not found", login))
	}
	return a, nil
}

// AccountByID returns an account by ID; another customer's account is
// not_found.
func (s *Service) AccountByID(ctx context.Context, id int64) (*Account, error) {
	const opName = "hosting.AccountByID"
	act, err := s.actor(ctx)
	if err != nil {
		return nil, op(opName, err)
	}
	a, err := s.store.AccountByID(ctx, id)
	if err != nil {
		return nil, op(opName, err)
	}
	if !act.IsAdmin() && a.CustomerID != act.CustomerID {
		return nil, op(opName, Errorf(CodeNotFound, "account %d not found", id))
	}
	return a, nil
}

// Accounts lists accounts; a customer sees only its own.
func (s *Service) Accounts(ctx context.Context, f AccountFilter) ([]*Account, error) {
	act, err := s.actor(ctx)
	if err != nil {
		return nil, op("hosting.Accounts", err)
	}
	if !act.IsAdmin() {
		if !ownScope(act, &f.CustomerID) {
			return []*Account{}, nil // another customer's objects: none of them are visible
		}
	}
	return s.store.Accounts(ctx, f)
}

// CountAccounts counts accounts; a customer counts only its own.
func (s *Service) CountAccounts(ctx context.Context, f AccountFilter) (int, error) {
	act, err := s.actor(ctx)
	if err != nil {
		return 0, op("hosting.CountAccounts", err)
	}
	if !act.IsAdmin() {
		if !ownScope(act, &f.CustomerID) {
			return 0, nil // another customer's objects: none of them are visible
		}
	}
	return s.store.CountAccounts(ctx, f)
}

// UpdateAccount changes an account. A missing home folder is an error
// (home_not_found) unless CreateMissing, or the policy's on_missing_home is
// "reset" (the home becomes the site root). The main account's home stays
// "/". Changing the password, home or permissions closes open sessions.
func (s *Service) UpdateAccount(ctx context.Context, login string, u AccountUpdate) (*Account, error) {
	const opName = "hosting.UpdateAccount"
	a, err := s.Account(ctx, login)
	if err != nil {
		return nil, op(opName, err)
	}
	site, err := s.store.SiteByID(ctx, a.SiteID)
	if err != nil {
		return nil, op(opName, err)
	}
	var changed []string
	kill := false
	if u.Login != nil && *u.Login != a.Login {
		full := *u.Login
		if u.Compat == CompatNone {
			if full, err = s.accountLogin(strings.TrimSpace(*u.Login), site, CompatNone); err != nil {
				return nil, op(opName, err)
			}
		} else if err := CheckHestiaLogin(full); err != nil {
			return nil, op(opName, err)
		} else if s.policy.IsReserved(full) {
			return nil, op(opName, FieldErrorf(CodeReservedLogin, "login", "login %q is reserved", full))
		}
		if full != a.Login {
			changed = append(changed, "login "+a.Login+" → "+full)
			s.cache.forget(a.Login)
			a.Login = full
			kill = true
		}
	}
	if u.Password != nil {
		if err := s.policy.CheckPassword(*u.Password, a.Login); err != nil {
			return nil, op(opName, err)
		}
		if a.PasswordHash, err = s.hash(*u.Password); err != nil {
			return nil, op(opName, err)
		}
		changed = append(changed, "password")
		kill = true
	}
	if err := checkQuota(u.QuotaBytes); err != nil {
		return nil, op(opName, err)
	}
	if u.QuotaBytes != nil && *u.QuotaBytes != a.QuotaBytes {
		a.QuotaBytes = *u.QuotaBytes
		changed = append(changed, "quota")
	}
	if (u.Read != nil && *u.Read != a.Read) || (u.Write != nil && *u.Write != a.Write) {
		if u.Read != nil {
			a.Read = *u.Read
		}
		if u.Write != nil {
			a.Write = *u.Write
		}
		changed = append(changed, "permissions")
		kill = true
	}
	if u.ExpiresAt != nil {
		a.ExpiresAt = *u.ExpiresAt
		if a.ExpiresAt != nil {
			t := a.ExpiresAt.UTC()
			a.ExpiresAt = &t
		}
		changed = append(changed, "expires_at")
	}
	if u.AllowedIPs != nil {
		if a.AllowedIPs, err = checkAllowedIPs(*u.AllowedIPs); err != nil {
			return nil, op(opName, err)
		}
		changed = append(changed, "allowed_ips")
	}
	var created []string
	if u.Home != nil {
		home, err := NormalizeHome(*u.Home, site.Root)
		if err != nil {
			return nil, op(opName, err)
		}
		if a.Main && home != "/" {
			return nil, op(opName, FieldErrorf(CodeMainAccount, "home", "the main account's home is the site root"))
		}
		s.homeMu.Lock()
		defer s.homeMu.Unlock()
		created, err = ResolveHome(site.Root, home, s.homeOptions(site, u.CreateMissing, u.Compat))
		if isCode(err, CodeHomeNotFound) && u.Compat == CompatNone && s.policy.OnMissingHome == MissingHomeReset {
			home, err = "/", nil
		}
		if err != nil {
			return nil, op(opName, err)
		}
		if home != a.Home {
			changed = append(changed, "home "+home)
			a.Home = home
			kill = true
		}
	}
	if len(changed) == 0 {
		return a, nil
	}
	ev := s.event(ctx, "account.update", "account", a.ID, a.Login, a.CustomerID, "changed "+strings.Join(changed, ", "))
	if err := s.store.UpdateAccount(ctx, a, ev); err != nil {
		RemoveCreated(site.Root, created)
		return nil, op(opName, err)
	}
	if kill {
		s.killSessions(ctx, SessionFilter{AccountID: &a.ID})
	}
	return a, nil
}

// SetAccountPassword sets an account's password; "" generates one, which
// is returned once. Open sessions are closed.
func (s *Service) SetAccountPassword(ctx context.Context, login, password string) (string, error) {
	gen := ""
	if password == "" {
		var err error
		if gen, err = s.policy.GeneratePassword(); err != nil {
			return "", op("hosting.SetAccountPassword", &Error{Code: CodeInternal, Message: "cannot generate a password", Err: err})
		}
		password = gen
	}
	if _, err := s.UpdateAccount(ctx, login, AccountUpdate{Password: &password}); err != nil {
		return "", op("hosting.SetAccountPassword", err)
	}
	return gen, nil
}

// SetAccountStatus suspends or unsuspends an account (its own status).
// Suspending closes its sessions.
func (s *Service) SetAccountStatus(ctx context.Context, login string, st Status) (*Account, error) {
	const opName = "hosting.SetAccountStatus"
	if !st.Valid() {
		return nil, op(opName, FieldErrorf(CodeInvalidInput, "status", "unknown status %q", st))
	}
	a, err := s.Account(ctx, login)
	if err != nil {
		return nil, op(opName, err)
	}
	if a.Status == st {
		return a, nil
	}
	a.Status = st
	action := "account.suspend"
	if st == StatusActive {
		action = "account.unsuspend"
	}
	if err := s.store.UpdateAccount(ctx, a, s.event(ctx, action, "account", a.ID, a.Login, a.CustomerID, "")); err != nil {
		return nil, op(opName, err)
	}
	if st == StatusSuspended {
		s.killSessions(ctx, SessionFilter{AccountID: &a.ID})
	}
	return a, nil
}

// DeleteAccount removes an additional account (the main account: error
// main_account) and closes its sessions. Files are kept.
func (s *Service) DeleteAccount(ctx context.Context, login string) error {
	const opName = "hosting.DeleteAccount"
	a, err := s.Account(ctx, login)
	if err != nil {
		return op(opName, err)
	}
	if a.Main {
		return op(opName, Errorf(CodeMainAccount, "the main FTP account of %s cannot be deleted while the site exists", a.SiteName))
	}
	if err := s.store.DeleteAccount(ctx, a.ID, s.event(ctx, "account.delete", "account", a.ID, a.Login, a.CustomerID, "site "+a.SiteName)); err != nil {
		return op(opName, err)
	}
	s.cache.forget(a.Login)
	s.killSessions(ctx, SessionFilter{AccountID: &a.ID})
	return nil
}

// RecordUsage stores the measured disk usage of an account's home.
func (s *Service) RecordUsage(ctx context.Context, accountID, used int64) error {
	return op("hosting.RecordUsage", s.store.SetUsedBytes(ctx, accountID, used))
}

// killSessions asks the nodes to close the sessions f selects; a failure
// is logged, since the change itself has been made.
func (s *Service) killSessions(ctx context.Context, f SessionFilter) {
	if _, err := s.store.RequestSessionKill(ctx, f); err != nil {
		s.log.Error("request session kill", "err", err)
	}
}

package hosting

import (
	"context"
	"net/mail"
	"strings"
)

// Bootstrap creates the first administrator "admin" with a generated
// password when there is none. It returns the login and password when it
// created one (created = true).
func (s *Service) Bootstrap(ctx context.Context) (login, password string, created bool, err error) {
	admins, err := s.store.Admins(ctx)
	if err != nil {
		return "", "", false, op("hosting.Bootstrap", err)
	}
	if len(admins) > 0 {
		return "", "", false, nil
	}
	ctx = WithActor(ctx, SystemActor(ViaCLI, "bootstrap"))
	_, pw, err := s.CreateAdmin(ctx, "admin", "")
	if err != nil {
		return "", "", false, err
	}
	return "admin", pw, true, nil
}

// CreateAdmin adds a panel administrator; password "" is generated and
// returned. Admin only.
func (s *Service) CreateAdmin(ctx context.Context, login, password string) (*Admin, string, error) {
	const opName = "hosting.CreateAdmin"
	if _, err := s.admin(ctx); err != nil {
		return nil, "", op(opName, err)
	}
	login = strings.TrimSpace(login)
	if err := s.policy.CheckCustomerLogin(login); err != nil {
		return nil, "", op(opName, err)
	}
	// Panel logins try administrators first, then customers: one name
	// must not be both.
	if _, err := s.store.CustomerByLogin(ctx, login); err == nil {
		return nil, "", op(opName, FieldErrorf(CodeLoginTaken, "login", "login %q is taken by a customer", login))
	} else if !isCode(err, CodeNotFound) {
		return nil, "", op(opName, err)
	}
	hash, gen, err := s.passwordOrGenerate(password, login, true)
	if err != nil {
		return nil, "", op(opName, err)
	}
	a := &Admin{Login: login, PasswordHash: hash, CreatedAt: s.Now()}
	if err := s.store.CreateAdmin(ctx, a, s.event(ctx, "admin.create", "admin", 0, login, 0, "")); err != nil {
		return nil, "", op(opName, err)
	}
	return a, gen, nil
}

// Admins lists the administrators. Admin only.
func (s *Service) Admins(ctx context.Context) ([]*Admin, error) {
	if _, err := s.admin(ctx); err != nil {
		return nil, op("hosting.Admins", err)
	}
	return s.store.Admins(ctx)
}

// SetAdminPassword changes an administrator's password ("" = generate and
// return it). Admin only.
func (s *Service) SetAdminPassword(ctx context.Context, login, password string) (string, error) {
	const opName = "hosting.SetAdminPassword"
	if _, err := s.admin(ctx); err != nil {
		return "", op(opName, err)
	}
	a, err := s.store.AdminByLogin(ctx, login)
	if err != nil {
		return "", op(opName, err)
	}
	hash, gen, err := s.passwordOrGenerate(password, login, true)
	if err != nil {
		return "", op(opName, err)
	}
	return gen, op(opName, s.store.SetAdminPassword(ctx, a.ID, hash, s.event(ctx, "admin.password", "admin", a.ID, login, 0, "")))
}

// DeleteAdmin removes an administrator; the last one cannot be removed
// (conflict). Admin only.
func (s *Service) DeleteAdmin(ctx context.Context, login string) error {
	const opName = "hosting.DeleteAdmin"
	if _, err := s.admin(ctx); err != nil {
		return op(opName, err)
	}
	a, err := s.store.AdminByLogin(ctx, login)
	if err != nil {
		return op(opName, err)
	}
	all, err := s.store.Admins(ctx)
	if err != nil {
		return op(opName, err)
	}
	if len(all) <= 1 {
		return op(opName, Errorf(CodeConflict, "the last administrator cannot be deleted"))
	}
	return op(opName, s.store.DeleteAdmin(ctx, a.ID, s.event(ctx, "admin.delete", "admin", a.ID, login, 0, "")))
}

func checkLimit(field string, n *int) error {
	if n != nil && *n < Unlimited {
		return FieldErrorf(CodeInvalidInput, field, "%s must be -1 (unlimited) or a number ≥ 0", field)
	}
	return nil
}

func checkEmail(e string) error {
	if e == "" {
		return nil
	}
	if a, err := mail.ParseAddress(e); err != nil || a.Address != e || len(e) > 254 {
		return FieldErrorf(CodeInvalidInput, "email", "%q is not a valid e-mail address", e)
	}
	return nil
}

func checkText(field, v string, max int) error {
	if len(v) > max {
		return FieldErrorf(CodeInvalidInput, field, "%s is longer than %d bytes", field, max)
	}
	for _, r := range v {
		if r < 0x20 || r == 0x7f {
			return FieldErrorf(CodeInvalidInput, field, "%s contains control characters", field)
		}
	}
	return nil
}

// CreateCustomer adds a customer; a panel password is generated and
// returned when in.Password is "". Admin only.
func (s *Service) CreateCustomer(ctx context.Context, in CustomerCreate) (*Customer, string, error) {
	const opName = "hosting.CreateCustomer"
	if _, err := s.admin(ctx); err != nil {
		return nil, "", op(opName, err)
	}
	in.Login = strings.TrimSpace(in.Login)
	if err := s.policy.CheckCustomerLogin(in.Login); err != nil {
		return nil, "", op(opName, err)
	}
	if s.policy.IsReserved(in.Login) { // CheckCustomerLogin lets "admin" through for administrators
		return nil, "", op(opName, FieldErrorf(CodeReservedLogin, "login", "login %q is reserved", in.Login))
	}
	// Panel logins try administrators first, then customers: one name
	// must not be both.
	if _, err := s.store.AdminByLogin(ctx, in.Login); err == nil {
		return nil, "", op(opName, FieldErrorf(CodeLoginTaken, "login", "login %q is taken", in.Login))
	} else if !isCode(err, CodeNotFound) {
		return nil, "", op(opName, err)
	}
	if err := checkText("name", in.Name, 200); err != nil {
		return nil, "", op(opName, err)
	}
	if err := checkEmail(in.Email); err != nil {
		return nil, "", op(opName, err)
	}
	if err := checkLimit("max_ftp_accounts", in.MaxFTPAccounts); err != nil {
		return nil, "", op(opName, err)
	}
	hash, gen, err := s.passwordOrGenerate(in.Password, in.Login, true)
	if err != nil {
		return nil, "", op(opName, err)
	}
	c := &Customer{Login: in.Login, Name: in.Name, Email: in.Email, PasswordHash: hash, Status: StatusActive,
		MaxFTPAccounts: Unlimited, CreatedAt: s.Now(), UpdatedAt: s.Now()}
	if in.MaxFTPAccounts != nil {
		c.MaxFTPAccounts = *in.MaxFTPAccounts
	}
	if err := s.store.CreateCustomer(ctx, c, s.event(ctx, "customer.create", "customer", 0, c.Login, 0, "")); err != nil {
		return nil, "", op(opName, err)
	}
	return c, gen, nil
}

// Customer returns a customer by login. A customer may read only itself;
// another customer is not_found.
func (s *Service) Customer(ctx context.Context, login string) (*Customer, error) {
	const opName = "hosting.Customer"
	a, err := s.actor(ctx)
	if err != nil {
		return nil, op(opName, err)
	}
	c, err := s.store.CustomerByLogin(ctx, login)
	if err != nil {
		return nil, op(opName, err)
	}
	if !a.IsAdmin() && c.ID != a.CustomerID {
		return nil, op(opName, Errorf(CodeNotFound, "customer %q not found", login))
	}
	return c, nil
}

// Customers lists customers; a customer sees only itself.
func (s *Service) Customers(ctx context.Context, f CustomerFilter) ([]*Customer, error) {
	a, err := s.actor(ctx)
	if err != nil {
		return nil, op("hosting.Customers", err)
	}
	if !a.IsAdmin() {
		if !ownScope(a, &f.ID) {
			return []*Customer{}, nil // another customer's objects: none of them are visible
		}
	}
	return s.store.Customers(ctx, f)
}

// UpdateCustomer changes name, e-mail or limit. Admin only.
func (s *Service) UpdateCustomer(ctx context.Context, login string, u CustomerUpdate) (*Customer, error) {
	const opName = "hosting.UpdateCustomer"
	if _, err := s.admin(ctx); err != nil {
		return nil, op(opName, err)
	}
	c, err := s.store.CustomerByLogin(ctx, login)
	if err != nil {
		return nil, op(opName, err)
	}
	var changed []string
	if u.Name != nil {
		if err := checkText("name", *u.Name, 200); err != nil {
			return nil, op(opName, err)
		}
		c.Name = *u.Name
		changed = append(changed, "name")
	}
	if u.Email != nil {
		if err := checkEmail(*u.Email); err != nil {
			return nil, op(opName, err)
		}
		c.Email = *u.Email
		changed = append(changed, "email")
	}
	if u.MaxFTPAccounts != nil {
		if err := checkLimit("max_ftp_accounts", u.MaxFTPAccounts); err != nil {
			return nil, op(opName, err)
		}
		c.MaxFTPAccounts = *u.MaxFTPAccounts
		changed = append(changed, "max_ftp_accounts")
	}
	if len(changed) == 0 {
		return c, nil
	}
	ev := s.event(ctx, "customer.update", "customer", c.ID, c.Login, c.ID, "changed "+strings.Join(changed, ", "))
	if err := s.store.UpdateCustomer(ctx, c, ev); err != nil {
		return nil, op(opName, err)
	}
	return c, nil
}

// SetCustomerPassword changes a customer's panel password ("" = generate
// and return it). Admins, or the customer itself.
func (s *Service) SetCustomerPassword(ctx context.Context, login, password string) (string, error) {
	const opName = "hosting.SetCustomerPassword"
	c, err := s.Customer(ctx, login)
	if err != nil {
		return "", op(opName, err)
	}
	hash, gen, err := s.passwordOrGenerate(password, login, true)
	if err != nil {
		return "", op(opName, err)
	}
	c.PasswordHash = hash
	return gen, op(opName, s.store.UpdateCustomer(ctx, c, s.event(ctx, "customer.password", "customer", c.ID, c.Login, c.ID, "")))
}

// SetCustomerStatus suspends or unsuspends a customer. Suspending closes
// the FTP sessions of all its accounts; the accounts' own status is kept.
// Admin only.
func (s *Service) SetCustomerStatus(ctx context.Context, login string, st Status) (*Customer, error) {
	const opName = "hosting.SetCustomerStatus"
	if _, err := s.admin(ctx); err != nil {
		return nil, op(opName, err)
	}
	if !st.Valid() {
		return nil, op(opName, FieldErrorf(CodeInvalidInput, "status", "unknown status %q", st))
	}
	c, err := s.store.CustomerByLogin(ctx, login)
	if err != nil {
		return nil, op(opName, err)
	}
	if c.Status == st {
		return c, nil
	}
	c.Status = st
	action := "customer.suspend"
	if st == StatusActive {
		action = "customer.unsuspend"
	}
	if err := s.store.UpdateCustomer(ctx, c, s.event(ctx, action, "customer", c.ID, c.Login, c.ID, "")); err != nil {
		return nil, op(opName, err)
	}
	if st == StatusSuspended {
		s.killSessions(ctx, SessionFilter{CustomerID: &c.ID})
	}
	return c, nil
}

// DeleteCustomer removes a customer without sites (conflict otherwise).
// Admin only.
func (s *Service) DeleteCustomer(ctx context.Context, login string) error {
	const opName = "hosting.DeleteCustomer"
	if _, err := s.admin(ctx); err != nil {
		return op(opName, err)
	}
	c, err := s.store.CustomerByLogin(ctx, login)
	if err != nil {
		return op(opName, err)
	}
	return op(opName, s.store.DeleteCustomer(ctx, c.ID, s.event(ctx, "customer.delete", "customer", c.ID, c.Login, c.ID, "")))
}

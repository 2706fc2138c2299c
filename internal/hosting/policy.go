package hosting

import (
	"crypto/rand"
	"fmt"
	"math/big"
	"regexp"
	"strings"
	"unicode"
)

// Namespace says how an account name becomes a server-wide login.
type Namespace string

// Namespace modes (DESIGN §3).
const (
	NamespaceNone   Namespace = "none"   // the login is the name (Plesk)
	NamespaceSuffix Namespace = "suffix" // name.customer (OpenPanel)
	NamespacePrefix Namespace = "prefix" // customer_name (HestiaCP)
	NamespaceDomain Namespace = "domain" // name@domain (cPanel, DirectAdmin)
)

// MissingHome says what an edit naming a missing folder does.
type MissingHome string

// MissingHome values.
const (
	MissingHomeError MissingHome = "error"
	MissingHomeReset MissingHome = "reset"
)

// Policy is the configurable rule set of DESIGN §3.
type Policy struct {
	LoginPreset    string // "plesk" (default) or "hestia"
	LoginMinLen    int
	LoginMaxLen    int
	Namespace      Namespace
	ReservedLogins []string

	PasswordPreset     string // "default", "openpanel", "strict"
	PasswordMinLen     int
	PasswordMinClasses int // of uppercase, lowercase, digit, symbol
	CommonPasswords    []string

	AllowNewTopLevelDirs bool
	OnMissingHome        MissingHome

	// SiteSkeleton lists folders created in a new site's root.
	SiteSkeleton []string
	// SitesDir is where site roots go by default: <SitesDir>/<domain>.
	SitesDir string
	// DirMode and FileMode are used for folders the service creates.
	DirMode uint32
}

// DefaultPolicy returns the defaults of DESIGN §3.
func DefaultPolicy() Policy {
	return Policy{
		LoginPreset:          "plesk",
		LoginMinLen:          1,
		LoginMaxLen:          16,
		Namespace:            NamespaceNone,
		ReservedLogins:       DefaultReservedLogins(),
		PasswordPreset:       "default",
		PasswordMinLen:       8,
		PasswordMinClasses:   3,
		CommonPasswords:      DefaultCommonPasswords(),
		AllowNewTopLevelDirs: false,
		OnMissingHome:        MissingHomeError,
		SiteSkeleton:         []string{"httpdocs", "private"},
		DirMode:              0o755,
	}
}

// ApplyLoginPreset sets the login length bounds of a preset.
func (p *Policy) ApplyLoginPreset(name string) error {
	switch name {
	case "plesk", "":
		p.LoginPreset, p.LoginMinLen, p.LoginMaxLen = "plesk", 1, 16
	case "hestia":
		p.LoginPreset, p.LoginMinLen, p.LoginMaxLen = "hestia", 2, 30
	default:
		return fmt.Errorf("unknown login preset %q (want plesk or hestia)", name)
	}
	return nil
}

// ApplyPasswordPreset sets the password length and classes of a preset.
func (p *Policy) ApplyPasswordPreset(name string) error {
	switch name {
	case "default", "":
		p.PasswordPreset, p.PasswordMinLen, p.PasswordMinClasses = "default", 8, 3
	case "openpanel":
		p.PasswordPreset, p.PasswordMinLen, p.PasswordMinClasses = "openpanel", 8, 4
	case "strict":
		p.PasswordPreset, p.PasswordMinLen, p.PasswordMinClasses = "strict", 12, 4
	default:
		return fmt.Errorf("unknown password preset %q (want default, openpanel or strict)", name)
	}
	return nil
}

// Validate checks the policy itself.
func (p Policy) Validate() error {
	if p.LoginMinLen < 1 || p.LoginMaxLen < p.LoginMinLen || p.LoginMaxLen > 64 {
		return fmt.Errorf("login length bounds %d..%d are invalid (1 ≤ min ≤ max ≤ 64)", p.LoginMinLen, p.LoginMaxLen)
	}
	switch p.LoginPreset {
	case "", "plesk", "hestia":
	default:
		return fmt.Errorf("unknown login preset %q (want plesk or hestia)", p.LoginPreset)
	}
	switch p.PasswordPreset {
	case "", "default", "openpanel", "strict":
	default:
		return fmt.Errorf("unknown password preset %q (want default, openpanel or strict)", p.PasswordPreset)
	}
	switch p.Namespace {
	case NamespaceNone, NamespaceSuffix, NamespacePrefix, NamespaceDomain:
	default:
		return fmt.Errorf("unknown namespace mode %q (want none, suffix, prefix or domain)", p.Namespace)
	}
	if p.PasswordMinLen < 1 || p.PasswordMinLen > 128 {
		return fmt.Errorf("password min length %d is invalid (1..128)", p.PasswordMinLen)
	}
	if p.PasswordMinClasses < 0 || p.PasswordMinClasses > 4 {
		return fmt.Errorf("password classes %d is invalid (0..4)", p.PasswordMinClasses)
	}
	switch p.OnMissingHome {
	case MissingHomeError, MissingHomeReset:
	default:
		return fmt.Errorf("unknown on_missing_home %q (want error or reset)", p.OnMissingHome)
	}
	return nil
}

// DefaultReservedLogins are system and well-known names refused as logins.
func DefaultReservedLogins() []string {
	return []string{"root", "admin", "administrator", "ftp", "ftpuser", "anonymous", "www-data", "www",
		"nobody", "daemon", "bin", "sys", "sync", "mail", "postfix", "postmaster", "webmaster",
		"hostmaster", "abuse", "apache", "nginx", "httpd", "mysql", "postgres", "sshd", "operator",
		"games", "man", "lp", "news", "uucp", "proxy", "backup", "list", "irc", "gnats", "systemd",
		"messagebus", "psaadm", "psaftp", "hestia", "hestiaweb", "ftpanel", "guest", "test", "user",
		"support", "info", "noreply", "security"}
}

// DefaultCommonPasswords is a short list of passwords refused even when
// they satisfy the character classes.
func DefaultCommonPasswords() []string {
	return []string{"password", "password1", "Password1", "Password1!", "Passw0rd", "Passw0rd!", "P@ssw0rd",
		"P@ssword1", "Welcome1", "Welcome1!", "Qwerty123", "Qwerty123!", "Qwerty12", "Abc12345", "Abcd1234",
		"Admin123", "Admin123!", "Letmein1", "Letmein1!", "Iloveyou1", "Summer2024", "Summer2025",
		"Winter2024", "Winter2025", "Spring2025", "Autumn2025", "Changeme1", "Changeme1!", "Zaq12wsx",
		"1qaz2WSX", "1qaz@WSX", "Football1", "Monkey123", "Dragon123", "Master123", "Sunshine1",
		"Trustno1", "Baseball1", "Superman1", "Secret123", "Test1234", "Test123!", "Hello123", "Pa$$w0rd",
		"12345678Aa", "Aa123456", "Aa123456!", "Qwerty1!", "Ftp12345", "Ftpuser1"}
}

var (
	pleskLoginRe  = regexp.MustCompile(`^[a-z][a-z0-9_-]*$`)
	hestiaLoginRe = regexp.MustCompile(`^([A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9._|-]{0,28}[A-Za-z0-9])$`)
	customerRe    = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,31}$`)
)

// CheckName checks an account name (before the namespace is applied)
// against the login pattern, length and reserved names.
func (p Policy) CheckName(name string) error {
	if name == "" {
		return FieldErrorf(CodeInvalidLogin, "login", "login is empty")
	}
	n := len(name)
	if p.LoginPreset == "hestia" {
		if !hestiaLoginRe.MatchString(name) || n < p.LoginMinLen || n > p.LoginMaxLen {
			return FieldErrorf(CodeInvalidLogin, "login",
				"login %q is invalid: %d to %d characters, letters, digits, '.', '_', '-', starting and ending with a letter or digit", name, p.LoginMinLen, p.LoginMaxLen)
		}
	} else if !pleskLoginRe.MatchString(name) || n < p.LoginMinLen || n > p.LoginMaxLen {
		return FieldErrorf(CodeInvalidLogin, "login",
			"login %q is invalid: %d to %d characters, a lowercase letter first, then lowercase letters, digits, '-' or '_'", name, p.LoginMinLen, p.LoginMaxLen)
	}
	if p.IsReserved(name) {
		return FieldErrorf(CodeReservedLogin, "login", "login %q is reserved", name)
	}
	return nil
}

// IsReserved reports whether name is a reserved login (case-insensitive).
func (p Policy) IsReserved(name string) bool {
	l := strings.ToLower(name)
	for _, r := range p.ReservedLogins {
		if l == strings.ToLower(r) {
			return true
		}
	}
	return false
}

// FullLogin applies the namespace mode to an account name.
func (p Policy) FullLogin(name, customer, domain string) string {
	switch p.Namespace {
	case NamespaceSuffix:
		return name + "." + customer
	case NamespacePrefix:
		return customer + "_" + name
	case NamespaceDomain:
		return name + "@" + domain
	}
	return name
}

// CheckHestiaLogin checks a full HestiaCP account name (USER_name): 2 to 30
// ASCII characters as HestiaCP's is_user_format_valid, and not reserved.
func CheckHestiaLogin(full string) error {
	if !hestiaLoginRe.MatchString(full) || len(full) < 2 {
		return FieldErrorf(CodeInvalidLogin, "login", "invalid ftp_user format :: %s", full)
	}
	return nil
}

// CheckCustomerLogin checks a customer or admin panel login.
func (p Policy) CheckCustomerLogin(login string) error {
	if !customerRe.MatchString(login) {
		return FieldErrorf(CodeInvalidLogin, "login",
			"login %q is invalid: 1 to 32 characters, a lowercase letter first, then lowercase letters, digits, '-' or '_'", login)
	}
	if p.IsReserved(login) && login != "admin" {
		return FieldErrorf(CodeReservedLogin, "login", "login %q is reserved", login)
	}
	return nil
}

// CheckPassword applies the password policy. login may be "".
func (p Policy) CheckPassword(pw, login string) error {
	if pw == "" {
		return FieldErrorf(CodeWeakPassword, "password", "password is empty")
	}
	if len(pw) > 256 {
		return FieldErrorf(CodeInvalidInput, "password", "password is longer than 256 bytes")
	}
	for _, r := range pw {
		if r < 0x20 || r == 0x7f {
			return FieldErrorf(CodeInvalidInput, "password", "password contains control characters")
		}
	}
	if n := len([]rune(pw)); n < p.PasswordMinLen {
		return FieldErrorf(CodeWeakPassword, "password", "password must be at least %d characters long", p.PasswordMinLen)
	}
	if c := passwordClasses(pw); c < p.PasswordMinClasses {
		return FieldErrorf(CodeWeakPassword, "password",
			"password must contain at least %d of: uppercase letters, lowercase letters, digits, symbols", p.PasswordMinClasses)
	}
	lp := strings.ToLower(pw)
	if login != "" {
		for _, part := range loginParts(login) {
			if len(part) >= 3 && strings.Contains(lp, strings.ToLower(part)) {
				return FieldErrorf(CodeWeakPassword, "password", "password must not contain the login")
			}
		}
	}
	for _, c := range p.CommonPasswords {
		if lp == strings.ToLower(c) {
			return FieldErrorf(CodeWeakPassword, "password", "password is too common")
		}
	}
	return nil
}

// loginParts returns the login and, for namespaced logins, its name part.
func loginParts(login string) []string {
	parts := []string{login}
	if i := strings.IndexAny(login, ".@"); i > 0 {
		parts = append(parts, login[:i])
	}
	if i := strings.IndexByte(login, '_'); i > 0 && i < len(login)-1 {
		parts = append(parts, login[i+1:])
	}
	return parts
}

func passwordClasses(pw string) int {
	var up, lo, dg, sy bool
	for _, r := range pw {
		switch {
		case unicode.IsUpper(r):
			up = true
		case unicode.IsLower(r):
			lo = true
		case unicode.IsDigit(r):
			dg = true
		default:
			sy = true
		}
	}
	n := 0
	for _, b := range []bool{up, lo, dg, sy} {
		if b {
			n++
		}
	}
	return n
}

const (
	lowerChars  = "abcdefghijkmnopqrstuvwxyz" // no l: easier to read
	upperChars  = "ABCDEFGHJKLMNPQRSTUVWXYZ"  // no I, O
	digitChars  = "23456789"                  // no 0, 1
	symbolChars = "-_.!@#%+="
)

// GeneratePassword returns a random password from crypto/rand that
// satisfies the policy (at least 16 characters, all four classes).
func (p Policy) GeneratePassword() (string, error) {
	n := max(16, p.PasswordMinLen)
	sets := []string{lowerChars, upperChars, digitChars, symbolChars}
	all := lowerChars + upperChars + digitChars + symbolChars
	for range 100 {
		b := make([]byte, n)
		for i := range b {
			set := all
			if i < len(sets) {
				set = sets[i]
			}
			c, err := randChar(set)
			if err != nil {
				return "", err
			}
			b[i] = c
		}
		if err := shuffle(b); err != nil {
			return "", err
		}
		if pw := string(b); p.CheckPassword(pw, "") == nil {
			return pw, nil
		}
	}
	return "", fmt.Errorf("generate password: policy cannot be satisfied")
}

// GenerateName returns a random account name valid under the policy
// (CheckName accepts it): a prefix followed by random lowercase letters and
// digits, 10 characters or the policy's bounds.
func (p Policy) GenerateName(prefix string) (string, error) {
	if prefix == "" || !pleskLoginRe.MatchString(prefix) {
		prefix = "ftp"
	}
	// 10 characters unless the policy's bounds say otherwise.
	n := min(p.LoginMaxLen, max(10, p.LoginMinLen))
	if len(prefix) > n-4 {
		prefix = prefix[:max(1, n-4)]
	}
	const chars = "abcdefghijkmnpqrstuvwxyz23456789"
	// Short bounds leave few random characters, so a draw may hit a
	// reserved name or, with one character, fall below the hestia preset's
	// minimum: draw again.
	for range 100 {
		b := []byte(prefix)
		for len(b) < n {
			c, err := randChar(chars)
			if err != nil {
				return "", err
			}
			b = append(b, c)
		}
		if p.CheckName(string(b)) == nil {
			return string(b), nil
		}
	}
	return "", fmt.Errorf("generate name: policy cannot be satisfied")
}

func randChar(set string) (byte, error) {
	i, err := rand.Int(rand.Reader, big.NewInt(int64(len(set))))
	if err != nil {
		return 0, fmt.Errorf("random: %w", err)
	}
	return set[i.Int64()], nil
}

func shuffle(b []byte) error {
	for i := len(b) - 1; i > 0; i-- {
		j, err := rand.Int(rand.Reader, big.NewInt(int64(i+1)))
		if err != nil {
			return fmt.Errorf("random: %w", err)
		}
		b[i], b[j.Int64()] = b[j.Int64()], b[i]
	}
	return nil
}

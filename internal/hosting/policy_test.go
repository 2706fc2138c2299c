package hosting

import (
	"errors"
	"strings"
	"testing"
)

// codeOf returns the error code of err, "" for nil.
func codeOf(err error) Code { return ErrorCode(err) }

func hestiaPolicy(t *testing.T) Policy {
	t.Helper()
	p := DefaultPolicy()
	if err := p.ApplyLoginPreset("hestia"); err != nil {
		t.Fatalf("ApplyLoginPreset(hestia) = %v", err)
	}
	return p
}

func TestPolicy_CheckName(t *testing.T) {
	plesk := DefaultPolicy()
	hestia := hestiaPolicy(t)
	tests := []struct {
		name   string
		policy Policy
		in     string
		want   Code
	}{
		{"OK/plesk/one letter", plesk, "a", ""},
		{"OK/plesk/sixteen", plesk, "abcdefghijklmnop", ""},
		{"OK/plesk/digits dash underscore", plesk, "a1-b_2", ""},
		{"ErrInvalidLogin/plesk/empty", plesk, "", CodeInvalidLogin},
		{"ErrInvalidLogin/plesk/seventeen", plesk, "abcdefghijklmnopq", CodeInvalidLogin},
		{"ErrInvalidLogin/plesk/digit first", plesk, "1abc", CodeInvalidLogin},
		{"ErrInvalidLogin/plesk/dash first", plesk, "-abc", CodeInvalidLogin},
		{"ErrInvalidLogin/plesk/underscore first", plesk, "_abc", CodeInvalidLogin},
		{"ErrInvalidLogin/plesk/upper case", plesk, "Abc", CodeInvalidLogin},
		{"ErrInvalidLogin/plesk/upper case inside", plesk, "aBc", CodeInvalidLogin},
		{"ErrInvalidLogin/plesk/dot", plesk, "a.b", CodeInvalidLogin},
		{"ErrInvalidLogin/plesk/at", plesk, "a@b", CodeInvalidLogin},
		{"ErrInvalidLogin/plesk/space", plesk, "a b", CodeInvalidLogin},
		{"ErrInvalidLogin/plesk/non-ASCII", plesk, "jörg", CodeInvalidLogin},
		{"ErrInvalidLogin/plesk/slash", plesk, "a/b", CodeInvalidLogin},
		{"ErrInvalidLogin/plesk/NUL", plesk, "a\x00", CodeInvalidLogin},
		{"ErrInvalidLogin/plesk/newline", plesk, "abc\n", CodeInvalidLogin},
		{"ErrReservedLogin/plesk/root", plesk, "root", CodeReservedLogin},
		{"ErrReservedLogin/plesk/admin", plesk, "admin", CodeReservedLogin},
		{"ErrReservedLogin/plesk/ftp", plesk, "ftp", CodeReservedLogin},
		{"ErrReservedLogin/plesk/anonymous", plesk, "anonymous", CodeReservedLogin},
		{"ErrReservedLogin/plesk/www-data", plesk, "www-data", CodeReservedLogin},
		{"OK/hestia/two", hestia, "ab", ""},
		{"OK/hestia/thirty", hestia, strings.Repeat("a", 30), ""},
		{"OK/hestia/upper case and dot", hestia, "Alice.Web", ""},
		{"OK/hestia/digit first", hestia, "1abc", ""},
		{"OK/hestia/underscore inside", hestia, "alice_ftp", ""},
		{"ErrInvalidLogin/hestia/one", hestia, "a", CodeInvalidLogin},
		{"ErrInvalidLogin/hestia/thirty-one", hestia, strings.Repeat("a", 31), CodeInvalidLogin},
		{"ErrInvalidLogin/hestia/dot last", hestia, "abc.", CodeInvalidLogin},
		{"ErrInvalidLogin/hestia/dot first", hestia, ".abc", CodeInvalidLogin},
		{"ErrInvalidLogin/hestia/at", hestia, "a@b", CodeInvalidLogin},
		{"ErrInvalidLogin/hestia/non-ASCII", hestia, "jörg", CodeInvalidLogin},
		{"ErrReservedLogin/hestia/Root", hestia, "Root", CodeReservedLogin},
		{"ErrReservedLogin/hestia/WWW-DATA", hestia, "WWW-DATA", CodeReservedLogin},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.policy.CheckName(tc.in)
			if got := codeOf(err); got != tc.want {
				t.Fatalf("CheckName(%q) code = %q, want %q (err %v)", tc.in, got, tc.want, err)
			}
			if err != nil && ErrorField(err) != "login" {
				t.Errorf("field = %q, want %q", ErrorField(err), "login")
			}
		})
	}
}

func TestPolicy_CheckName_LengthConfigurable(t *testing.T) {
	p := DefaultPolicy()
	p.LoginMinLen, p.LoginMaxLen = 3, 8
	tests := []struct {
		in   string
		want Code
	}{
		{"ab", CodeInvalidLogin},
		{"abc", ""},
		{"abcdefgh", ""},
		{"abcdefghi", CodeInvalidLogin},
	}
	for _, tc := range tests {
		if got := codeOf(p.CheckName(tc.in)); got != tc.want {
			t.Errorf("CheckName(%q) code = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestPolicy_IsReserved(t *testing.T) {
	p := DefaultPolicy()
	for _, name := range []string{"root", "ROOT", "admin", "ftp", "anonymous", "www-data", "nobody", "postmaster"} {
		if !p.IsReserved(name) {
			t.Errorf("IsReserved(%q) = false, want true", name)
		}
	}
	for _, name := range []string{"alice", "rooty", "ftp1", "admins"} {
		if p.IsReserved(name) {
			t.Errorf("IsReserved(%q) = true, want false", name)
		}
	}
	p.ReservedLogins = append(p.ReservedLogins, "Custom")
	if got := codeOf(p.CheckName("custom")); got != CodeReservedLogin {
		t.Errorf("CheckName(custom) with configured reserved name: code = %q, want %q", got, CodeReservedLogin)
	}
}

func TestPolicy_FullLogin(t *testing.T) {
	tests := []struct {
		ns   Namespace
		want string
	}{
		{NamespaceNone, "web"},
		{"", "web"},
		{NamespaceSuffix, "web.alice"},
		{NamespacePrefix, "alice_web"},
		{NamespaceDomain, "web@xn--bcher-kva.example"},
	}
	for _, tc := range tests {
		t.Run(string(tc.ns), func(t *testing.T) {
			p := DefaultPolicy()
			p.Namespace = tc.ns
			if got := p.FullLogin("web", "alice", "xn--bcher-kva.example"); got != tc.want {
				t.Fatalf("FullLogin = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestCheckHestiaLogin(t *testing.T) {
	tests := []struct {
		in   string
		want Code
	}{
		{"alice_ftp", ""},
		{"Alice_FTP.1", ""},
		{"a1", ""},
		{"alice_a|b", ""}, // the '|' quirk of HestiaCP's bracket expression
		{strings.Repeat("a", 30), ""},
		{strings.Repeat("a", 31), CodeInvalidLogin},
		{"a", CodeInvalidLogin},
		{"", CodeInvalidLogin},
		{"alice_", CodeInvalidLogin},
		{"_alice", CodeInvalidLogin},
		{"alice ftp", CodeInvalidLogin},
		{"alice_ftp@x", CodeInvalidLogin},
		{"alice_jörg", CodeInvalidLogin},
		{"alice_ftp\n", CodeInvalidLogin},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			err := CheckHestiaLogin(tc.in)
			if got := codeOf(err); got != tc.want {
				t.Fatalf("CheckHestiaLogin(%q) code = %q, want %q", tc.in, got, tc.want)
			}
			if err != nil && !strings.Contains(ErrorMessage(err), "invalid ftp_user format") {
				t.Errorf("message = %q, want HestiaCP's %q", ErrorMessage(err), "invalid ftp_user format :: NAME")
			}
		})
	}
}

func TestPolicy_CheckCustomerLogin(t *testing.T) {
	p := DefaultPolicy()
	tests := []struct {
		in   string
		want Code
	}{
		{"alice", ""},
		{"a", ""},
		{strings.Repeat("a", 32), ""},
		{strings.Repeat("a", 33), CodeInvalidLogin},
		{"", CodeInvalidLogin},
		{"Alice", CodeInvalidLogin},
		{"1alice", CodeInvalidLogin},
		{"root", CodeReservedLogin},
		{"www-data", CodeReservedLogin},
	}
	for _, tc := range tests {
		if got := codeOf(p.CheckCustomerLogin(tc.in)); got != tc.want {
			t.Errorf("CheckCustomerLogin(%q) code = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestPolicy_CheckPassword(t *testing.T) {
	def := DefaultPolicy()
	openpanel := DefaultPolicy()
	if err := openpanel.ApplyPasswordPreset("openpanel"); err != nil {
		t.Fatal(err)
	}
	strict := DefaultPolicy()
	if err := strict.ApplyPasswordPreset("strict"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		policy Policy
		pw     string
		login  string
		want   Code
	}{
		{"OK/seed sample jdnHHbe6Gc", def, "jdnHHbe6Gc", "", ""},
		{"OK/seed sample J7chhend", def, "J7chhend", "", ""},
		{"OK/seed sample with a login", def, "jdnHHbe6Gc", "webmaster1", ""},
		{"OK/three classes without digit", def, "Abcdefg!", "", ""},
		{"OK/three classes without upper", def, "abcdef1!", "", ""},
		{"OK/four classes", def, "Ab1!efgh", "", ""},
		{"OK/non-ASCII letters count", def, "Ünïcode9ß", "", ""},
		{"OK/short login part not matched", def, "xAb1!efgh", "x", ""},
		{"ErrWeakPassword/empty", def, "", "", CodeWeakPassword},
		{"ErrWeakPassword/empty with login", def, "", "alice", CodeWeakPassword},
		{"ErrWeakPassword/seven", def, "Ab1!efg", "", CodeWeakPassword},
		{"ErrWeakPassword/two classes", def, "abcdefgh1", "", CodeWeakPassword},
		{"ErrWeakPassword/one class", def, "abcdefghijkl", "", CodeWeakPassword},
		{"ErrWeakPassword/digits only", def, "1234567890", "", CodeWeakPassword},
		{"ErrWeakPassword/contains login", def, "Xalice9!", "alice", CodeWeakPassword},
		{"ErrWeakPassword/contains login any case", def, "xALICE9!", "alice", CodeWeakPassword},
		{"ErrWeakPassword/contains name of suffixed login", def, "Web-2024x", "web.alice", CodeWeakPassword},
		{"ErrWeakPassword/contains name of domain login", def, "Web-2024x", "web@example.com", CodeWeakPassword},
		{"ErrWeakPassword/contains name of prefixed login", def, "Upload-99", "alice_upload", CodeWeakPassword},
		{"ErrWeakPassword/common", def, "Password1", "", CodeWeakPassword},
		{"ErrWeakPassword/common any case", def, "pASSWORD1", "", CodeWeakPassword},
		{"ErrWeakPassword/common P@ssw0rd", def, "P@ssw0rd", "", CodeWeakPassword},
		{"ErrInvalidInput/control character", def, "Abc\x01defg1", "", CodeInvalidInput},
		{"ErrInvalidInput/newline", def, "Abcdefg1\n", "", CodeInvalidInput},
		{"ErrInvalidInput/too long", def, "Ab1!" + strings.Repeat("x", 300), "", CodeInvalidInput},
		{"OK/openpanel four classes", openpanel, "Ab1!efgh", "", ""},
		{"ErrWeakPassword/openpanel seed sample", openpanel, "jdnHHbe6Gc", "", CodeWeakPassword},
		{"ErrWeakPassword/openpanel seven", openpanel, "Ab1!efg", "", CodeWeakPassword},
		{"ErrWeakPassword/openpanel empty", openpanel, "", "", CodeWeakPassword},
		{"OK/strict twelve four classes", strict, "Ab1!efghijkl", "", ""},
		{"ErrWeakPassword/strict eleven", strict, "Ab1!efghijk", "", CodeWeakPassword},
		{"ErrWeakPassword/strict three classes", strict, "Ab1defghijklmn", "", CodeWeakPassword},
		{"ErrWeakPassword/strict empty", strict, "", "", CodeWeakPassword},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.policy.CheckPassword(tc.pw, tc.login)
			if got := codeOf(err); got != tc.want {
				t.Fatalf("CheckPassword(%q, %q) code = %q, want %q (err %v)", tc.pw, tc.login, got, tc.want, err)
			}
			if err != nil && tc.pw != "" && strings.Contains(err.Error(), tc.pw) {
				t.Errorf("error %q contains the password", err)
			}
		})
	}
}

func TestPolicy_ApplyPasswordPreset(t *testing.T) {
	tests := []struct {
		preset           string
		minLen, minClass int
		wantErr          bool
	}{
		{"default", 8, 3, false},
		{"", 8, 3, false},
		{"openpanel", 8, 4, false},
		{"strict", 12, 4, false},
		{"lax", 0, 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.preset, func(t *testing.T) {
			p := DefaultPolicy()
			err := p.ApplyPasswordPreset(tc.preset)
			if (err != nil) != tc.wantErr {
				t.Fatalf("ApplyPasswordPreset(%q) err = %v, want error %v", tc.preset, err, tc.wantErr)
			}
			if tc.wantErr {
				return
			}
			if p.PasswordMinLen != tc.minLen || p.PasswordMinClasses != tc.minClass {
				t.Fatalf("got min len %d, classes %d; want %d, %d", p.PasswordMinLen, p.PasswordMinClasses, tc.minLen, tc.minClass)
			}
		})
	}
}

func TestPolicy_ApplyLoginPreset(t *testing.T) {
	tests := []struct {
		preset   string
		min, max int
		wantErr  bool
	}{
		{"plesk", 1, 16, false},
		{"", 1, 16, false},
		{"hestia", 2, 30, false},
		{"cpanel", 0, 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.preset, func(t *testing.T) {
			p := DefaultPolicy()
			err := p.ApplyLoginPreset(tc.preset)
			if (err != nil) != tc.wantErr {
				t.Fatalf("ApplyLoginPreset(%q) err = %v, want error %v", tc.preset, err, tc.wantErr)
			}
			if !tc.wantErr && (p.LoginMinLen != tc.min || p.LoginMaxLen != tc.max) {
				t.Fatalf("got %d..%d, want %d..%d", p.LoginMinLen, p.LoginMaxLen, tc.min, tc.max)
			}
		})
	}
}

func TestPolicy_GeneratePassword(t *testing.T) {
	for _, preset := range []string{"default", "openpanel", "strict"} {
		t.Run(preset, func(t *testing.T) {
			p := DefaultPolicy()
			if err := p.ApplyPasswordPreset(preset); err != nil {
				t.Fatal(err)
			}
			seen := make(map[string]bool)
			for range 500 {
				pw, err := p.GeneratePassword()
				if err != nil {
					t.Fatalf("GeneratePassword: %v", err)
				}
				if err := p.CheckPassword(pw, ""); err != nil {
					t.Fatalf("generated %q refused by its own policy: %v", pw, err)
				}
				if got := passwordClasses(pw); got != 4 {
					t.Fatalf("generated %q has %d classes, want 4", pw, got)
				}
				if seen[pw] {
					t.Fatalf("generated %q twice", pw)
				}
				seen[pw] = true
			}
		})
	}
	t.Run("long min length", func(t *testing.T) {
		p := DefaultPolicy()
		p.PasswordMinLen = 40
		pw, err := p.GeneratePassword()
		if err != nil {
			t.Fatal(err)
		}
		if got, want := len(pw), 40; got < want {
			t.Fatalf("len = %d, want ≥ %d", got, want)
		}
	})
}

func TestPolicy_GenerateName(t *testing.T) {
	tests := []struct {
		name   string
		policy func(*Policy)
		prefix string
	}{
		{"plesk", func(*Policy) {}, "example"},
		{"empty prefix", func(*Policy) {}, ""},
		{"invalid prefix", func(*Policy) {}, "Éx!"},
		{"hestia", func(p *Policy) { _ = p.ApplyLoginPreset("hestia") }, "shop"},
		{"short max", func(p *Policy) { p.LoginMaxLen = 5 }, "example"},
		{"tiny max", func(p *Policy) { p.LoginMaxLen = 2 }, "example"},
		{"long min", func(p *Policy) { p.LoginMinLen, p.LoginMaxLen = 12, 20 }, "shop"},
		{"reserved-looking prefix", func(p *Policy) { p.LoginMaxLen = 4 }, "root"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := DefaultPolicy()
			tc.policy(&p)
			if err := p.Validate(); err != nil {
				t.Fatalf("policy invalid: %v", err)
			}
			for range 500 {
				n, err := p.GenerateName(tc.prefix)
				if err != nil {
					t.Fatalf("GenerateName: %v", err)
				}
				if err := p.CheckName(n); err != nil {
					t.Fatalf("generated name %q refused by its own policy: %v", n, err)
				}
			}
		})
	}
}

func TestNormalizeDomain(t *testing.T) {
	tests := []struct {
		in   string
		want string
		code Code
	}{
		{"example.com", "example.com", ""},
		{"Example.COM", "example.com", ""},
		{"example.com.", "example.com", ""},
		{"  example.com ", "example.com", ""},
		{"bücher.example", "xn--bcher-kva.example", ""},
		{"BÜCHER.example", "xn--bcher-kva.example", ""},
		{"xn--bcher-kva.example", "xn--bcher-kva.example", ""},
		{"sub.münchen.de", "sub.xn--mnchen-3ya.de", ""},
		{"a-b.example", "a-b.example", ""},
		{"", "", CodeInvalidInput},
		{".", "", CodeInvalidInput},
		{"localhost", "", CodeInvalidInput},
		{"a..b", "", CodeInvalidInput},
		{".example.com", "", CodeInvalidInput},
		{"-a.example", "", CodeInvalidInput},
		{"a-.example", "", CodeInvalidInput},
		{"a_b.example", "", CodeInvalidInput},
		{"a b.example", "", CodeInvalidInput},
		{"a/b.example", "", CodeInvalidInput},
		{"../etc.example", "", CodeInvalidInput},
		{"a\x00.example", "", CodeInvalidInput},
		{strings.Repeat("a", 64) + ".example", "", CodeInvalidInput},
		{strings.Repeat(strings.Repeat("a", 60)+".", 5) + "com", "", CodeInvalidInput},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := NormalizeDomain(tc.in)
			if c := codeOf(err); c != tc.code {
				t.Fatalf("NormalizeDomain(%q) code = %q, want %q (err %v)", tc.in, c, tc.code, err)
			}
			if got != tc.want {
				t.Fatalf("NormalizeDomain(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestDisplayDomain(t *testing.T) {
	tests := []struct{ in, want string }{
		{"xn--bcher-kva.example", "bücher.example"},
		{"example.com", "example.com"},
	}
	for _, tc := range tests {
		if got := DisplayDomain(tc.in); got != tc.want {
			t.Errorf("DisplayDomain(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestPolicy_Validate(t *testing.T) {
	tests := []struct {
		name    string
		change  func(*Policy)
		wantErr bool
	}{
		{"OK/default", func(*Policy) {}, false},
		{"OK/hestia", func(p *Policy) { _ = p.ApplyLoginPreset("hestia") }, false},
		{"OK/strict", func(p *Policy) { _ = p.ApplyPasswordPreset("strict") }, false},
		{"OK/reset", func(p *Policy) { p.OnMissingHome = MissingHomeReset }, false},
		{"OK/each namespace", func(p *Policy) { p.Namespace = NamespaceDomain }, false},
		{"Err/min 0", func(p *Policy) { p.LoginMinLen = 0 }, true},
		{"Err/max < min", func(p *Policy) { p.LoginMinLen, p.LoginMaxLen = 5, 4 }, true},
		{"Err/max 65", func(p *Policy) { p.LoginMaxLen = 65 }, true},
		{"Err/namespace", func(p *Policy) { p.Namespace = "infix" }, true},
		{"Err/empty namespace", func(p *Policy) { p.Namespace = "" }, true},
		{"Err/password min 0", func(p *Policy) { p.PasswordMinLen = 0 }, true},
		{"Err/password min 129", func(p *Policy) { p.PasswordMinLen = 129 }, true},
		{"Err/classes 5", func(p *Policy) { p.PasswordMinClasses = 5 }, true},
		{"Err/classes -1", func(p *Policy) { p.PasswordMinClasses = -1 }, true},
		{"Err/on_missing_home", func(p *Policy) { p.OnMissingHome = "create" }, true},
		{"Err/login preset", func(p *Policy) { p.LoginPreset = "cpanel" }, true},
		{"Err/password preset", func(p *Policy) { p.PasswordPreset = "lax" }, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := DefaultPolicy()
			tc.change(&p)
			err := p.Validate()
			if got := err != nil; got != tc.wantErr {
				t.Fatalf("Validate() = %v, want error %v", err, tc.wantErr)
			}
		})
	}
}

func TestErrorCode(t *testing.T) {
	wrapped := op("hosting.X", FieldErrorf(CodeLoginTaken, "login", "login %q is taken", "bob"))
	tests := []struct {
		name      string
		err       error
		code      Code
		message   string
		field     string
		errString string
	}{
		{"nil", nil, "", "", "", ""},
		{"domain", wrapped, CodeLoginTaken, `login "bob" is taken`, "login", `hosting.X: login_taken: login "bob" is taken`},
		{"internal", errTest("disk on fire"), CodeInternal, "internal error", "", "disk on fire"},
		{"no message", &Error{Code: CodeConflict}, CodeConflict, "conflict", "", "conflict"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := ErrorCode(tc.err); got != tc.code {
				t.Errorf("ErrorCode = %q, want %q", got, tc.code)
			}
			if got := ErrorMessage(tc.err); got != tc.message {
				t.Errorf("ErrorMessage = %q, want %q", got, tc.message)
			}
			if got := ErrorField(tc.err); got != tc.field {
				t.Errorf("ErrorField = %q, want %q", got, tc.field)
			}
			if tc.err != nil {
				if got := tc.err.Error(); got != tc.errString {
					t.Errorf("Error() = %q, want %q", got, tc.errString)
				}
			}
		})
	}
	cause := errTest("disk on fire")
	if err := op("hosting.X", &Error{Code: CodeInternal, Err: cause}); !errors.Is(err, cause) {
		t.Errorf("errors.Is(%v, cause) = false, want the cause reachable through Unwrap", err)
	}
	if got, want := len(Codes()), 17; got != want {
		t.Errorf("len(Codes()) = %d, want %d", got, want)
	}
}

type errTest string

func (e errTest) Error() string { return string(e) }

func TestDomainPrefix(t *testing.T) {
	tests := []struct{ in, want string }{
		{"example.com", "exampl"},
		{"xn--bcher-kva.example", "bcher"},
		{"1und1.de", "und1"},
		{"xn--80ak6aa92e.com", ""}, // all Cyrillic: the caller falls back to "ftp"
	}
	for _, tc := range tests {
		if got := domainPrefix(tc.in); got != tc.want {
			t.Errorf("domainPrefix(%q)=%q, want %q", tc.in, got, tc.want)
		}
	}
}

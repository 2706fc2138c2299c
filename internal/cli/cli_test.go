package cli_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jlaffaye/ftp"
)

// binary is the ftpanel executable built once by TestMain.
var binary string //nolint:gochecknoglobals // set once in TestMain, read-only after

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "ftpanel-cli-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "temp dir:", err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "ftpanel")
	build := exec.Command("go", "build", "-o", binary, "ftpanel/cmd/ftpanel")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build ftpanel:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// env is one data folder and the environment the binary runs in.
type env struct {
	data  string
	extra []string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	return &env{data: filepath.Join(t.TempDir(), "data")}
}

func (e *env) environ() []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "FTPANEL_") && !strings.HasPrefix(kv, "USER=") {
			out = append(out, kv)
		}
	}
	out = append(out, "FTPANEL_DATA="+e.data, "USER=tester")
	return append(out, e.extra...)
}

type result struct {
	stdout, stderr string
	code           int
	args           []string
}

func (r result) String() string {
	return fmt.Sprintf("ftpanel %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(r.args, " "), r.code, r.stdout, r.stderr)
}

// run runs the binary with stdin and args.
func (e *env) runIn(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = e.environ()
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errb.String(), args: args}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run ftpanel %v: %v", args, err)
	}
	return r
}

func (e *env) run(t *testing.T, args ...string) result {
	t.Helper()
	return e.runIn(t, "", args...)
}

// ok runs a verb with --json, requires success and decodes stdout into v.
func (e *env) ok(t *testing.T, v any, args ...string) result {
	t.Helper()
	return e.okIn(t, "", v, args...)
}

func (e *env) okIn(t *testing.T, stdin string, v any, args ...string) result {
	t.Helper()
	r := e.runIn(t, stdin, append([]string{"--json"}, args...)...)
	if r.code != 0 {
		t.Fatalf("want success, got %v", r)
	}
	if r.stderr != "" {
		t.Errorf("stderr not empty on success: %v", r)
	}
	if v != nil {
		reflect.ValueOf(v).Elem().SetZero() // fields the output omits must read as zero
		if err := json.Unmarshal([]byte(r.stdout), v); err != nil {
			t.Fatalf("decode stdout: %v\n%v", err, r)
		}
	}
	return r
}

type jsonError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field"`
	} `json:"error"`
}

// fails runs a verb with --json and checks its exit status and error code.
func (e *env) fails(t *testing.T, stdin string, wantExit int, wantCode string, args ...string) jsonError {
	t.Helper()
	r := e.runIn(t, stdin, append([]string{"--json"}, args...)...)
	if r.code != wantExit {
		t.Errorf("exit = %d, want %d\n%v", r.code, wantExit, r)
	}
	if r.stdout != "" {
		t.Errorf("stdout not empty on error: %v", r)
	}
	var je jsonError
	if err := json.Unmarshal([]byte(r.stderr), &je); err != nil {
		t.Fatalf("stderr is not a JSON error: %v\n%v", err, r)
	}
	if strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
		t.Errorf("JSON error is not one line: %q", r.stderr)
	}
	if je.Error.Code != wantCode {
		t.Errorf("error.code = %q, want %q\n%v", je.Error.Code, wantCode, r)
	}
	if je.Error.Message == "" {
		t.Errorf("error.message is empty\n%v", r)
	}
	return je
}

// Output shapes, as scripts read them.
type customer struct {
	ID             int64  `json:"id"`
	Login          string `json:"login"`
	Name           string `json:"name"`
	Email          string `json:"email"`
	Status         string `json:"status"`
	MaxFTPAccounts int    `json:"max_ftp_accounts"`
	Sites          []string
}

type site struct {
	ID              int64  `json:"id"`
	Name            string `json:"name"`
	DisplayName     string `json:"display_name"`
	Customer        string `json:"customer"`
	Root            string `json:"root"`
	IP              string `json:"ip"`
	Status          string `json:"status"`
	EffectiveStatus string `json:"effective_status"`
	MaxFTPAccounts  int    `json:"max_ftp_accounts"`
	DefaultQuota    int64  `json:"default_quota"`
	UID             int    `json:"uid"`
	GID             int    `json:"gid"`
	MainLogin       string `json:"main_login"`
	Accounts        *int   `json:"accounts"`
}

type account struct {
	ID              int64      `json:"id"`
	Login           string     `json:"login"`
	Site            string     `json:"site"`
	Customer        string     `json:"customer"`
	Home            string     `json:"home"`
	QuotaBytes      int64      `json:"quota_bytes"`
	Read            bool       `json:"read"`
	Write           bool       `json:"write"`
	Status          string     `json:"status"`
	EffectiveStatus string     `json:"effective_status"`
	Main            bool       `json:"main"`
	ExpiresAt       *time.Time `json:"expires_at"`
	AllowedIPs      []string   `json:"allowed_ips"`
}

type token struct {
	Key         string `json:"key"`
	Kind        string `json:"kind"`
	Admin       bool   `json:"admin"`
	Customer    string `json:"customer"`
	Description string `json:"description"`
}

type auditEvent struct {
	ActorKind  string `json:"actor_kind"`
	Actor      string `json:"actor"`
	Via        string `json:"via"`
	Action     string `json:"action"`
	ObjectType string `json:"object_type"`
	ObjectName string `json:"object_name"`
}

type deleted struct {
	Deleted string `json:"deleted"`
	Type    string `json:"type"`
}

type creds struct {
	Login    string `json:"login"`
	Password string `json:"password"`
}

// TestCLI_Verbs drives every verb on one data folder through --json and
// checks what each one reports and changes.
func TestCLI_Verbs(t *testing.T) {
	e := newEnv(t)

	// customer add|list|show|set|passwd
	var ca struct {
		Customer customer `json:"customer"`
		Password string   `json:"password"`
	}
	e.ok(t, &ca, "customer", "add", "alice", "--name", "Alice Example", "--email", "alice@example.com")
	if ca.Customer.Login != "alice" || ca.Customer.Name != "Alice Example" || ca.Customer.Email != "alice@example.com" ||
		ca.Customer.Status != "active" || ca.Customer.MaxFTPAccounts != -1 {
		t.Errorf("customer add = %+v", ca.Customer)
	}
	if len(ca.Password) < 8 {
		t.Errorf("generated panel password = %q, want ≥ 8 characters", ca.Password)
	}
	e.okIn(t, "Str0ng-Secret\n", &ca, "customer", "add", "bob", "--password", "-", "--max-ftp-accounts", "3")
	if ca.Password != "" || ca.Customer.MaxFTPAccounts != 3 {
		t.Errorf("customer add with --password - printed password %q, max %d; want none, 3", ca.Password, ca.Customer.MaxFTPAccounts)
	}
	var cs []customer
	e.ok(t, &cs, "customer", "list")
	if got := logins(cs, func(c customer) string { return c.Login }); got != "alice,bob" {
		t.Errorf("customer list = %s, want alice,bob", got)
	}
	e.ok(t, &cs, "customer", "list", "--query", "bo")
	if got := logins(cs, func(c customer) string { return c.Login }); got != "bob" {
		t.Errorf("customer list --query bo = %s, want bob", got)
	}
	var c customer
	e.ok(t, &c, "customer", "set", "alice", "--max-ftp-accounts", "10", "--name", "Alice E.")
	if c.MaxFTPAccounts != 10 || c.Name != "Alice E." || c.Email != "alice@example.com" {
		t.Errorf("customer set = %+v", c)
	}
	var cr creds
	e.ok(t, &cr, "customer", "passwd", "alice")
	if cr.Login != "alice" || len(cr.Password) < 8 {
		t.Errorf("customer passwd (generated) = %+v", cr)
	}
	e.ok(t, &cr, "customer", "passwd", "alice", "--password", "An0ther-Secret")
	if cr.Password != "" {
		t.Errorf("customer passwd --password printed %q", cr.Password)
	}

	// admin add|list|passwd|del
	var aa struct {
		Admin    struct{ Login string } `json:"admin"`
		Password string                 `json:"password"`
	}
	e.ok(t, &aa, "admin", "add", "ops")
	if aa.Admin.Login != "ops" || len(aa.Password) < 8 {
		t.Errorf("admin add = %+v", aa)
	}
	e.okIn(t, "Adm1n-Secret!\n", nil, "admin", "add", "boss", "--password", "-")
	var admins []struct{ Login string }
	e.ok(t, &admins, "admin", "list")
	if len(admins) != 2 || admins[0].Login != "boss" || admins[1].Login != "ops" {
		t.Errorf("admin list = %+v, want boss, ops", admins)
	}
	e.ok(t, &cr, "admin", "passwd", "ops")
	if cr.Login != "ops" || len(cr.Password) < 8 {
		t.Errorf("admin passwd = %+v", cr)
	}
	var d deleted
	e.ok(t, &d, "admin", "del", "ops")
	if d != (deleted{Deleted: "ops", Type: "admin"}) {
		t.Errorf("admin del = %+v", d)
	}

	// site add|list|show|set
	var sa struct {
		Site        site    `json:"site"`
		MainAccount account `json:"main_account"`
		Password    string  `json:"password"`
	}
	e.ok(t, &sa, "site", "add", "example.com", "--customer", "alice")
	if sa.Site.Name != "example.com" || sa.Site.Customer != "alice" || sa.Site.Status != "active" {
		t.Errorf("site add = %+v", sa.Site)
	}
	if !sa.MainAccount.Main || sa.MainAccount.Home != "/" || sa.MainAccount.Login == "" || len(sa.Password) < 8 {
		t.Errorf("site add main account = %+v, password %q", sa.MainAccount, sa.Password)
	}
	mainLogin := sa.MainAccount.Login
	for _, sub := range []string{"", "httpdocs", "private"} {
		if fi, err := os.Stat(filepath.Join(sa.Site.Root, sub)); err != nil || !fi.IsDir() {
			t.Errorf("site folder %q: %v", sub, err)
		}
	}
	root := sa.Site.Root
	if !strings.HasPrefix(root, e.data) {
		t.Errorf("site root %s is not in the data folder %s", root, e.data)
	}
	e.okIn(t, "Xk9#mPq2vL\n", &sa, "site", "add", "bücher.example", "--customer", "bob",
		"--main-login", "buecher", "--main-password", "-", "--max-ftp-accounts", "2", "--default-quota", "100M")
	if sa.Site.Name != "xn--bcher-kva.example" || sa.Site.DisplayName != "bücher.example" || sa.MainAccount.Login != "buecher" ||
		sa.Password != "" || sa.Site.MaxFTPAccounts != 2 || sa.Site.DefaultQuota != 100<<20 {
		t.Errorf("site add IDN = %+v, main %q, password %q", sa.Site, sa.MainAccount.Login, sa.Password)
	}
	var ss []site
	e.ok(t, &ss, "site", "list")
	if got := logins(ss, func(s site) string { return s.Name }); got != "example.com,xn--bcher-kva.example" {
		t.Errorf("site list = %s", got)
	}
	e.ok(t, &ss, "site", "list", "--customer", "bob")
	if got := logins(ss, func(s site) string { return s.Name }); got != "xn--bcher-kva.example" {
		t.Errorf("site list --customer bob = %s", got)
	}
	var s site
	e.ok(t, &s, "site", "set", "example.com", "--ip", "192.0.2.10", "--default-quota", "1G", "--max-ftp-accounts", "5")
	if s.IP != "192.0.2.10" || s.DefaultQuota != 1<<30 || s.MaxFTPAccounts != 5 {
		t.Errorf("site set = %+v", s)
	}
	e.ok(t, &s, "site", "set", "example.com", "--system-user", "1000:1001")
	if s.UID != 1000 || s.GID != 1001 {
		t.Errorf("site set --system-user = %d:%d, want 1000:1001", s.UID, s.GID)
	}
	e.ok(t, &s, "site", "set", "example.com", "--system-user", "none")
	if s.UID != -1 || s.GID != -1 {
		t.Errorf("site set --system-user none = %d:%d, want -1:-1", s.UID, s.GID)
	}

	// account add|list|show
	var ac struct {
		Account  account `json:"account"`
		Password string  `json:"password"`
	}
	e.ok(t, &ac, "account", "add", "--site", "example.com", "--login", "web1", "--password", "Tr0ub4dor&3",
		"--home", "/httpdocs", "--quota", "500M", "--read=true", "--write=false", "--expires", "2099-01-01",
		"--allowed-ip", "192.0.2.0/24", "--allowed-ip", "198.51.100.7")
	x := ac.Account
	if x.Login != "web1" || x.Site != "example.com" || x.Customer != "alice" || x.Home != "/httpdocs" ||
		x.QuotaBytes != 500<<20 || !x.Read || x.Write || x.Main || x.Status != "active" ||
		x.ExpiresAt == nil || !x.ExpiresAt.Equal(time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)) ||
		strings.Join(x.AllowedIPs, ",") != "192.0.2.0/24,198.51.100.7" || ac.Password != "" {
		t.Errorf("account add = %+v, password %q", x, ac.Password)
	}
	e.ok(t, &ac, "account", "add", "--site", "example.com")
	if ac.Account.Login == "" || len(ac.Password) < 8 || ac.Account.Home != "/" || ac.Account.QuotaBytes != 1<<30 ||
		!ac.Account.Read || !ac.Account.Write {
		t.Errorf("account add (simple mode) = %+v, password %q; want generated login and password, site default quota", ac.Account, ac.Password)
	}
	generated := ac.Account.Login
	e.ok(t, &ac, "account", "add", "--site", "example.com", "--login", "drop", "--home", "/httpdocs/uploads/in",
		"--create-missing", "--read=false", "--password", "Dr0p-Box-Only")
	if ac.Account.Read || !ac.Account.Write || ac.Account.Home != "/httpdocs/uploads/in" {
		t.Errorf("account add drop box = %+v", ac.Account)
	}
	if fi, err := os.Stat(filepath.Join(root, "httpdocs", "uploads", "in")); err != nil || !fi.IsDir() {
		t.Errorf("--create-missing did not create the home: %v", err)
	}
	var as []account
	e.ok(t, &as, "account", "list", "--site", "example.com")
	if got := logins(as, func(a account) string { return a.Login }); got != strings.Join([]string{mainLogin, "web1", generated, "drop"}, ",") {
		t.Errorf("account list --site = %s", got)
	}
	e.ok(t, &as, "account", "list", "--customer", "bob")
	if got := logins(as, func(a account) string { return a.Login }); got != "buecher" {
		t.Errorf("account list --customer bob = %s", got)
	}
	e.ok(t, &as, "account", "list", "--limit", "2")
	if len(as) != 2 {
		t.Errorf("account list --limit 2 gave %d", len(as))
	}
	var ss1 site
	e.ok(t, &ss1, "site", "show", "example.com")
	if ss1.MainLogin != mainLogin || ss1.Accounts == nil || *ss1.Accounts != 3 {
		t.Errorf("site show = main %q, accounts %v; want %q, 3", ss1.MainLogin, ss1.Accounts, mainLogin)
	}
	e.ok(t, &c, "customer", "show", "alice")
	if strings.Join(c.Sites, ",") != "example.com" {
		t.Errorf("customer show sites = %v", c.Sites)
	}

	// account passwd|home|quota|perms|set|suspend|unsuspend
	e.ok(t, &cr, "account", "passwd", "web1")
	if cr.Login != "web1" || len(cr.Password) < 8 {
		t.Errorf("account passwd = %+v", cr)
	}
	e.okIn(t, "N3w-Secret-Pw\n", &cr, "account", "passwd", "web1", "--password", "-")
	if cr.Password != "" {
		t.Errorf("account passwd --password - printed %q", cr.Password)
	}
	var a account
	e.ok(t, &a, "account", "home", "web1", "/private")
	if a.Home != "/private" {
		t.Errorf("account home = %q", a.Home)
	}
	e.ok(t, &a, "account", "home", "web1", "/private/backups", "--create-missing")
	if a.Home != "/private/backups" {
		t.Errorf("account home --create-missing = %q", a.Home)
	}
	e.ok(t, &a, "account", "quota", "web1", "10G")
	if a.QuotaBytes != 10<<30 {
		t.Errorf("account quota 10G = %d", a.QuotaBytes)
	}
	e.ok(t, &a, "account", "quota", "web1", "unlimited")
	if a.QuotaBytes != -1 {
		t.Errorf("account quota unlimited = %d", a.QuotaBytes)
	}
	e.ok(t, &a, "account", "quota", "web1", "--", "-1")
	if a.QuotaBytes != -1 {
		t.Errorf("account quota -- -1 = %d", a.QuotaBytes)
	}
	e.ok(t, &a, "account", "perms", "web1", "--read=false", "--write=true")
	if a.Read || !a.Write {
		t.Errorf("account perms = read %v write %v, want false true", a.Read, a.Write)
	}
	e.ok(t, &a, "account", "perms", "web1", "--read")
	if !a.Read || !a.Write {
		t.Errorf("account perms --read = read %v write %v, want true true", a.Read, a.Write)
	}
	e.ok(t, &a, "account", "set", "web1", "--expires", "never", "--any-ip")
	if a.ExpiresAt != nil || len(a.AllowedIPs) != 0 {
		t.Errorf("account set --expires never --any-ip = %v %v", a.ExpiresAt, a.AllowedIPs)
	}
	e.ok(t, &a, "account", "set", "web1", "--allowed-ip", "10.0.0.0/8", "--expires", "2098-05-06T07:08:09Z")
	if strings.Join(a.AllowedIPs, ",") != "10.0.0.0/8" || a.ExpiresAt == nil || a.ExpiresAt.Year() != 2098 {
		t.Errorf("account set = %v %v", a.ExpiresAt, a.AllowedIPs)
	}
	e.ok(t, &a, "account", "suspend", "web1")
	if a.Status != "suspended" || a.EffectiveStatus != "suspended" {
		t.Errorf("account suspend = %s/%s", a.Status, a.EffectiveStatus)
	}
	e.ok(t, &a, "account", "unsuspend", "web1")
	if a.Status != "active" || a.EffectiveStatus != "active" {
		t.Errorf("account unsuspend = %s/%s", a.Status, a.EffectiveStatus)
	}

	// Suspension cascade through site and customer, and restore.
	e.ok(t, nil, "account", "suspend", "drop")
	e.ok(t, &s, "site", "suspend", "example.com")
	if s.Status != "suspended" {
		t.Errorf("site suspend = %s", s.Status)
	}
	e.ok(t, &a, "account", "show", "web1")
	if a.Status != "active" || a.EffectiveStatus != "suspended" {
		t.Errorf("web1 while site suspended = %s/%s, want active/suspended", a.Status, a.EffectiveStatus)
	}
	e.ok(t, &s, "site", "unsuspend", "example.com")
	e.ok(t, &c, "customer", "suspend", "alice")
	if c.Status != "suspended" {
		t.Errorf("customer suspend = %s", c.Status)
	}
	e.ok(t, &a, "account", "show", "web1")
	if a.EffectiveStatus != "suspended" {
		t.Errorf("web1 while customer suspended = %s", a.EffectiveStatus)
	}
	e.ok(t, &c, "customer", "unsuspend", "alice")
	e.ok(t, &a, "account", "show", "web1")
	if a.EffectiveStatus != "active" {
		t.Errorf("web1 after unsuspend = %s", a.EffectiveStatus)
	}
	e.ok(t, &a, "account", "show", "drop")
	if a.Status != "suspended" || a.EffectiveStatus != "suspended" {
		t.Errorf("drop (suspended on its own) after unsuspend of its customer = %s/%s", a.Status, a.EffectiveStatus)
	}

	// session and ban: nothing is connected.
	var sessions, bans []map[string]any
	e.ok(t, &sessions, "session", "list")
	e.ok(t, &sessions, "session", "list", "--site", "example.com", "--account", "web1")
	e.ok(t, &bans, "ban", "list")
	if len(sessions) != 0 || len(bans) != 0 {
		t.Errorf("session list = %v, ban list = %v; want empty", sessions, bans)
	}

	// token add|list|del
	var ta struct {
		Token  token  `json:"token"`
		Secret string `json:"secret"`
	}
	e.ok(t, &ta, "token", "add", "--admin", "--description", "billing")
	if !ta.Token.Admin || ta.Token.Kind != "api" || ta.Token.Description != "billing" ||
		!strings.HasPrefix(ta.Secret, "ftpanel_"+ta.Token.Key+"_") {
		t.Errorf("token add --admin = %+v, secret %q", ta.Token, ta.Secret)
	}
	adminKey := ta.Token.Key
	e.ok(t, &ta, "token", "add", "--customer", "alice", "--hestia")
	if ta.Token.Admin || ta.Token.Kind != "hestia" || ta.Token.Customer != "alice" || len(ta.Token.Key) != 20 || len(ta.Secret) != 40 {
		t.Errorf("token add --customer --hestia = %+v, secret %q", ta.Token, ta.Secret)
	}
	var ts []token
	e.ok(t, &ts, "token", "list")
	if len(ts) != 2 {
		t.Errorf("token list = %+v, want 2", ts)
	}
	e.ok(t, &ts, "token", "list", "--customer", "alice")
	if len(ts) != 1 || ts[0].Customer != "alice" {
		t.Errorf("token list --customer alice = %+v", ts)
	}
	e.ok(t, &d, "token", "del", adminKey)
	e.ok(t, &ts, "token", "list")
	if len(ts) != 1 || ts[0].Key == adminKey {
		t.Errorf("token list after del = %+v", ts)
	}

	// audit list
	var evs []auditEvent
	r := e.ok(t, &evs, "audit", "list", "--limit", "3")
	if len(evs) != 3 || evs[0].Action != "token.delete" {
		t.Errorf("audit list --limit 3 = %+v, want 3 newest first (token.delete)", evs)
	}
	if evs[0].Via != "cli" || evs[0].Actor != "tester" || evs[0].ActorKind != "system" {
		t.Errorf("audit actor = %+v, want system tester via cli", evs[0])
	}
	e.ok(t, &evs, "audit", "list", "--type", "account", "--name", "web1", "--limit", "100")
	if len(evs) < 10 {
		t.Errorf("audit list for web1 = %d events, want ≥ 10", len(evs))
	}
	for _, ev := range evs {
		if ev.ObjectName != "web1" || !strings.HasPrefix(ev.Action, "account.") {
			t.Errorf("audit list --type account --name web1 returned %+v", ev)
		}
	}
	r = e.ok(t, nil, "audit", "list", "--limit", "1000")
	for _, pw := range []string{"Str0ng-Secret", "Tr0ub4dor&3", "N3w-Secret-Pw", "Xk9#mPq2vL", "An0ther-Secret", "Dr0p-Box-Only"} {
		if strings.Contains(r.stdout, pw) {
			t.Errorf("audit trail contains the password %q", pw)
		}
	}

	// del: account, site (with its accounts), customer.
	e.ok(t, &d, "account", "del", "drop")
	if d != (deleted{Deleted: "drop", Type: "account"}) {
		t.Errorf("account del = %+v", d)
	}
	e.fails(t, "", 3, "not_found", "account", "show", "drop")
	if _, err := os.Stat(filepath.Join(root, "httpdocs", "uploads", "in")); err != nil {
		t.Errorf("account del removed the files: %v", err)
	}
	e.ok(t, &d, "site", "del", "bücher.example")
	if d != (deleted{Deleted: "xn--bcher-kva.example", Type: "site"}) {
		t.Errorf("site del = %+v", d)
	}
	e.fails(t, "", 3, "not_found", "account", "show", "buecher")
	e.ok(t, &d, "customer", "del", "bob")
	e.ok(t, &cs, "customer", "list")
	if got := logins(cs, func(c customer) string { return c.Login }); got != "alice" {
		t.Errorf("customer list after del = %s", got)
	}
}

// logins joins a field of each element with commas.
func logins[T any](xs []T, f func(T) string) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = f(x)
	}
	return strings.Join(s, ",")
}

// TestCLI_Errors checks each error path: its exit status, its JSON error
// code and field, and that nothing changed.
func TestCLI_Errors(t *testing.T) {
	e := newEnv(t)
	e.ok(t, nil, "customer", "add", "alice")
	e.ok(t, nil, "customer", "add", "carol", "--max-ftp-accounts", "1")
	e.ok(t, nil, "site", "add", "example.com", "--customer", "alice", "--main-login", "mainacct")
	e.ok(t, nil, "site", "add", "limited.example", "--customer", "carol")
	e.ok(t, nil, "site", "add", "small.example", "--customer", "alice", "--max-ftp-accounts", "0")
	e.ok(t, nil, "account", "add", "--site", "example.com", "--login", "web1")
	e.ok(t, nil, "account", "add", "--site", "limited.example", "--login", "only1")
	e.ok(t, nil, "admin", "add", "boss")

	add := []string{"account", "add", "--site", "example.com"}
	cases := []struct {
		name      string
		stdin     string
		args      []string
		wantExit  int
		wantCode  string
		wantField string
	}{
		{"UnknownSite", "", []string{"account", "add", "--site", "nosuch.example", "--login", "x1"}, 3, "not_found", "site"},
		{"UnknownCustomer", "", []string{"site", "add", "new.example", "--customer", "nobody"}, 3, "not_found", "customer"},
		{"WeakPassword", "", append(add, "--login", "weak1", "--password", "abc"), 2, "weak_password", "password"},
		{"CommonPassword", "", append(add, "--login", "weak2", "--password", "Password1"), 2, "weak_password", "password"},
		{"PasswordContainsLogin", "", append(add, "--login", "weak3", "--password", "Weak3-weak3!"), 2, "weak_password", "password"},
		{"EmptyPassword", "", append(add, "--login", "weak4", "--password", ""), 2, "weak_password", "password"},
		{"EmptyPasswordFromStdin", "\n", append(add, "--login", "weak5", "--password", "-"), 2, "weak_password", "password"},
		{"InvalidLogin", "", append(add, "--login", "Bad Login"), 2, "invalid_login", "login"},
		{"ReservedLogin", "", append(add, "--login", "root"), 2, "reserved_login", "login"},
		{"LoginTaken", "", append(add, "--login", "web1"), 4, "login_taken", "login"},
		{"LoginTakenByMain", "", append(add, "--login", "mainacct"), 4, "login_taken", ""},
		{"MainLoginTaken", "", []string{"site", "add", "other.example", "--customer", "alice", "--main-login", "web1"}, 4, "login_taken", ""},
		{"CustomerLimit", "", []string{"account", "add", "--site", "limited.example", "--login", "only2"}, 5, "limit_exceeded", ""},
		{"SiteLimit", "", []string{"account", "add", "--site", "small.example", "--login", "small1"}, 5, "limit_exceeded", ""},
		{"DeleteMainAccount", "", []string{"account", "del", "mainacct"}, 4, "main_account", ""},
		{"MoveMainAccountHome", "", []string{"account", "home", "mainacct", "/httpdocs"}, 4, "main_account", "home"},
		{"HomeOutsideSite", "", append(add, "--login", "out1", "--home", "../../etc"), 2, "home_outside_site", "home"},
		{"HomeHostPath", "", append(add, "--login", "out2", "--home", "C:\\Windows"), 2, "invalid_home", "home"},
		{"HomeNotFound", "", append(add, "--login", "nohome", "--home", "/httpdocs/nope"), 3, "home_not_found", "home"},
		{"TopLevelDirForbidden", "", append(add, "--login", "toplvl", "--home", "/newtop", "--create-missing"), 2, "top_level_dir_forbidden", "home"},
		{"BadAllowedIP", "", append(add, "--login", "badip", "--allowed-ip", "300.1.2.3"), 2, "invalid_input", "allowed_ips"},
		{"CustomerTaken", "", []string{"customer", "add", "alice"}, 4, "login_taken", ""},
		{"CustomerBadEmail", "", []string{"customer", "add", "dave", "--email", "not-an-email"}, 2, "invalid_input", "email"},
		{"CustomerReserved", "", []string{"customer", "add", "postmaster"}, 2, "reserved_login", "login"},
		{"CustomerWithSites", "", []string{"customer", "del", "alice"}, 4, "conflict", ""},
		{"SiteBadDomain", "", []string{"site", "add", "not a domain", "--customer", "alice"}, 2, "invalid_input", "name"},
		{"SiteTaken", "", []string{"site", "add", "EXAMPLE.com", "--customer", "carol"}, 4, "conflict", ""},
		{"SiteRelativeRoot", "", []string{"site", "add", "rel.example", "--customer", "alice", "--root", "relative/dir"}, 2, "invalid_input", "root"},
		{"SiteBadIP", "", []string{"site", "set", "example.com", "--ip", "not-an-ip"}, 2, "invalid_input", "ip"},
		{"SiteBadSystemUser", "", []string{"site", "set", "example.com", "--system-user", "www"}, 2, "invalid_input", "system_user"},
		{"LastAdmin", "", []string{"admin", "del", "boss"}, 4, "conflict", ""},
		{"AdminTaken", "", []string{"admin", "add", "boss"}, 4, "login_taken", ""},
		{"NotFoundAccount", "", []string{"account", "show", "nobody"}, 3, "not_found", ""},
		{"NotFoundAccountPasswd", "", []string{"account", "passwd", "nobody"}, 3, "not_found", ""},
		{"NotFoundCustomer", "", []string{"customer", "show", "nobody"}, 3, "not_found", ""},
		{"NotFoundSite", "", []string{"site", "show", "nosuch.example"}, 3, "not_found", ""},
		{"NotFoundSiteDel", "", []string{"site", "del", "nosuch.example"}, 3, "not_found", ""},
		{"NotFoundAdmin", "", []string{"admin", "passwd", "nobody"}, 3, "not_found", ""},
		{"NotFoundSession", "", []string{"session", "kill", "node-1"}, 3, "not_found", ""},
		{"NotFoundBan", "", []string{"ban", "del", "203.0.113.9"}, 3, "not_found", ""},
		{"NotFoundToken", "", []string{"token", "del", "nokey"}, 3, "not_found", ""},
		{"TokenUnknownCustomer", "", []string{"token", "add", "--customer", "nobody"}, 3, "not_found", ""},
		{"NotFoundListFilter", "", []string{"account", "list", "--site", "nosuch.example"}, 3, "not_found", ""},

		// Command-line mistakes: exit 2, invalid_input.
		{"UnknownFlag", "", append(add, "--bogus"), 2, "invalid_input", ""},
		{"MissingRequiredFlag", "", []string{"account", "add", "--login", "x2"}, 2, "invalid_input", ""},
		{"UnknownVerb", "", []string{"account", "frob"}, 2, "invalid_input", ""},
		{"UnknownNoun", "", []string{"frob"}, 2, "invalid_input", ""},
		{"MissingArgument", "", []string{"account", "show"}, 2, "invalid_input", "login"},
		{"ExtraArgument", "", []string{"account", "show", "web1", "web2"}, 2, "invalid_input", ""},
		{"BadQuotaArgument", "", []string{"account", "quota", "web1", "lots"}, 2, "invalid_input", "quota"},
		{"NegativeQuota", "", []string{"account", "quota", "web1", "--", "-5"}, 2, "invalid_input", "quota"},
		{"NegativeNumberAsFlag", "", []string{"account", "quota", "web1", "-1"}, 2, "invalid_input", ""},
		{"BadQuotaFlag", "", append(add, "--login", "q1", "--quota", "12Q"), 2, "invalid_input", ""},
		{"BadBoolFlag", "", append(add, "--login", "q2", "--read=maybe"), 2, "invalid_input", ""},
		{"BadLimitFlag", "", []string{"customer", "set", "alice", "--max-ftp-accounts", "-7"}, 2, "invalid_input", ""},
		{"BadExpires", "", append(add, "--login", "q3", "--expires", "tomorrow"), 2, "invalid_input", ""},
		{"PermsWithoutFlags", "", []string{"account", "perms", "web1"}, 2, "invalid_input", ""},
		{"SetWithoutFlags", "", []string{"customer", "set", "alice"}, 2, "invalid_input", ""},
		{"SiteSetWithoutFlags", "", []string{"site", "set", "example.com"}, 2, "invalid_input", ""},
		{"AccountSetConflictingFlags", "", []string{"account", "set", "web1", "--any-ip", "--allowed-ip", "10.0.0.1"}, 2, "invalid_input", ""},
		{"PasswordAndHash", "", append(add, "--login", "q4", "--password", "Tr0ub4dor&3", "--password-hash", "$6$x$y"), 2, "invalid_input", ""},
		{"TokenAdminAndCustomer", "", []string{"token", "add", "--admin", "--customer", "alice"}, 2, "invalid_input", ""},
		{"TokenNeitherAdminNorCustomer", "", []string{"token", "add"}, 2, "invalid_input", ""},
		{"BadStatusFilter", "", []string{"customer", "list", "--status", "weird"}, 2, "invalid_input", "status"},
		{"BadAuditLimit", "", []string{"audit", "list", "--limit", "0"}, 2, "invalid_input", "limit"},
		{"ServeBadPassivePorts", "", []string{"serve", "--passive-ports", "9000-8000"}, 2, "invalid_input", "config"},
		{"ServeBadListen", "", []string{"serve", "--ftp-listen", "nowhere"}, 2, "invalid_input", "config"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			je := e.fails(t, tc.stdin, tc.wantExit, tc.wantCode, tc.args...)
			if tc.wantField != "" && je.Error.Field != tc.wantField {
				t.Errorf("error.field = %q, want %q (%s)", je.Error.Field, tc.wantField, je.Error.Message)
			}
		})
	}

	// Nothing was changed by the failures.
	var as []account
	e.ok(t, &as, "account", "list")
	if got := logins(as, func(a account) string { return a.Login }); len(as) != 5 {
		t.Errorf("accounts after the failures = %s, want the 3 main and 2 additional ones", got)
	}
	for _, dir := range []string{"newtop", "httpdocs/nope"} {
		if _, err := os.Stat(filepath.Join(e.data, "sites", "example.com", dir)); err == nil {
			t.Errorf("a failed request left %s behind", dir)
		}
	}
	if _, err := os.Stat(filepath.Join(e.data, "sites", "other.example")); err == nil {
		t.Errorf("a failed site add left its root folder behind")
	}
	var sites []site
	e.ok(t, &sites, "site", "list")
	if len(sites) != 3 {
		t.Errorf("sites after the failures = %d, want 3", len(sites))
	}
}

// TestCLI_Environment checks configuration errors and the global flags.
func TestCLI_Environment(t *testing.T) {
	t.Run("BadConfigEnv", func(t *testing.T) {
		e := newEnv(t)
		e.extra = []string{"FTPANEL_FTP_TLS=sometimes"}
		je := e.fails(t, "", 2, "invalid_input", "customer", "list")
		if !strings.Contains(je.Error.Message, "ftp.tls") {
			t.Errorf("message %q does not name the key ftp.tls", je.Error.Message)
		}
	})
	t.Run("UnknownEnv", func(t *testing.T) {
		e := newEnv(t)
		e.extra = []string{"FTPANEL_NO_SUCH_KEY=1"}
		e.fails(t, "", 2, "invalid_input", "customer", "list")
	})
	t.Run("ConfigFileFlag", func(t *testing.T) {
		e := newEnv(t)
		cfg := filepath.Join(t.TempDir(), "ftpanel.toml")
		sites := filepath.Join(t.TempDir(), "www")
		if err := os.WriteFile(cfg, []byte(fmt.Sprintf("[policy]\nsites_dir = %q\nnamespace = \"prefix\"\n", sites)), 0o600); err != nil {
			t.Fatal(err)
		}
		e.ok(t, nil, "--config", cfg, "customer", "add", "alice")
		var sa struct {
			Site site `json:"site"`
		}
		e.ok(t, &sa, "site", "add", "example.com", "--customer", "alice", "--config", cfg)
		if sa.Site.Root != filepath.Join(sites, "example.com") {
			t.Errorf("site root = %s, want it under the configured sites_dir %s", sa.Site.Root, sites)
		}
		var ac struct {
			Account account `json:"account"`
		}
		e.ok(t, &ac, "account", "add", "--site", "example.com", "--login", "web", "--config", cfg)
		if ac.Account.Login != "alice_web" {
			t.Errorf("login with namespace prefix = %q, want alice_web", ac.Account.Login)
		}
	})
	t.Run("BadConfigFile", func(t *testing.T) {
		e := newEnv(t)
		cfg := filepath.Join(t.TempDir(), "ftpanel.toml")
		if err := os.WriteFile(cfg, []byte("[ftp]\nlisten = 21\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		e.fails(t, "", 2, "invalid_input", "--config", cfg, "customer", "list")
	})
	t.Run("DataFlag", func(t *testing.T) {
		e := newEnv(t)
		other := filepath.Join(t.TempDir(), "other")
		e.ok(t, nil, "--data", other, "customer", "add", "alice")
		var cs []customer
		e.ok(t, &cs, "customer", "list")
		if len(cs) != 0 {
			t.Errorf("FTPANEL_DATA folder has %d customers, want 0 (alice went to --data)", len(cs))
		}
		e.ok(t, &cs, "customer", "list", "--data", other)
		if len(cs) != 1 {
			t.Errorf("--data folder has %d customers, want 1", len(cs))
		}
	})
}

// TestCLI_Text checks the output for people: tables, one-line errors,
// help.
func TestCLI_Text(t *testing.T) {
	e := newEnv(t)
	r := e.run(t, "customer", "add", "alice")
	if r.code != 0 || !strings.Contains(r.stdout, "customer alice created") || !strings.Contains(r.stdout, "panel password: ") {
		t.Errorf("customer add (text) = %v", r)
	}
	r = e.run(t, "site", "add", "example.com", "--customer", "alice", "--main-login", "exmain")
	if r.code != 0 || !strings.Contains(r.stdout, "main FTP account: exmain") || !strings.Contains(r.stdout, "password: ") {
		t.Errorf("site add (text) = %v", r)
	}
	r = e.run(t, "account", "add", "--site", "example.com", "--login", "web1", "--password", "Tr0ub4dor&3", "--quota", "2G")
	if r.code != 0 || strings.Contains(r.stdout, "Tr0ub4dor&3") || !strings.Contains(r.stdout, "login: web1") {
		t.Errorf("account add (text) = %v", r)
	}
	r = e.run(t, "account", "list")
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if r.code != 0 || len(lines) != 3 || !strings.HasPrefix(lines[0], "LOGIN") || !strings.Contains(lines[2], "2.0 GiB") {
		t.Errorf("account list (text) = %v", r)
	}
	r = e.run(t, "account", "show", "web1")
	if r.code != 0 || !strings.Contains(r.stdout, "Home:") || !strings.Contains(r.stdout, filepath.Join("sites", "example.com")) {
		t.Errorf("account show (text) = %v", r)
	}
	for _, args := range [][]string{{"customer", "list"}, {"site", "list"}, {"admin", "list"}, {"session", "list"},
		{"ban", "list"}, {"audit", "list"}, {"token", "list"}, {"site", "show", "example.com"}, {"customer", "show", "alice"}} {
		if r := e.run(t, args...); r.code != 0 || r.stdout == "" || r.stderr != "" {
			t.Errorf("%v", r)
		}
	}

	// Errors: one line "ftpanel: ..." on stderr, nothing on stdout.
	for _, args := range [][]string{{"account", "show", "nobody"}, {"account", "add", "--site", "example.com", "--login", "root"}, {"account", "frob"}, {"--bogus"}} {
		r := e.run(t, args...)
		if r.code == 0 || r.stdout != "" || !strings.HasPrefix(r.stderr, "ftpanel: ") || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("error output is not one line on stderr: %v", r)
		}
	}

	// Help.
	for _, args := range [][]string{{}, {"--help"}, {"account"}, {"account", "add", "--help"}, {"serve", "--help"}} {
		r := e.run(t, args...)
		if r.code != 0 || !strings.Contains(r.stdout, "Usage:") {
			t.Errorf("help: %v", r)
		}
	}
	if r := e.run(t, "serve", "--help"); !strings.Contains(r.stdout, "FTPANEL_FTP_LISTEN") {
		t.Errorf("serve --help does not list the environment overrides: %v", r)
	}
}

// server is a running `ftpanel serve`.
type server struct {
	cmd    *exec.Cmd
	lines  chan string
	stderr *strings.Builder
}

// startServe starts `ftpanel serve` on free loopback ports.
func (e *env) startServe(t *testing.T, extra ...string) *server {
	t.Helper()
	args := append([]string{"serve", "--ftp-listen", "127.0.0.1:0", "--sftp-listen", "127.0.0.1:0", "--http-listen", "127.0.0.1:0"}, extra...)
	cmd := exec.Command(binary, args...)
	cmd.Env = e.environ()
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd, lines: make(chan string, 100), stderr: &strings.Builder{}}
	cmd.Stderr = s.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			s.lines <- sc.Text()
		}
		close(s.lines)
	}()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	return s
}

// line returns the next stdout line, failing after a generous deadline.
func (s *server) line(t *testing.T) string {
	t.Helper()
	select {
	case l, ok := <-s.lines:
		if !ok {
			_ = s.cmd.Wait()
			t.Fatalf("serve exited early; stderr:\n%s", s.stderr)
		}
		return l
	case <-time.After(60 * time.Second):
		t.Fatalf("serve printed nothing for 60 s; stderr:\n%s", s.stderr)
	}
	return ""
}

// stop sends SIGTERM and requires a clean exit.
func (s *server) stop(t *testing.T) {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		for range s.lines { // drain
		}
		done <- s.cmd.Wait()
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve after SIGTERM: %v; stderr:\n%s", err, s.stderr)
		}
	case <-time.After(60 * time.Second):
		t.Fatalf("serve did not stop within 60 s of SIGTERM; stderr:\n%s", s.stderr)
	}
}

type serveInfo struct {
	PanelURL   string `json:"panel_url"`
	FTPAddr    string `json:"ftp_addr"`
	Data       string `json:"data"`
	FirstStart bool   `json:"first_start"`
	Admin      *creds `json:"admin"`
}

// TestCLI_Serve starts the server twice on one data folder: the first
// start prints the administrator's password once, later starts only the
// addresses; CLI verbs work while it runs; SIGTERM stops it cleanly.
func TestCLI_Serve(t *testing.T) {
	e := newEnv(t)

	s := e.startServe(t)
	// The text ends with the curl line, or without an FTP listener with
	// the site add line.
	var out []string
	ftpUp := false
	for {
		l := strings.TrimSpace(s.line(t))
		out = append(out, l)
		if strings.HasPrefix(l, "FTP:") {
			ftpUp = !strings.HasSuffix(l, "-")
		}
		if strings.HasPrefix(l, "curl ") || (!ftpUp && strings.HasPrefix(l, "ftpanel site add")) {
			break
		}
	}
	text := strings.Join(out, "\n")
	for _, want := range []string{"panel and APIs: http://127.0.0.1:", "login:    admin", "password: ", "ftpanel customer add"} {
		if !strings.Contains(text, want) {
			t.Errorf("first start output lacks %q:\n%s", want, text)
		}
	}
	var admins []struct{ Login string }
	e.ok(t, &admins, "admin", "list")
	if len(admins) != 1 || admins[0].Login != "admin" {
		t.Errorf("admin list after first start = %+v, want admin", admins)
	}
	s.stop(t)

	s = e.startServe(t, "--json")
	var info serveInfo
	if err := json.Unmarshal([]byte(s.line(t)), &info); err != nil {
		t.Fatalf("serve --json first line: %v", err)
	}
	if info.FirstStart || info.Admin != nil || !strings.HasPrefix(info.PanelURL, "http://127.0.0.1:") {
		t.Errorf("second start = %+v, want addresses only", info)
	}
	resp, err := http.Get(info.PanelURL + "/healthz")
	if err != nil {
		t.Fatalf("GET /healthz: %v", err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /healthz = %d, want 200", resp.StatusCode)
	}
	// The CLI works on the same store while the server runs.
	e.ok(t, nil, "customer", "add", "alice")
	var sa struct {
		MainAccount account `json:"main_account"`
		Password    string  `json:"password"`
	}
	e.ok(t, &sa, "site", "add", "example.com", "--customer", "alice")
	var sessions []map[string]any
	e.ok(t, &sessions, "session", "list")
	if info.FTPAddr == "" {
		t.Log("serve reports no FTP listener: FTP login not checked")
	} else {
		// The account the CLI just created logs in over FTP and sees its site.
		c, err := ftp.Dial(info.FTPAddr, ftp.DialWithTimeout(10*time.Second))
		if err != nil {
			t.Fatalf("FTP dial %s: %v", info.FTPAddr, err)
		}
		if err := c.Login(sa.MainAccount.Login, sa.Password); err != nil {
			t.Fatalf("FTP login as %s: %v", sa.MainAccount.Login, err)
		}
		names, err := c.NameList("/")
		if err != nil {
			t.Fatalf("FTP NLST: %v", err)
		}
		if got := strings.Join(names, ","); !strings.Contains(got, "httpdocs") || !strings.Contains(got, "private") {
			t.Errorf("FTP NLST / = %v, want the site skeleton httpdocs, private", names)
		}
		_ = c.Quit()
	}
	s.stop(t)
}

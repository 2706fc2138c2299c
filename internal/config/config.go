// Package config loads ftpanel's configuration: one TOML file plus
// FTPANEL_* environment overrides, validated on load with clear errors.
package config

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"ftpanel/internal/hosting"
	"ftpanel/internal/sftpd"
)

// Duration is a time.Duration written as "90s", "5m" in files and env.
type Duration struct{ time.Duration }

// UnmarshalText parses a Go duration string.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("%q is not a duration (e.g. 90s, 5m, 1h)", b)
	}
	d.Duration = v
	return nil
}

// MarshalText writes the duration as a Go duration string.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// Config is the whole configuration. Every key has an environment override
// named FTPANEL_<SECTION>_<KEY> (FTPANEL_DATA, FTPANEL_FTP_LISTEN, ...).
type Config struct {
	Data     string   `toml:"data"` // data folder: database, certificate, sites
	Node     string   `toml:"node"` // node id; "" = host name
	Store    Store    `toml:"store"`
	FTP      FTP      `toml:"ftp"`
	SFTP     SFTP     `toml:"sftp"`
	HTTP     HTTP     `toml:"http"`
	Defender Defender `toml:"defender"`
	Policy   Policy   `toml:"policy"`
	Panel    Panel    `toml:"panel"`
	Log      Log      `toml:"log"`
	Usage    Usage    `toml:"usage"`
}

// Store selects the database.
type Store struct {
	DSN string `toml:"dsn"` // "" = SQLite in the data folder; postgres://... = PostgreSQL
}

// FTP configures the FTP server.
type FTP struct {
	Listen                string   `toml:"listen"`
	PassivePorts          string   `toml:"passive_ports"`  // "LO-HI", "" = any free port
	PublicHost            string   `toml:"public_host"`    // IPv4 for PASV replies
	PassiveListen         string   `toml:"passive_listen"` // IP passive listeners bind; "" = the control connection's address
	TLS                   string   `toml:"tls"`            // off | optional | required
	CertFile              string   `toml:"cert_file"`      // "" = self-signed in <data>/tls
	KeyFile               string   `toml:"key_file"`
	IdleTimeout           Duration `toml:"idle_timeout"`
	MaxClients            int      `toml:"max_clients"`
	MaxClientsPerIP       int      `toml:"max_clients_per_ip"`
	MaxSessionsPerAccount int      `toml:"max_sessions_per_account"`
	Umask                 string   `toml:"umask"` // octal, e.g. "022"
	FailDelay             Duration `toml:"fail_delay"`
	GraceTimeout          Duration `toml:"grace_timeout"` // transfers may finish this long on shutdown
}

// SFTP configures the SFTP server (issue 13). It shares ftp.umask,
// ftp.fail_delay and ftp.grace_timeout and the [defender] with FTP.
type SFTP struct {
	Listen string `toml:"listen"` // "" turns SFTP off
	// HostKeyFiles are private host key files; none = ed25519 and RSA 3072
	// keys generated in <data>/ssh on first start. Every node of a cluster
	// needs the same keys.
	HostKeyFiles          []string `toml:"host_key_files"`
	IdleTimeout           Duration `toml:"idle_timeout"`
	MaxClients            int      `toml:"max_clients"`
	MaxClientsPerIP       int      `toml:"max_clients_per_ip"`       // counts FTP sessions from the address too
	MaxSessionsPerAccount int      `toml:"max_sessions_per_account"` // counts the account's FTP sessions too
	// Ciphers are the encryption algorithms offered; empty = the built-in
	// default (see README, "SFTP").
	Ciphers []string `toml:"ciphers"`
}

// HTTP configures the panel and API listener.
type HTTP struct {
	Listen        string `toml:"listen"`
	CertFile      string `toml:"cert_file"` // serve HTTPS when both are set
	KeyFile       string `toml:"key_file"`
	SecureCookies bool   `toml:"secure_cookies"`
}

// Defender configures the throttle and bans of every password check
// (panel, Plesk, Hestia, REST tokens, FTP, SFTP).
type Defender struct {
	MaxFailures int      `toml:"max_failures"`
	Window      Duration `toml:"window"`
	BanTime     Duration `toml:"ban_time"`
	MaxBanTime  Duration `toml:"max_ban_time"`
	// SafeList holds addresses and CIDR networks never banned nor
	// throttled (monitoring, the office); their failures are still logged.
	SafeList []string `toml:"safe_list"`
}

// GuardConfig returns the hosting guard's settings of [defender].
func (c Config) GuardConfig() (hosting.GuardConfig, error) {
	safe, err := hosting.ParseSafeList(c.Defender.SafeList)
	if err != nil {
		return hosting.GuardConfig{}, err
	}
	return hosting.GuardConfig{MaxFailures: c.Defender.MaxFailures, Window: c.Defender.Window.Duration,
		BanTime: c.Defender.BanTime.Duration, MaxBanTime: c.Defender.MaxBanTime.Duration, SafeList: safe,
		Node: c.NodeID()}, nil
}

// Policy configures the rules of DESIGN §3.
type Policy struct {
	LoginPreset          string   `toml:"login_preset"`     // plesk | hestia
	LoginMaxLength       int      `toml:"login_max_length"` // 0 = the preset's
	Namespace            string   `toml:"namespace"`        // none | suffix | prefix | domain
	ReservedLogins       []string `toml:"reserved_logins"`
	PasswordPreset       string   `toml:"password_preset"` // default | openpanel | strict
	PasswordMinLength    int      `toml:"password_min_length"`
	PasswordMinClasses   int      `toml:"password_min_classes"`
	AllowNewTopLevelDirs bool     `toml:"allow_new_top_level_dirs"`
	OnMissingHome        string   `toml:"on_missing_home"` // error | reset
	SitesDir             string   `toml:"sites_dir"`       // "" = <data>/sites
	SiteSkeleton         []string `toml:"site_skeleton"`
}

// Panel configures the web panel.
type Panel struct {
	FileManagerURL string `toml:"file_manager_url"` // "" = built-in; e.g. https://files.example.com/?site={site}
	FTPHost        string `toml:"ftp_host"`         // host shown on account cards; "" = public_host or listen host
	// Require2FAForAdmins (issue 12): administrators must set up
	// two-factor sign-in before they can use the panel.
	Require2FAForAdmins bool `toml:"require_2fa_for_admins"`
	// SimpleHome is the home folder of accounts added in the panel's
	// simple mode: "" = the site's web folder (e.g. /httpdocs), "/" = the
	// whole site.
	SimpleHome string `toml:"simple_home"`
}

// Usage configures the node's disk usage scanner (issues 12, 17).
type Usage struct {
	ScanInterval Duration `toml:"scan_interval"` // between passes over every site; 10s..24h
	ScanRate     int      `toml:"scan_rate"`     // files and folders looked at per second; ≥ 100
}

// Log configures logging.
type Log struct {
	Level  string `toml:"level"`  // debug | info | warn | error
	Format string `toml:"format"` // text | json
}

// Default returns the first-run defaults of DESIGN §5.
func Default() Config {
	p := hosting.DefaultPolicy()
	return Config{
		Data: "./ftpanel-data",
		FTP: FTP{Listen: "127.0.0.1:2121", TLS: "optional", IdleTimeout: Duration{5 * time.Minute},
			MaxClients: 2000, MaxClientsPerIP: 50, MaxSessionsPerAccount: 20, Umask: "022",
			FailDelay: Duration{time.Second}, GraceTimeout: Duration{30 * time.Second}},
		SFTP: SFTP{Listen: "127.0.0.1:2222", IdleTimeout: Duration{5 * time.Minute}, MaxClients: 2000,
			MaxClientsPerIP: 50, MaxSessionsPerAccount: 20},
		HTTP:     HTTP{Listen: "127.0.0.1:8080"},
		Defender: Defender{MaxFailures: 5, Window: Duration{time.Minute}, BanTime: Duration{15 * time.Minute}, MaxBanTime: Duration{24 * time.Hour}},
		Policy: Policy{LoginPreset: "plesk", Namespace: string(p.Namespace),
			PasswordPreset: "default", OnMissingHome: string(p.OnMissingHome), SiteSkeleton: p.SiteSkeleton},
		Log:   Log{Level: "info", Format: "text"},
		Usage: Usage{ScanInterval: Duration{10 * time.Minute}, ScanRate: 20000},
	}
}

// Load reads the file at path (when path is "", <data>/ftpanel.toml if it
// exists), applies FTPANEL_* variables from environ over it, and validates
// the result.
func Load(path string, environ []string) (Config, error) {
	c := Default()
	env := map[string]string{}
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok && strings.HasPrefix(k, "FTPANEL_") {
			env[k] = v
		}
	}
	if path == "" {
		data := c.Data
		if d, ok := env["FTPANEL_DATA"]; ok && d != "" {
			data = d
		}
		if p := filepath.Join(data, "ftpanel.toml"); fileExists(p) {
			path = p
		}
	}
	if path != "" {
		md, err := toml.DecodeFile(path, &c)
		if err != nil {
			return c, fmt.Errorf("config %s: %w", path, err)
		}
		if und := md.Undecoded(); len(und) > 0 {
			keys := make([]string, len(und))
			for i, k := range und {
				keys[i] = k.String()
			}
			return c, fmt.Errorf("config %s: unknown key(s): %s", path, strings.Join(keys, ", "))
		}
	}
	if err := applyEnv(&c, env); err != nil {
		return c, err
	}
	if err := c.Validate(); err != nil {
		return c, err
	}
	return c, nil
}

func fileExists(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir()
}

// envIgnored are FTPANEL_ variables that are not config keys.
func envIgnored(k string) bool {
	return k == "FTPANEL_CONFIG" || k == "FTPANEL_ARTIFACTS" || strings.HasPrefix(k, "FTPANEL_TEST_")
}

// EnvNames lists every environment override, for documentation and help.
func EnvNames() []string {
	var out []string
	walkFields(reflect.ValueOf(&Config{}).Elem(), "FTPANEL", func(name string, _ reflect.Value) { out = append(out, name) })
	sort.Strings(out)
	return out
}

func walkFields(v reflect.Value, prefix string, fn func(name string, f reflect.Value)) {
	t := v.Type()
	for i := range t.NumField() {
		tag := strings.Split(t.Field(i).Tag.Get("toml"), ",")[0]
		if tag == "" || tag == "-" {
			continue
		}
		name := prefix + "_" + strings.ToUpper(tag)
		f := v.Field(i)
		if f.Kind() == reflect.Struct && f.Type() != reflect.TypeFor[Duration]() {
			walkFields(f, name, fn)
			continue
		}
		fn(name, f)
	}
}

func applyEnv(c *Config, env map[string]string) error {
	known := map[string]bool{}
	var errs []error
	walkFields(reflect.ValueOf(c).Elem(), "FTPANEL", func(name string, f reflect.Value) {
		known[name] = true
		v, ok := env[name]
		if !ok {
			return
		}
		if err := setField(f, v); err != nil {
			errs = append(errs, fmt.Errorf("environment %s: %w", name, err))
		}
	})
	var unknown []string
	for k := range env {
		if !known[k] && !envIgnored(k) {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	if len(unknown) > 0 {
		errs = append(errs, fmt.Errorf("environment: unknown variable(s) %s (see `ftpanel serve --help` for the list)", strings.Join(unknown, ", ")))
	}
	return errors.Join(errs...)
}

func setField(f reflect.Value, v string) error {
	switch p := f.Addr().Interface().(type) {
	case *string:
		*p = v
	case *int:
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			return fmt.Errorf("%q is not a whole number", v)
		}
		*p = n
	case *bool:
		b, err := strconv.ParseBool(strings.TrimSpace(v))
		if err != nil {
			return fmt.Errorf("%q is not true or false", v)
		}
		*p = b
	case *Duration:
		return p.UnmarshalText([]byte(strings.TrimSpace(v)))
	case *[]string:
		*p = nil
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				*p = append(*p, s)
			}
		}
	default:
		return fmt.Errorf("unsupported type %s", f.Type())
	}
	return nil
}

// Validate checks every value and says which key is wrong.
func (c Config) Validate() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", key, fmt.Sprintf(format, args...)))
	}
	if strings.TrimSpace(c.Data) == "" {
		bad("data", "must not be empty")
	}
	if c.Store.DSN != "" && !strings.HasPrefix(c.Store.DSN, "postgres://") && !strings.HasPrefix(c.Store.DSN, "postgresql://") {
		bad("store.dsn", "must be empty (SQLite in the data folder) or a postgres:// URL")
	}
	if err := checkListen(c.FTP.Listen); err != nil {
		bad("ftp.listen", "%v", err)
	}
	if c.SFTP.Listen != "" {
		if err := checkListen(c.SFTP.Listen); err != nil {
			bad("sftp.listen", "%v", err)
		}
	}
	for _, f := range c.SFTP.HostKeyFiles {
		if !fileExists(f) {
			bad("sftp.host_key_files", "%q is not a readable file", f)
		}
	}
	if err := sftpd.CheckCiphers(c.SFTP.Ciphers); err != nil {
		bad("sftp.ciphers", "%v", err)
	}
	if c.SFTP.IdleTimeout.Duration <= 0 {
		bad("sftp.idle_timeout", "must be a positive duration")
	}
	for key, n := range map[string]int{"sftp.max_clients": c.SFTP.MaxClients, "sftp.max_clients_per_ip": c.SFTP.MaxClientsPerIP,
		"sftp.max_sessions_per_account": c.SFTP.MaxSessionsPerAccount} {
		if n < 1 {
			bad(key, "must be at least 1")
		}
	}
	if err := checkListen(c.HTTP.Listen); err != nil {
		bad("http.listen", "%v", err)
	}
	if _, _, err := c.PassiveRange(); err != nil {
		bad("ftp.passive_ports", "%v", err)
	}
	if c.FTP.PublicHost != "" {
		if ip := net.ParseIP(c.FTP.PublicHost); ip == nil || ip.To4() == nil {
			bad("ftp.public_host", "%q must be an IPv4 address (IPv6 clients use EPSV)", c.FTP.PublicHost)
		}
	}
	if c.FTP.PassiveListen != "" && net.ParseIP(c.FTP.PassiveListen) == nil {
		bad("ftp.passive_listen", "%q must be an IP address", c.FTP.PassiveListen)
	}
	switch c.FTP.TLS {
	case "off", "optional", "required":
	default:
		bad("ftp.tls", "%q must be off, optional or required", c.FTP.TLS)
	}
	if (c.FTP.CertFile == "") != (c.FTP.KeyFile == "") {
		bad("ftp.cert_file", "cert_file and key_file go together")
	}
	if (c.HTTP.CertFile == "") != (c.HTTP.KeyFile == "") {
		bad("http.cert_file", "cert_file and key_file go together")
	}
	for key, d := range map[string]Duration{"ftp.idle_timeout": c.FTP.IdleTimeout, "defender.window": c.Defender.Window,
		"defender.ban_time": c.Defender.BanTime, "defender.max_ban_time": c.Defender.MaxBanTime} {
		if d.Duration <= 0 {
			bad(key, "must be a positive duration")
		}
	}
	if c.FTP.FailDelay.Duration < 0 || c.FTP.FailDelay.Duration > time.Minute {
		bad("ftp.fail_delay", "must be between 0s and 1m")
	}
	if c.FTP.GraceTimeout.Duration < 0 {
		bad("ftp.grace_timeout", "must not be negative")
	}
	for key, n := range map[string]int{"ftp.max_clients": c.FTP.MaxClients, "ftp.max_clients_per_ip": c.FTP.MaxClientsPerIP,
		"ftp.max_sessions_per_account": c.FTP.MaxSessionsPerAccount, "defender.max_failures": c.Defender.MaxFailures} {
		if n < 1 {
			bad(key, "must be at least 1")
		}
	}
	if _, err := hosting.ParseSafeList(c.Defender.SafeList); err != nil {
		bad("defender.safe_list", "%s", hosting.ErrorMessage(err))
	}
	if d := c.Usage.ScanInterval.Duration; d < 10*time.Second || d > 24*time.Hour {
		bad("usage.scan_interval", "must be between 10s and 24h")
	}
	if c.Usage.ScanRate < 100 {
		bad("usage.scan_rate", "must be at least 100")
	}
	if _, err := c.UmaskMode(); err != nil {
		bad("ftp.umask", "%v", err)
	}
	if _, err := c.HostingPolicy(); err != nil {
		bad("policy", "%v", err)
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		bad("log.level", "%q must be debug, info, warn or error", c.Log.Level)
	}
	switch c.Log.Format {
	case "text", "json":
	default:
		bad("log.format", "%q must be text or json", c.Log.Format)
	}
	if len(errs) > 0 {
		return fmt.Errorf("invalid configuration: %w", errors.Join(errs...))
	}
	return nil
}

func checkListen(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%q is not HOST:PORT", addr)
	}
	if host != "" && net.ParseIP(host) == nil && host != "localhost" {
		return fmt.Errorf("%q: host must be an IP address", addr)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("%q: port must be 0..65535", addr)
	}
	return nil
}

// PassiveRange parses ftp.passive_ports; 0, 0 means any free port.
func (c Config) PassiveRange() (lo, hi int, err error) {
	s := strings.TrimSpace(c.FTP.PassivePorts)
	if s == "" {
		return 0, 0, nil
	}
	a, b, ok := strings.Cut(s, "-")
	lo, err1 := strconv.Atoi(strings.TrimSpace(a))
	hi, err2 := strconv.Atoi(strings.TrimSpace(b))
	if !ok || err1 != nil || err2 != nil || lo < 1024 || hi > 65535 || lo > hi {
		return 0, 0, fmt.Errorf("%q must be LO-HI with 1024 ≤ LO ≤ HI ≤ 65535", s)
	}
	return lo, hi, nil
}

// UmaskMode parses ftp.umask.
func (c Config) UmaskMode() (os.FileMode, error) {
	n, err := strconv.ParseUint(c.FTP.Umask, 8, 32)
	if err != nil || n > 0o777 {
		return 0, fmt.Errorf("%q must be an octal mask such as 022", c.FTP.Umask)
	}
	return os.FileMode(n), nil
}

// SitesDir returns where site roots go by default.
func (c Config) SitesDir() string {
	if c.Policy.SitesDir != "" {
		return c.Policy.SitesDir
	}
	d, err := filepath.Abs(filepath.Join(c.Data, "sites"))
	if err != nil {
		return filepath.Join(c.Data, "sites")
	}
	return d
}

// HostingPolicy builds the domain policy from the [policy] section.
func (c Config) HostingPolicy() (hosting.Policy, error) {
	p := hosting.DefaultPolicy()
	if err := p.ApplyLoginPreset(c.Policy.LoginPreset); err != nil {
		return p, err
	}
	if c.Policy.LoginMaxLength != 0 {
		p.LoginMaxLen = c.Policy.LoginMaxLength
	}
	if c.Policy.Namespace != "" {
		p.Namespace = hosting.Namespace(c.Policy.Namespace)
	}
	p.ReservedLogins = append(p.ReservedLogins, c.Policy.ReservedLogins...)
	if err := p.ApplyPasswordPreset(c.Policy.PasswordPreset); err != nil {
		return p, err
	}
	if c.Policy.PasswordMinLength != 0 {
		p.PasswordMinLen = c.Policy.PasswordMinLength
	}
	if c.Policy.PasswordMinClasses != 0 {
		p.PasswordMinClasses = c.Policy.PasswordMinClasses
	}
	p.AllowNewTopLevelDirs = c.Policy.AllowNewTopLevelDirs
	if c.Policy.OnMissingHome != "" {
		p.OnMissingHome = hosting.MissingHome(c.Policy.OnMissingHome)
	}
	if c.Policy.SiteSkeleton != nil {
		p.SiteSkeleton = c.Policy.SiteSkeleton
	}
	p.SitesDir = c.SitesDir()
	if um, err := c.UmaskMode(); err == nil {
		p.DirMode = uint32(0o777 &^ um)
	}
	return p, p.Validate()
}

// NodeID returns the configured node id or the host name.
func (c Config) NodeID() string {
	if c.Node != "" {
		return c.Node
	}
	h, err := os.Hostname()
	if err != nil || h == "" {
		return "node1"
	}
	return h
}

// String renders the configuration as TOML with secrets masked.
func (c Config) String() string {
	if c.Store.DSN != "" {
		c.Store.DSN = maskDSN(c.Store.DSN)
	}
	var b strings.Builder
	if err := toml.NewEncoder(&b).Encode(c); err != nil {
		return "config: " + err.Error()
	}
	return b.String()
}

func maskDSN(dsn string) string {
	at := strings.LastIndex(dsn, "@")
	sch := strings.Index(dsn, "://")
	if at < 0 || sch < 0 || at < sch {
		return dsn
	}
	cred := dsn[sch+3 : at]
	if u, _, ok := strings.Cut(cred, ":"); ok {
		return dsn[:sch+3] + u + ":****" + dsn[at:]
	}
	return dsn
}

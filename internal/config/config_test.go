package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestLoad_Defaults(t *testing.T) {
	c, err := Load("", []string{"FTPANEL_DATA=" + t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.FTP.Listen, "127.0.0.1:2121"; got != want {
		t.Fatalf("FTP.Listen=%q, want %q", got, want)
	}
	if got, want := c.HTTP.Listen, "127.0.0.1:8080"; got != want {
		t.Fatalf("HTTP.Listen=%q, want %q", got, want)
	}
	p, err := c.HostingPolicy()
	if err != nil {
		t.Fatal(err)
	}
	if p.LoginMaxLen != 16 || p.PasswordMinLen != 8 || p.PasswordMinClasses != 3 || p.DirMode != 0o755 {
		t.Fatalf("policy = %+v", p)
	}
}

func TestLoad_FileAndEnv(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ftpanel.toml")
	file := `data = "` + dir + `"
[ftp]
listen = ":21"
passive_ports = "30000-30100"
public_host = "203.0.113.7"
tls = "required"
idle_timeout = "90s"
[policy]
login_preset = "hestia"
namespace = "prefix"
password_preset = "strict"
`
	if err := os.WriteFile(path, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path, []string{"FTPANEL_FTP_LISTEN=127.0.0.1:2999", "FTPANEL_DEFENDER_MAX_FAILURES=3",
		"FTPANEL_POLICY_RESERVED_LOGINS=foo, bar", "FTPANEL_TEST_POSTGRES_DSN=x", "PATH=/bin"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.FTP.Listen, "127.0.0.1:2999"; got != want {
		t.Fatalf("FTP.Listen=%q, want %q (env overrides file)", got, want)
	}
	if got, want := c.FTP.IdleTimeout.Duration, 90*time.Second; got != want {
		t.Fatalf("IdleTimeout=%v, want %v", got, want)
	}
	if lo, hi, _ := c.PassiveRange(); lo != 30000 || hi != 30100 {
		t.Fatalf("PassiveRange=%d-%d", lo, hi)
	}
	if c.Defender.MaxFailures != 3 {
		t.Fatalf("MaxFailures=%d, want 3", c.Defender.MaxFailures)
	}
	p, err := c.HostingPolicy()
	if err != nil {
		t.Fatal(err)
	}
	if p.LoginMaxLen != 30 || p.PasswordMinLen != 12 || p.Namespace != "prefix" || !p.IsReserved("bar") {
		t.Fatalf("policy = %+v", p)
	}
}

func TestLoad_Errors(t *testing.T) {
	tests := []struct {
		name string
		file string
		env  []string
		want string
	}{
		{"UnknownKey", "[ftp]\nlisen = \":21\"\n", nil, "unknown key(s): ftp.lisen"},
		{"BadTOML", "[ftp\n", nil, "config"},
		{"BadListen", "", []string{"FTPANEL_FTP_LISTEN=nope"}, "ftp.listen"},
		{"BadPassive", "", []string{"FTPANEL_FTP_PASSIVE_PORTS=9-3"}, "ftp.passive_ports"},
		{"BadTLS", "", []string{"FTPANEL_FTP_TLS=maybe"}, "ftp.tls"},
		{"BadDuration", "", []string{"FTPANEL_FTP_IDLE_TIMEOUT=soon"}, "FTPANEL_FTP_IDLE_TIMEOUT"},
		{"BadInt", "", []string{"FTPANEL_FTP_MAX_CLIENTS=many"}, "FTPANEL_FTP_MAX_CLIENTS"},
		{"UnknownEnv", "", []string{"FTPANEL_FTP_LISTN=:21"}, "unknown variable(s) FTPANEL_FTP_LISTN"},
		{"BadDSN", "", []string{"FTPANEL_STORE_DSN=mysql://x"}, "store.dsn"},
		{"BadNamespace", "", []string{"FTPANEL_POLICY_NAMESPACE=weird"}, "namespace"},
		{"BadPreset", "", []string{"FTPANEL_POLICY_PASSWORD_PRESET=weak"}, "password preset"},
		{"BadUmask", "", []string{"FTPANEL_FTP_UMASK=9"}, "ftp.umask"},
		{"BadPublicHost", "", []string{"FTPANEL_FTP_PUBLIC_HOST=::1"}, "ftp.public_host"},
		{"CertWithoutKey", "", []string{"FTPANEL_FTP_CERT_FILE=/x.pem"}, "cert_file and key_file"},
		{"ZeroFailures", "", []string{"FTPANEL_DEFENDER_MAX_FAILURES=0"}, "defender.max_failures"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := ""
			if tc.file != "" {
				path = filepath.Join(dir, "c.toml")
				if err := os.WriteFile(path, []byte(tc.file), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			_, err := Load(path, append([]string{"FTPANEL_DATA=" + dir}, tc.env...))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err=%v, want it to mention %q", err, tc.want)
			}
		})
	}
}

func TestString_MasksDSN(t *testing.T) {
	c := Default()
	c.Store.DSN = "postgres://app:s3cret@db:5432/ftpanel"
	s := c.String()
	if strings.Contains(s, "s3cret") || !strings.Contains(s, "app:****@db") {
		t.Fatalf("String() = %s", s)
	}
}

func TestEnvNames(t *testing.T) {
	names := strings.Join(EnvNames(), " ")
	for _, want := range []string{"FTPANEL_DATA", "FTPANEL_STORE_DSN", "FTPANEL_FTP_LISTEN", "FTPANEL_POLICY_ON_MISSING_HOME"} {
		if !strings.Contains(names, want) {
			t.Errorf("EnvNames lacks %s", want)
		}
	}
}

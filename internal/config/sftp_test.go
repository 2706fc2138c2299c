package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestSFTP: the [sftp] block, its defaults, environment overrides and
// errors (issue 13).
func TestSFTP(t *testing.T) {
	d := Default()
	if d.SFTP.Listen != "127.0.0.1:2222" || d.SFTP.IdleTimeout.Duration != 5*time.Minute || len(d.SFTP.HostKeyFiles) != 0 {
		t.Fatalf("defaults %+v", d.SFTP)
	}
	dir := t.TempDir()
	key1, key2 := filepath.Join(dir, "k1"), filepath.Join(dir, "k2")
	for _, k := range []string{key1, key2} {
		if err := os.WriteFile(k, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, "c.toml")
	file := "[sftp]\nlisten = \"0.0.0.0:22\"\nhost_key_files = [\"" + key1 + "\"]\nmax_sessions_per_account = 3\n"
	if err := os.WriteFile(path, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path, []string{"FTPANEL_DATA=" + dir, "FTPANEL_SFTP_IDLE_TIMEOUT=90s",
		"FTPANEL_SFTP_HOST_KEY_FILES=" + key1 + ", " + key2})
	if err != nil {
		t.Fatal(err)
	}
	if c.SFTP.Listen != "0.0.0.0:22" || c.SFTP.MaxSessionsPerAccount != 3 || c.SFTP.IdleTimeout.Duration != 90*time.Second ||
		strings.Join(c.SFTP.HostKeyFiles, ",") != key1+","+key2 {
		t.Fatalf("loaded %+v", c.SFTP)
	}
	if c, err := Load("", []string{"FTPANEL_DATA=" + dir, "FTPANEL_SFTP_CIPHERS=aes128-gcm@openssh.com, chacha20-poly1305@openssh.com"}); err != nil ||
		strings.Join(c.SFTP.Ciphers, ",") != "aes128-gcm@openssh.com,chacha20-poly1305@openssh.com" {
		t.Fatalf("ciphers: %v %q", err, c.SFTP.Ciphers)
	}
	// Empty listen turns SFTP off and is valid.
	if c, err := Load("", []string{"FTPANEL_DATA=" + dir, "FTPANEL_SFTP_LISTEN="}); err != nil || c.SFTP.Listen != "" {
		t.Fatalf("empty listen: %v %q", err, c.SFTP.Listen)
	}
	for _, tc := range []struct{ env, want string }{
		{"FTPANEL_SFTP_LISTEN=nope", "sftp.listen"},
		{"FTPANEL_SFTP_HOST_KEY_FILES=" + filepath.Join(dir, "missing"), "sftp.host_key_files"},
		{"FTPANEL_SFTP_IDLE_TIMEOUT=0s", "sftp.idle_timeout"},
		{"FTPANEL_SFTP_MAX_CLIENTS_PER_IP=0", "sftp.max_clients_per_ip"},
		{"FTPANEL_SFTP_LISTN=:22", "unknown variable(s) FTPANEL_SFTP_LISTN"},
		{"FTPANEL_SFTP_CIPHERS=aes128-cbc", "sftp.ciphers"},
		{"FTPANEL_SFTP_CIPHERS=aes128-ctr,aes128-ctr", "sftp.ciphers"},
	} {
		if _, err := Load("", []string{"FTPANEL_DATA=" + dir, tc.env}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err=%v, want it to mention %q", tc.env, err, tc.want)
		}
	}
}

package ftpd

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"ftpanel/internal/hosting/hostingtest"
)

// TestE2EScript runs scripts/e2e-ftp.sh (curl, lftp and python3 ftplib)
// against the server, plain and with tls=required, when those clients are
// installed (CI installs them).
func TestE2EScript(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	for _, tool := range []string{"bash", "curl", "lftp", "python3", "sha256sum"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed", tool)
		}
	}
	script, err := filepath.Abs(filepath.Join("..", "..", "scripts", "e2e-ftp.sh"))
	must(t, err, "script path")
	certs := t.TempDir()
	conf, err := LoadOrCreateCert(certs, []string{"127.0.0.1", "localhost"})
	must(t, err, "certificate")
	for _, tc := range []struct {
		mode  TLSMode
		ports [2]int
	}{{TLSOff, [2]int{}}, {TLSRequired, freePortRange(t, 200)}} {
		t.Run(string(tc.mode), func(t *testing.T) {
			f := newFixture(t, func(c *Config) { c.TLS, c.TLSConfig, c.PassivePorts = tc.mode, conf, tc.ports })
			f.account(t, "e2e", "/httpdocs", true, true, -1)
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, "bash", script, f.addr, "e2e", hostingtest.Password)
			cmd.Env = append(os.Environ(), "FTP_TLS="+string(tc.mode), "FTP_CACERT="+filepath.Join(certs, "cert.pem"))
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("e2e-ftp.sh: %v\n%s", err, out)
			}
			t.Logf("%s", out)
		})
	}
	t.Run("WrongPasswordFails", func(t *testing.T) {
		f := newFixture(t, nil)
		f.account(t, "e2e", "/", true, true, -1)
		cmd := exec.Command("bash", script, f.addr, "e2e", "not-the-Passw0rd")
		cmd.Env = append(os.Environ(), "FTP_CLIENTS=curl python")
		if out, err := cmd.CombinedOutput(); err == nil {
			t.Fatalf("e2e-ftp.sh with a wrong password exited 0:\n%s", out)
		}
	})
}

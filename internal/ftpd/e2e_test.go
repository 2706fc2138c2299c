package ftpd

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"ftpanel/internal/hosting/hostingtest"
)

// TestE2EScript runs scripts/e2e-ftp.sh (curl, lftp, python3 ftplib,
// rclone, wget, ncftp) against the server, plain and with tls=required,
// when those clients are installed (CI installs them). Every reply the
// server sent is checked for internals.
func TestE2EScript(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	for _, tool := range []string{"bash", "curl", "lftp", "python3", "sha256sum", "rclone", "wget", "ncftpput", "ncftpget"} {
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
	}{{TLSOff, freePortRange(t, 50)}, {TLSRequired, freePortRange(t, 50)}} {
		t.Run(string(tc.mode), func(t *testing.T) {
			var mu sync.Mutex
			var replies []string
			f := newFixture(t, func(c *Config) {
				c.TLS, c.TLSConfig, c.PassivePorts = tc.mode, conf, tc.ports
				c.replyTap = func(line string) {
					mu.Lock()
					replies = append(replies, line)
					mu.Unlock()
				}
			})
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
			mu.Lock()
			defer mu.Unlock()
			for _, l := range replies {
				for _, leak := range []string{"tcp ", "127.0.0.1:", "broken pipe", "use of closed"} {
					if strings.Contains(l, leak) {
						t.Errorf("reply %q contains %q", l, leak)
					}
				}
			}
			t.Logf("%d server replies checked for internals", len(replies))
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

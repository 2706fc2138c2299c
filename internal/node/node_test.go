package node

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jlaffaye/ftp"

	"ftpanel/internal/config"
	"ftpanel/internal/hosting"
)

// MustStart starts a whole node on loopback :0 ports over a temp data
// folder, as `ftpanel serve` does, and closes it at cleanup.
func MustStart(tb testing.TB) *Node {
	tb.Helper()
	cfg := config.Default()
	cfg.Data = tb.TempDir()
	cfg.Node = "test1"
	cfg.FTP.Listen = "127.0.0.1:0"
	cfg.SFTP.Listen = "127.0.0.1:0"
	cfg.HTTP.Listen = "127.0.0.1:0"
	cfg.FTP.FailDelay = config.Duration{Duration: time.Millisecond}
	if err := cfg.Validate(); err != nil {
		tb.Fatal(err)
	}
	n, err := Start(context.Background(), cfg, nil)
	if err != nil {
		tb.Fatalf("Start: %v", err)
	}
	tb.Cleanup(func() {
		if err := n.Close(); err != nil {
			tb.Errorf("Close: %v", err)
		}
	})
	return n
}

func adminCtx() context.Context {
	return hosting.WithActor(context.Background(), hosting.SystemActor(hosting.ViaCLI, "test"))
}

// mustFTPLogin logs in over FTP and uploads and reads back a file.
func mustFTPLogin(t *testing.T, addr, login, pw string) {
	t.Helper()
	c, err := ftp.Dial(addr, ftp.DialWithTimeout(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Quit()
	if err := c.Login(login, pw); err != nil {
		t.Fatalf("FTP login %s: %v", login, err)
	}
	if err := c.Stor("probe.txt", strings.NewReader("probe")); err != nil {
		t.Fatalf("STOR as %s: %v", login, err)
	}
	r, err := c.Retr("probe.txt")
	if err != nil {
		t.Fatalf("RETR as %s: %v", login, err)
	}
	b, _ := io.ReadAll(r)
	r.Close()
	if string(b) != "probe" {
		t.Fatalf("RETR = %q, want %q", b, "probe")
	}
}

func post(t *testing.T, url, ctype string, body string, hdr map[string]string) (int, string) {
	t.Helper()
	req, err := http.NewRequest("POST", url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", ctype)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestNode_EveryInterfaceThenFTP creates an account through each interface
// of a running node and logs in with it over FTP.
func TestNode_EveryInterfaceThenFTP(t *testing.T) {
	n := MustStart(t)
	ctx := adminCtx()
	svc := n.Service()
	if _, _, err := svc.CreateCustomer(ctx, hosting.CustomerCreate{Login: "alice", Password: "Cust-pw-7788"}); err != nil {
		t.Fatal(err)
	}
	site, _, _, err := svc.CreateSite(ctx, hosting.SiteCreate{Name: "example.com", Customer: "alice"})
	if err != nil {
		t.Fatal(err)
	}

	resp, err := http.Get(n.HTTPURL() + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("healthz: %v %v", resp, err)
	}
	resp.Body.Close()

	t.Run("REST", func(t *testing.T) {
		tok, err := svc.CreateToken(ctx, hosting.TokenCreate{Customer: "alice"})
		if err != nil {
			t.Fatal(err)
		}
		body := `{"site":"example.com","login":"restuser","password":"Rest-pw-123","home":"/httpdocs"}`
		code, out := post(t, n.HTTPURL()+"/api/v1/accounts", "application/json", body,
			map[string]string{"Authorization": "Bearer " + tok.Secret})
		if code != 201 {
			t.Fatalf("POST /api/v1/accounts = %d %s", code, out)
		}
		mustFTPLogin(t, n.FTPAddr(), "restuser", "Rest-pw-123")
	})

	t.Run("Plesk", func(t *testing.T) {
		packet := `<?xml version="1.0" encoding="UTF-8"?>
<packet><ftp-user><add><name>pleskuser</name><password>jdnHHbe6Gc</password><home/><webspace-id>` +
			itoa(site.ID) + `</webspace-id></add></ftp-user></packet>`
		code, out := post(t, n.HTTPURL()+"/enterprise/control/agent.php", "text/xml", packet,
			map[string]string{"HTTP_AUTH_LOGIN": "alice", "HTTP_AUTH_PASSWD": "Cust-pw-7788"})
		if code != 200 || !strings.Contains(out, "<status>ok</status>") {
			t.Fatalf("agent.php = %d %s", code, out)
		}
		mustFTPLogin(t, n.FTPAddr(), "pleskuser", "jdnHHbe6Gc")
	})

	t.Run("Hestia", func(t *testing.T) {
		key, err := svc.CreateToken(ctx, hosting.TokenCreate{Kind: hosting.TokenHestia, Admin: true})
		if err != nil {
			t.Fatal(err)
		}
		form := url.Values{"hash": {key.Token.Key + ":" + key.Secret}, "returncode": {"yes"},
			"cmd": {"v-add-web-domain-ftp"}, "arg1": {"alice"}, "arg2": {"www.Example.com"}, "arg3": {"hs"},
			"arg4": {"Hestia-pw-9"}, "arg5": {"uploads/new"}}
		code, out := post(t, n.HTTPURL()+"/api/", "application/x-www-form-urlencoded", form.Encode(), nil)
		if code != 200 || out != "0" {
			t.Fatalf("/api/ = %d %q, want 200 \"0\"", code, out)
		}
		mustFTPLogin(t, n.FTPAddr(), "alice_hs", "Hestia-pw-9")
	})

	t.Run("Sessions", func(t *testing.T) {
		c, err := ftp.Dial(n.FTPAddr(), ftp.DialWithTimeout(5*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Quit()
		if err := c.Login("restuser", "Rest-pw-123"); err != nil {
			t.Fatal(err)
		}
		var list []*hosting.Session
		for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			if list, err = svc.Sessions(ctx, hosting.SessionFilter{}); err != nil {
				t.Fatal(err)
			}
			if len(list) > 0 {
				break
			}
		}
		if len(list) != 1 || list[0].Login != "restuser" || list[0].Node != "test1" {
			t.Fatalf("sessions = %+v, want restuser on test1", list)
		}
		if err := svc.KillSession(ctx, list[0].ID); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		for c.NoOp() == nil {
			if time.Since(start) > 2*time.Second {
				t.Fatal("session still open 2s after kill")
			}
			time.Sleep(50 * time.Millisecond)
		}
	})

	t.Run("Metrics", func(t *testing.T) {
		resp, err := http.Get(n.HTTPURL() + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		io.Copy(&buf, resp.Body)
		resp.Body.Close()
		if !strings.Contains(buf.String(), `ftpanel_ftp_logins_total{result="ok"}`) {
			t.Fatalf("metrics lack the login counter:\n%.500s", buf.String())
		}
	})

	t.Run("Audit", func(t *testing.T) {
		evs, err := svc.AuditEvents(ctx, hosting.AuditFilter{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		vias := map[hosting.Via]bool{}
		for _, e := range evs {
			if e.Action == "account.create" {
				vias[e.Via] = true
			}
			b, _ := json.Marshal(e)
			for _, pw := range []string{"Rest-pw-123", "jdnHHbe6Gc", "Hestia-pw-9"} {
				if strings.Contains(string(b), pw) {
					t.Fatalf("audit event contains a password: %s", b)
				}
			}
		}
		for _, v := range []hosting.Via{hosting.ViaAPI, hosting.ViaPlesk, hosting.ViaHestia} {
			if !vias[v] {
				t.Errorf("no account.create audit event via %s", v)
			}
		}
	})
}

func itoa(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

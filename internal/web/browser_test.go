package web_test

import (
	"context"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"ftpanel/internal/hosting"
	"ftpanel/internal/hosting/hostingtest"
	"ftpanel/internal/web"
)

// chromiumPath returns the Chromium binary, or skips the test.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	t.Skip("browser test skipped: Chromium is not installed (Debian: apt-get install -y chromium)")
	return ""
}

// artifactDir is where screenshots go: $FTPANEL_ARTIFACTS, or a temp dir.
func artifactDir(t *testing.T) string {
	t.Helper()
	if d := os.Getenv("FTPANEL_ARTIFACTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatalf("artifacts dir: %v", err)
		}
		return d
	}
	return t.TempDir()
}

// newBrowser starts headless Chromium with a fresh profile and returns a
// tab context that ends with the test (or after timeout).
func newBrowser(t *testing.T, timeout time.Duration) context.Context {
	t.Helper()
	exe := chromiumPath(t)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	t.Cleanup(cancel)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("password-store", "basic"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1360, 900),
	)
	t.Cleanup(cancelAlloc)
	tab, cancelTab := chromedp.NewContext(allocCtx)
	t.Cleanup(cancelTab)
	if err := chromedp.Do(tab); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return tab
}

// consoleErrors collects the page's console errors and exceptions (CSP
// violations are reported there too).
type consoleErrors struct {
	mu   sync.Mutex
	msgs []string
}

func watchConsole(ctx context.Context) *consoleErrors {
	c := &consoleErrors{}
	msgs := chromedp.Console(ctx)
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			// A 422 answer to a form with errors is expected; the
			// browser logs it as a failed resource.
			if (m.IsException() || m.Type == chromedp.ConsoleError) && !strings.Contains(m.String(), "status of 422") {
				c.mu.Lock()
				c.msgs = append(c.msgs, m.String())
				c.mu.Unlock()
			}
		}
	}()
	return c
}

func (c *consoleErrors) list() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.msgs...)
}

// TestBrowser drives the panel in headless Chromium as a customer would:
// sign in, add an account in simple mode and read its credentials, add one
// in advanced mode with a folder from the picker, change its password and
// folder, see and close a connection, delete with the dialog, and save
// screenshots.
func TestBrowser(t *testing.T) {
	p := newPanel(t, web.Options{FTPHost: "ftp.example.com", FTPPort: 21,
		FileManagerURL: "https://files.example.com/?site={site}"})
	site, err := p.env.Service.Site(p.ctx(), "example.com")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"httpdocs/uploads", "httpdocs/images", "private/backups"} {
		if err := os.MkdirAll(filepath.Join(site.Root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	p.env.MustSite(t, "alice", "bücher.example")
	if err := p.env.Service.RecordUsage(p.ctx(), mustAccount(t, p, "web1").ID, 740<<20); err != nil {
		t.Fatal(err)
	}
	q := int64(1 << 30)
	if _, err := p.env.Service.UpdateAccount(p.ctx(), "web1", hosting.AccountUpdate{QuotaBytes: &q}); err != nil {
		t.Fatal(err)
	}
	shots := artifactDir(t)
	ctx := newBrowser(t, 90*time.Second)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1360, 900)); err != nil {
		t.Fatal(err)
	}
	console := watchConsole(ctx)
	base := p.srv.URL
	origin := base
	for _, perm := range []string{"clipboard-read", "clipboard-write"} {
		if _, err := chromedp.CallBrowser(ctx, browser.SetPermission, browser.SetPermissionParams{
			Permission: &browser.PermissionDescriptor{Name: perm}, Setting: "granted", Origin: origin}); err != nil {
			t.Logf("grant %s: %v (copy check may fall back)", perm, err)
		}
	}
	screenshot := func(name string) {
		t.Helper()
		shot := chromedp.FullScreenshot(100)
		if strings.Contains(name, "dialog") || strings.Contains(name, "picker") {
			shot = chromedp.CaptureScreenshot() // the modal backdrop covers the viewport only
		}
		buf, err := chromedp.Run(ctx, shot)
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		path := filepath.Join(shots, name)
		if err := os.WriteFile(path, buf, 0o644); err != nil {
			t.Fatalf("write %s: %v", path, err)
		}
		t.Logf("screenshot: %s", path)
	}
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return strings.TrimSpace(s)
	}

	// Sign in.
	do("open login", chromedp.Navigate(base+"/accounts"), chromedp.WaitVisible(chromedp.CSS("#login")))
	screenshot("login.png")
	do("sign in",
		chromedp.SendKeys(chromedp.CSS("#login"), "alice"),
		chromedp.SendKeys(chromedp.CSS("#password"), hostingtest.Password),
		chromedp.Click(chromedp.CSS("form button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#add-account")),
	)
	if got := text(".userbox-login"); got != "alice" {
		t.Fatalf("signed in as %q, want alice", got)
	}

	// Simple mode: pick a site; login and password are generated.
	do("add simple",
		chromedp.SetValue(chromedp.CSS("#add-site"), "example.com"),
		chromedp.Click(chromedp.CSS("#add-account")),
		chromedp.WaitVisible(chromedp.CSS("#cred-password")),
	)
	simpleLogin, simplePW := text("#cred-login"), text("#cred-password")
	if simpleLogin == "" || len(simplePW) < 16 {
		t.Fatalf("credentials %q / %q, want a login and a 16+ character password", simpleLogin, simplePW)
	}
	if _, err := p.env.Service.AuthenticateFTP(context.Background(), simpleLogin, simplePW, loopback); err != nil {
		t.Fatalf("FTP login with the shown credentials: %v", err)
	}
	do("copy password", chromedp.WaitVisible(chromedp.CSS("[data-copy=cred-password]")), chromedp.Click(chromedp.CSS("[data-copy=cred-password]")))
	label := text("[data-copy=cred-password]")
	for end := time.Now().Add(3 * time.Second); label != "Copied" && time.Now().Before(end); label = text("[data-copy=cred-password]") {
		time.Sleep(50 * time.Millisecond) // the label changes when the clipboard promise settles
	}
	if label != "Copied" {
		t.Errorf("copy button says %q, want Copied", label)
	} else if clip, err := chromedp.Run(ctx, chromedp.Evaluate[string](`navigator.clipboard.readText()`, chromedp.EvalAwaitPromise)); err != nil {
		t.Logf("clipboard not readable here: %v", err)
	} else if clip != simplePW {
		t.Errorf("clipboard holds %q, want the password", clip)
	}
	screenshot("credentials.png")

	// Advanced mode on the site's page, home folder from the picker.
	do("open site page",
		chromedp.Navigate(base+"/sites/example.com/accounts"),
		chromedp.WaitVisible(chromedp.CSS("#f-login")),
		chromedp.SendKeys(chromedp.CSS("#f-login"), "adv1"),
		chromedp.SendKeys(chromedp.CSS("#f-password"), "Adv-Secret-42"),
		chromedp.Click(chromedp.CSS("[data-folder-picker]")),
		chromedp.WaitVisible(chromedp.CSS(`#folder-dialog [data-folder="/httpdocs/uploads"]`)),
	)
	screenshot("folder-picker.png")
	do("pick folder",
		chromedp.Click(chromedp.CSS(`#folder-dialog [data-folder="/httpdocs/uploads"]`)),
		chromedp.WaitNotVisible(chromedp.CSS("#folder-dialog")),
	)
	if home, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS("#f-home"))); err != nil || home != "/httpdocs/uploads" {
		t.Fatalf("home field = %q, %v; want /httpdocs/uploads", home, err)
	}
	do("create advanced",
		chromedp.SetValue(chromedp.CSS("#f-quota"), "250"),
		chromedp.Click(chromedp.CSS("#f-write")), // read only
		chromedp.Click(chromedp.CSS("#add-account-form button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#cred-login")),
	)
	if got := text("#cred-login"); got != "adv1" {
		t.Fatalf("created %q, want adv1", got)
	}
	a := mustAccount(t, p, "adv1")
	if a.Home != "/httpdocs/uploads" || a.QuotaBytes != 250<<20 || !a.Read || a.Write {
		t.Fatalf("adv1 home=%q quota=%d read=%v write=%v, want /httpdocs/uploads 250 MiB read-only", a.Home, a.QuotaBytes, a.Read, a.Write)
	}

	// A service error is shown next to its field, with the values kept.
	do("advanced error",
		chromedp.Navigate(base+"/sites/example.com/accounts"),
		chromedp.WaitVisible(chromedp.CSS("#f-login")),
		chromedp.SendKeys(chromedp.CSS("#f-login"), "adv1"),
		chromedp.SendKeys(chromedp.CSS("#f-password"), "Adv-Secret-42"),
		chromedp.Click(chromedp.CSS("#add-account-form button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#f-login-error")),
	)
	if v, _ := chromedp.Run(ctx, chromedp.Value(chromedp.CSS("#f-login"))); v != "adv1" {
		t.Errorf("login field after the error = %q, want adv1 kept", v)
	}
	screenshot("site-accounts-error.png")

	// Edit: new password and a new folder, created on the way.
	do("edit",
		chromedp.Navigate(base+"/accounts/adv1/edit"),
		chromedp.WaitVisible(chromedp.CSS("#edit-account-form")),
		chromedp.SendKeys(chromedp.CSS("#f-password"), "Changed-Pass-77"),
		chromedp.SetValue(chromedp.CSS("#f-home"), "/httpdocs/uploads/incoming"),
		chromedp.Click(chromedp.CSS("#f-create-missing")),
		chromedp.Click(chromedp.CSS("#edit-account-form button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(".flash-success")),
	)
	a = mustAccount(t, p, "adv1")
	if a.Home != "/httpdocs/uploads/incoming" {
		t.Errorf("adv1 home=%q, want /httpdocs/uploads/incoming", a.Home)
	}
	if _, err := p.env.Service.AuthenticateFTP(context.Background(), "adv1", "Changed-Pass-77", loopback); err != nil {
		t.Errorf("FTP login with the new password: %v", err)
	}
	if fi, err := os.Stat(filepath.Join(site.Root, "httpdocs", "uploads", "incoming")); err != nil || !fi.IsDir() {
		t.Errorf("folder not created: %v", err)
	}

	// Connections: the table shows sessions and refreshes by itself.
	putSession(t, p, "node1-7", "adv1", "STOR /report.pdf")
	do("connections",
		chromedp.Navigate(base+"/connections"),
		chromedp.WaitVisible(chromedp.CSS(`tr[data-session="node1-7"]`)),
	)
	putSession(t, p, "node1-8", "web1", "RETR /httpdocs/index.html")
	do("live refresh", chromedp.WaitVisible(chromedp.CSS(`tr[data-session="node1-8"]`)))
	screenshot("connections.png")
	do("close connection",
		chromedp.Click(chromedp.CSS(`tr[data-session="node1-7"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(".flash-success")),
	)
	id := "node1-7"
	if list, err := p.env.Service.Sessions(p.ctx(), hosting.SessionFilter{ID: &id}); err != nil || len(list) != 1 || !list[0].KillRequested {
		t.Errorf("session node1-7 = %v, %v; want kill requested", list, err)
	}

	// Accounts page screenshot (the artifact of the issue), desktop and phone.
	do("accounts", chromedp.Navigate(base+"/accounts"), chromedp.WaitVisible(chromedp.CSS(`[data-account="adv1"]`)))
	screenshot("accounts.png")
	do("phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile), chromedp.Navigate(base+"/accounts"),
		chromedp.WaitVisible(chromedp.CSS(`[data-account="adv1"]`)))
	screenshot("accounts-phone.png")
	do("desktop", chromedp.EmulateViewport(1360, 900), chromedp.Navigate(base+"/accounts"), chromedp.WaitVisible(chromedp.CSS(`[data-account="adv1"]`)))

	// Delete with the confirmation dialog.
	do("open delete dialog",
		chromedp.Click(chromedp.CSS(`a[data-delete="adv1"]`)),
		chromedp.WaitVisible(chromedp.CSS("#delete-dialog")),
	)
	if got := text(`#delete-dialog [data-slot="login"]`); got != "adv1" {
		t.Errorf("dialog names %q, want adv1", got)
	}
	screenshot("delete-dialog.png")
	do("cancel", chromedp.Click(chromedp.CSS("#delete-dialog [data-dialog-close]")), chromedp.WaitNotVisible(chromedp.CSS("#delete-dialog")))
	mustAccount(t, p, "adv1")
	do("confirm delete",
		chromedp.Click(chromedp.CSS(`a[data-delete="adv1"]`)),
		chromedp.WaitVisible(chromedp.CSS("#delete-dialog")),
		chromedp.Click(chromedp.CSS("#delete-dialog button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(".flash-success")),
	)
	if _, err := p.account(t, "adv1"); hosting.ErrorCode(err) != hosting.CodeNotFound {
		t.Errorf("adv1 still exists after delete: %v", err)
	}
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-account="adv1"]').length`)); err != nil || n != 0 {
		t.Errorf("adv1 cards after delete = %d, %v; want 0", n, err)
	}

	// Admin pages, for the screenshots.
	do("sign out", chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)), chromedp.WaitVisible(chromedp.CSS("#login")))
	do("admin sign in",
		chromedp.SendKeys(chromedp.CSS("#login"), "admin"),
		chromedp.SendKeys(chromedp.CSS("#password"), adminPassword),
		chromedp.Click(chromedp.CSS("form button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#add-account")),
		chromedp.Navigate(base+"/sites"),
		chromedp.WaitVisible(chromedp.CSS(`tr[data-site="example.com"]`)),
	)
	screenshot("admin-sites.png")
	do("audit", chromedp.Navigate(base+"/audit?"+url.Values{"object": {"adv1"}}.Encode()), chromedp.WaitVisible(chromedp.CSS("table")))
	screenshot("admin-audit.png")

	if errs := console.list(); len(errs) > 0 {
		t.Errorf("console errors:\n%s", strings.Join(errs, "\n"))
	}
}

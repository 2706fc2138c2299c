package node

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/jlaffaye/ftp"

	"ftpanel/internal/hosting"
)

// TestBrowser_LiveFTPSession: a customer signs in to the panel of a
// running node, sees its live FTP connection (a real client, logged in)
// on the connections page, and closes it; the FTP connection drops within
// 2 s.
func TestBrowser_LiveFTPSession(t *testing.T) {
	exe, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("browser test skipped: Chromium is not installed (Debian: apt-get install -y chromium)")
	}
	n := MustStart(t)
	ctx := adminCtx()
	svc := n.Service()
	if _, _, err := svc.CreateCustomer(ctx, hosting.CustomerCreate{Login: "carol", Password: "Cust-pw-7788"}); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := svc.CreateSite(ctx, hosting.SiteCreate{Name: "shop.example", Customer: "carol",
		MainLogin: "shopmain", MainPassword: "Main-pw-4455"}); err != nil {
		t.Fatal(err)
	}

	c, err := ftp.Dial(n.FTPAddr(), ftp.DialWithTimeout(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Quit()
	if err := c.Login("shopmain", "Main-pw-4455"); err != nil {
		t.Fatal(err)
	}
	var sess []*hosting.Session
	for end := time.Now().Add(3 * time.Second); len(sess) == 0 && time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		if sess, err = svc.Sessions(ctx, hosting.SessionFilter{}); err != nil {
			t.Fatal(err)
		}
	}
	if len(sess) != 1 {
		t.Fatalf("sessions = %v, want the one FTP session", sess)
	}
	row := `tr[data-session="` + sess[0].ID + `"]`

	bctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	alloc, cancelAlloc := chromedp.NewExecAllocator(bctx, chromedp.ExecPath(exe), chromedp.Headless, chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 800))
	defer cancelAlloc()
	tab, cancelTab := chromedp.NewContext(alloc)
	defer cancelTab()
	if err := chromedp.Do(tab,
		chromedp.Navigate(n.HTTPURL()+"/login"),
		chromedp.WaitVisible(chromedp.CSS("#login")),
		chromedp.SendKeys(chromedp.CSS("#login"), "carol"),
		chromedp.SendKeys(chromedp.CSS("#password"), "Cust-pw-7788"),
		chromedp.Click(chromedp.CSS("form button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#add-account")),
		chromedp.Navigate(n.HTTPURL()+"/connections"),
		chromedp.WaitVisible(chromedp.CSS(row)),
	); err != nil {
		t.Fatalf("browser: %v", err)
	}
	if dir := os.Getenv("FTPANEL_ARTIFACTS"); dir != "" {
		if buf, err := chromedp.Run(tab, chromedp.FullScreenshot(100)); err == nil {
			_ = os.WriteFile(filepath.Join(dir, "live-connection.png"), buf, 0o644)
		}
	}
	if err := chromedp.Do(tab, chromedp.Click(chromedp.CSS(row+` button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(".flash-success"))); err != nil {
		t.Fatalf("close connection: %v", err)
	}
	start := time.Now()
	for c.NoOp() == nil {
		if time.Since(start) > 2*time.Second {
			t.Fatal("FTP session still open 2 s after Close in the panel")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

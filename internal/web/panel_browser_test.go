package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"

	"ftpanel/internal/hosting"
	"ftpanel/internal/hosting/hostingtest"
	"ftpanel/internal/web"
)

// axeSource returns axe-core's axe.min.js: $FTPANEL_AXE_JS, else the
// copy .ci/run installs into the repository's gitignored .axe folder.
// Outside CI a missing copy skips the test with the command to install it.
func axeSource(t *testing.T) string {
	t.Helper()
	path := os.Getenv("FTPANEL_AXE_JS")
	if path == "" {
		_, file, _, _ := runtime.Caller(0)
		path = filepath.Join(filepath.Dir(file), "..", "..", ".axe", "node_modules", "axe-core", "axe.min.js")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("axe-core missing in CI: %v", err)
		}
		t.Skipf("accessibility test skipped: axe-core not installed (%v); run: mkdir -p .axe && cd .axe && npm install axe-core@4.14.1", err)
	}
	return string(b)
}

// browserSession is one Chromium tab with the panel's helpers.
type browserSession struct {
	t     *testing.T
	ctx   context.Context
	base  string
	axe   string
	shots string
	pages map[string]bool // pages checked with axe
}

// do runs steps, each batch within 20 s; on failure the page's text is
// part of the message.
func (b *browserSession) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		page, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`location.href + "\n" + document.body.innerText.slice(0, 1500)`))
		b.t.Fatalf("%s: %v\npage: %s", what, err, page)
	}
}

// waitJS waits up to 10 s for the expression to be true.
func (b *browserSession) waitJS(what, expr string) {
	b.t.Helper()
	for end := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		ok, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](expr))
		if err == nil && ok {
			return
		}
		if time.Now().After(end) {
			b.t.Fatalf("waiting for %s: %s stayed false (%v)", what, expr, err)
		}
	}
}

func (b *browserSession) eval(what, js string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](js))
	if err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
	return s
}

func (b *browserSession) count(sel string) int {
	b.t.Helper()
	n, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](fmt.Sprintf(`document.querySelectorAll(%q).length`, sel)))
	if err != nil {
		b.t.Fatalf("count %s: %v", sel, err)
	}
	return n
}

// check runs axe-core on the current page and fails on any serious or
// critical violation.
func (b *browserSession) check(name string) {
	b.t.Helper()
	if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](b.axe+";true")); err != nil {
		b.t.Fatalf("inject axe on %s: %v", name, err)
	}
	out, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`axe.run(document, {resultTypes: ["violations"]}).then(function (r) {
		return JSON.stringify(r.violations.filter(function (v) { return v.impact === "serious" || v.impact === "critical"; }).map(function (v) {
			return {id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(function (n) { return n.target.join(" ") + ": " + n.failureSummary; })};
		}));
	})`, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("axe on %s: %v", name, err)
	}
	var v []struct {
		ID, Impact, Help string
		Nodes            []string
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		b.t.Fatalf("axe result on %s: %v", name, err)
	}
	for _, x := range v {
		b.t.Errorf("axe %s on %s: %s (%s)\n  %s", x.Impact, name, x.ID, x.Help, strings.Join(x.Nodes, "\n  "))
	}
	b.pages[name] = true
}

// screenshot saves the page; names starting with "docs/" go to the
// repository's docs folder when FTPANEL_DOCS_SCREENSHOTS=1 (how the
// README's pictures are made), else to the artifacts folder.
func (b *browserSession) screenshot(name string, full bool) {
	b.t.Helper()
	shot := chromedp.CaptureScreenshot()
	if full {
		shot = chromedp.FullScreenshot(90)
	}
	buf, err := chromedp.Run(b.ctx, shot)
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	dir := b.shots
	if strings.HasPrefix(name, "docs/") {
		name = strings.TrimPrefix(name, "docs/")
		if os.Getenv("FTPANEL_DOCS_SCREENSHOTS") == "1" {
			_, file, _, _ := runtime.Caller(0)
			dir = filepath.Join(filepath.Dir(file), "..", "..", "docs")
		}
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		b.t.Fatalf("write %s: %v", path, err)
	}
	b.t.Logf("screenshot: %s", path)
}

func (b *browserSession) signIn(login, pw string) {
	b.t.Helper()
	b.do("sign in as "+login,
		chromedp.Navigate(b.base+"/login"),
		chromedp.WaitVisible(chromedp.CSS("#login")),
		chromedp.SendKeys(chromedp.CSS("#login"), login),
		chromedp.SendKeys(chromedp.CSS("#password"), pw),
		chromedp.Click(chromedp.CSS("form button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(".userbox-login")),
	)
}

func (b *browserSession) signOut() {
	b.t.Helper()
	b.do("sign out", chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)), chromedp.WaitVisible(chromedp.CSS("#login")))
}

// TestBrowserPanel drives the issue-12 flows in headless Chromium as a
// customer and as an administrator, runs axe-core on every page, and
// saves the README's screenshots.
func TestBrowserPanel(t *testing.T) {
	axe := axeSource(t)
	p := newPanel(t, web.Options{FTPHost: "ftp.example.com", SFTPPort: 2222, SFTPHostKeys: testHostKeys})
	site, err := p.env.Service.Site(p.ctx(), "example.com")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(site.Root, "httpdocs", "uploads"), 0o755); err != nil {
		t.Fatal(err)
	}
	p.env.MustSite(t, "alice", "bücher.example")
	if err := p.env.Service.RecordUsage(p.ctx(), mustAccount(t, p, "web1").ID, 740<<20); err != nil {
		t.Fatal(err)
	}
	if _, err := p.env.Service.AuthenticateFTP(t.Context(), "web1", hostingtest.Password, loopback); err != nil {
		t.Fatal(err)
	}
	ctx := newBrowser(t, 150*time.Second)
	console := watchConsole(ctx)
	b := &browserSession{t: t, ctx: ctx, base: p.srv.URL, axe: axe, shots: artifactDir(t), pages: map[string]bool{}}
	b.do("desktop", chromedp.EmulateViewport(1280, 900))

	b.do("login page", chromedp.Navigate(b.base+"/login"), chromedp.WaitVisible(chromedp.CSS("#login")))
	b.check("login")
	b.signIn("alice", hostingtest.Password)
	b.check("accounts")
	if got := b.eval("last login", `document.querySelector('[data-account="web1"]').textContent`); !strings.Contains(got, "Last login") || strings.Contains(got, "Never") {
		t.Errorf("web1 card does not show its last login: %q", got)
	}
	b.screenshot("docs/panel-accounts.png", false)

	// Simple mode, then reload the credentials page: no second account,
	// the password is not shown again.
	before := countAccounts(t, p)
	b.do("add simple",
		chromedp.SetValue(chromedp.CSS("#add-site"), "example.com"),
		chromedp.Click(chromedp.CSS("#add-account")),
		chromedp.WaitVisible(chromedp.CSS("#cred-password")),
	)
	b.check("credentials once-page")
	if got := countAccounts(t, p); got != before+1 {
		t.Fatalf("accounts after add = %d, want %d", got, before+1)
	}
	login := b.eval("login", `document.getElementById("cred-login").textContent`)
	if a := mustAccount(t, p, login); a.Home != "/httpdocs" {
		t.Errorf("simple-mode home %q, want /httpdocs", a.Home)
	}
	b.do("reload", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(".flash-info")))
	if got := countAccounts(t, p); got != before+1 {
		t.Errorf("accounts after reload = %d, want %d (reload repeated the create)", got, before+1)
	}
	if n := b.count("#cred-password"); n != 0 {
		t.Errorf("password shown again after reload")
	}
	b.eval("back", `history.back(); "ok"`)
	b.do("after back", chromedp.Sleep(500*time.Millisecond))
	if got := countAccounts(t, p); got != before+1 {
		t.Errorf("accounts after Back = %d, want %d", got, before+1)
	}

	// Suspend and resume from the card.
	b.do("suspend", chromedp.Navigate(b.base+"/accounts"), chromedp.WaitVisible(chromedp.CSS(`[data-suspend="web1"]`)),
		chromedp.Click(chromedp.CSS(`[data-suspend="web1"]`)), chromedp.WaitVisible(chromedp.CSS(`[data-resume="web1"]`)))
	if a := mustAccount(t, p, "web1"); a.Status != hosting.StatusSuspended {
		t.Errorf("web1 status %q after Suspend, want suspended", a.Status)
	}
	b.do("resume", chromedp.Click(chromedp.CSS(`[data-resume="web1"]`)), chromedp.WaitVisible(chromedp.CSS(`[data-suspend="web1"]`)))
	b.do("sort", chromedp.SetValue(chromedp.CSS("#sort"), "usage"), chromedp.Click(chromedp.CSS(`form[role=search] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#sort`)))
	b.waitJS("the sorted page", `location.search.indexOf("sort=usage") >= 0 && document.readyState === "complete"`)

	// SSH keys (issue 13): the card shows the SFTP line and leads to the
	// keys page; a bad paste is refused with the focused error summary; a
	// real key is listed by its fingerprint, then deleted in the dialog.
	if got := b.eval("sftp line", `document.getElementById("sftp-web1").textContent`); got != "sftp -P 2222 web1@ftp.example.com" {
		t.Errorf("web1 card's SFTP line = %q", got)
	}
	b.do("keys page", chromedp.Click(chromedp.CSS(`[data-account="web1"] a[href="/accounts/web1/keys"]`)),
		chromedp.WaitVisible(chromedp.CSS("#k-public-key")))
	b.check("ssh keys")
	b.do("bad key",
		chromedp.SendKeys(chromedp.CSS("#k-public-key"), "ssh-ed25519 AAAA-not-a-key"),
		chromedp.Submit(chromedp.CSS("#key-add-form")),
		chromedp.WaitVisible(chromedp.CSS("[data-error-summary]")),
		chromedp.Sleep(200*time.Millisecond),
	)
	if id := b.eval("focus", `document.activeElement.id`); id != "error-summary" {
		t.Errorf("focus on %q after a refused key, want the error summary", id)
	}
	if code := b.eval("code", `document.getElementById("k-public-key-error").dataset.code`); code != "invalid_input" {
		t.Errorf("refused key's code = %q, want invalid_input", code)
	}
	b.check("ssh keys with errors")
	keyLine, keyFP, _ := newSSHKey(t)
	b.do("add key",
		chromedp.SetValue(chromedp.CSS("#k-public-key"), keyLine+" browser-test"),
		chromedp.Submit(chromedp.CSS("#key-add-form")),
		chromedp.WaitVisible(chromedp.CSS("tr[data-key] .fingerprint")),
	)
	if got := b.eval("fingerprint", `document.querySelector("tr[data-key] .fingerprint").textContent`); got != keyFP {
		t.Errorf("listed fingerprint %q, want %q", got, keyFP)
	}
	b.check("ssh keys with a key")
	b.screenshot("panel-ssh-keys.png", false)
	b.do("delete key dialog", chromedp.Click(chromedp.CSS("tr[data-key] a[data-confirm-dialog]")),
		chromedp.WaitVisible(chromedp.CSS("#key-delete-dialog")))
	if got := b.eval("dialog", `document.querySelector('#key-delete-dialog [data-slot="fingerprint"]').textContent`); got != "ssh-ed25519 "+keyFP {
		t.Errorf("dialog names %q, want the key", got)
	}
	b.check("ssh key delete dialog")
	b.do("delete key", chromedp.Click(chromedp.CSS("#key-delete-dialog button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(".keys-section .empty")))
	if n := b.count("tr[data-key]"); n != 0 {
		t.Errorf("%d keys listed after the delete, want 0", n)
	}
	if keys, err := p.env.Service.SSHKeys(p.ctx(), "web1"); err != nil || len(keys) != 0 {
		t.Errorf("web1 keys after the delete = %v, %v; want none", keys, err)
	}

	// Phone: a failed advanced add puts the focused error summary in view.
	b.do("phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile),
		chromedp.Navigate(b.base+"/sites/example.com/accounts"), chromedp.WaitVisible(chromedp.CSS("#f-login")))
	b.check("site accounts (phone)")
	b.do("submit with errors",
		chromedp.SendKeys(chromedp.CSS("#f-login"), "web1"),
		chromedp.SendKeys(chromedp.CSS("#f-password"), "short"),
		chromedp.SetValue(chromedp.CSS("#f-home"), "../etc"),
		chromedp.SetValue(chromedp.CSS("#f-quota"), "lots"),
		chromedp.Submit(chromedp.CSS("#add-account-form")),
		chromedp.WaitVisible(chromedp.CSS("[data-error-summary]")),
		chromedp.Sleep(200*time.Millisecond),
	)
	if id := b.eval("focus", `document.activeElement.id`); id != "error-summary" {
		t.Errorf("focus on %q after a failed submit, want the error summary", id)
	}
	if vis := b.eval("in view", `(function(){var r=document.getElementById("error-summary").getBoundingClientRect();return (r.top>-2&&r.top<innerHeight)+" top="+r.top+" scrollY="+scrollY+" innerHeight="+innerHeight})()`); !strings.HasPrefix(vis, "true") {
		t.Errorf("error summary not in the viewport: %s", vis)
	}
	if n := b.count("[data-error-summary] li"); n != 4 {
		t.Errorf("error summary lists %d problems, want 4 (login, password, folder, quota)", n)
	}
	if v := b.eval("password", `document.getElementById("f-password").value`); v != "" {
		t.Errorf("password field holds %q after the error, want empty", v)
	}
	if n := b.count(".has-error #f-create-missing"); n != 0 {
		t.Errorf("the Create-the-folder checkbox is inside an errored field")
	}
	b.check("site accounts with errors (phone)")
	b.screenshot("docs/panel-error-summary-phone.png", false)
	b.do("summary link", chromedp.Click(chromedp.CSS(`[data-error-summary] a[href="#f-quota"]`)), chromedp.Sleep(100*time.Millisecond))
	if id := b.eval("focus", `document.activeElement.id`); id != "f-quota" {
		t.Errorf("summary link focused %q, want f-quota", id)
	}
	b.do("desktop again", chromedp.EmulateViewport(1280, 900))

	// Own password and a customer never reaching admin pages.
	b.do("password page", chromedp.Navigate(b.base+"/password"), chromedp.WaitVisible(chromedp.CSS("#p-current")))
	b.check("password")
	const np = "Fresh-Panel-Pass-42"
	b.do("change password",
		chromedp.SendKeys(chromedp.CSS("#p-current"), hostingtest.Password),
		chromedp.SendKeys(chromedp.CSS("#p-new"), np),
		chromedp.SendKeys(chromedp.CSS("#p-confirm"), np),
		chromedp.Submit(chromedp.CSS("#password-form")),
		chromedp.WaitVisible(chromedp.CSS(".flash-success")),
	)
	if _, err := p.env.Service.AuthenticatePanel(t.Context(), "alice", np, hosting.ViaWeb, "127.0.0.1"); err != nil {
		t.Errorf("new panel password does not work: %v", err)
	}
	for _, path := range []string{"/customers", "/customers/new", "/sites/new", "/tokens", "/bans", "/audit"} {
		b.do("customer to "+path, chromedp.Navigate(b.base+path), chromedp.WaitVisible(chromedp.CSS("h1")))
		if h := b.eval("heading", `document.querySelector("h1").textContent`); !strings.Contains(h, "Page not found") {
			t.Errorf("customer at %s sees %q, want Page not found", path, h)
		}
	}
	b.check("not found")
	b.signOut()

	// Admin: customers, sites, tokens, bans.
	b.signIn("admin", adminPassword)
	b.do("customers", chromedp.Navigate(b.base+"/customers"), chromedp.WaitVisible(chromedp.CSS("#add-customer")))
	b.check("customers")
	b.do("add customer", chromedp.Click(chromedp.CSS("#add-customer")), chromedp.WaitVisible(chromedp.CSS("#c-login")))
	b.check("customer form")
	b.do("submit customer with errors",
		chromedp.SendKeys(chromedp.CSS("#c-login"), "Carol!"),
		chromedp.SendKeys(chromedp.CSS("#c-email"), "nope"),
		chromedp.Submit(chromedp.CSS("#customer-form")),
		chromedp.WaitVisible(chromedp.CSS("[data-error-summary]")),
	)
	if n := b.count("[data-error-summary] li"); n != 2 {
		t.Errorf("customer form summary lists %d problems, want 2", n)
	}
	b.do("fix customer",
		chromedp.SetValue(chromedp.CSS("#c-login"), "carol"),
		chromedp.SetValue(chromedp.CSS("#c-email"), "carol@example.net"),
		chromedp.Submit(chromedp.CSS("#customer-form")),
		chromedp.WaitVisible(chromedp.CSS("#cred-password")),
	)
	if _, err := p.env.Service.Customer(p.ctx(), "carol"); err != nil {
		t.Fatalf("carol not created: %v", err)
	}
	b.do("customers list", chromedp.Navigate(b.base+"/customers"), chromedp.WaitVisible(chromedp.CSS(`tr[data-customer="carol"]`)))
	b.screenshot("admin-customers.png", false)

	b.do("add site", chromedp.Navigate(b.base+"/sites/new?customer=carol"), chromedp.WaitVisible(chromedp.CSS("#s-name")))
	b.check("site form")
	b.do("submit site",
		chromedp.SendKeys(chromedp.CSS("#s-name"), "carol.example"),
		chromedp.SetValue(chromedp.CSS("#s-quota"), "500"),
		chromedp.Submit(chromedp.CSS("#site-form")),
		chromedp.WaitVisible(chromedp.CSS("#cred-password")),
	)
	if s, err := p.env.Service.Site(p.ctx(), "carol.example"); err != nil || s.DefaultQuota != 500<<20 {
		t.Fatalf("carol.example = %+v, %v", s, err)
	}
	b.do("sites", chromedp.Navigate(b.base+"/sites"), chromedp.WaitVisible(chromedp.CSS(`tr[data-site="carol.example"]`)))
	b.check("sites")
	b.do("delete site page", chromedp.Navigate(b.base+"/sites/carol.example/delete"), chromedp.WaitVisible(chromedp.CSS("#confirm-name")))
	b.check("delete site")
	if d := b.eval("disabled", `String(document.querySelector("#confirm-delete-form button[type=submit]").disabled)`); d != "true" {
		t.Errorf("delete button enabled before the name is typed")
	}
	b.do("type name", chromedp.SendKeys(chromedp.CSS("#confirm-name"), "carol.example"),
		chromedp.Click(chromedp.CSS("#confirm-delete-form button[type=submit]")), chromedp.WaitVisible(chromedp.CSS(".flash-success")))
	if _, err := p.env.Service.Site(p.ctx(), "carol.example"); hosting.ErrorCode(err) != hosting.CodeNotFound {
		t.Errorf("carol.example not deleted: %v", err)
	}
	b.do("edit customer", chromedp.Navigate(b.base+"/customers/carol/edit"), chromedp.WaitVisible(chromedp.CSS("#reset-password")))
	b.check("customer edit")
	b.do("reset password", chromedp.Click(chromedp.CSS("#reset-password")), chromedp.WaitVisible(chromedp.CSS("#cred-password")))

	b.do("tokens", chromedp.Navigate(b.base+"/tokens"), chromedp.WaitVisible(chromedp.CSS("#t-kind")))
	b.check("tokens")
	b.do("create token", chromedp.SetValue(chromedp.CSS("#t-kind"), "hestia"), chromedp.SendKeys(chromedp.CSS("#t-desc"), "billing"),
		chromedp.Submit(chromedp.CSS("#token-form")), chromedp.WaitVisible(chromedp.CSS("#cred-secret")))
	b.do("tokens again", chromedp.Navigate(b.base+"/tokens"), chromedp.WaitVisible(chromedp.CSS("tr[data-token]")))
	b.do("revoke", chromedp.Click(chromedp.CSS("tr[data-token] button[type=submit]")), chromedp.WaitVisible(chromedp.CSS(".flash-success")))
	if toks, _ := p.env.Service.Tokens(p.ctx(), hosting.TokenFilter{}); len(toks) != 0 {
		t.Errorf("tokens after revoke: %d", len(toks))
	}
	now := p.env.Service.Now()
	if err := p.env.Service.Ban(p.ctx(), &hosting.Ban{Addr: "203.0.113.5", Until: now.Add(time.Hour), Strikes: 1, Reason: "failed logins", Node: "n1", CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	b.do("bans", chromedp.Navigate(b.base+"/bans"), chromedp.WaitVisible(chromedp.CSS(`tr[data-ban="203.0.113.5"]`)))
	b.check("bans")
	b.do("lift", chromedp.Click(chromedp.CSS(`tr[data-ban="203.0.113.5"] button`)), chromedp.WaitVisible(chromedp.CSS(".flash-success")))
	for _, path := range []string{"/audit", "/connections", "/accounts/web1/edit", "/sites/example.com/accounts"} {
		b.do("admin "+path, chromedp.Navigate(b.base+path), chromedp.WaitVisible(chromedp.CSS("h1")))
		b.check(path)
	}
	// Two-factor sign-in: enrol with the QR page, then sign in with a code.
	b.do("2fa page", chromedp.Navigate(b.base+"/2fa"), chromedp.WaitVisible(chromedp.CSS("#tf-setup")))
	b.check("two-factor off")
	b.do("2fa setup", chromedp.Click(chromedp.CSS("#tf-setup")), chromedp.WaitVisible(chromedp.CSS("img.qr")))
	b.check("two-factor enrolment")
	if w := b.eval("qr", `String(document.querySelector("img.qr").naturalWidth)`); w == "0" {
		t.Errorf("QR code image did not load (CSP?)")
	}
	b.screenshot("docs/panel-2fa-enrol.png", false)
	secret := strings.ReplaceAll(b.eval("secret", `document.getElementById("tf-secret").textContent`), " ", "")
	code, err := totp.GenerateCode(secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	b.do("2fa enable", chromedp.SendKeys(chromedp.CSS("#tf-code"), code), chromedp.Submit(chromedp.CSS("#tf-enable-form")),
		chromedp.WaitVisible(chromedp.CSS("#recovery-10")))
	b.check("recovery codes")
	b.signOut()
	b.do("password step",
		chromedp.SendKeys(chromedp.CSS("#login"), "admin"),
		chromedp.SendKeys(chromedp.CSS("#password"), adminPassword),
		chromedp.Click(chromedp.CSS("form button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#tf-code")),
	)
	b.check("second factor")
	next, _ := totp.GenerateCode(secret, time.Now().Add(30*time.Second))
	b.do("code step", chromedp.SendKeys(chromedp.CSS("#tf-code"), next), chromedp.Submit(chromedp.CSS("#tf-login-form")),
		chromedp.WaitVisible(chromedp.CSS(".userbox-login")))
	t.Logf("axe-core: %d pages checked", len(b.pages))
	var errs []string
	notFound := 0
	for _, m := range console.list() {
		if strings.Contains(m, "status of 404") {
			notFound++ // the customer's visits to admin pages
			continue
		}
		errs = append(errs, m)
	}
	if len(errs) > 0 || notFound != 6 {
		t.Errorf("console: %d answers 404, want 6; errors:\n%s", notFound, strings.Join(errs, "\n"))
	}
}

package web_test

import (
	"archive/zip"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"ftpanel/internal/hosting/hostingtest"
	"ftpanel/internal/web"
)

// TestFiles_Browser drives the file manager in headless Chromium: upload
// through the file input (one file streamed, one in resumable chunks),
// download, rename, edit, extract a zip, delete with confirmation, and an
// escape attempt through crafted requests from the page, with no console
// or CSP error.
func TestFiles_Browser(t *testing.T) {
	fp := newFMPanel(t, web.Options{})
	outside := confineLayout(t, fp)
	_ = outside
	tmp := t.TempDir()
	hello := filepath.Join(tmp, "hello.txt")
	if err := os.WriteFile(hello, []byte("hello from chromium\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(tmp, "big.bin")
	bigData := bytes.Repeat([]byte("chunked-upload-"), 2000) // 30000 bytes
	if err := os.WriteFile(big, bigData, 0o644); err != nil {
		t.Fatal(err)
	}
	var zbuf bytes.Buffer
	zw := zip.NewWriter(&zbuf)
	for name, c := range map[string]string{"unz/one.txt": "one", "unz/deep/two.txt": "two"} {
		w, _ := zw.Create(name)
		w.Write([]byte(c))
	}
	zw.Close()
	pack := filepath.Join(tmp, "pack.zip")
	if err := os.WriteFile(pack, zbuf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	downloads := t.TempDir()

	ctx := newBrowser(t, 120*time.Second)
	console := watchConsole(ctx)
	if _, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: downloads}); err != nil {
		t.Fatalf("download behavior: %v", err)
	}
	base := fp.srv.URL
	files := base + "/sites/example.com/files"
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	eval := func(js string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("eval %s: %v", js, err)
		}
		return s
	}
	row := func(name string) string { return `tr[data-entry="` + name + `"]` }

	do("sign in", chromedp.Navigate(base+"/login"), chromedp.WaitVisible(chromedp.CSS("#login")),
		chromedp.SendKeys(chromedp.CSS("#login"), "alice"),
		chromedp.SendKeys(chromedp.CSS("#password"), hostingtest.Password),
		chromedp.Click(chromedp.CSS("form button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#add-account")))
	do("open the file manager from the card", chromedp.Click(chromedp.CSS(`a[data-file-manager][href="/sites/example.com/files"]`)))
	// The button opens a new tab; continue in this one.
	do("browse", chromedp.Navigate(files+"?path=/docs"), chromedp.WaitVisible(chromedp.CSS(row("readme.txt"))))

	// Upload through the file input: small files streamed, big.bin in
	// chunks of 4096 bytes (threshold lowered for the test).
	eval(`(function(){var f=document.querySelector("[data-upload]");f.setAttribute("data-threshold","10000");f.setAttribute("data-chunk-size","4096");return "ok";})()`)
	do("upload", chromedp.SetUploadFiles(chromedp.CSS("#fm-files"), []string{hello, big, pack}),
		chromedp.WaitVisible(chromedp.CSS(row("hello.txt"))), chromedp.WaitVisible(chromedp.CSS(row("big.bin"))),
		chromedp.WaitVisible(chromedp.CSS(row("pack.zip"))))
	if got := fp.read(t, "docs/hello.txt"); got != "hello from chromium\n" {
		t.Fatalf("uploaded hello.txt = %q", got)
	}
	if got := fp.read(t, "docs/big.bin"); got != string(bigData) {
		t.Fatalf("chunked upload: %d bytes, want %d", len(got), len(bigData))
	}
	shots := artifactDir(t)
	if buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
		_ = os.WriteFile(filepath.Join(shots, "files-browse.png"), buf, 0o644)
	}

	// Download: the browser saves it (attachment), with the same bytes.
	do("download", chromedp.Click(chromedp.CSS(row("hello.txt")+` a[download]`)))
	var got []byte
	for i := 0; i < 100; i++ {
		if b, err := os.ReadFile(filepath.Join(downloads, "hello.txt")); err == nil {
			got = b
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if string(got) != "hello from chromium\n" {
		t.Errorf("downloaded %q", got)
	}

	// Rename.
	do("rename", chromedp.Click(chromedp.CSS(row("hello.txt")+` [data-rename]`)), chromedp.WaitVisible(chromedp.CSS("#fm-to")),
		chromedp.SetValue(chromedp.CSS("#fm-to"), "renamed.txt"),
		chromedp.Click(chromedp.CSS("form[data-fm-action=rename] button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(row("renamed.txt"))))
	// Edit.
	do("edit", chromedp.Click(chromedp.CSS(row("renamed.txt")+` [data-edit]`)), chromedp.WaitVisible(chromedp.CSS("#fm-text")))
	if v, _ := chromedp.Run(ctx, chromedp.Value(chromedp.CSS("#fm-text"))); v != "hello from chromium\n" {
		t.Errorf("editor shows %q", v)
	}
	do("save", chromedp.SetValue(chromedp.CSS("#fm-text"), "edited in the browser\nsecond line\n"),
		chromedp.Click(chromedp.CSS("form[data-fm-edit] button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(".flash-success")))
	if got := fp.read(t, "docs/renamed.txt"); got != "edited in the browser\nsecond line\n" {
		t.Errorf("saved %q", got)
	}
	// Extract the zip.
	do("extract", chromedp.Click(chromedp.CSS(row("pack.zip")+` [data-extract]`)),
		chromedp.Click(chromedp.CSS("form[data-fm-action=extract] button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(row("unz"))))
	if fp.read(t, "docs/unz/deep/two.txt") != "two" {
		t.Error("zip not extracted")
	}
	// Delete with confirmation.
	do("delete", chromedp.Click(chromedp.CSS(row("renamed.txt")+` [data-delete-file]`)),
		chromedp.WaitVisible(chromedp.CSS("form[data-fm-action=delete]")),
		chromedp.Click(chromedp.CSS("form[data-fm-action=delete] button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(".flash-success")))
	if fp.read(t, "docs/renamed.txt") != "<missing>" {
		t.Error("file not deleted")
	}

	// Escape attempts through crafted requests, with the page's token.
	res := eval(`(async function(){
		var tok = document.querySelector("input[name=csrf]").value, out = [];
		var paths = ["../../outside/secret-ZQX.txt", "/../../../outside/secret-ZQX.txt", "out/secret-ZQX.txt", "abs/secret-ZQX.txt", "chainout", "up/bob.example"];
		for (const p of paths) {
			var r = await fetch("/sites/example.com/files/download?path=" + encodeURIComponent(p));
			out.push("GET " + r.status + " " + await r.text());
			var fd = new URLSearchParams({csrf: tok, path: p, to: "/stolen.txt"});
			r = await fetch("/sites/example.com/files/copy", {method: "POST", body: fd, headers: {"Accept": "application/json"}});
			out.push("COPY " + r.status + " " + await r.text());
			r = await fetch("/sites/example.com/files/chunk?path=" + encodeURIComponent(p) + "&name=x&offset=0&total=5", {method: "POST", body: "pwned", headers: {"X-CSRF-Token": tok, "Accept": "application/json"}});
			out.push("CHUNK " + r.status + " " + await r.text());
		}
		var r = await fetch("/sites/bob.example/files/download?path=/");
		out.push("BOB " + r.status);
		return out.join("\n");
	})()`)
	if strings.Contains(res, "s3cr3t-c0ntent") || !strings.Contains(res, "BOB 404") {
		t.Errorf("escape attempt answered:\n%s", res)
	}
	for _, line := range strings.Split(res, "\n") {
		if strings.HasPrefix(line, "GET 200") || strings.HasPrefix(line, "COPY 200") || strings.Contains(line, `"done":true`) {
			t.Errorf("escape attempt succeeded: %s", line)
		}
	}
	if fp.read(t, "stolen.txt") != "<missing>" {
		t.Error("an outside file was copied in")
	}
	if b, err := os.ReadFile(filepath.Join(outside, "secret-ZQX.txt")); err != nil || string(b) != "s3cr3t-c0ntent" {
		t.Errorf("outside file changed: %q %v", b, err)
	}
	if errs := console.list(); len(errs) > 0 {
		// Refused fetches log their status; anything else is a failure.
		for _, e := range errs {
			if !strings.Contains(e, "status of 4") && !strings.Contains(e, "status of 507") {
				t.Errorf("console: %s", e)
			}
		}
	}
}

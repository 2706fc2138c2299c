package web_test

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"io/fs"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"ftpanel/internal/homefs"
	"ftpanel/internal/hosting"
	"ftpanel/internal/web"
)

// fmPanel is a panel whose site example.com (customer alice) has files:
//
//	<sites>/example.com/index.html
//	<sites>/example.com/docs/readme.txt
//	<sites>/example.com/sub/ (home of the account "sub1", quota 4096 bytes)
type fmPanel struct {
	*panel
	root string // example.com's root on disk
}

func newFMPanel(t *testing.T, o web.Options) *fmPanel {
	t.Helper()
	p := newPanel(t, o)
	site, err := p.env.Service.Site(p.ctx(), "example.com")
	if err != nil {
		t.Fatal(err)
	}
	fp := &fmPanel{panel: p, root: site.Root}
	fp.write(t, "index.html", "<script>alert(1)</script>")
	fp.write(t, "docs/readme.txt", "hello")
	fp.write(t, "sub/keep.txt", "kept")
	q := int64(4096)
	if _, _, err := p.env.Service.CreateAccount(p.ctx(), hosting.AccountCreate{Site: "example.com", Login: "sub1",
		Password: "", Home: "/sub", QuotaBytes: &q}); err != nil {
		t.Fatalf("CreateAccount: %v", err)
	}
	return fp
}

// write puts a file under the site root (test setup, not through the panel).
func (fp *fmPanel) write(t *testing.T, rel, content string) {
	t.Helper()
	p := filepath.Join(fp.root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// read returns a file under the site root, or "<missing>".
func (fp *fmPanel) read(t *testing.T, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fp.root, filepath.FromSlash(rel)))
	if err != nil {
		return "<missing>"
	}
	return string(b)
}

// fm is the file manager's base URL for site.
func fm(site string) string { return "/sites/" + site + "/files" }

// upload posts files (name → content) to the folder dir as a multipart
// form whose first field is the CSRF token (as a browser without
// JavaScript sends it).
func (c *client) upload(site, dir, as string, files map[string]string) response {
	c.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("csrf", c.csrf)
	for name, content := range files {
		w, err := mw.CreateFormFile("files", name)
		if err != nil {
			c.t.Fatal(err)
		}
		io.WriteString(w, content)
	}
	mw.Close()
	q := url.Values{"path": {dir}}
	if as != "" {
		q.Set("as", as)
	}
	req, err := http.NewRequest(http.MethodPost, c.p.srv.URL+fm(site)+"/upload?"+q.Encode(), &buf)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.do(req)
}

// raw sends a request with the CSRF header and a JSON Accept.
func (c *client) raw(method, path string, body []byte) response {
	c.t.Helper()
	req, err := http.NewRequest(method, c.p.srv.URL+path, bytes.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("X-CSRF-Token", c.csrf)
	req.Header.Set("Accept", "application/json")
	return c.do(req)
}

func TestFiles_BrowseSortPage(t *testing.T) {
	fp := newFMPanel(t, web.Options{})
	for i := 0; i < 450; i++ {
		fp.write(t, fmt.Sprintf("many/f%04d.txt", i), strings.Repeat("x", i))
	}
	c := fp.loggedIn(t, "alice")
	r := c.get(fm("example.com"))
	wantStatus(t, "browse root", r, http.StatusOK)
	wantBody(t, "browse root", r, "index.html", "docs", "sub", "-rw-r--r--", "drwx", `name="csrf"`, "Open as")
	r = c.get(fm("example.com") + "?path=/many")
	wantBody(t, "page 1", r, "f0000.txt", "f0199.txt", "Page 1 of 3", "450 entries")
	wantNoBody(t, "page 1", r, "f0200.txt")
	r = c.get(fm("example.com") + "?path=/many&page=3")
	wantBody(t, "page 3", r, "f0400.txt", "f0449.txt")
	wantNoBody(t, "page 3", r, "f0399.txt")
	r = c.get(fm("example.com") + "?path=/many&sort=size&order=desc")
	if i, j := strings.Index(r.body, "f0449.txt"), strings.Index(r.body, "f0448.txt"); i < 0 || j < 0 || i > j {
		t.Errorf("sort by size desc: f0449 at %d, f0448 at %d", i, j)
	}
	wantNoBody(t, "size desc page 1", r, "f0000.txt")
	r = c.get(fm("example.com") + "?path=/docs/../docs")
	wantBody(t, "breadcrumbs", r, "readme.txt", `data-crumb>docs</a>`)
	// As the account sub1: its home is the top, its quota is shown.
	r = c.get(fm("example.com") + "?as=sub1")
	wantStatus(t, "as sub1", r, http.StatusOK)
	wantBody(t, "as sub1", r, "keep.txt", "account sub1", "used of 4 KB")
	wantNoBody(t, "as sub1", r, "index.html")
	// The card's button opens the built-in file manager.
	r = c.get("/accounts")
	wantBody(t, "card button", r, `href="/sites/example.com/files"`)
}

func TestFiles_FileManagerURLOverrides(t *testing.T) {
	fp := newFMPanel(t, web.Options{FileManagerURL: "https://files.example.net/?site={site}"})
	c := fp.loggedIn(t, "alice")
	r := c.get("/accounts")
	wantBody(t, "override", r, "https://files.example.net/?site=example.com")
	wantNoBody(t, "override", r, `href="/sites/example.com/files"`)
}

func TestFiles_Scope(t *testing.T) {
	fp := newFMPanel(t, web.Options{})
	alice := fp.loggedIn(t, "alice")
	bob := fp.loggedIn(t, "bob")
	admin := fp.loggedIn(t, "admin")
	anon := fp.client(t)
	// Another customer's site, and an account of another site.
	wantStatus(t, "bob on alice's site", bob.get(fm("example.com")), http.StatusNotFound)
	wantStatus(t, "bob downloads alice's file", bob.get(fm("example.com")+"/download?path=/index.html"), http.StatusNotFound)
	wantStatus(t, "bob as alice's account", bob.get(fm("bob.example")+"?as=web1"), http.StatusNotFound)
	wantStatus(t, "alice as bob's account on her site", alice.get(fm("example.com")+"?as=bobftp"), http.StatusNotFound)
	wantStatus(t, "alice as an account of another site", alice.get(fm("example.com")+"?as=nobody"), http.StatusNotFound)
	r := bob.post(fm("example.com")+"/delete", url.Values{"path": {"/index.html"}})
	wantStatus(t, "bob deletes alice's file", r, http.StatusNotFound)
	if fp.read(t, "index.html") == "<missing>" {
		t.Fatal("bob deleted alice's file")
	}
	wantStatus(t, "admin", admin.get(fm("example.com")+"?as=sub1"), http.StatusOK)
	r = anon.get(fm("example.com"))
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.location, "/login") {
		t.Errorf("signed out: %d %q, want a redirect to /login", r.status, r.location)
	}
	// Suspended account, site, customer.
	ctx := fp.ctx()
	if _, err := fp.env.Service.SetAccountStatus(ctx, "sub1", hosting.StatusSuspended); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, "suspended account", alice.get(fm("example.com")+"?as=sub1"), http.StatusForbidden)
	wantStatus(t, "site root with an account suspended", alice.get(fm("example.com")), http.StatusOK)
	if _, err := fp.env.Service.SetSiteStatus(ctx, "example.com", hosting.StatusSuspended); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, "suspended site", alice.get(fm("example.com")), http.StatusForbidden)
	wantStatus(t, "suspended site, admin", admin.get(fm("example.com")), http.StatusForbidden)
	r = alice.upload("example.com", "/", "", map[string]string{"x.txt": "x"})
	wantStatus(t, "upload to a suspended site", r, http.StatusForbidden)
	if fp.read(t, "x.txt") != "<missing>" {
		t.Error("upload to a suspended site was written")
	}
	if _, err := fp.env.Service.SetSiteStatus(ctx, "example.com", hosting.StatusActive); err != nil {
		t.Fatal(err)
	}
	if _, err := fp.env.Service.SetCustomerStatus(ctx, "alice", hosting.StatusSuspended); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, "suspended customer, admin", admin.get(fm("example.com")), http.StatusForbidden)
	if r := alice.get(fm("example.com")); r.status == http.StatusOK {
		t.Error("suspended customer browsed her files")
	}
}

// TestFiles_Operations runs every endpoint's success and its errors.
func TestFiles_Operations(t *testing.T) {
	fp := newFMPanel(t, web.Options{})
	c := fp.loggedIn(t, "alice")
	site := fm("example.com")

	// Upload without JavaScript (token in the form), two files.
	r := c.upload("example.com", "/docs", "", map[string]string{"a.txt": "alpha", "b.html": "<b>hi</b>"})
	wantStatus(t, "upload", r, http.StatusSeeOther)
	if got := fp.read(t, "docs/a.txt"); got != "alpha" {
		t.Fatalf("uploaded a.txt = %q", got)
	}
	fi, err := os.Stat(filepath.Join(fp.root, "docs", "a.txt"))
	if err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("uploaded mode %v (%v), want 0644", fi.Mode(), err)
	}
	// Download: attachment, nosniff, exact bytes, ranges.
	r = c.get(site + "/download?path=/index.html")
	wantStatus(t, "download", r, http.StatusOK)
	if r.body != "<script>alert(1)</script>" || !strings.HasPrefix(r.header.Get("Content-Disposition"), "attachment") ||
		r.header.Get("X-Content-Type-Options") != "nosniff" || strings.Contains(r.header.Get("Content-Type"), "html") {
		t.Errorf("download: body %q headers %v", r.body, r.header)
	}
	req, _ := http.NewRequest(http.MethodGet, fp.srv.URL+site+"/download?path=/docs/readme.txt", nil)
	req.Header.Set("Range", "bytes=1-3")
	if r := c.do(req); r.status != http.StatusPartialContent || r.body != "ell" {
		t.Errorf("range: %d %q", r.status, r.body)
	}
	// Names with odd characters still download as attachments.
	fp.write(t, "weird\tname\x01.html", "<b>x</b>")
	fp.write(t, "café.html", "<b>x</b>")
	for _, n := range []string{"weird%09name%01.html", "caf%C3%A9.html"} {
		r := c.get(site + "/download?path=/" + n)
		if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Disposition"), "attachment") {
			t.Errorf("download %s: %d %q", n, r.status, r.header.Get("Content-Disposition"))
		}
	}
	// Folder as zip.
	r = c.get(site + "/download?path=/docs")
	wantStatus(t, "zip", r, http.StatusOK)
	zr, err := zip.NewReader(strings.NewReader(r.body), int64(len(r.body)))
	if err != nil {
		t.Fatalf("zip: %v", err)
	}
	names := map[string]bool{}
	for _, f := range zr.File {
		names[f.Name] = true
	}
	if !names["readme.txt"] || !names["a.txt"] || !strings.Contains(r.header.Get("Content-Disposition"), "docs.zip") {
		t.Errorf("zip entries %v, disposition %q", names, r.header.Get("Content-Disposition"))
	}
	// Mkdir.
	wantStatus(t, "mkdir", c.post(site+"/mkdir", url.Values{"path": {"/"}, "name": {"new dir"}}), http.StatusSeeOther)
	if fi, err := os.Stat(filepath.Join(fp.root, "new dir")); err != nil || fi.Mode().Perm() != 0o755 {
		t.Errorf("mkdir: %v %v", fi, err)
	}
	// Rename into a folder, then rename in place.
	wantStatus(t, "move", c.post(site+"/rename", url.Values{"path": {"/docs/a.txt"}, "to": {"/new dir"}}), http.StatusSeeOther)
	wantStatus(t, "rename", c.post(site+"/rename", url.Values{"path": {"/new dir/a.txt"}, "to": {"c.txt"}}), http.StatusSeeOther)
	if fp.read(t, "new dir/c.txt") != "alpha" || fp.read(t, "docs/a.txt") != "<missing>" {
		t.Error("rename/move did not move the file")
	}
	// Copy a folder.
	wantStatus(t, "copy", c.post(site+"/copy", url.Values{"path": {"/docs"}, "to": {"docs2"}}), http.StatusSeeOther)
	if fp.read(t, "docs2/readme.txt") != "hello" || fp.read(t, "docs/readme.txt") != "hello" {
		t.Error("copy did not copy the folder")
	}
	// Chmod.
	wantStatus(t, "chmod", c.post(site+"/chmod", url.Values{"path": {"/docs/readme.txt"}, "mode": {"0600"}}), http.StatusSeeOther)
	if fi, _ := os.Stat(filepath.Join(fp.root, "docs", "readme.txt")); fi.Mode().Perm() != 0o600 {
		t.Errorf("chmod: mode %v", fi.Mode())
	}
	// Edit keeps BOM and CRLF.
	fp.write(t, "win.txt", "\ufeffline1\r\nline2\r\n")
	r = c.get(site + "/edit?path=/win.txt")
	wantStatus(t, "edit form", r, http.StatusOK)
	wantBody(t, "edit form", r, `name="bom" value="1"`, `name="crlf" value="1"`, "line1\nline2")
	r = c.post(site+"/edit", url.Values{"path": {"/win.txt"}, "bom": {"1"}, "crlf": {"1"}, "text": {"line1\r\nchanged\r\nline3\r\n"}})
	wantStatus(t, "save", r, http.StatusSeeOther)
	if got := fp.read(t, "win.txt"); got != "\ufeffline1\r\nchanged\r\nline3\r\n" {
		t.Errorf("saved %q", got)
	}
	r = c.post(site+"/edit", url.Values{"path": {"/docs/readme.txt"}, "text": {"short\r\n"}})
	wantStatus(t, "save lf", r, http.StatusSeeOther)
	if got := fp.read(t, "docs/readme.txt"); got != "short\n" {
		t.Errorf("saved %q", got)
	}
	// Delete a file, then a folder with contents.
	wantStatus(t, "delete confirm page", c.get(site+"/action?op=delete&path=/docs2"), http.StatusOK)
	wantStatus(t, "delete file", c.post(site+"/delete", url.Values{"path": {"/win.txt"}}), http.StatusSeeOther)
	wantStatus(t, "delete folder", c.post(site+"/delete", url.Values{"path": {"/docs2"}}), http.StatusSeeOther)
	if _, err := os.Stat(filepath.Join(fp.root, "docs2")); !os.IsNotExist(err) {
		t.Errorf("folder not deleted: %v", err)
	}
	// Every change is in the audit trail, with who and from where.
	evs, err := fp.env.Service.AuditEvents(fp.ctx(), hosting.AuditFilter{ObjectType: "file", Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, e := range evs {
		got[e.Action] = true
		if e.Actor != "alice" || e.RemoteAddr != "127.0.0.1" || e.Via != hosting.ViaWeb || !strings.HasPrefix(e.ObjectName, "example.com:/") {
			t.Errorf("audit event %+v", e)
		}
	}
	for _, a := range []string{"file.upload", "file.mkdir", "file.rename", "file.copy", "file.chmod", "file.edit", "file.delete"} {
		if !got[a] {
			t.Errorf("no audit event %s (have %v)", a, got)
		}
	}
}

func TestFiles_Errors(t *testing.T) {
	fp := newFMPanel(t, web.Options{})
	c := fp.loggedIn(t, "alice")
	site := fm("example.com")
	fp.write(t, "bin.dat", "a\x00b")
	fp.write(t, "latin1.txt", "caf\xe9")
	fp.write(t, "big.txt", strings.Repeat("x", 2<<20+1))
	if err := os.Mkdir(filepath.Join(fp.root, "full"), 0o755); err != nil {
		t.Fatal(err)
	}
	fp.write(t, "full/x", "x")
	tests := []struct {
		name   string
		method string
		path   string
		form   url.Values
		want   int
		body   string
	}{
		{"browse missing", "GET", site + "?path=/nope", nil, 404, "no such file"},
		{"browse a file", "GET", site + "?path=/index.html", nil, 400, "not a folder"},
		{"download missing", "GET", site + "/download?path=/nope", nil, 404, ""},
		{"download no path", "GET", site + "/download", nil, 400, "No file"},
		{"edit binary", "GET", site + "/edit?path=/bin.dat", nil, 400, "not a UTF-8 text"},
		{"edit latin1", "GET", site + "/edit?path=/latin1.txt", nil, 400, "not a UTF-8 text"},
		{"edit too big", "GET", site + "/edit?path=/big.txt", nil, 400, "larger than 2 MiB"},
		{"edit a folder", "GET", site + "/edit?path=/docs", nil, 400, ""},
		{"save invalid utf8", "POST", site + "/edit", url.Values{"path": {"/docs/readme.txt"}, "text": {"\xff"}}, 400, "not valid UTF-8"},
		{"action unknown", "GET", site + "/action?op=explode&path=/docs", nil, 400, "Unknown operation"},
		{"mkdir exists", "POST", site + "/mkdir", url.Values{"path": {"/"}, "name": {"docs"}}, 409, "already exists"},
		{"mkdir bad name", "POST", site + "/mkdir", url.Values{"path": {"/"}, "name": {"a/b"}}, 400, "not valid"},
		{"mkdir dotdot", "POST", site + "/mkdir", url.Values{"path": {"/"}, "name": {".."}}, 400, "not valid"},
		{"rename missing", "POST", site + "/rename", url.Values{"path": {"/nope"}, "to": {"x"}}, 404, ""},
		{"rename onto existing", "POST", site + "/rename", url.Values{"path": {"/index.html"}, "to": {"/docs/readme.txt"}}, 409, ""},
		{"rename root", "POST", site + "/rename", url.Values{"path": {"/"}, "to": {"x"}}, 400, "top folder"},
		{"rename into itself", "POST", site + "/rename", url.Values{"path": {"/docs"}, "to": {"/docs/inner"}}, 400, "into itself"},
		{"rename no target", "POST", site + "/rename", url.Values{"path": {"/docs"}}, 400, "new name"},
		{"copy into itself", "POST", site + "/copy", url.Values{"path": {"/docs"}, "to": {"/docs/x"}}, 400, "into itself"},
		{"copy onto itself", "POST", site + "/copy", url.Values{"path": {"/docs"}, "to": {"/docs/"}}, 400, "same as the old"},
		{"copy onto existing", "POST", site + "/copy", url.Values{"path": {"/index.html"}, "to": {"/docs/readme.txt"}}, 409, ""},
		{"delete root", "POST", site + "/delete", url.Values{"path": {"/"}}, 400, "top folder"},
		{"delete missing", "POST", site + "/delete", url.Values{"path": {"/nope"}}, 404, ""},
		{"chmod too open", "POST", site + "/chmod", url.Values{"path": {"/index.html"}, "mode": {"0777"}}, 400, "0600 to 0755"},
		{"chmod setuid", "POST", site + "/chmod", url.Values{"path": {"/index.html"}, "mode": {"4755"}}, 400, "0600 to 0755"},
		{"chmod file unreadable by owner", "POST", site + "/chmod", url.Values{"path": {"/index.html"}, "mode": {"0200"}}, 400, "0600 to 0755"},
		{"chmod folder 0600", "POST", site + "/chmod", url.Values{"path": {"/docs"}, "mode": {"0600"}}, 400, "0700 to 0755"},
		{"chmod not octal", "POST", site + "/chmod", url.Values{"path": {"/docs"}, "mode": {"rwx"}}, 400, "octal"},
		{"extract not an archive", "POST", site + "/extract", url.Values{"path": {"/index.html"}}, 400, "Only .zip"},
		{"extract broken zip", "POST", site + "/extract", url.Values{"path": {"/full.zip"}}, 404, ""},
		{"unknown site", "GET", fm("nope.example"), nil, 404, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r response
			if tt.method == "GET" {
				r = c.get(tt.path)
			} else {
				r = c.post(tt.path, tt.form)
			}
			wantStatus(t, tt.name, r, tt.want)
			if tt.body != "" {
				wantBody(t, tt.name, r, tt.body)
			}
		})
	}
	// Nothing above changed the files.
	if fp.read(t, "index.html") != "<script>alert(1)</script>" || fp.read(t, "docs/readme.txt") != "hello" {
		t.Error("a refused request changed files")
	}
	if fi, _ := os.Stat(filepath.Join(fp.root, "index.html")); fi.Mode().Perm() != 0o644 {
		t.Errorf("a refused chmod changed the mode: %v", fi.Mode())
	}
	// JSON answers for files.js.
	r := c.raw("POST", site+"/mkdir?path=/&name=docs", nil)
	if r.status != http.StatusConflict || !strings.Contains(r.body, `"error"`) {
		t.Errorf("json error: %d %s", r.status, r.body)
	}
}

// TestFiles_CSRF refuses every change without the session's token.
func TestFiles_CSRF(t *testing.T) {
	fp := newFMPanel(t, web.Options{})
	c := fp.loggedIn(t, "alice")
	site := fm("example.com")
	for _, ep := range []string{"mkdir", "rename", "copy", "delete", "chmod", "edit", "extract", "chunk?path=/&name=x&offset=0&total=1"} {
		form := url.Values{"path": {"/docs/readme.txt"}, "name": {"x"}, "to": {"y"}, "mode": {"0600"}, "text": {"pwned"}}
		for _, tok := range []string{"", "wrong"} {
			form.Set("csrf", tok)
			r := c.postRaw(site+"/"+ep, form)
			wantStatus(t, ep+" token "+tok, r, http.StatusForbidden)
		}
	}
	good := c.csrf
	c.csrf = "wrong"
	wantStatus(t, "upload wrong token", c.upload("example.com", "/", "", map[string]string{"x.txt": "x"}), http.StatusForbidden)
	c.csrf = ""
	wantStatus(t, "upload no token", c.upload("example.com", "/", "", map[string]string{"x.txt": "x"}), http.StatusForbidden)
	for _, tok := range []string{"", "wrong"} {
		c.csrf = tok // an answer page may have refreshed it
		r := c.raw("POST", site+"/chunk?path=/&name=x.txt&offset=0&total=1", []byte("x"))
		wantStatus(t, "chunk token "+tok, r, http.StatusForbidden)
	}
	c.csrf = good
	if fp.read(t, "docs/readme.txt") != "hello" || fp.read(t, "x.txt") != "<missing>" || fp.read(t, "y") != "<missing>" {
		t.Error("a request without the token changed files")
	}
	if fi, _ := os.Stat(filepath.Join(fp.root, "docs", "readme.txt")); fi.Mode().Perm() != 0o644 {
		t.Error("chmod without token")
	}
}

func TestFiles_ChunkedUpload(t *testing.T) {
	fp := newFMPanel(t, web.Options{})
	c := fp.loggedIn(t, "alice")
	base := fm("example.com") + "/chunk?path=/docs&name=big.bin"
	data := bytes.Repeat([]byte("0123456789abcdef"), 4096) // 64 KiB
	total := len(data)
	r := c.raw("GET", base, nil)
	if r.status != 200 || !strings.Contains(r.body, `"size":0`) {
		t.Fatalf("status before: %d %s", r.status, r.body)
	}
	r = c.raw("POST", fmt.Sprintf("%s&offset=0&total=%d", base, total), data[:20000])
	if r.status != 200 || !strings.Contains(r.body, `"size":20000`) {
		t.Fatalf("chunk 1: %d %s", r.status, r.body)
	}
	// A gap is refused with the stored size.
	r = c.raw("POST", fmt.Sprintf("%s&offset=30000&total=%d", base, total), data[30000:40000])
	if r.status != http.StatusConflict || !strings.Contains(r.body, `"size":20000`) {
		t.Fatalf("gap: %d %s", r.status, r.body)
	}
	// Resume: ask, continue from there; a chunk past the total is refused.
	r = c.raw("GET", base, nil)
	if !strings.Contains(r.body, `"size":20000`) {
		t.Fatalf("resume status: %s", r.body)
	}
	r = c.raw("POST", fmt.Sprintf("%s&offset=20000&total=%d", base, 30000), data[20000:40000])
	wantStatus(t, "past total", r, http.StatusBadRequest)
	r = c.raw("POST", fmt.Sprintf("%s&offset=20000&total=%d", base, total), data[20000:])
	if r.status != 200 || !strings.Contains(r.body, `"done":true`) {
		t.Fatalf("last chunk: %d %s", r.status, r.body)
	}
	if got := fp.read(t, "docs/big.bin"); got != string(data) {
		t.Fatalf("assembled %d bytes, want %d", len(got), total)
	}
	if fp.read(t, "docs/.big.bin.ftpanel-part") != "<missing>" {
		t.Error("part file left")
	}
	for _, bad := range []string{"&offset=-1&total=5", "&offset=9&total=5", "&offset=x&total=5"} {
		wantStatus(t, "bad offset "+bad, c.raw("POST", base+bad, []byte("x")), http.StatusBadRequest)
	}
	wantStatus(t, "part name", c.raw("GET", fm("example.com")+"/chunk?path=/&name=a.ftpanel-part", nil), http.StatusBadRequest)
}

// TestFiles_Quota works as sub1 (4096 bytes): uploads, chunks, copies and
// archives past the quota are refused and leave nothing; the pool is the
// one shared with FTP (the Usages passed in Options).
func TestFiles_Quota(t *testing.T) {
	usages := homefs.NewUsages()
	fp := newFMPanel(t, web.Options{Usages: usages})
	c := fp.loggedIn(t, "alice")
	r := c.upload("example.com", "/", "sub1", map[string]string{"fits.txt": strings.Repeat("a", 3000)})
	wantStatus(t, "fits", r, http.StatusSeeOther)
	r = c.upload("example.com", "/", "sub1", map[string]string{"over.txt": strings.Repeat("b", 2000)})
	wantStatus(t, "over", r, http.StatusInsufficientStorage)
	if fp.read(t, "sub/over.txt") != "<missing>" {
		t.Error("an upload over the quota was left")
	}
	r = c.raw("POST", fm("example.com")+"/chunk?as=sub1&path=/&name=c.bin&offset=0&total=5000", []byte("x"))
	wantStatus(t, "chunk over quota", r, http.StatusInsufficientStorage)
	r = c.post(fm("example.com")+"/copy?as=sub1", url.Values{"path": {"/fits.txt"}, "to": {"again.txt"}})
	wantStatus(t, "copy over quota", r, http.StatusInsufficientStorage)
	if fp.read(t, "sub/again.txt") != "<missing>" {
		t.Error("a copy over the quota was left")
	}
	a, err := fp.account(t, "sub1")
	if err != nil {
		t.Fatal(err)
	}
	// A file written behind the pool's back is not counted until a
	// rescan: a pool that reports 3004 is the one the panel measured and
	// charged (a fresh one would measure 3004+100).
	fp.write(t, "sub/behind.txt", strings.Repeat("c", 100))
	u := usages.Acquire(a)
	defer usages.Release(u)
	if got := u.Used(); got != 3000+4 { // fits.txt and keep.txt
		t.Errorf("shared pool used %d, want 3004", got)
	}
	if err := os.Remove(filepath.Join(fp.root, "sub", "behind.txt")); err != nil {
		t.Fatal(err)
	}
	// The site root has no quota: the same upload there works.
	wantStatus(t, "site root", c.upload("example.com", "/", "", map[string]string{"over.txt": strings.Repeat("b", 2000)}), http.StatusSeeOther)
	// Read-only account: every change refused.
	ro := false
	if _, err := fp.env.Service.UpdateAccount(fp.ctx(), "sub1", hosting.AccountUpdate{Write: &ro}); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, "read-only upload", c.upload("example.com", "/", "sub1", map[string]string{"x": "x"}), http.StatusForbidden)
	wantStatus(t, "read-only delete", c.post(fm("example.com")+"/delete?as=sub1", url.Values{"path": {"/keep.txt"}}), http.StatusForbidden)
	wantStatus(t, "read-only download", c.get(fm("example.com")+"/download?as=sub1&path=/keep.txt"), http.StatusOK)
	if fp.read(t, "sub/keep.txt") != "kept" {
		t.Error("read-only account deleted a file")
	}
	// Write-only (a drop box): the page offers the upload, lists nothing,
	// downloads are refused.
	rw, wo := true, false
	if _, err := fp.env.Service.UpdateAccount(fp.ctx(), "sub1", hosting.AccountUpdate{Read: &wo, Write: &rw}); err != nil {
		t.Fatal(err)
	}
	r = c.get(fm("example.com") + "?as=sub1")
	wantStatus(t, "drop box page", r, http.StatusOK)
	wantBody(t, "drop box page", r, "may upload here but not list", `enctype="multipart/form-data"`)
	wantNoBody(t, "drop box page", r, "keep.txt")
	wantStatus(t, "drop box download", c.get(fm("example.com")+"/download?as=sub1&path=/keep.txt"), http.StatusForbidden)
	wantStatus(t, "drop box upload", c.upload("example.com", "/", "sub1", map[string]string{"drop.txt": "d"}), http.StatusSeeOther)
	if fp.read(t, "sub/drop.txt") != "d" {
		t.Error("drop box upload not written")
	}
}

func zipOf(t *testing.T, entries map[string]string, link string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, content := range entries {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, content)
	}
	if link != "" {
		h := &zip.FileHeader{Name: link}
		h.SetMode(fs.ModeSymlink | 0o777)
		w, _ := zw.CreateHeader(h)
		io.WriteString(w, "../../outside")
	}
	zw.Close()
	return buf.Bytes()
}

func tgzOf(t *testing.T, entries map[string]string, link string) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for name, content := range entries {
		tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(content)), Typeflag: tar.TypeReg})
		io.WriteString(tw, content)
	}
	if link != "" {
		tw.WriteHeader(&tar.Header{Name: link, Typeflag: tar.TypeSymlink, Linkname: "/etc"})
	}
	tw.Close()
	gz.Close()
	return buf.Bytes()
}

func TestFiles_Extract(t *testing.T) {
	fp := newFMPanel(t, web.Options{})
	c := fp.loggedIn(t, "alice")
	site := fm("example.com")
	outside := filepath.Join(fp.env.Dir, "evil.txt")
	cases := []struct {
		name, file string
		data       []byte
		as         string
		want       int
		msg        string
	}{
		{"zip", "ok.zip", zipOf(t, map[string]string{"z/a.txt": "A", "z/b/c.txt": "C"}, ""), "", 303, ""},
		{"tgz", "ok.tar.gz", tgzOf(t, map[string]string{"t/a.txt": "A", "t/b/c.txt": "C"}, ""), "", 303, ""},
		{"zip slip", "slip.zip", zipOf(t, map[string]string{"ok.txt": "x", "../../evil.txt": "pwned"}, ""), "", 400, "leads out"},
		{"zip absolute", "abs.zip", zipOf(t, map[string]string{"/tmp/evil.txt": "pwned"}, ""), "", 400, "absolute"},
		{"zip backslash", "bs.zip", zipOf(t, map[string]string{"..\\..\\evil.txt": "pwned"}, ""), "", 400, "invalid"},
		{"zip symlink", "link.zip", zipOf(t, map[string]string{"ok2.txt": "x"}, "lnk"), "", 400, "symbolic link"},
		{"tgz slip", "slip.tgz", tgzOf(t, map[string]string{"a/../../../evil.txt": "pwned"}, ""), "", 400, "leads out"},
		{"tgz symlink", "link.tgz", tgzOf(t, map[string]string{"ok3.txt": "x"}, "etc"), "", 400, "link"},
		{"zip conflict", "conflict.zip", zipOf(t, map[string]string{"index.html": "overwrite"}, ""), "", 409, "already exists"},
		{"zip over quota", "q.zip", zipOf(t, map[string]string{"big.txt": strings.Repeat("z", 8000)}, ""), "sub1", 507, "quota"},
		{"not a zip", "junk.zip", []byte("not a zip"), "", 400, "not a valid zip"},
		{"not a tgz", "junk.tgz", []byte("not a tgz"), "", 400, "not a valid"},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			dir := "/"
			rel := tt.file
			if tt.as == "sub1" {
				rel = "sub/" + tt.file
			}
			fp.write(t, rel, string(tt.data))
			r := c.post(site+"/extract?as="+tt.as, url.Values{"path": {dir + tt.file}})
			wantStatus(t, tt.name, r, tt.want)
			if tt.msg != "" {
				wantBody(t, tt.name, r, tt.msg)
			}
		})
	}
	if fp.read(t, "z/b/c.txt") != "C" || fp.read(t, "t/b/c.txt") != "C" || fp.read(t, "z/a.txt") != "A" {
		t.Error("archives not extracted")
	}
	for _, p := range []string{"ok.txt", "ok2.txt", "ok3.txt", "lnk", "etc", "sub/big.txt"} {
		if fp.read(t, p) != "<missing>" {
			t.Errorf("%s written from a refused archive", p)
		}
	}
	if fp.read(t, "index.html") != "<script>alert(1)</script>" {
		t.Error("extract overwrote a file")
	}
	if _, err := os.Stat(outside); err == nil {
		t.Fatal("zip slip wrote outside the site")
	}
}

// ctxBG keeps the context import used by helpers.
var _ = context.Background

// TestFiles_LargeFolder lists a folder of 10,000 entries: server-side
// pages of 200 rows, sorted over the whole folder.
func TestFiles_LargeFolder(t *testing.T) {
	fp := newFMPanel(t, web.Options{})
	dir := filepath.Join(fp.root, "huge")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 10000; i++ {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("file-%05d.txt", i)), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	c := fp.loggedIn(t, "alice")
	start := time.Now()
	r := c.get(fm("example.com") + "?path=/huge&page=50&sort=name&order=desc")
	took := time.Since(start)
	wantStatus(t, "huge", r, http.StatusOK)
	wantBody(t, "huge", r, "Page 50 of 50", "10000 entries", "file-00000.txt", "file-00199.txt")
	wantNoBody(t, "huge", r, "file-00200.txt")
	if n := strings.Count(r.body, "<tr data-entry="); n != 200 {
		t.Errorf("%d rows, want 200", n)
	}
	t.Logf("page 50 of a 10,000-entry folder: %v, %d bytes (informational; speed is measured by benchmarks)", took, len(r.body))
}

// TestFiles_Ownership: with CAP_CHOWN, uploads, folders, copies and
// extracted files belong to the site's system user, as FTP uploads do.
func TestFiles_Ownership(t *testing.T) {
	if !homefs.CanChown() {
		t.Skip("ownership test skipped: the process cannot chown (not root, no CAP_CHOWN)")
	}
	fp := newFMPanel(t, web.Options{})
	uid, gid := 1234567, 1234568 // no such user: the files must carry these ids, not a name
	if _, err := fp.env.Service.UpdateSite(fp.ctx(), "example.com", hosting.SiteUpdate{UID: &uid, GID: &gid}); err != nil {
		t.Fatal(err)
	}
	c := fp.loggedIn(t, "alice")
	wantStatus(t, "upload", c.upload("example.com", "/", "sub1", map[string]string{"own.txt": "x"}), http.StatusSeeOther)
	wantStatus(t, "mkdir", c.post(fm("example.com")+"/mkdir", url.Values{"path": {"/"}, "name": {"owned"}}), http.StatusSeeOther)
	wantStatus(t, "copy", c.post(fm("example.com")+"/copy", url.Values{"path": {"/index.html"}, "to": {"idx2.html"}}), http.StatusSeeOther)
	for _, p := range []string{"sub/own.txt", "owned", "idx2.html"} {
		fi, err := os.Stat(filepath.Join(fp.root, p))
		if err != nil {
			t.Fatal(err)
		}
		st := fi.Sys().(*syscall.Stat_t)
		if int(st.Uid) != uid || int(st.Gid) != gid {
			t.Errorf("%s owned by %d:%d, want %d:%d", p, st.Uid, st.Gid, uid, gid)
		}
	}
}

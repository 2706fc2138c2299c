package web_test

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ftpanel/internal/homefs/homefstest"
	"ftpanel/internal/hosting"
	"ftpanel/internal/web"
)

// The hostile-path and symlink corpus of internal/ftpd's file system
// tests, run against the file manager's HTTP endpoints, in both scopes
// (the whole site, and an account's home inside it). Nothing outside the
// scope may be read, listed, changed or copied in.

// confineLayout adds, to the fmPanel's site:
//
//	<dir>/outside/secret-ZQX.txt          never reachable
//	<site>/sibling-ZQX.txt                 outside the home of sub1
//	in both homes (site root, /sub):
//	  in -> a folder inside; chain -> in/<file>; out -> ../(..)/outside
//	  abs -> <abs>/outside; absin -> <abs path inside>; chainout -> out/secret-ZQX.txt
//	  loop -> loop; up -> ..
func confineLayout(t *testing.T, fp *fmPanel) (outside string) {
	t.Helper()
	outside = filepath.Join(fp.env.Dir, "outside")
	if err := os.MkdirAll(outside, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(outside, "secret-ZQX.txt"), []byte("s3cr3t-c0ntent"), 0o644); err != nil {
		t.Fatal(err)
	}
	fp.write(t, "sibling-ZQX.txt", "s1bl1ng-c0ntent")
	for _, home := range []string{fp.root, filepath.Join(fp.root, "sub")} {
		relOut, err := filepath.Rel(home, outside)
		if err != nil {
			t.Fatal(err)
		}
		inside := "docs"
		if home != fp.root {
			if err := os.Mkdir(filepath.Join(home, "pub"), 0o755); err != nil {
				t.Fatal(err)
			}
			inside = "pub"
		}
		links := map[string]string{
			"in": inside, "chain": "in/x", "out": relOut, "abs": outside, "absin": filepath.Join(home, inside),
			"chainout": "out/secret-ZQX.txt", "loop": "loop", "up": "..",
		}
		for name, target := range links {
			if err := os.Symlink(target, filepath.Join(home, name)); err != nil {
				t.Fatal(err)
			}
		}
	}
	return outside
}

// treeSnapshot lists every path under dirs (skipping skip) with its mode
// and, for files, content.
func treeSnapshot(t *testing.T, skip string, dirs ...string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, d := range dirs {
		err := filepath.WalkDir(d, func(p string, e fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if p == skip {
				return filepath.SkipDir
			}
			fi, err := os.Lstat(p)
			if err != nil {
				return err
			}
			v := fi.Mode().String()
			if fi.Mode().IsRegular() {
				b, _ := os.ReadFile(p)
				v += " " + string(b)
			}
			out[p] = v
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// leaks reports whether a body (or, for a zip, any entry in it) holds one
// of the markers.
func leaks(body string, markers ...string) string {
	texts := []string{body}
	if zr, err := zip.NewReader(strings.NewReader(body), int64(len(body))); err == nil {
		for _, f := range zr.File {
			texts = append(texts, f.Name)
			if rc, err := f.Open(); err == nil {
				b, _ := io.ReadAll(rc)
				rc.Close()
				texts = append(texts, string(b))
			}
		}
	}
	for _, s := range texts {
		for _, m := range markers {
			if strings.Contains(s, m) {
				return m
			}
		}
	}
	return ""
}

// TestFiles_HostilePaths runs homefstest's corpus (the one the FTP and
// SFTP servers face) against every endpoint, in both scopes: as an
// account whose home is the corpus's home, and on the whole site (whose
// root is the corpus's site folder), plus this package's own layout.
func TestFiles_HostilePaths(t *testing.T) {
	fp := newFMPanel(t, web.Options{})
	l := homefstest.MustLayout(t)
	if _, _, _, err := fp.env.Service.CreateSite(fp.ctx(), hosting.SiteCreate{Name: "corpus.example", Customer: "alice", Root: l.Site}); err != nil {
		t.Fatalf("CreateSite on the corpus: %v", err)
	}
	if _, _, err := fp.env.Service.CreateAccount(fp.ctx(), hosting.AccountCreate{Site: "corpus.example", Login: "corpus1", Home: "/home"}); err != nil {
		t.Fatalf("CreateAccount: %v", err)
	}
	outside := confineLayout(t, fp)
	c := fp.loggedIn(t, "alice")
	own := []string{
		"../outside/secret-ZQX.txt", "/../../outside/secret-ZQX.txt", "../../../outside/secret-ZQX.txt",
		"/docs/../../outside/secret-ZQX.txt", "..%2f..%2foutside%2fsecret-ZQX.txt", "..\\..\\outside\\secret-ZQX.txt",
		"out/secret-ZQX.txt", "abs/secret-ZQX.txt", "chainout", "up/sibling-ZQX.txt", "up/up/bob.example",
		"absin/x", "loop", "docs/readme.txt\x00", "../sibling-ZQX.txt", outside + "/secret-ZQX.txt", "out", "abs", "up/",
	}
	corpus := append(append([]string{}, homefstest.HostilePaths...), l.Outside+"/secret.txt")
	siteLayout := l
	siteLayout.Home = l.Site // the whole site: only outside/ is out of reach
	scopes := []struct {
		site, as string
		layout   homefstest.Layout
		paths    []string
		markers  []string // contents from outside the home: never in any answer
		outNames []string // names outside the home: never listed (checked on reads)
	}{
		{"corpus.example", "corpus1", l, corpus, []string{homefstest.Secret, homefstest.Sibling}, []string{"secret.txt", "sibling.txt"}},
		{"corpus.example", "", siteLayout, corpus, []string{homefstest.Secret}, []string{"secret.txt"}},
		{"example.com", "", homefstest.Layout{Dir: fp.env.Dir, Home: fp.root}, own,
			[]string{"s3cr3t-c0ntent"}, []string{"secret-ZQX.txt", "bob.example"}},
		{"example.com", "sub1", homefstest.Layout{Dir: fp.env.Dir, Home: filepath.Join(fp.root, "sub")}, own,
			[]string{"s3cr3t-c0ntent", "s1bl1ng-c0ntent", "script>alert"}, []string{"secret-ZQX.txt", "sibling-ZQX.txt", "index.html", "bob.example"}},
	}
	requests := 0
	statuses := map[int]int{}
	for _, sc := range scopes {
		snapDir := sc.layout
		if sc.site == "example.com" {
			snapDir.Dir = fp.env.SitesDir // the database beside it changes (audit)
		}
		before := treeSnapshot(t, snapDir.Home, snapDir.Dir, outside, l.Dir)
		q := func(extra url.Values) string {
			if sc.as != "" {
				extra.Set("as", sc.as)
			}
			return "?" + extra.Encode()
		}
		base := fm(sc.site)
		for _, p := range sc.paths {
			name := fmt.Sprintf("%s as %q %q", sc.site, sc.as, p)
			// Reads: download (file or zip), browse, edit form, action page.
			for _, ep := range []string{"/download", "", "/edit", "/action"} {
				r := c.get(base + ep + q(url.Values{"path": {p}, "op": {"rename"}}))
				requests++
				if m := leaks(r.body, append(sc.markers, sc.outNames...)...); m != "" {
					t.Errorf("%s GET %s: %d leaks %q", name, ep, r.status, m)
				}
				if strings.Contains(r.body, fp.env.Dir) || strings.Contains(r.body, l.Dir) {
					t.Errorf("%s GET %s: the answer shows a host path", name, ep)
				}
			}
			// Changes.
			posts := []struct {
				ep   string
				form url.Values
			}{
				{"/mkdir", url.Values{"path": {p}, "name": {"pwn"}}},
				{"/rename", url.Values{"path": {p}, "to": {"/stolen"}}},
				{"/rename", url.Values{"path": {"/keep-me.txt"}, "to": {p}}},
				{"/copy", url.Values{"path": {p}, "to": {"/stolen-copy"}}},
				{"/copy", url.Values{"path": {"/keep-me.txt"}, "to": {p}}},
				{"/delete", url.Values{"path": {p}}},
				{"/chmod", url.Values{"path": {p}, "mode": {"0700"}}},
				{"/edit", url.Values{"path": {p}, "text": {"pwned"}}},
				{"/extract", url.Values{"path": {p}}},
			}
			if err := os.WriteFile(filepath.Join(sc.layout.Home, "keep-me.txt"), []byte("keep"), 0o644); err != nil {
				t.Fatal(err)
			}
			for _, ps := range posts {
				// As files.js sends them: token in the header, JSON answers.
				r := c.raw("POST", base+ps.ep+q(ps.form), nil)
				requests++
				statuses[r.status]++
				if m := leaks(r.body, sc.markers...); m != "" {
					t.Errorf("%s POST %s: leaks %q", name, ps.ep, m)
				}
			}
			site := strings.TrimPrefix(base, "/sites/")
			site = strings.TrimSuffix(site, "/files")
			c.upload(site, p, sc.as, map[string]string{"pwn.txt": "pwned"})
			rr := c.raw("POST", base+"/chunk"+q(url.Values{"path": {p}, "name": {"pwn.bin"}, "offset": {"0"}, "total": {"5"}}), []byte("pwned"))
			requests += 2
			if m := leaks(rr.body, sc.markers...); m != "" {
				t.Errorf("%s chunk: leaks %q", name, m)
			}
		}
		if after := treeSnapshot(t, snapDir.Home, snapDir.Dir, outside, l.Dir); !sameTree(before, after) {
			t.Errorf("%s as %q: outside the home changed:\n%s", sc.site, sc.as, treeDiff(before, after))
		}
		// Nothing from outside was copied in.
		err := filepath.WalkDir(sc.layout.Home, func(p string, e fs.DirEntry, err error) error {
			if err == nil && e.Type().IsRegular() {
				b, _ := os.ReadFile(p)
				for _, m := range sc.markers {
					if m != "script>alert" && bytes.Contains(b, []byte(m)) {
						t.Errorf("%s as %q: %s holds data from outside the home", sc.site, sc.as, p)
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("%d hostile requests (%d corpus paths + %d own), 4 scopes, 0 escapes; changes answered %v", requests, len(corpus), len(own), statuses)
	if statuses[http.StatusForbidden] == 0 || statuses[http.StatusOK] == 0 {
		t.Errorf("the change requests were not all examined: statuses %v", statuses)
	}
}

func sameTree(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func treeDiff(a, b map[string]string) string {
	var s strings.Builder
	for k, v := range a {
		if b[k] != v {
			fmt.Fprintf(&s, "  %s: %q -> %q\n", k, v, b[k])
		}
	}
	for k, v := range b {
		if _, ok := a[k]; !ok {
			fmt.Fprintf(&s, "  new %s: %q\n", k, v)
		}
	}
	return s.String()
}

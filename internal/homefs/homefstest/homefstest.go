// Package homefstest builds the hostile layouts that every adapter of the
// file layer (FTP, SFTP, the web file manager) runs its confinement tests
// against, so that all of them face the same corpus.
package homefstest

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Layout is a temporary tree:
//
//	outside/secret.txt            must never be reached
//	site/home/                    the home (the os.Root)
//	site/home/pub/a.txt           "hello"
//	site/home/in -> pub           (relative, inside)
//	site/home/chain -> in/a.txt   (chain, inside)
//	site/home/out -> ../../outside (relative, outside)
//	site/home/abs -> <abs>/outside (absolute, outside)
//	site/home/absin -> <abs>/site/home/pub (absolute, inside: refused too)
//	site/home/chainout -> out/secret.txt
//	site/home/loop -> loop
//	site/home/up -> ..
//	site/sibling.txt              in the site, outside the home
type Layout struct {
	Dir, Site, Home, Outside string
}

// Secret is the content of outside/secret.txt, and Sibling of
// site/sibling.txt: neither may ever appear in an answer.
const (
	Secret  = "secret-outside-the-home"
	Sibling = "sibling-outside-the-home"
)

// MustLayout builds a Layout in a fresh temporary folder.
func MustLayout(t testing.TB) Layout {
	t.Helper()
	dir := t.TempDir()
	l := Layout{Dir: dir, Site: filepath.Join(dir, "site"), Home: filepath.Join(dir, "site", "home"),
		Outside: filepath.Join(dir, "outside")}
	for _, d := range []string{l.Outside, filepath.Join(l.Home, "pub")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	files := map[string]string{
		filepath.Join(l.Outside, "secret.txt"): Secret,
		filepath.Join(l.Home, "pub", "a.txt"):  "hello",
		filepath.Join(l.Site, "sibling.txt"):   Sibling,
	}
	for p, c := range files {
		if err := os.WriteFile(p, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for name, target := range Links(l) {
		if err := os.Symlink(target, filepath.Join(l.Home, name)); err != nil {
			t.Fatal(err)
		}
	}
	return l
}

// Links returns the symlinks MustLayout makes in the home: name → target.
func Links(l Layout) map[string]string {
	return map[string]string{
		"in":       "pub",
		"chain":    "in/a.txt",
		"out":      "../../outside",
		"abs":      l.Outside,
		"absin":    filepath.Join(l.Home, "pub"),
		"chainout": "out/secret.txt",
		"loop":     "loop",
		"up":       "..",
	}
}

// EscapingLinks are the links of the layout that lead outside the home
// (or nowhere): no operation may follow them.
var EscapingLinks = []string{"out", "abs", "absin", "chainout", "loop", "up"}

// HostilePaths are client paths that try to leave the home: dot-dot in
// every spelling a client might send, encoded forms (which must stay
// literal names), NUL and control characters, and the escaping links
// with paths beneath them.
var HostilePaths = []string{
	"..", "../", "/..", "/../..", "../outside/secret.txt", "/../../outside/secret.txt",
	"pub/../../sibling.txt", "pub/../../../outside/secret.txt", "./../sibling.txt",
	"%2e%2e/sibling.txt", "..%2fsibling.txt", "%2e%2e%2f%2e%2e%2foutside", "..\\sibling.txt",
	"....//sibling.txt", "...", "pub/\x00../../sibling.txt", "pub\n/../../sibling.txt",
	"out", "out/secret.txt", "/out/secret.txt", "abs/secret.txt", "absin/a.txt",
	"chainout", "up/sibling.txt", "up/../outside/secret.txt", "loop/x", "in/../../sibling.txt",
	"in/../out/secret.txt",
}

// Snapshot lists everything outside the home with its mode and, for
// regular files, its content, to prove that nothing there changed.
func Snapshot(t testing.TB, l Layout) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(l.Dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == l.Home || strings.HasPrefix(p, l.Home+string(filepath.Separator)) {
			if p != l.Home && d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		v := fi.Mode().String()
		if fi.Mode().IsRegular() {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			v += " " + string(b)
		}
		out[p] = v
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// SameSnapshot reports whether two snapshots are equal, naming the first
// difference.
func SameSnapshot(a, b map[string]string) (bool, string) {
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false, k
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			return false, k
		}
	}
	return true, ""
}

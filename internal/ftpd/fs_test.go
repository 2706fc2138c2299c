package ftpd

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	ftpserver "github.com/fclairamb/ftpserverlib"

	"ftpanel/internal/homefs"
)

// layout builds, in a temp dir:
//
//	outside/secret.txt          must never be reached
//	site/home/                  the account's home (the os.Root)
//	site/home/pub/a.txt
//	site/home/in -> pub          (relative, inside)
//	site/home/chain -> in/a.txt  (chain, inside)
//	site/home/out -> ../../outside (relative, outside)
//	site/home/abs -> <abs>/outside (absolute, outside)
//	site/home/absin -> <abs>/site/home/pub (absolute, inside: refused too)
//	site/home/chainout -> out/secret.txt
//	site/home/loop -> loop
//	site/sibling.txt             in the site, outside the home
type layout struct {
	dir, home, outside string
}

func mustLayout(t *testing.T) layout {
	t.Helper()
	dir := t.TempDir()
	l := layout{dir: dir, home: filepath.Join(dir, "site", "home"), outside: filepath.Join(dir, "outside")}
	for _, d := range []string{l.outside, filepath.Join(l.home, "pub")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	files := map[string]string{
		filepath.Join(l.outside, "secret.txt"):    "secret",
		filepath.Join(l.home, "pub", "a.txt"):     "hello",
		filepath.Join(dir, "site", "sibling.txt"): "sibling",
	}
	for p, c := range files {
		if err := os.WriteFile(p, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	links := map[string]string{
		"in":       "pub",
		"chain":    "in/a.txt",
		"out":      "../../outside",
		"abs":      l.outside,
		"absin":    filepath.Join(l.home, "pub"),
		"chainout": "out/secret.txt",
		"loop":     "loop",
		"up":       "..",
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(l.home, name)); err != nil {
			t.Fatal(err)
		}
	}
	return l
}

// snapshot lists everything outside the home with contents, to prove that
// nothing there changed.
func snapshot(t *testing.T, l layout) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(l.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == l.home || strings.HasPrefix(p, l.home+string(filepath.Separator)) {
			if p == l.home {
				return nil
			}
			if d.IsDir() {
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

func mustFS(t *testing.T, home string, o fsOptions) *fsys {
	t.Helper()
	r, err := os.OpenRoot(home)
	if err != nil {
		t.Fatal(err)
	}
	if o.UID == 0 && o.GID == 0 {
		o.UID, o.GID = -1, -1
	}
	f := newFS(r, o)
	t.Cleanup(f.close)
	return f
}

func TestFS_Confinement(t *testing.T) {
	l := mustLayout(t)
	before := snapshot(t, l)
	f := mustFS(t, l.home, fsOptions{Read: true, Write: true, Umask: 0o022})

	// A symlink created after the session opened its root.
	if err := os.Symlink(l.outside, filepath.Join(l.home, "late")); err != nil {
		t.Fatal(err)
	}

	hostile := []string{
		"../outside/secret.txt", "/../outside/secret.txt", "../../outside/secret.txt",
		"/pub/../../outside/secret.txt", "..", "/..", "../", "....//outside/secret.txt",
		"%2e%2e/outside/secret.txt", "..%2f..%2foutside%2fsecret.txt", "..\\..\\outside\\secret.txt",
		"out/secret.txt", "abs/secret.txt", "chainout", "late/secret.txt", "up/sibling.txt",
		"absin/a.txt", "loop", "pub/a.txt\x00", "../site/sibling.txt", l.outside + "/secret.txt",
	}
	for _, p := range hostile {
		t.Run("read "+p, func(t *testing.T) {
			fl, err := f.OpenFile(p, os.O_RDONLY, 0)
			if err == nil {
				b, _ := io.ReadAll(fl)
				fl.Close()
				if strings.Contains(string(b), "secret") || strings.Contains(string(b), "sibling") {
					t.Fatalf("read %q: got %q from outside the home", p, b)
				}
				t.Fatalf("open %q: got no error", p)
			}
			if strings.Contains(err.Error(), l.dir) {
				t.Errorf("error %q shows a host path", err)
			}
			if _, err := f.Stat(p); err == nil && p != ".." && p != "/.." && p != "../" {
				t.Errorf("stat %q: got no error", p)
			}
			if _, err := f.ReadDir(p); err == nil && p != ".." && p != "/.." && p != "../" {
				t.Errorf("readdir %q: got no error", p)
			}
		})
		t.Run("write "+p, func(t *testing.T) {
			fl, err := f.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o777)
			if err == nil {
				fl.Write([]byte("pwned"))
				fl.Close()
			}
			f.Mkdir(p+"/x", 0o755)
			f.Remove(p)
			f.Rename("pub/a.txt", p)
			f.Chmod(p, 0o777)
		})
	}
	// Paths that clean to the home itself.
	for _, p := range []string{"..", "/..", "../", "/"} {
		fi, err := f.Stat(p)
		if err != nil || !fi.IsDir() {
			t.Errorf("stat %q: got %v, %v; want the home", p, fi, err)
		}
	}
	if after := snapshot(t, l); !equalMaps(before, after) {
		t.Fatalf("outside the home changed:\nbefore %v\nafter  %v", before, after)
	}
	// pub/a.txt may have been moved by the Rename attempts only inside.
}

func equalMaps(a, b map[string]string) bool {
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

func TestFS_ReadDirHidesLinksLeadingOut(t *testing.T) {
	l := mustLayout(t)
	f := mustFS(t, l.home, fsOptions{Read: true})
	if err := os.Symlink("../outside", filepath.Join(l.home, "pub", "late")); err != nil {
		t.Fatal(err)
	}
	list, err := f.ReadDir("/")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, fi := range list {
		kind := "file"
		if fi.IsDir() {
			kind = "dir"
		}
		if fi.Mode()&fs.ModeSymlink != 0 {
			kind = "link"
		}
		got = append(got, fi.Name()+":"+kind)
	}
	want := []string{"chain:file", "in:dir", "pub:dir"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("ReadDir(/) = %v, want %v", got, want)
	}
	list, err = f.ReadDir("/in")
	if err != nil || len(list) != 1 || list[0].Name() != "a.txt" {
		t.Fatalf("ReadDir(/in) = %v, %v; want [a.txt]", list, err)
	}
}

func TestFS_Permissions(t *testing.T) {
	type op struct {
		name string
		do   func(f *fsys) error
	}
	ops := []op{
		{"list", func(f *fsys) error { _, err := f.ReadDir("/pub"); return err }},
		{"download", func(f *fsys) error {
			fl, err := f.OpenFile("/pub/a.txt", os.O_RDONLY, 0)
			if err == nil {
				fl.Close()
			}
			return err
		}},
		{"upload", func(f *fsys) error {
			fl, err := f.OpenFile("/pub/new.txt", os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o777)
			if err == nil {
				fl.Close()
			}
			return err
		}},
		{"append", func(f *fsys) error {
			fl, err := f.OpenFile("/pub/a.txt", os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o777)
			if err == nil {
				fl.Close()
			}
			return err
		}},
		{"create", func(f *fsys) error {
			fl, err := f.Create("/pub/c.txt")
			if err == nil {
				fl.Close()
			}
			return err
		}},
		{"mkdir", func(f *fsys) error { return f.Mkdir("/pub/d", 0o755) }},
		{"mkdirall", func(f *fsys) error { return f.MkdirAll("/pub/e/f", 0o755) }},
		{"rename", func(f *fsys) error { return f.Rename("/pub/a.txt", "/pub/b.txt") }},
		{"chmod", func(f *fsys) error { return f.Chmod("/pub/b.txt", 0o600) }},
		{"chtimes", func(f *fsys) error { return f.Chtimes("/pub/b.txt", time.Unix(1e9, 0), time.Unix(1e9, 0)) }},
		{"delete", func(f *fsys) error { return f.Remove("/pub/b.txt") }},
		{"rmdir", func(f *fsys) error { return f.RemoveDir("/pub/d") }},
		{"removeall", func(f *fsys) error { return f.RemoveAll("/pub/e") }},
		{"allocate", func(f *fsys) error { return f.AllocateSpace(10) }},
		{"chown", func(f *fsys) error { return f.Chown("/pub", 0, 0) }},
		{"symlink", func(f *fsys) error { return f.Symlink("/pub", "/p2") }},
	}
	isRead := map[string]bool{"list": true, "download": true}
	never := map[string]bool{"chown": true, "symlink": true}
	for _, tc := range []struct {
		name        string
		read, write bool
	}{{"ReadOnly", true, false}, {"DropBox", false, true}, {"ReadWrite", true, true}, {"None", false, false}} {
		t.Run(tc.name, func(t *testing.T) {
			l := mustLayout(t)
			f := mustFS(t, l.home, fsOptions{Read: tc.read, Write: tc.write})
			for _, o := range ops {
				allowed := (isRead[o.name] && tc.read) || (!isRead[o.name] && tc.write && !never[o.name])
				if o.name == "create" { // O_RDWR: read and write
					allowed = tc.read && tc.write
				}
				err := o.do(f)
				if allowed && err != nil {
					t.Errorf("%s: got %v, want success", o.name, err)
				}
				if !allowed && !errors.Is(err, fs.ErrPermission) {
					t.Errorf("%s: got %v, want permission denied", o.name, err)
				}
			}
		})
	}
}

func TestFS_ModesAndSite(t *testing.T) {
	l := mustLayout(t)
	f := mustFS(t, l.home, fsOptions{Read: true, Write: true, Umask: 0o022})
	fl, err := f.OpenFile("/up.bin", os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o777)
	if err != nil {
		t.Fatal(err)
	}
	fl.Close()
	if err := f.Mkdir("/dir", 0o777); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]fs.FileMode{"up.bin": 0o644, "dir": 0o755 | fs.ModeDir} {
		fi, err := os.Stat(filepath.Join(l.home, p))
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode(); got != want {
			t.Errorf("mode of %s = %v, want %v", p, got, want)
		}
	}
	for _, tc := range []struct {
		param    string
		code     int
		wantMode fs.FileMode
	}{
		{"CHMOD 777 up.bin", ftpserver.StatusOK, 0o755},
		{"CHMOD 4755 /up.bin", ftpserver.StatusOK, 0o755},
		{"chmod 600 up.bin", ftpserver.StatusOK, 0o600},
		{"CHMOD 9 up.bin", ftpserver.StatusSyntaxErrorParameters, 0o600},
		{"CHMOD 644", ftpserver.StatusSyntaxErrorParameters, 0o600},
		{"CHMOD 644 /nothere", ftpserver.StatusActionNotTaken, 0o600},
		{"SYMLINK /etc x", ftpserver.StatusCommandNotImplemented, 0o600},
		{"CHOWN 0 up.bin", ftpserver.StatusCommandNotImplemented, 0o600},
	} {
		a := f.Site(tc.param)
		if a.Code != tc.code {
			t.Errorf("SITE %s: code %d (%s), want %d", tc.param, a.Code, a.Message, tc.code)
		}
		fi, _ := os.Stat(filepath.Join(l.home, "up.bin"))
		if fi.Mode() != tc.wantMode {
			t.Errorf("after SITE %s: mode %v, want %v", tc.param, fi.Mode(), tc.wantMode)
		}
	}
	ro := mustFS(t, l.home, fsOptions{Read: true})
	if a := ro.Site("CHMOD 600 up.bin"); a.Code != ftpserver.StatusActionNotTaken {
		t.Errorf("read-only SITE CHMOD: code %d, want %d", a.Code, ftpserver.StatusActionNotTaken)
	}
}

// upload writes data through ReadFrom (as ftpserverlib's io.Copy does).
func upload(f *fsys, name string, flag int, offset int64, data []byte) error {
	fl, err := f.OpenFile(name, flag, 0o777)
	if err != nil {
		return err
	}
	if offset > 0 {
		if _, err := fl.Seek(offset, io.SeekStart); err != nil {
			fl.Close()
			return err
		}
	}
	_, err = io.Copy(fl, bytes.NewReader(data))
	if err != nil {
		if te, ok := fl.(ftpserver.FileTransferError); ok {
			te.TransferError(err)
		}
	}
	if cerr := fl.Close(); err == nil {
		err = cerr
	}
	return err
}

func treeSize(t *testing.T, dir string) int64 {
	t.Helper()
	u := homefs.NewUsage(0, dir, "/", -1)
	if err := u.Rescan(); err != nil {
		t.Fatal(err)
	}
	return u.Used()
}

func TestFS_Quota(t *testing.T) {
	const stor = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	const appe = os.O_WRONLY | os.O_CREATE | os.O_APPEND
	const rest = os.O_WRONLY | os.O_CREATE
	for _, tc := range []struct {
		name     string
		existing int // size of /f before, -1 = none
		flag     int
		offset   int64
		size     int
		wantErr  bool
		wantSize int64 // of /f after, -1 = absent
	}{
		{"NewFits", -1, stor, 0, 1000, false, 1000},
		{"NewExact", -1, stor, 0, 1024, false, 1024},
		{"NewOver", -1, stor, 0, 1025, true, -1},
		{"NewFarOver", -1, stor, 0, 10 << 20, true, -1},
		{"OverwriteFits", 1000, stor, 0, 1024, false, 1024},
		{"OverwriteOver", 1000, stor, 0, 2000, true, -1},
		{"AppendFits", 1000, appe, 0, 24, false, 1024},
		{"AppendOver", 1000, appe, 0, 25, true, 1000},
		{"RestInsideFits", 1000, rest, 500, 500, false, 1000},
		{"RestOver", 1000, rest, 1000, 100, true, 1000},
		{"Empty", -1, stor, 0, 0, false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			home := t.TempDir()
			if tc.existing >= 0 {
				if err := os.WriteFile(filepath.Join(home, "f"), bytes.Repeat([]byte("o"), tc.existing), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			u := homefs.NewUsage(1, home, "/", 1024)
			f := mustFS(t, home, fsOptions{Read: true, Write: true, Usage: u})
			err := upload(f, "/f", tc.flag, tc.offset, bytes.Repeat([]byte("n"), tc.size))
			if tc.wantErr != (err != nil) {
				t.Fatalf("upload: got %v, want error %v", err, tc.wantErr)
			}
			if tc.wantErr && !errors.Is(err, ftpserver.ErrStorageExceeded) {
				t.Fatalf("upload: got %v, want ErrStorageExceeded", err)
			}
			fi, serr := os.Stat(filepath.Join(home, "f"))
			switch {
			case tc.wantSize < 0 && serr == nil:
				t.Errorf("file left with %d bytes, want it removed", fi.Size())
			case tc.wantSize >= 0 && (serr != nil || fi.Size() != tc.wantSize):
				t.Errorf("file: %v %v, want %d bytes", fi, serr, tc.wantSize)
			}
			if got, want := u.Used(), treeSize(t, home); got != want {
				t.Errorf("usage = %d, disk = %d", got, want)
			}
			if got := treeSize(t, home); got > 1024 {
				t.Errorf("tree holds %d bytes, quota 1024", got)
			}
		})
	}
}

func TestFS_QuotaConcurrent(t *testing.T) {
	home := t.TempDir()
	const quota = 3 << 20
	if err := os.WriteFile(filepath.Join(home, "old"), make([]byte, quota-100_000), 0o644); err != nil {
		t.Fatal(err)
	}
	u := homefs.NewUsage(1, home, "/", quota)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		f := mustFS(t, home, fsOptions{Read: true, Write: true, Usage: u})
		wg.Go(func() {
			errs[i] = upload(f, "/up"+string(rune('a'+i)), os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0, make([]byte, 60_000))
		})
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		} else if !errors.Is(err, ftpserver.ErrStorageExceeded) {
			t.Errorf("upload: %v", err)
		}
	}
	if ok != 1 {
		t.Errorf("%d uploads succeeded, want 1 (100000 bytes left, 60000 each)", ok)
	}
	if got := treeSize(t, home); got > quota {
		t.Errorf("tree holds %d bytes, quota %d", got, quota)
	}
	if got, want := u.Used(), treeSize(t, home); got != want {
		t.Errorf("usage = %d, disk = %d", got, want)
	}
}

func TestFS_DeleteAndRenameAdjustUsage(t *testing.T) {
	home := t.TempDir()
	for name, n := range map[string]int{"a": 100, "b": 50} {
		if err := os.WriteFile(filepath.Join(home, name), make([]byte, n), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	u := homefs.NewUsage(1, home, "/", 1000)
	f := mustFS(t, home, fsOptions{Read: true, Write: true, Usage: u})
	if left, err := f.GetAvailableSpace("/"); err != nil || left != 850 {
		t.Fatalf("AVBL = %d, %v; want 850", left, err)
	}
	if err := f.Rename("/a", "/b"); err != nil {
		t.Fatal(err)
	}
	if got := u.Used(); got != 100 {
		t.Errorf("after rename over b: usage %d, want 100", got)
	}
	if err := f.Remove("/b"); err != nil {
		t.Fatal(err)
	}
	if left, _ := f.GetAvailableSpace("/"); left != 1000 {
		t.Errorf("after delete: AVBL %d, want 1000", left)
	}
	if err := f.AllocateSpace(1001); !errors.Is(err, ftpserver.ErrStorageExceeded) {
		t.Errorf("ALLO 1001: got %v, want ErrStorageExceeded", err)
	}
}

func TestFS_OpenRefusesSpecialFiles(t *testing.T) {
	l := mustLayout(t)
	f := mustFS(t, l.home, fsOptions{Read: true, Write: true})
	if _, err := f.OpenFile("/pub", os.O_RDONLY, 0); !errors.Is(err, errNotFile) {
		t.Errorf("open a folder: got %v, want %v", err, errNotFile)
	}
	if _, err := f.OpenFile("/pub", os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o777); !errors.Is(err, errIsDir) {
		t.Errorf("upload onto a folder: got %v, want %v", err, errIsDir)
	}
	if err := f.Remove("/pub"); !errors.Is(err, errIsDir) {
		t.Errorf("DELE a folder: got %v, want %v", err, errIsDir)
	}
	if err := f.RemoveDir("/pub/a.txt"); !errors.Is(err, errNotDir) {
		t.Errorf("RMD a file: got %v, want %v", err, errNotDir)
	}
}

func TestFS_FIFOIsNotOpened(t *testing.T) {
	l := mustLayout(t)
	if err := syscall.Mkfifo(filepath.Join(l.home, "pipe"), 0o644); err != nil {
		t.Skip("mkfifo:", err)
	}
	f := mustFS(t, l.home, fsOptions{Read: true, Write: true})
	for _, flag := range []int{os.O_RDONLY, os.O_WRONLY | os.O_CREATE | os.O_TRUNC, os.O_WRONLY | os.O_APPEND | os.O_CREATE} {
		if _, err := f.OpenFile("/pipe", flag, 0o777); !errors.Is(err, errNotFile) {
			t.Errorf("open a FIFO with flags %#x: got %v, want %v", flag, err, errNotFile)
		}
	}
}

// TestFS_ReadDirLarge lists a folder large enough for the lstat calls to
// be shared between goroutines: every entry once, sorted, with its own
// size, links inside shown as their targets and links leading out hidden.
func TestFS_ReadDirLarge(t *testing.T) {
	l := mustLayout(t)
	dir := filepath.Join(l.home, "big")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	const n = 3*128 + 7 // three of homefs's lstat chunks and some
	want := map[string]int64{}
	for i := range n {
		name := fmt.Sprintf("f%04d", n-i) // created in reverse order
		if err := os.WriteFile(filepath.Join(dir, name), make([]byte, i%17), 0o644); err != nil {
			t.Fatal(err)
		}
		want[name] = int64(i % 17)
	}
	for name, target := range map[string]string{"inlink": "../pub/a.txt", "outlink": "../../../outside/secret.txt"} {
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	want["inlink"] = int64(len("hello"))
	f := mustFS(t, l.home, fsOptions{Read: true})
	list, err := f.ReadDir("/big")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int64{}
	for i, fi := range list {
		if i > 0 && list[i-1].Name() >= fi.Name() {
			t.Fatalf("ReadDir: %q listed after %q, want sorted names", fi.Name(), list[i-1].Name())
		}
		if !fi.Mode().IsRegular() {
			t.Errorf("ReadDir: %s has mode %v, want a regular file", fi.Name(), fi.Mode())
		}
		got[fi.Name()] = fi.Size()
	}
	if len(got) != len(want) {
		t.Fatalf("ReadDir: got %d entries, want %d", len(got), len(want))
	}
	for name, size := range want {
		if g, ok := got[name]; !ok || g != size {
			t.Errorf("ReadDir: %s = %d (listed %v), want size %d", name, g, ok, size)
		}
	}
}

// TestFS_ReadDirMatchesLstat compares each entry of a listing with
// os.Lstat of the same file: name, size, mode (type and permission bits,
// set-id and sticky bits included) and modification time.
func TestFS_ReadDirMatchesLstat(t *testing.T) {
	dir := t.TempDir()
	must(t, os.WriteFile(filepath.Join(dir, "file"), []byte("12345"), 0o640), "write")
	must(t, os.WriteFile(filepath.Join(dir, "setid"), nil, 0o755), "write")
	must(t, os.Chmod(filepath.Join(dir, "setid"), 0o755|fs.ModeSetuid|fs.ModeSetgid), "chmod")
	must(t, os.Mkdir(filepath.Join(dir, "sticky"), 0o777), "mkdir")
	must(t, os.Chmod(filepath.Join(dir, "sticky"), 0o777|fs.ModeSticky), "chmod")
	must(t, os.Mkdir(filepath.Join(dir, "sub"), 0o700), "mkdir")
	must(t, syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o600), "mkfifo")
	must(t, os.Chtimes(filepath.Join(dir, "file"), time.Time{}, time.Unix(1_000_000_000, 123456789)), "chtimes")
	f := mustFS(t, dir, fsOptions{Read: true})
	list, err := f.ReadDir("/")
	must(t, err, "ReadDir")
	var got []string
	for _, fi := range list {
		got = append(got, fi.Name())
		want, err := os.Lstat(filepath.Join(dir, fi.Name()))
		must(t, err, "lstat %s", fi.Name())
		if fi.Mode() != want.Mode() || fi.Size() != want.Size() || !fi.ModTime().Equal(want.ModTime()) || fi.IsDir() != want.IsDir() {
			t.Errorf("%s: mode %v size %d mtime %v dir %v; want %v %d %v %v", fi.Name(), fi.Mode(), fi.Size(), fi.ModTime(),
				fi.IsDir(), want.Mode(), want.Size(), want.ModTime(), want.IsDir())
		}
	}
	if want := []string{"fifo", "file", "setid", "sticky", "sub"}; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("ReadDir(/) = %v, want %v", got, want)
	}
}

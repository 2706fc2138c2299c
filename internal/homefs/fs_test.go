package homefs_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"ftpanel/internal/homefs"
	"ftpanel/internal/homefs/homefstest"
	"ftpanel/internal/hosting"
)

func mustFS(t *testing.T, home string, o homefs.Options) *homefs.FS {
	t.Helper()
	r, err := os.OpenRoot(home)
	if err != nil {
		t.Fatal(err)
	}
	if o.UID == 0 && o.GID == 0 {
		o.UID, o.GID = -1, -1
	}
	f := homefs.New(r, o)
	t.Cleanup(f.Close)
	return f
}

// TestConfinement runs every operation with every hostile path of the
// shared corpus: nothing outside the home is read or changed.
func TestConfinement(t *testing.T) {
	forEachOpen(t, testConfinement)
}

// forEachOpen runs test with files opened through openat2 and, as on
// kernels without it, through os.Root.
func forEachOpen(t *testing.T, test func(t *testing.T)) {
	for _, tc := range []struct {
		name    string
		openat2 bool
	}{{"openat2", true}, {"os.Root", false}} {
		t.Run(tc.name, func(t *testing.T) {
			defer homefs.SetOpenat2(tc.openat2)()
			test(t)
		})
	}
	if homefs.Openat2Off() {
		t.Error("openat2 was found missing on this kernel (Linux 5.6+ has it): the os.Root path served every open")
	}
}

func testConfinement(t *testing.T) {
	l := homefstest.MustLayout(t)
	before := homefstest.Snapshot(t, l)
	f := mustFS(t, l.Home, homefs.Options{Read: true, Write: true, Umask: 0o022})
	leaks := func(op, p string, b []byte) {
		if bytes.Contains(b, []byte(homefstest.Secret)) || bytes.Contains(b, []byte(homefstest.Sibling)) {
			t.Errorf("%s %q read data outside the home", op, p)
		}
	}
	for _, p := range homefstest.HostilePaths {
		if fl, err := f.Open(p); err == nil {
			b, _ := io.ReadAll(fl)
			fl.Close()
			leaks("open", p, b)
		}
		if list, err := f.ReadDir(p); err == nil {
			for _, fi := range list {
				if fi.Name() == "secret.txt" || fi.Name() == "sibling.txt" {
					t.Errorf("ReadDir %q lists %s", p, fi.Name())
				}
			}
		}
		if target, err := f.Readlink(p); err == nil && (strings.Contains(target, "outside") || strings.HasPrefix(target, "..")) {
			t.Errorf("Readlink %q = %q", p, target)
		}
		if fl, err := f.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_TRUNC); err == nil {
			fl.Write([]byte("x"))
			fl.Close()
		}
		if fl, err := f.OpenFile(p, os.O_WRONLY|os.O_APPEND); err == nil {
			fl.Write([]byte("x"))
			fl.Close()
		}
		_ = f.Chmod(p, 0o777)
		_ = f.Mkdir(p + "/x")
		_ = f.MkdirAll(p + "/y/z")
		_ = f.Rename(p, "/stolen")
		_ = f.Rename("/pub/a.txt", p)
		_ = f.Symlink("/", p)
	}
	// Removal last: the escaping links themselves may go, their targets never.
	for _, p := range homefstest.HostilePaths {
		_ = f.Remove(p)
		_ = f.RemoveAll(p)
	}
	if ok, diff := homefstest.SameSnapshot(before, homefstest.Snapshot(t, l)); !ok {
		t.Fatalf("the tree outside the home changed at %s", diff)
	}
}

func TestReadlink(t *testing.T) {
	l := homefstest.MustLayout(t)
	f := mustFS(t, l.Home, homefs.Options{Read: true})
	tests := []struct {
		name, want string
		err        error
	}{
		{"/in", "/pub", nil},
		{"/chain", "/in/a.txt", nil},
		{"/out", "", homefs.ErrNotFound},
		{"/abs", "", homefs.ErrNotFound},
		{"/absin", "", homefs.ErrNotFound},
		{"/chainout", "", homefs.ErrNotFound},
		{"/loop", "", homefs.ErrNotFound},
		{"/up", "", homefs.ErrNotFound},
		{"/pub", "", homefs.ErrInvalidName},
		{"/missing", "", homefs.ErrNotFound},
	}
	for _, tc := range tests {
		got, err := f.Readlink(tc.name)
		if got != tc.want || !errors.Is(err, tc.err) {
			t.Errorf("Readlink(%s) = %q, %v; want %q, %v", tc.name, got, err, tc.want, tc.err)
		}
	}
	wo := mustFS(t, l.Home, homefs.Options{Write: true})
	if _, err := wo.Readlink("/in"); !errors.Is(err, homefs.ErrPermission) {
		t.Errorf("Readlink without read: %v", err)
	}
}

func treeSize(t *testing.T, dir string) int64 {
	t.Helper()
	u := homefs.NewUsage(0, dir, "/", -1)
	if err := u.Rescan(); err != nil {
		t.Fatal(err)
	}
	return u.Used()
}

// TestWriteAtParallelQuota writes a file out of order from several
// goroutines, as SFTP clients do, against a quota smaller than the file:
// the home never holds more than the quota, and the usage equals the disk.
func TestWriteAtParallelQuota(t *testing.T) {
	const quota, block, blocks = 1 << 20, 32 << 10, 64 // 2 MiB tried
	home := t.TempDir()
	u := homefs.NewUsage(1, home, "/", quota)
	f := mustFS(t, home, homefs.Options{Read: true, Write: true, Usage: u})
	fl, err := f.OpenFile("/big.bin", os.O_WRONLY|os.O_CREATE|os.O_TRUNC)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	refused := 0
	order := make(chan int, blocks)
	for i := range blocks {
		order <- (i*37 + 11) % blocks // a permutation: out of order
	}
	close(order)
	for range 8 {
		wg.Go(func() {
			buf := bytes.Repeat([]byte{'z'}, block)
			for i := range order {
				if _, err := fl.WriteAt(buf, int64(i)*block); err != nil {
					if !errors.Is(err, homefs.ErrNoSpace) {
						t.Errorf("WriteAt: %v", err)
					}
					mu.Lock()
					refused++
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	if refused == 0 {
		t.Error("no write was refused although 2 MiB do not fit in 1 MiB")
	}
	fi, err := os.Stat(filepath.Join(home, "big.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() > quota {
		t.Errorf("file grew to %d bytes, quota %d", fi.Size(), quota)
	}
	if got := u.Used(); got != fi.Size() {
		t.Errorf("usage %d, file %d", got, fi.Size())
	}
	fl.Close() // stopped by the quota: undone
	if got, want := u.Used(), treeSize(t, home); got != want {
		t.Errorf("after close: usage %d, disk %d", got, want)
	}
}

func TestTruncateQuota(t *testing.T) {
	home := t.TempDir()
	u := homefs.NewUsage(1, home, "/", 1000)
	f := mustFS(t, home, homefs.Options{Read: true, Write: true, Usage: u})
	fl, err := f.OpenFile("/t.bin", os.O_RDWR|os.O_CREATE)
	if err != nil {
		t.Fatal(err)
	}
	defer fl.Close()
	tests := []struct {
		size int64
		err  error
		used int64
	}{
		{600, nil, 600},
		{1001, homefs.ErrNoSpace, 600},
		{1000, nil, 1000},
		{10, nil, 10},
		{-1, homefs.ErrInvalidName, 10},
	}
	for _, tc := range tests {
		if err := fl.Truncate(tc.size); !errors.Is(err, tc.err) {
			t.Errorf("Truncate(%d) = %v, want %v", tc.size, err, tc.err)
		}
		if got := u.Used(); got != tc.used {
			t.Errorf("after Truncate(%d): usage %d, want %d", tc.size, got, tc.used)
		}
	}
	ro := mustFS(t, home, homefs.Options{Read: true})
	rf, err := ro.Open("/t.bin")
	if err != nil {
		t.Fatal(err)
	}
	defer rf.Close()
	if err := rf.Truncate(0); !errors.Is(err, homefs.ErrPermission) {
		t.Errorf("Truncate of a file opened for reading: %v", err)
	}
}

func TestSpace(t *testing.T) {
	home := t.TempDir()
	if err := os.WriteFile(filepath.Join(home, "a"), make([]byte, 300), 0o644); err != nil {
		t.Fatal(err)
	}
	f := mustFS(t, home, homefs.Options{Read: true, Write: true, Usage: homefs.NewUsage(1, home, "/", 1000)})
	total, free, err := f.Space()
	if err != nil || total != 1000 || free != 700 {
		t.Errorf("Space with quota = %d, %d, %v; want 1000, 700", total, free, err)
	}
	if err := f.Allocate(701); !errors.Is(err, homefs.ErrNoSpace) {
		t.Errorf("Allocate(701) = %v", err)
	}
	if err := f.Allocate(700); err != nil {
		t.Errorf("Allocate(700) = %v", err)
	}
	nq := mustFS(t, home, homefs.Options{Read: true})
	total, free, err = nq.Space()
	if err != nil || total <= 0 || free <= 0 || free > total {
		t.Errorf("Space without quota = %d, %d, %v", total, free, err)
	}
}

func TestCreateModes(t *testing.T) {
	for _, umask := range []fs.FileMode{0o000, 0o002, 0o022, 0o027, 0o077} {
		t.Run(fmt.Sprintf("umask %03o", umask), func(t *testing.T) {
			home := t.TempDir()
			f := mustFS(t, home, homefs.Options{Read: true, Write: true, Umask: umask})
			fl, err := f.OpenFile("/new.bin", os.O_WRONLY|os.O_CREATE|os.O_TRUNC)
			if err != nil {
				t.Fatal(err)
			}
			fl.Close()
			if err := f.Mkdir("/newdir"); err != nil {
				t.Fatal(err)
			}
			if err := f.MkdirAll("/a/b"); err != nil {
				t.Fatal(err)
			}
			for p, want := range map[string]fs.FileMode{"new.bin": 0o666 &^ umask, "newdir": 0o777 &^ umask, "a/b": 0o777 &^ umask} {
				fi, err := os.Stat(filepath.Join(home, p))
				if err != nil {
					t.Fatal(err)
				}
				if got := fi.Mode().Perm(); got != want {
					t.Errorf("%s: mode %03o, want %03o", p, got, want)
				}
			}
		})
	}
}

// TestUsagesShared: every session of an account, whatever its protocol,
// gets the same pool; a changed home gets a fresh one.
func TestUsagesShared(t *testing.T) {
	p := homefs.NewUsages()
	a := &hosting.Account{ID: 7, SiteRoot: "/srv/a", Home: "/", QuotaBytes: 100}
	u1, u2 := p.Acquire(a), p.Acquire(a)
	if u1 != u2 {
		t.Fatal("two acquires of one account gave two pools")
	}
	a2 := *a
	a2.QuotaBytes = 50
	if u3 := p.Acquire(&a2); u3 != u1 || u3.Limit() != 50 {
		t.Errorf("new quota: pool %p limit %d; want the same pool with 50", u3, u3.Limit())
	}
	a3 := *a
	a3.Home = "/sub"
	if u4 := p.Acquire(&a3); u4 == u1 {
		t.Error("a moved home kept the old pool")
	}
	p.Release(u1)
	p.Release(u2)
}

// TestOpenKinds opens every kind of name a home may hold, for reading and
// for writing: symlinks inside the home are followed, escaping ones
// refused, and a FIFO, a folder or a socket never opens (nor blocks the
// open), with the same answers through openat2 and through os.Root.
func TestOpenKinds(t *testing.T) {
	forEachOpen(t, func(t *testing.T) {
		l := homefstest.MustLayout(t)
		if err := syscall.Mkfifo(filepath.Join(l.Home, "fifo"), 0o644); err != nil {
			t.Fatal(err)
		}
		sock, err := net.Listen("unix", filepath.Join(l.Home, "sock"))
		if err != nil {
			t.Fatal(err)
		}
		defer sock.Close()
		if err := os.Symlink("fifo", filepath.Join(l.Home, "tofifo")); err != nil {
			t.Fatal(err)
		}
		f := mustFS(t, l.Home, homefs.Options{Read: true, Write: true, Umask: 0o022})
		tests := []struct {
			name    string
			read    error  // Open
			content string // what Open reads
			write   error  // OpenFile O_WRONLY (an existing file)
		}{
			{"/pub/a.txt", nil, "hello", nil},
			{"/in/a.txt", nil, "hello", nil},
			{"/chain", nil, "hello", nil},
			{"/pub/../in/./a.txt", nil, "hello", nil},
			{"/out/secret.txt", homefs.ErrPermission, "", homefs.ErrPermission},
			{"/abs/secret.txt", homefs.ErrPermission, "", homefs.ErrPermission},
			{"/absin/a.txt", homefs.ErrPermission, "", homefs.ErrPermission},
			{"/chainout", homefs.ErrPermission, "", homefs.ErrPermission},
			{"/up/sibling.txt", homefs.ErrPermission, "", homefs.ErrPermission},
			{"/loop", homefs.ErrPermission, "", homefs.ErrPermission},
			{"/missing", homefs.ErrNotFound, "", homefs.ErrNotFound},
			{"/pub/a.txt/x", homefs.ErrNotDir, "", homefs.ErrNotDir},
			{"/pub", homefs.ErrNotFile, "", homefs.ErrIsDir},
			{"/", homefs.ErrNotFile, "", homefs.ErrIsDir},
			{"/fifo", homefs.ErrNotFile, "", homefs.ErrNotFile},
			{"/tofifo", homefs.ErrNotFile, "", homefs.ErrNotFile},
			{"/sock", homefs.ErrNotFile, "", homefs.ErrNotFile},
		}
		for _, tc := range tests {
			fl, err := f.Open(tc.name)
			if !errors.Is(err, tc.read) {
				t.Errorf("Open(%s) = %v, want %v", tc.name, err, tc.read)
			}
			if err == nil {
				b, err := io.ReadAll(fl)
				fl.Close()
				if err != nil || string(b) != tc.content {
					t.Errorf("Open(%s) read %q, %v; want %q", tc.name, b, err, tc.content)
				}
			}
			fl, err = f.OpenFile(tc.name, os.O_WRONLY)
			if !errors.Is(err, tc.write) {
				t.Errorf("OpenFile(%s, O_WRONLY) = %v, want %v", tc.name, err, tc.write)
			}
			if err == nil {
				fl.Close()
			}
		}
		// Writing through a link inside the home changes the file it
		// leads to; creating through an escaping one creates nothing.
		fl, err := f.OpenFile("/in/a.txt", os.O_WRONLY|os.O_CREATE|os.O_TRUNC)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fl.Write([]byte("changed")); err != nil {
			t.Fatal(err)
		}
		fl.Close()
		if b, _ := os.ReadFile(filepath.Join(l.Home, "pub", "a.txt")); string(b) != "changed" {
			t.Errorf("pub/a.txt after a write through in/a.txt: %q", b)
		}
		for _, p := range []string{"/out/new.txt", "/abs/new.txt", "/up/new.txt"} {
			if _, err := f.OpenFile(p, os.O_WRONLY|os.O_CREATE); !errors.Is(err, homefs.ErrPermission) {
				t.Errorf("create %s: %v, want %v", p, err, homefs.ErrPermission)
			}
		}
		if _, err := os.Stat(filepath.Join(l.Outside, "new.txt")); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("a create through an escaping link made outside/new.txt: %v", err)
		}
		// A new file is created with the umask's mode and is empty.
		fl, err = f.OpenFile("/pub/new.txt", os.O_WRONLY|os.O_CREATE|os.O_EXCL)
		if err != nil {
			t.Fatal(err)
		}
		fl.Close()
		if fi, err := os.Stat(filepath.Join(l.Home, "pub", "new.txt")); err != nil || fi.Mode().Perm() != 0o644 || fi.Size() != 0 {
			t.Errorf("created pub/new.txt: %v, %v", fi, err)
		}
		if _, err := f.OpenFile("/pub/new.txt", os.O_WRONLY|os.O_CREATE|os.O_EXCL); !errors.Is(err, homefs.ErrExists) {
			t.Errorf("O_EXCL on an existing file: %v", err)
		}
	})
}

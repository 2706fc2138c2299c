package sftpd

import (
	"bytes"
	"io"
	"os"
	"slices"
	"strings"
	"testing"

	"ftpanel/internal/homefs/homefstest"
	"ftpanel/internal/hosting"
	"ftpanel/internal/hosting/hostingtest"
)

// TestConfinementCorpus runs every SFTP operation with every hostile path
// of the shared corpus (homefstest), over the wire: nothing outside the
// home is read or changed, and no answer names a host path.
func TestConfinementCorpus(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	l := homefstest.MustLayout(t)
	if _, _, _, err := f.env.Service.CreateSite(f.admin(), hosting.SiteCreate{Name: "corpus.example", Customer: "cust",
		Root: l.Site, MainLogin: "corpusmain", MainPassword: hostingtest.Password}); err != nil {
		t.Fatal(err)
	}
	in := hosting.AccountCreate{Site: "corpus.example", Login: "corpus", Password: hostingtest.Password, Home: "/home"}
	if _, _, err := f.env.Service.CreateAccount(f.admin(), in); err != nil {
		t.Fatal(err)
	}
	before := homefstest.Snapshot(t, l)
	c := f.dial(t, "corpus", hostingtest.Password)
	leaks := func(op, p string, b []byte) {
		t.Helper()
		if bytes.Contains(b, []byte(homefstest.Secret)) || bytes.Contains(b, []byte(homefstest.Sibling)) {
			t.Errorf("%s %q read data outside the home", op, p)
		}
	}
	noHostPath := func(op, p string, err error) {
		t.Helper()
		if err != nil && (strings.Contains(err.Error(), l.Dir) || strings.Contains(err.Error(), "escapes")) {
			t.Errorf("%s %q: error names a host path: %v", op, p, err)
		}
	}
	for _, p := range homefstest.HostilePaths {
		if fl, err := c.Open(p); err == nil {
			b, _ := io.ReadAll(fl)
			fl.Close()
			leaks("open", p, b)
		} else {
			noHostPath("open", p, err)
		}
		if list, err := c.ReadDir(p); err == nil {
			for _, fi := range list {
				if fi.Name() == "secret.txt" || fi.Name() == "sibling.txt" {
					t.Errorf("ReadDir %q lists %s", p, fi.Name())
				}
			}
		}
		if fi, err := c.Stat(p); err == nil && fi.Mode().IsRegular() && (fi.Size() == int64(len(homefstest.Secret)) || fi.Size() == int64(len(homefstest.Sibling))) {
			t.Errorf("Stat %q reached a file outside the home? %v", p, fi)
		}
		if target, err := c.ReadLink(p); err == nil && (strings.Contains(target, "outside") || strings.HasPrefix(target, "..") || strings.Contains(target, l.Dir)) {
			t.Errorf("ReadLink %q = %q", p, target)
		}
		if rp, err := c.RealPath(p); err == nil && (!strings.HasPrefix(rp, "/") || slices.Contains(strings.Split(rp, "/"), "..") || strings.Contains(rp, l.Dir)) {
			t.Errorf("RealPath %q = %q", p, rp)
		}
		if w, err := c.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_TRUNC); err == nil {
			w.Write([]byte("x"))
			w.Close()
		} else {
			noHostPath("create", p, err)
		}
		if w, err := c.OpenFile(p, os.O_WRONLY|os.O_APPEND); err == nil {
			w.Write([]byte("x"))
			w.Close()
		}
		_ = c.Chmod(p, 0o777)
		_ = c.Truncate(p, 0)
		noHostPath("mkdir", p, c.Mkdir(p+"/x"))
		_ = c.MkdirAll(p + "/y/z")
		_ = c.Rename(p, "/stolen")
		_ = c.PosixRename(p, "/stolen2")
		_ = c.Rename("/pub/a.txt", p)
		_ = c.Symlink("/", p)
		_ = c.Link("/pub/a.txt", p)
		if st, err := c.StatVFS(p); err == nil && st.TotalSpace() == 0 {
			t.Errorf("statvfs %q answered nothing", p)
		}
	}
	for _, p := range homefstest.HostilePaths {
		_ = c.Remove(p)
		_ = c.RemoveDirectory(p)
	}
	if ok, where := homefstest.SameSnapshot(before, homefstest.Snapshot(t, l)); !ok {
		t.Fatalf("outside the home changed at %s", where)
	}
}

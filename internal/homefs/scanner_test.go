package homefs_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"ftpanel/internal/homefs"
	"ftpanel/internal/hosting"
	"ftpanel/internal/hosting/hostingtest"
)

func writeFile(t *testing.T, name string, size int) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, bytes.Repeat([]byte("u"), size), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestScannerMeasuresEverything: files written by anyone are measured for
// every account whose home holds them and for the site; a delete made
// outside the file layer frees quota for uploads at once.
func TestScannerMeasuresEverything(t *testing.T) {
	env := hostingtest.New(t)
	ctx := env.Admin(context.Background())
	env.MustCustomer(t, "bob")
	site, main := env.MustSite(t, "bob", "bob.example")
	quota := int64(10000)
	if err := os.MkdirAll(filepath.Join(site.Root, "sub", "deep"), 0o755); err != nil {
		t.Fatal(err)
	}
	nested, _, err := env.Service.CreateAccount(ctx, hosting.AccountCreate{Site: site.Name, Login: "up",
		Password: hostingtest.Password, Home: "/sub", QuotaBytes: &quota})
	if err != nil {
		t.Fatal(err)
	}
	deep, _, err := env.Service.CreateAccount(ctx, hosting.AccountCreate{Site: site.Name, Login: "deep",
		Password: hostingtest.Password, Home: "/sub/deep"})
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(site.Root, "top.bin"), 1000)
	writeFile(t, filepath.Join(site.Root, "sub", "a.bin"), 2000)
	writeFile(t, filepath.Join(site.Root, "sub", "deep", "b.bin"), 3000)
	writeFile(t, filepath.Join(site.Root, "subway", "c.bin"), 500) // not under /sub
	outside := filepath.Join(env.Dir, "outside.bin")
	writeFile(t, outside, 70000)
	if err := os.Symlink(outside, filepath.Join(site.Root, "sub", "link.bin")); err != nil {
		t.Fatal(err)
	}

	// The nested account is in use on this node: its pool must follow.
	usages := homefs.NewUsages()
	a, err := env.Service.AccountByID(ctx, nested.ID)
	if err != nil {
		t.Fatal(err)
	}
	u := usages.Acquire(a)
	defer usages.Release(u)
	f := mustFS(t, filepath.Join(site.Root, "sub"), homefs.Options{Read: true, Write: true, Usage: u})
	fl, err := f.OpenFile("/fill.bin", os.O_WRONLY|os.O_CREATE|os.O_EXCL)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fl.Write(make([]byte, quota-5000)); err != nil { // 5000 already there
		t.Fatal(err)
	}
	fl.Close()
	if left := u.Available(); left != 0 {
		t.Fatalf("Available=%d after filling the quota", left)
	}

	// Someone else deletes 3000 bytes of the home (the web app, a shell).
	if err := os.Remove(filepath.Join(site.Root, "sub", "deep", "b.bin")); err != nil {
		t.Fatal(err)
	}
	sc := homefs.NewScanner(env.Service, usages, homefs.ScannerConfig{Node: "n1", EntriesPerSecond: -1})
	if err := sc.Pass(ctx); err != nil {
		t.Fatal(err)
	}
	if left := u.Available(); left != 3000 {
		t.Errorf("after the scan: Available=%d, want 3000 (freed outside the file layer)", left)
	}
	fl, err = f.OpenFile("/more.bin", os.O_WRONLY|os.O_CREATE|os.O_EXCL)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fl.Write(make([]byte, 3000)); err != nil {
		t.Errorf("upload into the freed room: %v", err)
	}
	if _, err := fl.Write([]byte{1}); !errors.Is(err, homefs.ErrNoSpace) {
		t.Errorf("one more byte: err=%v, want ErrNoSpace", err)
	}
	fl.Close()

	fill := quota - 5000
	for _, tc := range []struct {
		id   int64
		want int64
	}{
		{main.ID, 1000 + 2000 + fill + 500},
		{nested.ID, 2000 + fill},
		{deep.ID, 0},
	} {
		a, err := env.Service.AccountByID(ctx, tc.id)
		if err != nil {
			t.Fatal(err)
		}
		if a.UsedBytes != tc.want || a.UsedMeasuredAt == nil {
			t.Errorf("%s: UsedBytes=%d UsedMeasuredAt=%v, want %d and a time", a.Login, a.UsedBytes, a.UsedMeasuredAt, tc.want)
		}
	}
	s, err := env.Service.SiteByID(ctx, site.ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := int64(1000 + 2000 + fill + 500); s.UsedBytes != want || s.UsedMeasuredAt == nil {
		t.Errorf("site UsedBytes=%d UsedMeasuredAt=%v, want %d", s.UsedBytes, s.UsedMeasuredAt, want)
	}

	// Another node sharing the store leaves the site to the lease holder.
	other := homefs.NewScanner(env.Service, nil, homefs.ScannerConfig{Node: "n2", EntriesPerSecond: -1})
	writeFile(t, filepath.Join(site.Root, "new.bin"), 100)
	if err := other.Pass(ctx); err != nil {
		t.Fatal(err)
	}
	if s2, _ := env.Service.SiteByID(ctx, site.ID); s2.UsedBytes != s.UsedBytes {
		t.Errorf("the second node scanned a site the first holds: %d → %d", s.UsedBytes, s2.UsedBytes)
	}
	if err := sc.Pass(ctx); err != nil {
		t.Fatal(err)
	}
	if s2, _ := env.Service.SiteByID(ctx, site.ID); s2.UsedBytes != s.UsedBytes+100 {
		t.Errorf("the lease holder's next pass: %d, want %d", s2.UsedBytes, s.UsedBytes+100)
	}
}

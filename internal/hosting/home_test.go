package hosting

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

func TestNormalizeHome(t *testing.T) {
	const root = "/srv/sites/a.example"
	tests := []struct {
		in   string
		want string
		code Code
	}{
		{"", "/", ""},
		{"/", "/", ""},
		{"//", "/", ""},
		{"httpdocs", "/httpdocs", ""},
		{"/httpdocs/", "/httpdocs", ""},
		{"//httpdocs//img//", "/httpdocs/img", ""},
		{`httpdocs\img`, "/httpdocs/img", ""},
		{"/httpdocs/my files", "/httpdocs/my files", ""},
		{"/httpdocs/bücher", "/httpdocs/bücher", ""},
		{"/httpdocs/a..b", "/httpdocs/a..b", ""},
		{"/httpdocs/.well-known", "/httpdocs/.well-known", ""},
		{"/httpdocs/..hidden", "/httpdocs/..hidden", ""},
		{"/httpdocs/100%", "/httpdocs/100%", ""},
		{root, "/", ""},
		{root + "/", "/", ""},
		{root + "/httpdocs", "/httpdocs", ""},
		{root + "x/httpdocs", "", CodeHomeOutsideSite}, // a sibling of the root, not the root
		{"/srv/sites/b.example/httpdocs", "", CodeHomeOutsideSite},
		{"/srv/sites", "", CodeHomeOutsideSite},
		{"/srv/sites/", "", CodeHomeOutsideSite},
		{`\srv\sites\b.example`, "", CodeHomeOutsideSite},
		{"/srv/other", "/srv/other", ""}, // not under the root's parent: site-relative
		{"/etc", "/etc", ""},             // site-relative, never the host's /etc
		{"..", "", CodeHomeOutsideSite},
		{"../", "", CodeHomeOutsideSite},
		{"/..", "", CodeHomeOutsideSite},
		{"/a/../../b", "", CodeHomeOutsideSite},
		{"a/..", "", CodeHomeOutsideSite},
		{"./a", "", CodeHomeOutsideSite},
		{"/.", "", CodeHomeOutsideSite},
		{".../", "", CodeHomeOutsideSite},
		{"....", "", CodeHomeOutsideSite},
		{"%2e%2e", "", CodeHomeOutsideSite},
		{"%2E%2e/x", "", CodeHomeOutsideSite},
		{"/x/%2e%2E/%2e%2e/etc", "", CodeHomeOutsideSite},
		{"%2e", "", CodeHomeOutsideSite},
		{".%2e", "", CodeHomeOutsideSite},
		{"..%2f", "", CodeHomeOutsideSite},
		{"..%2F..%2Fetc", "", CodeHomeOutsideSite},
		{"%2e%2e%2f%2e%2e%2fetc", "", CodeHomeOutsideSite},
		{"..%5c..%5cetc", "", CodeHomeOutsideSite},
		{"a%00b", "", CodeHomeOutsideSite},
		{`..\..\etc`, "", CodeHomeOutsideSite},
		{`\..\`, "", CodeHomeOutsideSite},
		{`httpdocs\..\..\etc`, "", CodeHomeOutsideSite},
		{root + "/../b.example", "", CodeHomeOutsideSite},
		{"a\x00b", "", CodeInvalidHome},
		{"\x00", "", CodeInvalidHome},
		{"a\nb", "", CodeInvalidHome},
		{"a\rb", "", CodeInvalidHome},
		{"a\tb", "", CodeInvalidHome},
		{"\x1b[31m", "", CodeInvalidHome},
		{"a\x7fb", "", CodeInvalidHome},
		{"a\u0085b", "", CodeInvalidHome},
		{`C:\Windows`, "", CodeInvalidHome},
		{"c:/x", "", CodeInvalidHome},
		{"/" + strings.Repeat("a", 256), "", CodeInvalidHome},
		{strings.Repeat("a/", 2049), "", CodeInvalidHome},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := NormalizeHome(tc.in, root)
			if c := codeOf(err); c != tc.code {
				t.Fatalf("NormalizeHome(%q) code = %q, want %q (err %v)", tc.in, c, tc.code, err)
			}
			if got != tc.want {
				t.Fatalf("NormalizeHome(%q) = %q, want %q", tc.in, got, tc.want)
			}
			if err != nil && ErrorField(err) != "home" {
				t.Errorf("field = %q, want %q", ErrorField(err), "home")
			}
		})
	}
}

// homeFixture is a temp tree:
//
//	base/
//	  outside/                 a folder outside every site
//	  real/linked.example/     the target of a symlinked site root
//	  sites/a.example/         the site under test, with the links below
//	  sites/b.example/secret/  a sibling site
//	  sites/linked.example  -> ../real/linked.example
type homeFixture struct {
	base, root, sibling, outside, linkedRoot, realRoot string
}

func newHomeFixture(t *testing.T) homeFixture {
	t.Helper()
	base := t.TempDir()
	f := homeFixture{
		base:       base,
		root:       filepath.Join(base, "sites", "a.example"),
		sibling:    filepath.Join(base, "sites", "b.example"),
		outside:    filepath.Join(base, "outside"),
		linkedRoot: filepath.Join(base, "sites", "linked.example"),
		realRoot:   filepath.Join(base, "real", "linked.example"),
	}
	for _, d := range []string{
		filepath.Join(f.root, "httpdocs", "img"),
		filepath.Join(f.root, "private"),
		filepath.Join(f.sibling, "secret"),
		f.outside,
		filepath.Join(f.realRoot, "httpdocs"),
	} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	mustWrite(t, filepath.Join(f.root, "file.txt"))
	links := map[string]string{
		filepath.Join(f.root, "to-slash"):               "/",
		filepath.Join(f.root, "to-etc"):                 "/etc",
		filepath.Join(f.root, "to-sibling"):             f.sibling,
		filepath.Join(f.root, "to-sibling-rel"):         "../b.example",
		filepath.Join(f.root, "to-outside"):             f.outside,
		filepath.Join(f.root, "climb"):                  "../../outside",
		filepath.Join(f.root, "chain-a"):                "chain-b",
		filepath.Join(f.root, "chain-b"):                "httpdocs/chain-c",
		filepath.Join(f.root, "httpdocs", "chain-c"):    "../../../outside",
		filepath.Join(f.root, "httpdocs", "up"):         "..",
		filepath.Join(f.root, "httpdocs", "up-up"):      "../..",
		filepath.Join(f.root, "private", "deep-out"):    "../httpdocs/../../b.example/secret",
		filepath.Join(f.root, "to-missing-outside"):     filepath.Join(f.outside, "new"),
		filepath.Join(f.root, "to-missing-outside-rel"): "../../outside/new",
		filepath.Join(f.root, "loop-1"):                 "loop-2",
		filepath.Join(f.root, "loop-2"):                 "loop-1",
		filepath.Join(f.root, "web"):                    "httpdocs",
		filepath.Join(f.root, "web-chain"):              "web/img",
		filepath.Join(f.root, "abs-inside"):             filepath.Join(f.root, "httpdocs"),
		filepath.Join(f.root, "dangling"):               "no-such-folder",
		filepath.Join(f.root, "link-file"):              "file.txt",
		f.linkedRoot:                                    filepath.Join("..", "real", "linked.example"),
	}
	for name, target := range links {
		if err := os.Symlink(target, name); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func mustWrite(t *testing.T, name string) {
	t.Helper()
	if err := os.WriteFile(name, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
}

// snapshot lists every path under base without following symlinks.
func snapshot(t *testing.T, base string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(base, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		out = append(out, strings.TrimPrefix(p, base))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// resolve runs the whole pipeline an account home goes through.
func resolve(root, home string, o HomeOptions) (string, []string, error) {
	h, err := NormalizeHome(home, root)
	if err != nil {
		return "", nil, err
	}
	created, err := ResolveHome(root, h, o)
	return h, created, err
}

// TestResolveHome_Hostile runs a corpus of hostile homes with every
// combination of options: each must fail and change nothing on disk, inside
// or outside the site root.
func TestResolveHome_Hostile(t *testing.T) {
	f := newHomeFixture(t)
	corpus := []struct {
		home string
		want []Code // acceptable codes
	}{
		{"..", []Code{CodeHomeOutsideSite}},
		{"../", []Code{CodeHomeOutsideSite}},
		{"../b.example/secret", []Code{CodeHomeOutsideSite}},
		{"/a/../../b", []Code{CodeHomeOutsideSite}},
		{"/httpdocs/../../outside", []Code{CodeHomeOutsideSite}},
		{"%2e%2e", []Code{CodeHomeOutsideSite}},
		{"%2E%2e/x", []Code{CodeHomeOutsideSite}},
		{"..%2f", []Code{CodeHomeOutsideSite}},
		{"..%2foutside", []Code{CodeHomeOutsideSite}},
		{"httpdocs/%2e%2e%2f%2e%2e%2foutside", []Code{CodeHomeOutsideSite}},
		{".../", []Code{CodeHomeOutsideSite}},
		{".../outside", []Code{CodeHomeOutsideSite}},
		{`..\..\etc`, []Code{CodeHomeOutsideSite}},
		{`httpdocs\..\..\outside`, []Code{CodeHomeOutsideSite}},
		{"httpdocs/new\x00/x", []Code{CodeInvalidHome}},
		{"httpdocs/new\n", []Code{CodeInvalidHome}},
		{"httpdocs/\x1b[2J", []Code{CodeInvalidHome}},
		{`C:\Windows`, []Code{CodeInvalidHome}},
		{f.root + "/../b.example", []Code{CodeHomeOutsideSite}},
		{f.sibling, []Code{CodeHomeOutsideSite}},
		{f.sibling + "/secret", []Code{CodeHomeOutsideSite}},
		{f.sibling + "/new", []Code{CodeHomeOutsideSite}},
		{filepath.Dir(f.root), []Code{CodeHomeOutsideSite}},
		{filepath.Dir(f.root) + "/c.example/new", []Code{CodeHomeOutsideSite}},
		{f.root + "/../../outside/x", []Code{CodeHomeOutsideSite}},
		{"to-slash", []Code{CodeHomeOutsideSite}},
		{"to-slash/etc", []Code{CodeHomeOutsideSite}},
		{"to-slash/tmp/new", []Code{CodeHomeOutsideSite}},
		{"to-etc", []Code{CodeHomeOutsideSite}},
		{"to-sibling", []Code{CodeHomeOutsideSite}},
		{"to-sibling/secret", []Code{CodeHomeOutsideSite}},
		{"to-sibling/new", []Code{CodeHomeOutsideSite}},
		{"to-sibling-rel/secret", []Code{CodeHomeOutsideSite}},
		{"to-outside", []Code{CodeHomeOutsideSite}},
		{"to-outside/new/deeper", []Code{CodeHomeOutsideSite}},
		{"climb", []Code{CodeHomeOutsideSite}},
		{"climb/new", []Code{CodeHomeOutsideSite}},
		{"chain-a", []Code{CodeHomeOutsideSite}},
		{"chain-a/new", []Code{CodeHomeOutsideSite}},
		{"chain-b", []Code{CodeHomeOutsideSite}},
		{"httpdocs/chain-c/new", []Code{CodeHomeOutsideSite}},
		{"httpdocs/up-up", []Code{CodeHomeOutsideSite}},
		{"httpdocs/up-up/outside", []Code{CodeHomeOutsideSite}},
		{"httpdocs/up/httpdocs/up-up/b.example", []Code{CodeHomeOutsideSite}},
		{"private/deep-out", []Code{CodeHomeOutsideSite}},
		{"private/deep-out/new", []Code{CodeHomeOutsideSite}},
		{"to-missing-outside", []Code{CodeHomeOutsideSite, CodeHomeNotFound}},
		{"to-missing-outside/x", []Code{CodeHomeOutsideSite, CodeHomeNotFound}},
		{"to-missing-outside-rel", []Code{CodeHomeOutsideSite, CodeHomeNotFound}},
		{"loop-1", []Code{CodeHomeOutsideSite}},
		{"loop-1/new", []Code{CodeHomeOutsideSite}},
		{"dangling", []Code{CodeHomeNotFound}},
		{"dangling/new", []Code{CodeHomeNotFound}},
		{"file.txt", []Code{CodeInvalidHome}},
		{"file.txt/new", []Code{CodeInvalidHome}},
		{"link-file", []Code{CodeInvalidHome}},
		// Absolute symlinks are refused even when they point inside: os.Root
		// does not follow them.
		{"abs-inside", []Code{CodeHomeOutsideSite}},
	}
	opts := []struct {
		name string
		o    HomeOptions
	}{
		{"plain", HomeOptions{}},
		{"create_missing", HomeOptions{CreateMissing: true}},
		{"create_missing+top_level", HomeOptions{CreateMissing: true, AllowTopLevel: true}},
	}
	for _, o := range opts {
		for _, tc := range corpus {
			t.Run(o.name+"/"+tc.home, func(t *testing.T) {
				before := snapshot(t, f.base)
				h, created, err := resolve(f.root, tc.home, o.o)
				if err == nil {
					t.Fatalf("home %q resolved to %q (created %q), want an error", tc.home, h, created)
				}
				if got := ErrorCode(err); !slices.Contains(tc.want, got) {
					t.Fatalf("home %q: code = %q, want one of %q (err %v)", tc.home, got, tc.want, err)
				}
				if len(created) != 0 {
					t.Errorf("created = %q after a failure, want nothing", created)
				}
				if after := snapshot(t, f.base); !slices.Equal(before, after) {
					t.Fatalf("files changed by a refused home %q:\nbefore %q\nafter  %q", tc.home, before, after)
				}
			})
		}
	}
	// Nothing was ever created next to the symlink targets.
	for _, p := range []string{filepath.Join(f.outside, "new"), filepath.Join(f.sibling, "new"), "/etc/new", "/tmp/new"} {
		if _, err := os.Lstat(p); err == nil {
			t.Errorf("%s exists, want it never created", p)
		}
	}
}

func TestResolveHome(t *testing.T) {
	tests := []struct {
		name        string
		home        string
		o           HomeOptions
		want        string // normalized home
		wantCreated []string
		code        Code
	}{
		{"OK/root", "/", HomeOptions{}, "/", nil, ""},
		{"OK/empty is root", "", HomeOptions{}, "/", nil, ""},
		{"OK/existing", "/httpdocs/img", HomeOptions{}, "/httpdocs/img", nil, ""},
		{"OK/root prefix stripped", "{root}/httpdocs", HomeOptions{}, "/httpdocs", nil, ""},
		{"OK/symlink inside", "/web", HomeOptions{}, "/web", nil, ""},
		{"OK/symlink to symlink inside", "/web-chain", HomeOptions{}, "/web-chain", nil, ""},
		{"OK/symlink up that stays inside", "/httpdocs/up/private", HomeOptions{}, "/httpdocs/up/private", nil, ""},
		{"OK/create nested", "/httpdocs/a/b/c", HomeOptions{CreateMissing: true}, "/httpdocs/a/b/c",
			[]string{"httpdocs/a", "httpdocs/a/b", "httpdocs/a/b/c"}, ""},
		{"OK/create nested through a symlink to the root", "/httpdocs/up/private/new", HomeOptions{CreateMissing: true},
			"/httpdocs/up/private/new", []string{"httpdocs/up/private/new"}, ""},
		{"OK/create under a symlink inside", "/web/new", HomeOptions{CreateMissing: true}, "/web/new",
			[]string{"web/new"}, ""},
		{"OK/create top level when allowed", "/uploads/x", HomeOptions{CreateMissing: true, AllowTopLevel: true},
			"/uploads/x", []string{"uploads", "uploads/x"}, ""},
		{"OK/host path is site-relative", "/etc", HomeOptions{CreateMissing: true, AllowTopLevel: true},
			"/etc", []string{"etc"}, ""},
		{"ErrHomeNotFound", "/httpdocs/missing", HomeOptions{}, "", nil, CodeHomeNotFound},
		{"ErrHomeNotFound/host path", "/etc", HomeOptions{}, "", nil, CodeHomeNotFound},
		{"ErrHomeNotFound/nested", "/httpdocs/a/b", HomeOptions{}, "", nil, CodeHomeNotFound},
		{"ErrTopLevelDirForbidden", "/uploads", HomeOptions{CreateMissing: true}, "", nil, CodeTopLevelDirForbidden},
		{"ErrTopLevelDirForbidden/nested", "/uploads/a/b", HomeOptions{CreateMissing: true}, "", nil, CodeTopLevelDirForbidden},
		{"ErrTopLevelDirForbidden/host path", "/etc", HomeOptions{CreateMissing: true}, "", nil, CodeTopLevelDirForbidden},
		{"ErrTopLevelDirForbidden/through a symlink to the root", "/httpdocs/up/uploads", HomeOptions{CreateMissing: true}, "", nil, CodeTopLevelDirForbidden},
		{"ErrTopLevelDirForbidden/through a symlink chain to the root", "/web/up/uploads/x", HomeOptions{CreateMissing: true}, "", nil, CodeTopLevelDirForbidden},
		{"ErrInvalidHome/file", "/file.txt", HomeOptions{CreateMissing: true}, "", nil, CodeInvalidHome},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newHomeFixture(t)
			home := strings.ReplaceAll(tc.home, "{root}", f.root)
			before := snapshot(t, f.base)
			h, created, err := resolve(f.root, home, tc.o)
			if got := ErrorCode(err); got != tc.code {
				t.Fatalf("code = %q, want %q (err %v)", got, tc.code, err)
			}
			if err != nil {
				if after := snapshot(t, f.base); !slices.Equal(before, after) {
					t.Fatalf("files changed by a failed resolve:\nbefore %q\nafter  %q", before, after)
				}
				return
			}
			if h != tc.want {
				t.Errorf("home = %q, want %q", h, tc.want)
			}
			if !slices.Equal(created, tc.wantCreated) {
				t.Errorf("created = %q, want %q", created, tc.wantCreated)
			}
			fi, err := os.Stat(filepath.Join(f.root, h))
			if err != nil || !fi.IsDir() {
				t.Fatalf("home %q is not a folder in the site: %v", h, err)
			}
			// The real path of the home is inside the real site root.
			real, err := filepath.EvalSymlinks(filepath.Join(f.root, h))
			if err != nil {
				t.Fatal(err)
			}
			if real != f.root && !strings.HasPrefix(real, f.root+string(filepath.Separator)) {
				t.Errorf("home %q resolves to %s, outside %s", h, real, f.root)
			}
		})
	}
}

func TestResolveHome_SymlinkedSiteRoot(t *testing.T) {
	f := newHomeFixture(t)
	tests := []struct {
		name string
		home string
		o    HomeOptions
		code Code
	}{
		{"OK/root", "/", HomeOptions{}, ""},
		{"OK/existing", "/httpdocs", HomeOptions{}, ""},
		{"OK/root prefix stripped", f.linkedRoot + "/httpdocs", HomeOptions{}, ""},
		{"OK/create nested", "/httpdocs/new/deeper", HomeOptions{CreateMissing: true}, ""},
		{"ErrHomeOutsideSite/dotdot", "/../a.example", HomeOptions{}, CodeHomeOutsideSite},
		{"ErrTopLevelDirForbidden", "/uploads", HomeOptions{CreateMissing: true}, CodeTopLevelDirForbidden},
		{"ErrHomeNotFound", "/httpdocs/missing", HomeOptions{}, CodeHomeNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, _, err := resolve(f.linkedRoot, tc.home, tc.o)
			if got := ErrorCode(err); got != tc.code {
				t.Fatalf("code = %q, want %q (err %v)", got, tc.code, err)
			}
			if err != nil {
				return
			}
			// The folder exists in the real site root the link points to.
			if fi, err := os.Stat(filepath.Join(f.realRoot, h)); err != nil || !fi.IsDir() {
				t.Fatalf("%s is not a folder in the real site root: %v", h, err)
			}
		})
	}
	// A symlink inside the linked root that leaves it is still refused,
	// even though it points at the sibling "sites" folder the link lives in.
	if err := os.Symlink("../../sites/a.example", filepath.Join(f.realRoot, "to-a")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := resolve(f.linkedRoot, "/to-a/httpdocs", HomeOptions{CreateMissing: true}); ErrorCode(err) != CodeHomeOutsideSite {
		t.Fatalf("code = %q, want %q (err %v)", ErrorCode(err), CodeHomeOutsideSite, err)
	}
}

func TestResolveHome_MissingSiteRoot(t *testing.T) {
	root := filepath.Join(t.TempDir(), "gone.example")
	_, err := ResolveHome(root, "/", HomeOptions{CreateMissing: true, AllowTopLevel: true})
	if got, want := ErrorCode(err), CodeHomeNotFound; got != want {
		t.Fatalf("code = %q, want %q (err %v)", got, want, err)
	}
	if _, err := os.Lstat(root); err == nil {
		t.Fatalf("%s was created, want it left missing", root)
	}
}

func TestRemoveCreated(t *testing.T) {
	f := newHomeFixture(t)
	before := snapshot(t, f.base)
	created, err := ResolveHome(f.root, "/httpdocs/a/b/c", HomeOptions{CreateMissing: true})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(created), 3; got != want {
		t.Fatalf("len(created) = %d, want %d", got, want)
	}
	RemoveCreated(f.root, created)
	if after := snapshot(t, f.base); !slices.Equal(before, after) {
		t.Fatalf("RemoveCreated left files behind:\nbefore %q\nafter  %q", before, after)
	}
	// A folder someone filled in the meantime is kept.
	created, err = ResolveHome(f.root, "/httpdocs/x/y", HomeOptions{CreateMissing: true})
	if err != nil {
		t.Fatal(err)
	}
	mustWrite(t, filepath.Join(f.root, "httpdocs", "x", "keep.txt"))
	RemoveCreated(f.root, created)
	if _, err := os.Stat(filepath.Join(f.root, "httpdocs", "x", "keep.txt")); err != nil {
		t.Fatalf("RemoveCreated removed a non-empty folder: %v", err)
	}
	if _, err := os.Stat(filepath.Join(f.root, "httpdocs", "x", "y")); err == nil {
		t.Fatalf("RemoveCreated kept the empty folder it created")
	}
}

// TestResolveHome_ChownFailureLeavesNothing provokes a failure after
// folders were created: chowning them to another user is refused to a
// non-root process.
func TestResolveHome_ChownFailureLeavesNothing(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root may chown to anyone; the failure cannot be provoked")
	}
	f := newHomeFixture(t)
	before := snapshot(t, f.base)
	created, err := ResolveHome(f.root, "/httpdocs/a/b", HomeOptions{CreateMissing: true, ChownAvailable: true, UID: 0, GID: 0})
	if got, want := ErrorCode(err), CodeInternal; got != want {
		t.Fatalf("code = %q, want %q (err %v)", got, want, err)
	}
	if len(created) != 0 {
		t.Errorf("created = %q, want nothing", created)
	}
	if after := snapshot(t, f.base); !slices.Equal(before, after) {
		t.Fatalf("files left behind:\nbefore %q\nafter  %q", before, after)
	}
}

// TestResolveHome_Concurrent: requests creating the same folders at once
// all succeed, and each folder is reported as created by exactly one of
// them (the only one that may remove it).
func TestResolveHome_Concurrent(t *testing.T) {
	for round := range 20 {
		f := newHomeFixture(t)
		const n = 16
		var wg sync.WaitGroup
		results := make([][]string, n)
		errs := make([]error, n)
		start := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				<-start
				results[i], errs[i] = ResolveHome(f.root, "/httpdocs/a/b/c", HomeOptions{CreateMissing: true})
			})
		}
		close(start)
		wg.Wait()
		count := make(map[string]int)
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("round %d: request %d: %v", round, i, errs[i])
			}
			for _, c := range results[i] {
				count[c]++
			}
		}
		for _, d := range []string{"httpdocs/a", "httpdocs/a/b", "httpdocs/a/b/c"} {
			if count[d] != 1 {
				t.Fatalf("round %d: %s reported created %d times, want 1", round, d, count[d])
			}
		}
	}
}

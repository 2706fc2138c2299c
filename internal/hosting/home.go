package hosting

import (
	"errors"
	"io/fs"
	"net/url"
	"os"
	"path"
	"strings"
)

// NormalizeHome cleans a site-relative home folder: "" and "/" are the site
// root; backslashes count as separators; repeated and trailing slashes go.
// It refuses NUL and control characters, drive letters, and any segment
// that is, or decodes to, "." or ".." or a run of dots ("..", "%2e%2e",
// "..%2f", "...") with home_outside_site or invalid_home. siteRoot, when
// not empty, is stripped from a home given as an absolute host path inside
// the site, and a host path beside the site (under the site root's parent
// folder, e.g. another site's root) is refused with home_outside_site.
// Any other absolute path is read as site-relative ("/etc" is the site's
// folder etc), so it can never name a host folder.
func NormalizeHome(home, siteRoot string) (string, error) {
	if len(home) > 4096 {
		return "", FieldErrorf(CodeInvalidHome, "home", "home folder is too long")
	}
	for _, r := range home {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return "", FieldErrorf(CodeInvalidHome, "home", "home folder contains control characters")
		}
	}
	h := strings.ReplaceAll(home, "\\", "/")
	if len(h) >= 2 && h[1] == ':' {
		return "", FieldErrorf(CodeInvalidHome, "home", "home folder %q is a host path, not a folder of the site", home)
	}
	if siteRoot != "" {
		r := strings.TrimRight(siteRoot, "/")
		if r != "" && (h == r || strings.HasPrefix(h, r+"/")) {
			h = strings.TrimPrefix(h, r)
		}
	}
	var segs []string
	for _, s := range strings.Split(h, "/") {
		if s == "" {
			continue
		}
		if dotsOnly(s) {
			return "", FieldErrorf(CodeHomeOutsideSite, "home", "home folder %q leaves the site", home)
		}
		if strings.Contains(s, "%") {
			d, err := url.PathUnescape(s)
			if err == nil && (dotsOnly(d) || strings.ContainsAny(d, "/\\\x00")) {
				return "", FieldErrorf(CodeHomeOutsideSite, "home", "home folder %q leaves the site", home)
			}
		}
		if len(s) > 255 {
			return "", FieldErrorf(CodeInvalidHome, "home", "a folder name in %q is longer than 255 bytes", home)
		}
		segs = append(segs, s)
	}
	out := path.Clean("/" + strings.Join(segs, "/"))
	// A host path beside the site (another site's folder, given by its
	// absolute path) would otherwise be read as a folder of this site.
	if siteRoot != "" {
		if parent := path.Dir(path.Clean(siteRoot)); parent != "/" && parent != "." &&
			(out == parent || strings.HasPrefix(out, parent+"/")) {
			return "", FieldErrorf(CodeHomeOutsideSite, "home", "home folder %q is a host path outside the site", home)
		}
	}
	return out, nil
}

func dotsOnly(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c != '.' {
			return false
		}
	}
	return true
}

// HomeOptions say how ResolveHome treats missing folders.
type HomeOptions struct {
	CreateMissing  bool
	AllowTopLevel  bool   // create a missing folder directly in the site root
	DirMode        uint32 // mode of created folders (default 0755)
	UID, GID       int    // chown created folders when ≥ 0 and running as root
	ChownAvailable bool
}

// ResolveHome checks that home (already normalized) is a folder inside the
// site root, following symlinks only while they stay inside it (os.Root),
// and creates missing folders when allowed. It returns the folders it
// created, deepest last, so a failed request can remove them
// (RemoveCreated). Errors: home_not_found, top_level_dir_forbidden,
// home_outside_site, invalid_home.
func ResolveHome(siteRoot, home string, o HomeOptions) (created []string, err error) {
	r, err := os.OpenRoot(siteRoot)
	if err != nil {
		return nil, &Error{Code: CodeHomeNotFound, Field: "home", Message: "the site's root folder is missing", Err: err}
	}
	defer r.Close()
	defer func() {
		if err != nil {
			removeCreated(r, created)
			created = nil
		}
	}()
	mode := fs.FileMode(o.DirMode)
	if mode == 0 {
		mode = 0o755
	}
	segs := strings.Split(strings.Trim(home, "/"), "/")
	if home == "/" || home == "" {
		segs = nil
	}
	rootInfo, err := r.Stat(".")
	if err != nil {
		return nil, &Error{Code: CodeHomeNotFound, Field: "home", Message: "the site's root folder is missing", Err: err}
	}
	cur, parent := "", ""
	for _, s := range segs {
		parent = cur
		if cur == "" {
			cur = s
		} else {
			cur = cur + "/" + s
		}
		exists, serr := checkHomeSegment(r, cur, home)
		if serr != nil {
			return created, serr
		}
		if exists {
			continue
		}
		if !o.CreateMissing {
			return created, FieldErrorf(CodeHomeNotFound, "home", "home folder %q does not exist", home)
		}
		if !o.AllowTopLevel && isSiteRoot(r, rootInfo, parent) {
			return created, FieldErrorf(CodeTopLevelDirForbidden, "home",
				"creating a new folder directly in the site root (%q) is not allowed", "/"+s)
		}
		if merr := r.Mkdir(cur, mode); merr != nil {
			if errors.Is(merr, fs.ErrExist) {
				// A concurrent request made it in the meantime: use it as
				// an existing folder (it is not ours to remove).
				exists, serr := checkHomeSegment(r, cur, home)
				if serr != nil {
					return created, serr
				}
				if exists {
					continue
				}
			}
			return created, &Error{Code: CodeInternal, Field: "home", Message: "cannot create the home folder", Err: merr}
		}
		created = append(created, cur)
		if o.ChownAvailable && o.UID >= 0 && o.GID >= 0 {
			if cerr := r.Lchown(cur, o.UID, o.GID); cerr != nil {
				return created, &Error{Code: CodeInternal, Field: "home", Message: "cannot set the owner of the home folder", Err: cerr}
			}
		}
	}
	// A last check through the root as a whole: the final path must open as
	// a folder inside it.
	if len(segs) > 0 {
		sub, oerr := r.OpenRoot(strings.Join(segs, "/"))
		if oerr != nil {
			return created, &Error{Code: CodeHomeOutsideSite, Field: "home", Message: "home folder " + quote(home) + " leads outside the site", Err: oerr}
		}
		sub.Close()
	}
	return created, nil
}

// checkHomeSegment checks the path cur (inside r) of home: exists is
// true for a folder, or a symlink to a folder inside the root; false with
// no error when nothing is there. A symlink that leads outside, a dangling
// symlink or a file is an error.
func checkHomeSegment(r *os.Root, cur, home string) (exists bool, err error) {
	li, lerr := r.Lstat(cur)
	switch {
	case lerr == nil && li.Mode()&fs.ModeSymlink != 0:
		fi, serr := r.Stat(cur)
		if serr != nil {
			if errors.Is(serr, fs.ErrNotExist) {
				return false, FieldErrorf(CodeHomeNotFound, "home", "home folder %q does not exist", home)
			}
			return false, &Error{Code: CodeHomeOutsideSite, Field: "home", Message: "home folder " + quote(home) + " leads outside the site", Err: serr}
		}
		if !fi.IsDir() {
			return false, FieldErrorf(CodeInvalidHome, "home", "%q is not a folder", "/"+cur)
		}
		return true, nil
	case lerr == nil:
		if !li.IsDir() {
			return false, FieldErrorf(CodeInvalidHome, "home", "%q is not a folder", "/"+cur)
		}
		return true, nil
	case errors.Is(lerr, fs.ErrNotExist):
		return false, nil
	default:
		return false, &Error{Code: CodeHomeOutsideSite, Field: "home", Message: "home folder " + quote(home) + " cannot be used", Err: lerr}
	}
}

// isSiteRoot reports whether dir (a folder path inside r, "" = r itself)
// is the site root: directly, or through symlinks that lead back to it
// ("httpdocs/up" with up -> ..), which must not get around the top-level
// folder rule.
func isSiteRoot(r *os.Root, rootInfo fs.FileInfo, dir string) bool {
	if dir == "" {
		return true
	}
	fi, err := r.Stat(dir)
	return err != nil || os.SameFile(fi, rootInfo)
}

// RemoveCreated removes folders made by ResolveHome, deepest first; used to
// leave nothing half-made behind when a later step fails.
func RemoveCreated(siteRoot string, created []string) {
	if len(created) == 0 {
		return
	}
	r, err := os.OpenRoot(siteRoot)
	if err != nil {
		return
	}
	defer r.Close()
	removeCreated(r, created)
}

func removeCreated(r *os.Root, created []string) {
	for i := len(created) - 1; i >= 0; i-- {
		_ = r.Remove(created[i])
	}
}

func quote(s string) string { return `"` + s + `"` }

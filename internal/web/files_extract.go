package web

import (
	"archive/tar"
	"archive/zip"
	"compress/gzip"
	"errors"
	"io"
	"net/http"
	"os"
	"path"
	"strconv"
	"strings"

	"ftpanel/internal/homefs"
)

// maxArchiveEntries bounds the entries of an archive the file manager
// extracts.
const maxArchiveEntries = 100000

// archiveKind returns "zip" or "tgz" for a name the file manager can
// extract, or "".
func archiveKind(name string) string {
	n := strings.ToLower(name)
	switch {
	case strings.HasSuffix(n, ".zip"):
		return "zip"
	case strings.HasSuffix(n, ".tar.gz"), strings.HasSuffix(n, ".tgz"):
		return "tgz"
	}
	return ""
}

// archiveEntry is one checked entry of an archive.
type archiveEntry struct {
	name string // cleaned, relative, no ".."
	dir  bool
	size int64
	mode os.FileMode
}

// errUnsafeArchive refuses an archive with an entry that could escape its
// folder or that is not a plain file or folder.
func errUnsafeArchive(name, why string) error {
	return badRequest("The archive is refused: entry “" + name + "” " + why + ". Nothing was extracted.")
}

// checkEntry validates an entry's name: relative, no "..", no backslash
// or NUL; it returns the cleaned name.
func checkEntry(name string) (string, error) {
	if name == "" || strings.ContainsAny(name, "\\\x00") || strings.HasPrefix(name, "/") {
		return "", errUnsafeArchive(name, "has an absolute or invalid path")
	}
	for _, part := range strings.Split(strings.TrimSuffix(name, "/"), "/") {
		if part == ".." {
			return "", errUnsafeArchive(name, "leads out of the folder (..)")
		}
	}
	c := path.Clean(name)
	if c == "." || strings.HasPrefix(c, "../") || c == ".." {
		return "", errUnsafeArchive(name, "has an invalid path")
	}
	return c, nil
}

// handleFilesExtract unpacks a zip or tar.gz archive into its folder. The
// whole archive is checked first: entries leading out (zip-slip), links
// and special files refuse it, names already present refuse it, and the
// total size must fit in the quota. Only then is anything written.
func (h *handler) handleFilesExtract(w http.ResponseWriter, r *http.Request) {
	h.withScope(w, r, func(sc *fileScope) {
		p, err := formPath(r, "path")
		if err != nil {
			h.fileError(w, r, sc, err)
			return
		}
		kind := archiveKind(p)
		if kind == "" {
			h.fileError(w, r, sc, badRequest("Only .zip, .tar.gz and .tgz archives can be extracted."))
			return
		}
		if !sc.fs.CanWrite() {
			h.fileError(w, r, sc, homefs.ErrPermission)
			return
		}
		fl, err := sc.fs.OpenFile(p, os.O_RDONLY)
		if err != nil {
			h.fileError(w, r, sc, err)
			return
		}
		defer fl.Close()
		dir := path.Dir(p)
		var entries []archiveEntry
		var zr *zip.Reader
		switch kind {
		case "zip":
			fi, err := fl.Stat()
			if err != nil {
				h.fileError(w, r, sc, err)
				return
			}
			if zr, err = zip.NewReader(fl, fi.Size()); err != nil {
				h.fileError(w, r, sc, badRequest("The file is not a valid zip archive."))
				return
			}
			entries, err = zipEntries(zr)
			if err != nil {
				h.fileError(w, r, sc, err)
				return
			}
		case "tgz":
			if entries, err = tarEntries(fl, nil); err != nil {
				h.fileError(w, r, sc, err)
				return
			}
		}
		var total int64
		for _, e := range entries {
			total += e.size
			if _, err := sc.fs.Lstat(path.Join(dir, e.name)); err == nil && !e.dir {
				h.fileError(w, r, sc, &userError{http.StatusConflict, "“" + e.name + "” already exists here: nothing was extracted. Move the archive to an empty folder first."})
				return
			}
		}
		if err := sc.fs.Allocate(total); err != nil {
			h.fileError(w, r, sc, err)
			return
		}
		// Write.
		files := 0
		switch kind {
		case "zip":
			byName := map[string]*zip.File{}
			for _, zf := range zr.File {
				c, _ := checkEntry(zf.Name)
				byName[c] = zf
			}
			for _, e := range entries {
				if err := writeEntry(sc.fs, dir, e, func() (io.ReadCloser, error) { return byName[e.name].Open() }); err != nil {
					h.fileError(w, r, sc, err)
					return
				}
				if !e.dir {
					files++
				}
			}
		case "tgz":
			if _, err := fl.Seek(0, io.SeekStart); err != nil {
				h.fileError(w, r, sc, err)
				return
			}
			_, err := tarEntries(fl, func(e archiveEntry, src io.Reader) error {
				if !e.dir {
					files++
				}
				return writeEntry(sc.fs, dir, e, func() (io.ReadCloser, error) { return io.NopCloser(src), nil })
			})
			if err != nil {
				h.fileError(w, r, sc, err)
				return
			}
		}
		h.audit(r, sc, "extract", p, strconv.Itoa(files)+" files, "+strconv.FormatInt(total, 10)+" bytes into "+sc.sitePath(dir))
		h.done(w, r, sc, dir, "Extracted "+plainCount(files, "file")+" ("+formatBytes(total)+") from “"+path.Base(p)+"”.")
	})
}

// zipEntries checks every entry of a zip archive.
func zipEntries(zr *zip.Reader) ([]archiveEntry, error) {
	if len(zr.File) > maxArchiveEntries {
		return nil, badRequest("The archive has too many entries.")
	}
	var out []archiveEntry
	seen := map[string]bool{}
	for _, zf := range zr.File {
		c, err := checkEntry(zf.Name)
		if err != nil {
			return nil, err
		}
		m := zf.Mode()
		e := archiveEntry{name: c, dir: m.IsDir(), mode: m.Perm()}
		switch {
		case m&os.ModeSymlink != 0:
			return nil, errUnsafeArchive(zf.Name, "is a symbolic link")
		case !m.IsDir() && !m.IsRegular():
			return nil, errUnsafeArchive(zf.Name, "is not a plain file or folder")
		}
		if !e.dir {
			if zf.UncompressedSize64 > 1<<50 {
				return nil, errUnsafeArchive(zf.Name, "is too large")
			}
			e.size = int64(zf.UncompressedSize64)
		}
		if seen[c] {
			return nil, errUnsafeArchive(zf.Name, "appears twice")
		}
		seen[c] = true
		out = append(out, e)
	}
	return out, nil
}

// tarEntries reads a tar.gz archive: without write it checks every entry
// and returns them; with write it calls write for each entry in order
// (after the same checks).
func tarEntries(src io.Reader, write func(archiveEntry, io.Reader) error) ([]archiveEntry, error) {
	gz, err := gzip.NewReader(src)
	if err != nil {
		return nil, badRequest("The file is not a valid .tar.gz archive.")
	}
	defer gz.Close()
	tr := tar.NewReader(gz)
	var out []archiveEntry
	seen := map[string]bool{}
	for {
		hd, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, badRequest("The .tar.gz archive is damaged.")
		}
		if hd.Typeflag == tar.TypeXGlobalHeader {
			continue
		}
		c, err := checkEntry(hd.Name)
		if err != nil {
			return nil, err
		}
		e := archiveEntry{name: c, mode: os.FileMode(hd.Mode).Perm()}
		switch hd.Typeflag {
		case tar.TypeDir:
			e.dir = true
		case tar.TypeReg:
			e.size = hd.Size
		case tar.TypeSymlink, tar.TypeLink:
			return nil, errUnsafeArchive(hd.Name, "is a link")
		default:
			return nil, errUnsafeArchive(hd.Name, "is not a plain file or folder")
		}
		if seen[c] {
			return nil, errUnsafeArchive(hd.Name, "appears twice")
		}
		seen[c] = true
		if len(out) >= maxArchiveEntries {
			return nil, badRequest("The archive has too many entries.")
		}
		out = append(out, e)
		if write != nil {
			if err := write(e, tr); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// writeEntry creates folder or file e under dir; a file gets exactly its
// declared size (more or less refuses it), and a mode within the file
// manager's range.
func writeEntry(f *homefs.FS, dir string, e archiveEntry, open func() (io.ReadCloser, error)) error {
	p := path.Join(dir, e.name)
	if e.dir {
		return f.MkdirAll(p)
	}
	if parent := path.Dir(p); parent != dir {
		if err := f.MkdirAll(parent); err != nil {
			return err
		}
	}
	rc, err := open()
	if err != nil {
		return badRequest("The archive is damaged: " + e.name + ".")
	}
	defer rc.Close()
	n, err := writeFile(f, p, io.LimitReader(rc, e.size+1), true)
	if err != nil {
		var ue *userError
		if errors.As(err, &ue) || errors.Is(err, homefs.ErrNoSpace) || errors.Is(err, homefs.ErrExists) {
			return err
		}
		if _, ok := err.(*homefs.Error); ok {
			return err
		}
		_ = f.Remove(p)
		return badRequest("The archive is damaged: " + e.name + ".")
	}
	if n != e.size {
		_ = f.Remove(p)
		return badRequest("The archive is damaged: " + e.name + " is not the size it declares.")
	}
	if e.mode&0o100 != 0 {
		_ = f.Chmod(p, 0o755) // keep scripts executable
	}
	return nil
}

package web

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"path"
	"strconv"
	"strings"
	"unicode/utf8"

	"ftpanel/internal/homefs"
)

// FilesActionPage is the data of files_action.html: the form of one
// operation on one file or folder (rename, copy, chmod, delete), so that
// every operation works without JavaScript and deletion is confirmed.
type FilesActionPage struct {
	Layout
	Site    SiteView
	Op      string
	Path    string
	Name    string
	IsDir   bool
	Mode    string // octal, for chmod
	Action  string // the form's URL
	BackURL string
	As      string
}

// handleFilesAction shows the form of ?op= for ?path=.
func (h *handler) handleFilesAction(w http.ResponseWriter, r *http.Request) {
	h.withScope(w, r, func(sc *fileScope) {
		p, err := formPath(r, "path")
		if err != nil {
			h.fileError(w, r, sc, err)
			return
		}
		op := r.URL.Query().Get("op")
		switch op {
		case "rename", "copy", "chmod", "delete", "extract":
		default:
			h.fileError(w, r, sc, badRequest("Unknown operation."))
			return
		}
		fi, err := sc.fs.Lstat(p)
		if err != nil {
			h.fileError(w, r, sc, err)
			return
		}
		pg := FilesActionPage{Layout: h.layout(r, "Files", "accounts"), Site: h.siteView(r, sc.site), Op: op,
			Path: p, Name: path.Base(p), IsDir: fi.IsDir(), Mode: "0" + strconv.FormatUint(uint64(fi.Mode().Perm()), 8),
			Action: sc.url(op, ""), BackURL: sc.url("", path.Dir(p)), As: sc.as}
		h.render(w, r, http.StatusOK, "files_action", pg)
	})
}

// handleFilesMkdir creates folder ?path=/name.
func (h *handler) handleFilesMkdir(w http.ResponseWriter, r *http.Request) {
	h.withScope(w, r, func(sc *fileScope) {
		dir, err := cleanPath(r.FormValue("path"))
		if err != nil {
			h.fileError(w, r, sc, err)
			return
		}
		name, err := cleanName(r.FormValue("name"))
		if err != nil {
			h.fileError(w, r, sc, err)
			return
		}
		p := path.Join(dir, name)
		if err := sc.fs.Mkdir(p); err != nil {
			h.fileError(w, r, sc, err)
			return
		}
		h.audit(r, sc, "mkdir", p, "")
		h.done(w, r, sc, dir, "Folder “"+name+"” created.")
	})
}

// target resolves the "to" field of rename and copy for source p: a bare
// name stays in p's folder, a path is taken from the home's root (or
// from p's folder when relative); an existing folder receives p inside.
func target(f *homefs.FS, p, to string) (string, error) {
	to = strings.TrimSpace(to)
	if to == "" || strings.ContainsRune(to, 0) {
		return "", badRequest("Give the new name or path.")
	}
	var t string
	if strings.HasPrefix(to, "/") {
		t = path.Clean(to)
	} else {
		t = path.Join(path.Dir(p), to)
	}
	if isDir(f, t) && t != p {
		t = path.Join(t, path.Base(p))
	}
	if t == "/" || t == p {
		return "", badRequest("The new name is the same as the old one.")
	}
	return t, nil
}

// handleFilesRename moves path to "to".
func (h *handler) handleFilesRename(w http.ResponseWriter, r *http.Request) {
	h.withScope(w, r, func(sc *fileScope) {
		p, err := formPath(r, "path")
		if err == nil && p == "/" {
			err = badRequest("The top folder cannot be renamed.")
		}
		if err != nil {
			h.fileError(w, r, sc, err)
			return
		}
		t, err := target(sc.fs, p, r.FormValue("to"))
		if err != nil {
			h.fileError(w, r, sc, err)
			return
		}
		if strings.HasPrefix(t, p+"/") {
			h.fileError(w, r, sc, badRequest("A folder cannot be moved into itself."))
			return
		}
		if _, err := sc.fs.Lstat(t); err == nil {
			h.fileError(w, r, sc, homefs.ErrExists)
			return
		}
		if err := sc.fs.Rename(p, t); err != nil {
			h.fileError(w, r, sc, err)
			return
		}
		h.audit(r, sc, "rename", p, "to "+sc.sitePath(t))
		h.done(w, r, sc, path.Dir(p), "“"+path.Base(p)+"” moved to "+t+".")
	})
}

// handleFilesCopy copies a file or a folder tree (symlinks are left out).
func (h *handler) handleFilesCopy(w http.ResponseWriter, r *http.Request) {
	h.withScope(w, r, func(sc *fileScope) {
		p, err := formPath(r, "path")
		if err != nil {
			h.fileError(w, r, sc, err)
			return
		}
		t, err := target(sc.fs, p, r.FormValue("to"))
		if err != nil {
			h.fileError(w, r, sc, err)
			return
		}
		if p == "/" || strings.HasPrefix(t, p+"/") {
			h.fileError(w, r, sc, badRequest("A folder cannot be copied into itself."))
			return
		}
		if fi, err := sc.fs.Lstat(p); err != nil || fi.Mode()&os.ModeSymlink != 0 {
			if err == nil {
				err = badRequest("Links are not copied: copy what they lead to.")
			}
			h.fileError(w, r, sc, err)
			return
		}
		n, err := copyTree(sc.fs, p, t, 0)
		if err != nil {
			h.fileError(w, r, sc, err)
			return
		}
		h.audit(r, sc, "copy", p, "to "+sc.sitePath(t)+", "+strconv.FormatInt(n, 10)+" bytes")
		h.done(w, r, sc, path.Dir(p), "“"+path.Base(p)+"” copied to "+t+".")
	})
}

// copyTree copies src to the new name dst and returns the bytes copied.
func copyTree(f *homefs.FS, src, dst string, depth int) (int64, error) {
	if depth > maxZipDepth {
		return 0, badRequest("The folder is nested too deeply to copy.")
	}
	fi, err := f.Lstat(src)
	if err != nil {
		return 0, err
	}
	switch {
	case fi.Mode()&os.ModeSymlink != 0:
		return 0, nil
	case fi.Mode().IsRegular():
		in, err := f.OpenFile(src, os.O_RDONLY)
		if err != nil {
			return 0, err
		}
		defer in.Close()
		return writeFile(f, dst, in, true)
	case !fi.IsDir():
		return 0, homefs.ErrNotFile
	}
	if err := f.Mkdir(dst); err != nil {
		return 0, err
	}
	infos, err := f.ReadDir(src)
	if err != nil {
		return 0, err
	}
	var total int64
	for _, e := range infos {
		n, err := copyTree(f, path.Join(src, e.Name()), path.Join(dst, e.Name()), depth+1)
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// handleFilesDelete removes a file, a link, or a folder with everything
// in it (the confirmation is the action page, or files.js's dialog).
func (h *handler) handleFilesDelete(w http.ResponseWriter, r *http.Request) {
	h.withScope(w, r, func(sc *fileScope) {
		p, fi, ok := h.formItem(w, r, sc, false, "The top folder cannot be deleted.")
		if !ok {
			return
		}
		var err error
		if fi.IsDir() {
			err = sc.fs.RemoveAll(p)
		} else {
			err = sc.fs.Remove(p)
		}
		if err != nil {
			h.fileError(w, r, sc, err)
			return
		}
		h.audit(r, sc, "delete", p, map[bool]string{true: "folder and its contents", false: "file"}[fi.IsDir()])
		h.done(w, r, sc, path.Dir(p), "“"+path.Base(p)+"” deleted.")
	})
}

// parseMode reads an octal mode and checks it against the allowed range:
// files 0600–0755 (the owner reads and writes), folders 0700–0755.
func parseMode(s string, dir bool) (os.FileMode, error) {
	v, err := strconv.ParseUint(strings.TrimSpace(s), 8, 32)
	if err != nil {
		return 0, badRequest("The mode must be octal digits, such as 644 or 755.")
	}
	m := os.FileMode(v)
	need, what := os.FileMode(0o600), "Files need a mode from 0600 to 0755 (the owner reads and writes; nothing above 755)."
	if dir {
		need, what = 0o700, "Folders need a mode from 0700 to 0755 (the owner has full access; nothing above 755)."
	}
	if m&^0o755 != 0 || m&need != need {
		return 0, badRequest(what)
	}
	return m, nil
}

// handleFilesChmod changes the mode bits of a file or folder.
func (h *handler) handleFilesChmod(w http.ResponseWriter, r *http.Request) {
	h.withScope(w, r, func(sc *fileScope) {
		p, fi, ok := h.formItem(w, r, sc, false, "")
		if !ok {
			return
		}
		if fi.Mode()&os.ModeSymlink != 0 {
			h.fileError(w, r, sc, homefs.ErrNotFile)
			return
		}
		m, err := parseMode(r.FormValue("mode"), fi.IsDir())
		if err != nil {
			h.fileError(w, r, sc, err)
			return
		}
		if err := sc.fs.Chmod(p, m); err != nil {
			h.fileError(w, r, sc, err)
			return
		}
		mode := "0" + strconv.FormatUint(uint64(m), 8)
		h.audit(r, sc, "chmod", p, mode)
		h.done(w, r, sc, path.Dir(p), "Mode of “"+path.Base(p)+"” set to "+mode+".")
	})
}

// FilesEditPage is the data of files_edit.html.
type FilesEditPage struct {
	Layout
	Site    SiteView
	Path    string
	Name    string
	Text    string
	BOM     bool
	CRLF    bool
	Action  string
	BackURL string
	As      string
}

// readText reads a file for the editor: at most maxEditBytes, UTF-8, no
// NUL bytes. It returns the text without a BOM and with LF line ends, and
// how to write it back byte for byte.
func readText(f *homefs.FS, p string) (text string, bom, crlf bool, err error) {
	fl, err := f.OpenFile(p, os.O_RDONLY)
	if err != nil {
		return "", false, false, err
	}
	defer fl.Close()
	b, err := io.ReadAll(io.LimitReader(fl, maxEditBytes+1))
	if err != nil {
		return "", false, false, err
	}
	if len(b) > maxEditBytes {
		return "", false, false, badRequest("The file is larger than 2 MiB: download it to edit it.")
	}
	if bytes.HasPrefix(b, []byte("\xef\xbb\xbf")) {
		bom, b = true, b[3:]
	}
	if !utf8.Valid(b) || bytes.IndexByte(b, 0) >= 0 {
		return "", false, false, badRequest("This is not a UTF-8 text file (binary, or another encoding): download it to edit it.")
	}
	crlf = bytes.Contains(b, []byte("\r\n"))
	if crlf {
		if bytes.Count(b, []byte("\r\n")) != bytes.Count(b, []byte("\n")) || bytes.Count(b, []byte("\r")) != bytes.Count(b, []byte("\r\n")) {
			return "", false, false, badRequest("The file mixes line endings: download it to edit it.")
		}
		b = bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n"))
	} else if bytes.IndexByte(b, '\r') >= 0 {
		return "", false, false, badRequest("The file has old Mac line endings: download it to edit it.")
	}
	return string(b), bom, crlf, nil
}

// handleFilesEdit shows a text file in a textarea.
func (h *handler) handleFilesEdit(w http.ResponseWriter, r *http.Request) {
	h.withScope(w, r, func(sc *fileScope) {
		p, err := formPath(r, "path")
		if err != nil {
			h.fileError(w, r, sc, err)
			return
		}
		if !sc.fs.CanWrite() {
			h.fileError(w, r, sc, homefs.ErrPermission)
			return
		}
		text, bom, crlf, err := readText(sc.fs, p)
		if err != nil {
			h.fileError(w, r, sc, err)
			return
		}
		pg := FilesEditPage{Layout: h.layout(r, "Edit "+path.Base(p), "accounts"), Site: h.siteView(r, sc.site),
			Path: p, Name: path.Base(p), Text: text, BOM: bom, CRLF: crlf, Action: sc.url("edit", ""),
			BackURL: sc.url("", path.Dir(p)), As: sc.as}
		h.render(w, r, http.StatusOK, "files_edit", pg)
	})
}

// handleFilesSave writes the textarea back: UTF-8 (checked), with the
// file's BOM and line endings as they were.
func (h *handler) handleFilesSave(w http.ResponseWriter, r *http.Request) {
	h.withScope(w, r, func(sc *fileScope) {
		p, fi, ok := h.formItem(w, r, sc, true, "")
		if !ok {
			return
		}
		if !fi.Mode().IsRegular() {
			h.fileError(w, r, sc, homefs.ErrNotFile)
			return
		}
		// Browsers send a textarea with CRLF line ends.
		text := strings.ReplaceAll(r.FormValue("text"), "\r\n", "\n")
		if !utf8.ValidString(text) || strings.IndexByte(text, 0) >= 0 {
			h.fileError(w, r, sc, badRequest("The text is not valid UTF-8."))
			return
		}
		if r.FormValue("crlf") == "1" {
			text = strings.ReplaceAll(text, "\n", "\r\n")
		}
		if r.FormValue("bom") == "1" {
			text = "\ufeff" + text
		}
		if len(text) > maxEditBytes {
			h.fileError(w, r, sc, badRequest("The text is larger than 2 MiB."))
			return
		}
		// Written in place (mode and owner stay): WriteAt is refused whole
		// when the growth does not fit the quota, leaving the file as it was.
		fl, err := sc.fs.OpenFile(p, os.O_WRONLY)
		if err != nil {
			h.fileError(w, r, sc, err)
			return
		}
		_, err = fl.WriteAt([]byte(text), 0)
		if err == nil {
			err = fl.Truncate(int64(len(text)))
		}
		if err != nil {
			fl.Abort(err)
			fl.Close()
			h.fileError(w, r, sc, err)
			return
		}
		if err := fl.Close(); err != nil {
			h.fileError(w, r, sc, err)
			return
		}
		h.audit(r, sc, "edit", p, strconv.Itoa(len(text))+" bytes")
		h.done(w, r, sc, path.Dir(p), "“"+path.Base(p)+"” saved.")
	})
}

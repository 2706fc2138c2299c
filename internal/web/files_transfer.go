package web

import (
	"archive/zip"
	"crypto/subtle"
	"errors"
	"io"
	"mime"
	"net/http"
	"os"
	"path"
	"strconv"
	"strings"

	"ftpanel/internal/homefs"
)

// maxZipDepth bounds how deep a folder download descends.
const maxZipDepth = 64

// attachment sets the headers of a download named name: never rendered
// in the panel's origin, whatever the file holds.
func attachment(w http.ResponseWriter, name string) {
	hd := w.Header()
	hd.Set("Content-Type", "application/octet-stream")
	cd := mime.FormatMediaType("attachment", map[string]string{"filename": name})
	if cd == "" { // a name with control characters: no name rather than no attachment
		cd = "attachment"
	}
	hd.Set("Content-Disposition", cd)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	hd.Set("Cache-Control", "no-store")
}

// handleFilesDownload sends a file (with ranges), or a folder as a zip
// streamed while it is read.
func (h *handler) handleFilesDownload(w http.ResponseWriter, r *http.Request) {
	h.withScope(w, r, func(sc *fileScope) {
		p, fi, ok := h.formItem(w, r, sc, true, "")
		if !ok {
			return
		}
		if fi.IsDir() {
			h.downloadZip(w, r, sc, p)
			return
		}
		fl, err := sc.fs.OpenFile(p, os.O_RDONLY)
		if err != nil {
			h.fileError(w, r, sc, err)
			return
		}
		defer fl.Close()
		attachment(w, path.Base(p))
		http.ServeContent(w, r, "", fi.ModTime(), fl)
	})
}

// downloadZip streams folder p as a zip archive. Symlinks are left out;
// files that cannot be read are skipped (and logged).
func (h *handler) downloadZip(w http.ResponseWriter, r *http.Request, sc *fileScope, p string) {
	if !sc.fs.CanRead() {
		h.fileError(w, r, sc, homefs.ErrPermission)
		return
	}
	name := path.Base(p)
	if p == "/" {
		name = sc.site.Name
		if sc.acct != nil {
			name = sc.acct.Login
		}
	}
	attachment(w, name+".zip")
	w.Header().Set("Content-Type", "application/zip")
	zw := zip.NewWriter(w)
	if err := h.zipDir(r, sc.fs, zw, p, "", 0); err != nil {
		h.log.Warn("web: files: zip", "path", p, "err", err)
		return // the client sees a truncated archive
	}
	if err := zw.Close(); err != nil {
		h.log.Warn("web: files: zip close", "path", p, "err", err)
	}
}

func (h *handler) zipDir(r *http.Request, f *homefs.FS, zw *zip.Writer, dir, prefix string, depth int) error {
	if depth > maxZipDepth {
		return nil
	}
	infos, err := f.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, fi := range infos {
		if err := r.Context().Err(); err != nil {
			return err
		}
		full := path.Join(dir, fi.Name())
		li, err := f.Lstat(full)
		if err != nil || li.Mode()&os.ModeSymlink != 0 {
			continue // links are not followed into archives
		}
		name := prefix + fi.Name()
		if li.IsDir() {
			if _, err := zw.CreateHeader(&zip.FileHeader{Name: name + "/", Modified: li.ModTime(), Method: zip.Store}); err != nil {
				return err
			}
			if err := h.zipDir(r, f, zw, full, name+"/", depth+1); err != nil {
				return err
			}
			continue
		}
		if !li.Mode().IsRegular() {
			continue
		}
		fl, err := f.OpenFile(full, os.O_RDONLY)
		if err != nil {
			h.log.Info("web: files: zip skips a file", "path", full, "err", err)
			continue
		}
		hdr := &zip.FileHeader{Name: name, Modified: li.ModTime(), Method: zip.Deflate}
		hdr.SetMode(li.Mode().Perm())
		zf, err := zw.CreateHeader(hdr)
		if err == nil {
			_, err = io.Copy(zf, struct{ io.Reader }{fl})
		}
		fl.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// tokenOK reports whether tok is the session's CSRF token.
func tokenOK(r *http.Request, tok string) bool {
	s := sessionFrom(r.Context())
	return s != nil && tok != "" && subtle.ConstantTimeCompare([]byte(tok), []byte(s.CSRF)) == 1
}

// handleFilesUpload streams the files of a multipart form into folder
// ?path= without buffering them. The CSRF token comes in the
// X-CSRF-Token header (files.js) or as the form's first field.
func (h *handler) handleFilesUpload(w http.ResponseWriter, r *http.Request) {
	headerOK := tokenOK(r, r.Header.Get("X-CSRF-Token"))
	mr, err := r.MultipartReader()
	if err != nil {
		h.fileError(w, r, nil, badRequest("The upload is not a multipart form."))
		return
	}
	if !headerOK {
		part, err := mr.NextPart()
		if err != nil || part.FormName() != csrfField {
			h.forbidden(w, r, "This form has expired or did not come from this panel. Go back, reload the page and try again.")
			return
		}
		b, _ := io.ReadAll(io.LimitReader(part, 200))
		if !tokenOK(r, string(b)) {
			h.forbidden(w, r, "This form has expired or did not come from this panel. Go back, reload the page and try again.")
			return
		}
	}
	h.withScope(w, r, func(sc *fileScope) {
		dir, err := cleanPath(r.URL.Query().Get("path"))
		if err != nil {
			h.fileError(w, r, sc, err)
			return
		}
		if !sc.fs.CanWrite() {
			h.fileError(w, r, sc, homefs.ErrPermission)
			return
		}
		var names []string
		var total int64
		for {
			part, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				h.fileError(w, r, sc, badRequest("The upload was interrupted."))
				return
			}
			if part.FileName() == "" {
				continue
			}
			// Browsers send base names; old ones sent a whole Windows path.
			base := part.FileName()
			if i := strings.LastIndexAny(base, "/\\"); i >= 0 {
				base = base[i+1:]
			}
			name, err := cleanName(base)
			if err != nil {
				h.fileError(w, r, sc, err)
				return
			}
			target := path.Join(dir, name)
			n, err := writeFile(sc.fs, target, part, false)
			if err != nil {
				h.fileError(w, r, sc, err)
				return
			}
			h.audit(r, sc, "upload", target, strconv.FormatInt(n, 10)+" bytes")
			names = append(names, name)
			total += n
		}
		if len(names) == 0 {
			h.fileError(w, r, sc, badRequest("Choose at least one file to upload."))
			return
		}
		h.done(w, r, sc, dir, "Uploaded "+plainCount(len(names), "file")+" ("+formatBytes(total)+").")
	})
}

// writeFile writes src into name (replacing a file there, or only a new
// one when excl), charged to the quota. A failed write is aborted, which
// removes what it left.
func writeFile(f *homefs.FS, name string, src io.Reader, excl bool) (int64, error) {
	flag := os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	if excl {
		flag = os.O_WRONLY | os.O_CREATE | os.O_EXCL
	}
	fl, err := f.OpenFile(name, flag)
	if err != nil {
		return 0, err
	}
	n, err := fl.ReadFrom(struct{ io.Reader }{src})
	if err != nil {
		fl.Abort(err)
		fl.Close()
		if !errors.Is(err, homefs.ErrNoSpace) {
			_ = f.Remove(name) // an interrupted upload leaves no half file (the quota's undo did it otherwise)
		}
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return n, badRequest("The upload is too large for one request.")
		}
		return n, err
	}
	return n, fl.Close()
}

// chunkTarget reads the folder and name of a chunked upload and returns
// the target and its part file.
func chunkTarget(r *http.Request) (target, part string, err error) {
	q := r.URL.Query()
	dir, err := cleanPath(q.Get("path"))
	if err != nil {
		return "", "", err
	}
	name, err := cleanName(q.Get("name"))
	if err != nil {
		return "", "", err
	}
	if strings.HasSuffix(name, partSuffix) {
		return "", "", homefs.ErrInvalidName
	}
	target = path.Join(dir, name)
	return target, path.Join(dir, "."+name+partSuffix), nil
}

// ChunkStatus is the JSON answer of the chunk endpoints.
type ChunkStatus struct {
	Size int64 `json:"size"` // bytes of the upload stored so far
	Done bool  `json:"done"` // the file is complete and in place
}

// handleFilesChunkStatus tells how much of a chunked upload is stored, so
// that the browser resumes from there.
func (h *handler) handleFilesChunkStatus(w http.ResponseWriter, r *http.Request) {
	r.Header.Set("Accept", "application/json")
	h.withScope(w, r, func(sc *fileScope) {
		_, part, err := chunkTarget(r)
		if err != nil {
			h.fileError(w, r, sc, err)
			return
		}
		if !sc.fs.CanWrite() {
			h.fileError(w, r, sc, homefs.ErrPermission)
			return
		}
		fi, err := sc.fs.Lstat(part)
		switch {
		case errors.Is(err, homefs.ErrNotFound):
			writeJSON(w, http.StatusOK, ChunkStatus{})
		case err != nil:
			h.fileError(w, r, sc, err)
		case !fi.Mode().IsRegular():
			h.fileError(w, r, sc, homefs.ErrNotFile)
		default:
			writeJSON(w, http.StatusOK, ChunkStatus{Size: fi.Size()})
		}
	})
}

// handleFilesChunk writes one chunk (the raw body) at ?offset= of a
// resumable upload of ?total= bytes; the last chunk moves the part file
// to its name. A chunk at offset 0 starts over and first checks that the
// whole file fits in the quota.
func (h *handler) handleFilesChunk(w http.ResponseWriter, r *http.Request) {
	r.Header.Set("Accept", "application/json")
	h.withScope(w, r, func(sc *fileScope) {
		target, part, err := chunkTarget(r)
		if err != nil {
			h.fileError(w, r, sc, err)
			return
		}
		q := r.URL.Query()
		off, err1 := strconv.ParseInt(q.Get("offset"), 10, 64)
		total, err2 := strconv.ParseInt(q.Get("total"), 10, 64)
		if err1 != nil || err2 != nil || off < 0 || total < 0 || off > total {
			h.fileError(w, r, sc, badRequest("The chunk's offset or total size is not valid."))
			return
		}
		flag := os.O_WRONLY
		if off == 0 {
			if err := sc.fs.Allocate(total); err != nil {
				h.fileError(w, r, sc, err)
				return
			}
			flag |= os.O_CREATE | os.O_TRUNC
		}
		fl, err := sc.fs.OpenFile(part, flag)
		if err != nil {
			h.fileError(w, r, sc, err)
			return
		}
		fi, err := fl.Stat()
		if err != nil {
			fl.Close()
			h.fileError(w, r, sc, err)
			return
		}
		if fi.Size() < off {
			fl.Close()
			writeJSON(w, http.StatusConflict, map[string]any{"error": "The upload has a gap: resume from the stored size.", "size": fi.Size()})
			return
		}
		end, err := writeAt(fl, r.Body, off, total)
		if err != nil {
			fl.Abort(err)
			fl.Close()
			if errors.As(err, new(*http.MaxBytesError)) {
				err = badRequest("The chunk is too large.")
			}
			h.fileError(w, r, sc, err)
			return
		}
		if err := fl.Close(); err != nil {
			h.fileError(w, r, sc, err)
			return
		}
		if end < total {
			writeJSON(w, http.StatusOK, ChunkStatus{Size: end})
			return
		}
		if fi, err := sc.fs.Lstat(part); err != nil || fi.Size() != total {
			h.fileError(w, r, sc, badRequest("The uploaded size does not match the file's size."))
			return
		}
		if isDir(sc.fs, target) {
			h.fileError(w, r, sc, homefs.ErrIsDir)
			return
		}
		if err := sc.fs.Rename(part, target); err != nil {
			h.fileError(w, r, sc, err)
			return
		}
		h.audit(r, sc, "upload", target, strconv.FormatInt(total, 10)+" bytes, in chunks")
		writeJSON(w, http.StatusOK, ChunkStatus{Size: total, Done: true})
	})
}

// writeAt copies body to fl at off with WriteAt, never past total.
func writeAt(fl *homefs.File, body io.Reader, off, total int64) (int64, error) {
	buf := make([]byte, 1<<20)
	for {
		n, err := body.Read(buf)
		if n > 0 {
			if off+int64(n) > total {
				return off, badRequest("The chunk goes past the file's size.")
			}
			if _, werr := fl.WriteAt(buf[:n], off); werr != nil {
				return off, werr
			}
			off += int64(n)
		}
		if err == io.EOF {
			return off, nil
		}
		if err != nil {
			return off, err
		}
	}
}

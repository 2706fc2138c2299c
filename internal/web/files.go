package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"

	"ftpanel/internal/homefs"
	"ftpanel/internal/hosting"
)

// The built-in file manager: a site's files (the whole site root, or one
// FTP account's home "as" that account) through homefs, the same confined
// file layer as the FTP and SFTP servers, with the account's read/write
// permissions and its shared quota pool. Every change goes into the audit
// trail through hosting.Service.RecordFileEvent.

func init() {
	pageFiles = append(pageFiles, "files", "files_action", "files_edit")
}

const (
	// filesPageSize is how many entries a folder page shows.
	filesPageSize = 200
	// maxEditBytes is the largest file the text editor opens.
	maxEditBytes = 2 << 20
	// chunkThreshold is the size from which the browser uploads in chunks
	// (resumable); smaller files go in one streamed request.
	chunkThreshold = 100 << 20
	// maxChunkBytes bounds one chunk request's body.
	maxChunkBytes = 64 << 20
	// partSuffix names a chunked upload in progress, beside its target.
	partSuffix = ".ftpanel-part"
)

// registerFileRoutes adds the file manager's routes to mux.
func (h *handler) registerFileRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /sites/{name}/files", h.auth(h.handleFilesBrowse))
	mux.HandleFunc("GET /sites/{name}/files/download", h.auth(h.handleFilesDownload))
	mux.HandleFunc("GET /sites/{name}/files/action", h.auth(h.handleFilesAction))
	mux.HandleFunc("GET /sites/{name}/files/edit", h.auth(h.handleFilesEdit))
	mux.HandleFunc("POST /sites/{name}/files/edit", h.auth(h.handleFilesSave))
	mux.HandleFunc("POST /sites/{name}/files/mkdir", h.auth(h.handleFilesMkdir))
	mux.HandleFunc("POST /sites/{name}/files/upload", h.auth(h.handleFilesUpload))
	mux.HandleFunc("GET /sites/{name}/files/chunk", h.auth(h.handleFilesChunkStatus))
	mux.HandleFunc("POST /sites/{name}/files/chunk", h.auth(h.handleFilesChunk))
	mux.HandleFunc("POST /sites/{name}/files/rename", h.auth(h.handleFilesRename))
	mux.HandleFunc("POST /sites/{name}/files/copy", h.auth(h.handleFilesCopy))
	mux.HandleFunc("POST /sites/{name}/files/delete", h.auth(h.handleFilesDelete))
	mux.HandleFunc("POST /sites/{name}/files/chmod", h.auth(h.handleFilesChmod))
	mux.HandleFunc("POST /sites/{name}/files/extract", h.auth(h.handleFilesExtract))
}

// fileBodyLimit returns the body limit of a file manager request, and
// false for every other request (which keeps the forms' limit). Uploads
// are streamed without a limit (the quota bounds them); the CSRF token of
// a multipart upload is checked by the handler (tokenInBody).
func fileBodyLimit(r *http.Request) (limit int64, tokenInBody, ok bool) {
	if r.Method != http.MethodPost || !strings.HasPrefix(r.URL.Path, "/sites/") {
		return 0, false, false
	}
	switch {
	case strings.HasSuffix(r.URL.Path, "/files/upload"):
		return -1, true, true
	case strings.HasSuffix(r.URL.Path, "/files/chunk"):
		return maxChunkBytes, false, true
	case strings.HasSuffix(r.URL.Path, "/files/edit"):
		return 3*maxEditBytes + maxFormBytes, false, true // form-encoded text grows up to 3×
	}
	return 0, false, false
}

// fileScope is one request's view of a site's files.
type fileScope struct {
	site  *hosting.Site
	acct  *hosting.Account // nil = the whole site root
	fs    *homefs.FS
	usage *homefs.Usage // acquired from h.usages; nil for the site root
	base  string        // "/sites/<name>/files"
	as    string        // the account's login, "" = site root
}

// query returns the scope's query string part (as=…) to append after "?".
func (sc *fileScope) query() string {
	if sc.as == "" {
		return ""
	}
	return "as=" + url.QueryEscape(sc.as)
}

// url returns the scope's URL for endpoint ("" = browse) and path p.
func (sc *fileScope) url(endpoint, p string, extra ...string) string {
	u := sc.base
	if endpoint != "" {
		u += "/" + endpoint
	}
	q := []string{}
	if p != "" {
		q = append(q, "path="+url.QueryEscape(p))
	}
	if s := sc.query(); s != "" {
		q = append(q, s)
	}
	q = append(q, extra...)
	if len(q) > 0 {
		u += "?" + strings.Join(q, "&")
	}
	return u
}

// sitePath returns a home-absolute path as a site-relative one.
func (sc *fileScope) sitePath(p string) string {
	if sc.acct == nil {
		return p
	}
	return path.Join("/", sc.acct.Home, p)
}

// errSuspended refuses a suspended site, customer or account.
var errSuspended = errors.New("suspended")

// openScope resolves the site (and the account of ?as=) of the request
// through hosting.Service, so that another customer's site is not found,
// and opens the file view. The caller must call closeScope.
func (h *handler) openScope(r *http.Request) (*fileScope, error) {
	ctx := r.Context()
	site, err := h.svc.Site(ctx, r.PathValue("name"))
	if err != nil {
		return nil, err
	}
	if site.EffectiveStatus() != hosting.StatusActive {
		return nil, errSuspended
	}
	sc := &fileScope{site: site, base: "/sites/" + pathEscape(site.Name) + "/files"}
	o := homefs.Options{Read: true, Write: true, Umask: 0o022, UID: -1, GID: -1, Logger: h.log}
	if h.opts.Umask != nil {
		o.Umask = *h.opts.Umask
	}
	if homefs.CanChown() && site.HasSystemUser() {
		o.UID, o.GID = site.UID, site.GID
	}
	root, home := site.Root, "/"
	if as := r.URL.Query().Get("as"); as != "" {
		a, err := h.svc.Account(ctx, as)
		if err != nil {
			return nil, err
		}
		if a.SiteID != site.ID {
			return nil, hosting.Errorf(hosting.CodeNotFound, "account %q not found", as)
		}
		if a.EffectiveStatus() != hosting.StatusActive || a.Expired(h.svc.Now()) {
			return nil, errSuspended
		}
		sc.acct, sc.as = a, a.Login
		root, home = a.SiteRoot, a.Home
		o.Read, o.Write = a.Read, a.Write
		sc.usage = h.usages.Acquire(a)
		o.Usage = sc.usage
	}
	rt, err := homefs.OpenRoot(root, home)
	if err != nil {
		h.usages.Release(sc.usage)
		return nil, fmt.Errorf("web: files: %w", err)
	}
	sc.fs = homefs.New(rt, o)
	return sc, nil
}

// closeScope releases what openScope took.
func (h *handler) closeScope(sc *fileScope) {
	sc.fs.Close()
	h.usages.Release(sc.usage)
}

// withScope runs fn with the request's file scope, answering scope
// errors itself.
func (h *handler) withScope(w http.ResponseWriter, r *http.Request, fn func(sc *fileScope)) {
	sc, err := h.openScope(r)
	if err != nil {
		h.fileError(w, r, nil, err)
		return
	}
	defer h.closeScope(sc)
	fn(sc)
}

// cleanPath turns a path parameter into a home-absolute path. A NUL byte
// is refused; ".." is resolved lexically (homefs confines the rest).
func cleanPath(p string) (string, error) {
	if strings.ContainsRune(p, 0) {
		return "", homefs.ErrInvalidName
	}
	return path.Clean("/" + p), nil
}

// cleanName checks a single file or folder name typed or uploaded by the
// user: no separators, not "." or "..", no NUL.
func cleanName(n string) (string, error) {
	n = strings.TrimSpace(n)
	if n == "" || n == "." || n == ".." || strings.ContainsAny(n, "/\\\x00") || len(n) > 255 {
		return "", homefs.ErrInvalidName
	}
	return n, nil
}

// wantsJSON reports whether the request comes from files.js, which reads
// JSON answers instead of pages.
func wantsJSON(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "application/json")
}

// writeJSON answers v as JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// fileErrorStatus maps a homefs error to an HTTP status and a sentence.
func fileErrorStatus(err error) (int, string) {
	switch {
	case errors.Is(err, homefs.ErrNotFound):
		return http.StatusNotFound, "There is no such file or folder."
	case errors.Is(err, homefs.ErrPermission):
		return http.StatusForbidden, "Permission denied: this is outside the folder, or the account may not do this."
	case errors.Is(err, homefs.ErrExists):
		return http.StatusConflict, "A file or folder with this name already exists."
	case errors.Is(err, homefs.ErrNotEmpty):
		return http.StatusConflict, "The folder is not empty."
	case errors.Is(err, homefs.ErrNotDir):
		return http.StatusBadRequest, "This is not a folder."
	case errors.Is(err, homefs.ErrIsDir):
		return http.StatusBadRequest, "This is a folder, not a file."
	case errors.Is(err, homefs.ErrNotFile):
		return http.StatusBadRequest, "This is not a regular file."
	case errors.Is(err, homefs.ErrNameTooLong):
		return http.StatusBadRequest, "The name is too long."
	case errors.Is(err, homefs.ErrInvalidName):
		return http.StatusBadRequest, "The name or path is not valid."
	case errors.Is(err, homefs.ErrUnsupported):
		return http.StatusBadRequest, "This operation is not supported here."
	case errors.Is(err, homefs.ErrNoSpace):
		return http.StatusInsufficientStorage, "The quota is exceeded: there is not enough space left for this."
	case errors.Is(err, homefs.ErrClosed):
		return http.StatusServiceUnavailable, "The file manager is closing. Please try again."
	}
	var ue *userError
	if errors.As(err, &ue) {
		return ue.status, ue.msg
	}
	return http.StatusInternalServerError, ""
}

// userError is a refusal with its own status and sentence.
type userError struct {
	status int
	msg    string
}

func (e *userError) Error() string { return e.msg }

func badRequest(msg string) error { return &userError{http.StatusBadRequest, msg} }

// fileError answers a failed file manager request: a page for browsers
// without JavaScript, JSON for files.js.
func (h *handler) fileError(w http.ResponseWriter, r *http.Request, sc *fileScope, err error) {
	status, msg := 0, ""
	switch {
	case errors.Is(err, errSuspended):
		status, msg = http.StatusForbidden, "The site, its customer or the account is suspended: its files cannot be opened."
	case errors.As(err, new(*hosting.Error)):
		if !wantsJSON(r) {
			h.serviceError(w, r, err)
			return
		}
		switch hosting.ErrorCode(err) {
		case hosting.CodeNotFound, hosting.CodeForbidden:
			status, msg = http.StatusNotFound, "Not found."
		case hosting.CodeUnauthorized:
			status, msg = http.StatusUnauthorized, "Please sign in again."
		case hosting.CodeInternal:
			status = http.StatusInternalServerError
		default:
			status, msg = http.StatusBadRequest, hosting.ErrorMessage(err)
		}
	default:
		status, msg = fileErrorStatus(err)
	}
	if status == http.StatusInternalServerError {
		h.log.Error("web: files", "method", r.Method, "path", r.URL.Path, "err", err)
		msg = "The file manager could not complete this request. Please try again in a moment."
	}
	if wantsJSON(r) {
		writeJSON(w, status, map[string]string{"error": msg})
		return
	}
	if status == http.StatusNotFound && sc == nil {
		h.notFound(w, r)
		return
	}
	h.errorPage(w, r, status, "File operation refused", msg)
}

// audit records a change; a failure is logged (the change is made).
func (h *handler) audit(r *http.Request, sc *fileScope, action, p, detail string) {
	err := h.svc.RecordFileEvent(r.Context(), hosting.FileEvent{Site: sc.site, Account: sc.acct,
		Action: action, Path: sc.sitePath(p), Detail: detail})
	if err != nil {
		h.log.Error("web: files: audit", "action", action, "site", sc.site.Name, "err", err)
	}
}

// done answers a successful change: JSON for files.js, else a redirect
// to the folder dir with a flash message.
func (h *handler) done(w http.ResponseWriter, r *http.Request, sc *fileScope, dir, msg string) {
	if wantsJSON(r) {
		writeJSON(w, http.StatusOK, map[string]string{"ok": msg, "location": sc.url("", dir)})
		return
	}
	h.setFlash(r, "success", msg)
	http.Redirect(w, r, sc.url("", dir), http.StatusSeeOther)
}

// formPath reads and cleans the form field key (query or body).
func formPath(r *http.Request, key string) (string, error) {
	v := r.FormValue(key)
	if v == "" {
		return "", badRequest("No file or folder was given.")
	}
	return cleanPath(v)
}

// formItem reads the form's "path" and the file it names, through a
// final symlink when follow is set (Stat), else not (Lstat). top, when not
// empty, is the error given for the top folder. On an error it answers
// the request and returns ok false.
func (h *handler) formItem(w http.ResponseWriter, r *http.Request, sc *fileScope, follow bool, top string) (string, fs.FileInfo, bool) {
	p, err := formPath(r, "path")
	if err == nil && p == "/" && top != "" {
		err = badRequest(top)
	}
	var fi fs.FileInfo
	if err == nil {
		if follow {
			fi, err = sc.fs.Stat(p)
		} else {
			fi, err = sc.fs.Lstat(p)
		}
	}
	if err != nil {
		h.fileError(w, r, sc, err)
		return "", nil, false
	}
	return p, fi, true
}

// isDir reports whether p is a folder (following links inside the home).
func isDir(f *homefs.FS, p string) bool {
	fi, err := f.Stat(p)
	return err == nil && fi.IsDir()
}

// modeString is the ls-style text of a mode, e.g. "drwxr-xr-x".
func modeString(m fs.FileMode) string {
	s := []byte("-rwxrwxrwx")
	if m.IsDir() {
		s[0] = 'd'
	} else if m&fs.ModeSymlink != 0 {
		s[0] = 'l'
	}
	for i := 0; i < 9; i++ {
		if m&(1<<uint(8-i)) == 0 {
			s[i+1] = '-'
		}
	}
	return string(s)
}

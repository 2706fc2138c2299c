package web

import (
	"errors"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"

	"ftpanel/internal/homefs"
	"ftpanel/internal/hosting"
)

// FilesPage is the data of files.html: one page of a folder's listing.
type FilesPage struct {
	Layout
	Site      SiteView
	As        string // the account worked as; "" = the site root
	Scope     string // "the site root" or "account <login>"
	Accounts  []ScopeLink
	Path      string
	Crumbs    []Crumb
	Entries   []FileEntry
	Total     int
	Sort      string
	Desc      bool
	SortLinks map[string]string
	Page      int
	Pages     int
	PrevURL   string
	NextURL   string
	CanRead   bool
	CanWrite  bool
	NoList    bool   // the account may upload here but not list
	Space     string // e.g. "1.2 MiB used of 10 GiB"
	UploadURL string
	ChunkURL  string
	MkdirURL  string
	ZipURL    string // this folder as a zip
	Threshold int64  // bytes from which files.js uploads in chunks
}

// ScopeLink offers another scope ("open as") of the same site.
type ScopeLink struct {
	Label   string
	URL     string
	Current bool
}

// Crumb is one step of the breadcrumb.
type Crumb struct {
	Name string
	URL  string
}

// FileEntry is one row of the listing.
type FileEntry struct {
	Name        string
	Path        string
	IsDir       bool
	Size        string
	Bytes       int64
	Modified    string
	ISOTime     string
	Mode        string
	Octal       string
	URL         string // browse (folders) or download (files)
	ZipURL      string // folders: download as a zip
	ActionURL   string // base of the action page
	EditURL     string // "" = not editable
	Extractable bool
}

// handleFilesBrowse lists a folder: sorted, paged, with breadcrumbs.
func (h *handler) handleFilesBrowse(w http.ResponseWriter, r *http.Request) {
	h.withScope(w, r, func(sc *fileScope) {
		q := r.URL.Query()
		p, err := cleanPath(q.Get("path"))
		if err != nil {
			h.fileError(w, r, sc, err)
			return
		}
		infos, err := sc.fs.ReadDir(p)
		noList := false
		if err != nil {
			// A write-only account (a drop box) may upload but not list.
			if !sc.fs.CanRead() && sc.fs.CanWrite() && errors.Is(err, homefs.ErrPermission) && isDir(sc.fs, p) {
				infos, noList = nil, true
			} else {
				h.fileError(w, r, sc, err)
				return
			}
		}
		pg := FilesPage{Layout: h.layout(r, "Files of "+hosting.DisplayDomain(sc.site.Name), "accounts"),
			Site: h.siteView(r, sc.site), As: sc.as, Path: p, Total: len(infos),
			CanRead: sc.fs.CanRead(), CanWrite: sc.fs.CanWrite(), Threshold: chunkThreshold,
			NoList: noList, UploadURL: sc.url("upload", p), ChunkURL: sc.url("chunk", ""), MkdirURL: sc.url("mkdir", p), ZipURL: sc.url("download", p)}
		pg.Scope = "the whole site"
		if sc.acct != nil {
			pg.Scope = "account " + sc.acct.Login + " (folder " + sc.acct.Home + ")"
		}
		pg.Accounts = h.scopeLinks(r, sc)
		if total, free, err := sc.fs.Space(); err == nil {
			if sc.usage != nil && sc.usage.Limit() >= 0 {
				pg.Space = formatBytes(total-free) + " used of " + formatBytes(total)
			} else {
				pg.Space = formatBytes(free) + " free on the disk"
			}
		}
		// Breadcrumbs.
		pg.Crumbs = []Crumb{{Name: "/", URL: sc.url("", "/")}}
		acc := ""
		for _, part := range strings.Split(strings.Trim(p, "/"), "/") {
			if part == "" {
				continue
			}
			acc += "/" + part
			pg.Crumbs = append(pg.Crumbs, Crumb{Name: part, URL: sc.url("", acc)})
		}
		// Sorting: folders first, then by the key.
		pg.Sort, pg.Desc = q.Get("sort"), q.Get("order") == "desc"
		if pg.Sort != "size" && pg.Sort != "modified" {
			pg.Sort = "name"
		}
		slices.SortFunc(infos, func(a, b fs.FileInfo) int {
			if a.IsDir() != b.IsDir() {
				if a.IsDir() {
					return -1
				}
				return 1
			}
			c := 0
			switch pg.Sort {
			case "size":
				c = cmpInt(a.Size(), b.Size())
			case "modified":
				c = a.ModTime().Compare(b.ModTime())
			}
			if c == 0 {
				c = strings.Compare(a.Name(), b.Name())
			}
			if pg.Desc {
				c = -c
			}
			return c
		})
		pg.SortLinks = map[string]string{}
		for _, k := range []string{"name", "size", "modified"} {
			order := "asc"
			if k == pg.Sort && !pg.Desc {
				order = "desc"
			}
			pg.SortLinks[k] = sc.url("", p, "sort="+k, "order="+order)
		}
		// Paging.
		pg.Pages = max(1, (len(infos)+filesPageSize-1)/filesPageSize)
		pg.Page, _ = strconv.Atoi(q.Get("page"))
		pg.Page = min(max(pg.Page, 1), pg.Pages)
		sortQ := []string{"sort=" + pg.Sort}
		if pg.Desc {
			sortQ = append(sortQ, "order=desc")
		}
		if pg.Page > 1 {
			pg.PrevURL = sc.url("", p, append(sortQ, "page="+strconv.Itoa(pg.Page-1))...)
		}
		if pg.Page < pg.Pages {
			pg.NextURL = sc.url("", p, append(sortQ, "page="+strconv.Itoa(pg.Page+1))...)
		}
		lo := (pg.Page - 1) * filesPageSize
		for _, fi := range infos[lo:min(lo+filesPageSize, len(infos))] {
			pg.Entries = append(pg.Entries, h.fileEntry(sc, p, fi))
		}
		h.render(w, r, http.StatusOK, "files", pg)
	})
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// fileEntry builds the row of fi in folder dir.
func (h *handler) fileEntry(sc *fileScope, dir string, fi fs.FileInfo) FileEntry {
	p := path.Join(dir, fi.Name())
	e := FileEntry{Name: fi.Name(), Path: p, IsDir: fi.IsDir(), Bytes: fi.Size(),
		Modified: formatTime(fi.ModTime()), ISOTime: fi.ModTime().UTC().Format("2006-01-02T15:04:05Z"),
		Mode: modeString(fi.Mode()), Octal: "0" + strconv.FormatUint(uint64(fi.Mode().Perm()), 8),
		ActionURL: sc.url("action", p)}
	if fi.IsDir() {
		e.URL = sc.url("", p)
		e.ZipURL = sc.url("download", p)
		e.Size = "—"
	} else {
		e.URL = sc.url("download", p)
		e.Size = formatBytes(fi.Size())
		if fi.Size() <= maxEditBytes && sc.fs.CanRead() && sc.fs.CanWrite() && fi.Mode().IsRegular() && !binaryExt[strings.ToLower(path.Ext(fi.Name()))] {
			e.EditURL = sc.url("edit", p)
		}
		e.Extractable = archiveKind(fi.Name()) != ""
	}
	return e
}

// scopeLinks lists the scopes of the site the user may open: the site
// root and every account's home.
func (h *handler) scopeLinks(r *http.Request, sc *fileScope) []ScopeLink {
	id := sc.site.ID
	accts, err := h.svc.Accounts(r.Context(), hosting.AccountFilter{SiteID: &id})
	if err != nil {
		h.log.Warn("web: files: accounts", "err", err)
		return nil
	}
	links := []ScopeLink{{Label: "Whole site", URL: sc.base, Current: sc.acct == nil}}
	for _, a := range accts {
		links = append(links, ScopeLink{Label: "As " + a.Login + " (" + a.Home + ")",
			URL: sc.base + "?as=" + url.QueryEscape(a.Login), Current: sc.acct != nil && sc.acct.ID == a.ID})
	}
	return links
}

// binaryExt are extensions of files the editor does not offer (it would
// refuse them: not UTF-8 text).
var binaryExt = map[string]bool{".zip": true, ".gz": true, ".tgz": true, ".bz2": true, ".xz": true, ".7z": true,
	".rar": true, ".tar": true, ".png": true, ".jpg": true, ".jpeg": true, ".gif": true, ".webp": true, ".avif": true,
	".ico": true, ".pdf": true, ".mp3": true, ".mp4": true, ".mov": true, ".webm": true, ".woff": true, ".woff2": true,
	".ttf": true, ".otf": true, ".eot": true, ".exe": true, ".so": true, ".bin": true, ".iso": true, ".db": true, ".sqlite": true}

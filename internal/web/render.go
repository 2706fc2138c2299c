package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"

	"ftpanel/internal/hosting"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// pageFiles are the page templates; each is parsed with the layout and
// the partials into a set of its own.
var pageFiles = []string{"login", "accounts", "site_accounts", "account_created", "account_edit",
	"account_delete", "connections", "customers", "sites", "audit", "error",
	"customer_form", "confirm_delete", "site_form", "tokens", "bans", "password", "login_2fa", "twofactor",
	"sshkeys", "sshkey_delete"}

// pages holds the parsed templates and the static files' version tags.
type pages struct {
	sets    map[string]*template.Template
	version map[string]string // static file name → content hash
}

// parsePages parses every template; the first error is returned.
func parsePages() (*pages, error) {
	p := &pages{sets: make(map[string]*template.Template), version: make(map[string]string)}
	err := fs.WalkDir(staticFS, "static", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := staticFS.ReadFile(name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		p.version[strings.TrimPrefix(name, "static/")] = hex.EncodeToString(sum[:6])
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("web: static files: %w", err)
	}
	base, err := template.New("").Funcs(p.funcs()).ParseFS(templateFS, "templates/layout.html", "templates/partials.html")
	if err != nil {
		return nil, fmt.Errorf("web: parse layout: %w", err)
	}
	for _, name := range pageFiles {
		t, err := base.Clone()
		if err != nil {
			return nil, fmt.Errorf("web: clone layout: %w", err)
		}
		if _, err := t.ParseFS(templateFS, "templates/"+name+".html"); err != nil {
			return nil, fmt.Errorf("web: parse %s: %w", name, err)
		}
		if t.Lookup("content") == nil {
			return nil, fmt.Errorf("web: template %s defines no content", name)
		}
		p.sets[name] = t
	}
	return p, nil
}

// funcs are the template helpers.
func (p *pages) funcs() template.FuncMap {
	return template.FuncMap{
		// static returns the versioned URL of a static file.
		"static": func(name string) (string, error) {
			v, ok := p.version[name]
			if !ok {
				return "", fmt.Errorf("no static file %q", name)
			}
			return "/static/" + name + "?v=" + v, nil
		},
		"pathEscape": pathEscape,
	}
}

// static serves the embedded static files; their URLs carry a content
// hash, so browsers may keep them.
func (h *handler) static() http.Handler {
	sub, err := fs.Sub(staticFS, "static")
	if err != nil { // cannot happen: the directory is embedded
		return http.NotFoundHandler()
	}
	files := http.StripPrefix("/static/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/static/")
		if _, ok := h.pages.version[path.Clean(name)]; !ok || strings.HasSuffix(name, "/") {
			h.notFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=604800")
		files.ServeHTTP(w, r)
	})
}

// render executes a page into a buffer and writes it with status; a
// template error answers 500 and is logged.
func (h *handler) render(w http.ResponseWriter, r *http.Request, status int, page string, data any) {
	h.renderTemplate(w, r, status, page, "layout", data)
}

// renderTemplate executes one named template of a page's set.
func (h *handler) renderTemplate(w http.ResponseWriter, r *http.Request, status int, page, name string, data any) {
	t, ok := h.pages.sets[page]
	if !ok {
		h.log.Error("web: unknown page", "page", page)
		http.Error(w, "Internal server error", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, name, data); err != nil {
		h.log.Error("web: render", "page", page, "template", name, "path", r.URL.Path, "err", err)
		http.Error(w, "Internal server error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// ErrorPage is the data of error.html.
type ErrorPage struct {
	Layout
	Status  int
	Heading string
	Message string
}

func (h *handler) errorPage(w http.ResponseWriter, r *http.Request, status int, heading, msg string) {
	h.render(w, r, status, "error", ErrorPage{Layout: h.layout(r, heading, ""), Status: status, Heading: heading, Message: msg})
}

// notFound answers 404, also for objects of other customers.
func (h *handler) notFound(w http.ResponseWriter, r *http.Request) {
	h.errorPage(w, r, http.StatusNotFound, "Page not found",
		"There is nothing here, or it does not belong to you. Check the address, or go back to your FTP accounts.")
}

// forbidden answers 403 with msg.
func (h *handler) forbidden(w http.ResponseWriter, r *http.Request, msg string) {
	h.errorPage(w, r, http.StatusForbidden, "Request refused", msg)
}

// serverError logs err and answers 500 without its details.
func (h *handler) serverError(w http.ResponseWriter, r *http.Request, err error) {
	h.log.Error("web: request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	h.errorPage(w, r, http.StatusInternalServerError, "Something went wrong",
		"The panel could not complete this request. Please try again in a moment.")
}

// serviceError answers a failed service call on a page: not_found (and
// forbidden, so nothing leaks) as 404, internal errors as 500, others as
// 400 with the service's message.
func (h *handler) serviceError(w http.ResponseWriter, r *http.Request, err error) {
	switch hosting.ErrorCode(err) {
	case hosting.CodeNotFound, hosting.CodeForbidden:
		h.notFound(w, r)
	case hosting.CodeUnauthorized:
		http.Redirect(w, r, "/login", http.StatusSeeOther)
	case hosting.CodeInternal:
		h.serverError(w, r, err)
	default:
		h.errorPage(w, r, http.StatusBadRequest, "Request not completed", hosting.ErrorMessage(err))
	}
}

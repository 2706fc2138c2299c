package web

import (
	"net/http"

	"ftpanel/internal/hosting"
)

// Layout is the part of every page's data that the frame (layout.html)
// uses: title, navigation with counts, the signed-in user, the CSRF token
// for forms, and a one-time message.
type Layout struct {
	Title  string
	Active string // navigation key of the current page
	User   *UserView
	CSRF   string
	Flash  *flash
	Nav    NavCounts
}

// UserView is the signed-in user as the navigation shows it.
type UserView struct {
	Login  string
	Admin  bool
	Role   string // "Administrator" or "Customer"
	Status string // "Active" (suspended users cannot be signed in)
}

// NavCounts are the numbers in the navigation bar.
type NavCounts struct {
	Accounts    int
	Sites       int
	Connections int
	Customers   int
}

// layout builds the frame data of a page for the request's user.
func (h *handler) layout(r *http.Request, title, active string) Layout {
	l := Layout{Title: title, Active: active}
	s := sessionFrom(r.Context())
	if s == nil {
		return l
	}
	ctx := r.Context()
	l.CSRF = s.CSRF
	l.User = &UserView{Login: s.Login, Admin: s.isAdmin(), Role: "Customer", Status: "Active"}
	if s.isAdmin() {
		l.User.Role = "Administrator"
	}
	l.Flash = h.takeFlash(r)
	var err error
	if l.Nav.Accounts, err = h.svc.CountAccounts(ctx, hosting.AccountFilter{}); err != nil {
		h.log.Warn("web: count accounts", "err", err)
	}
	if sites, err := h.svc.Sites(ctx, hosting.SiteFilter{}); err != nil {
		h.log.Warn("web: count sites", "err", err)
	} else {
		l.Nav.Sites = len(sites)
	}
	if sess, err := h.svc.Sessions(ctx, hosting.SessionFilter{}); err != nil {
		h.log.Warn("web: count sessions", "err", err)
	} else {
		l.Nav.Connections = len(sess)
	}
	if s.isAdmin() {
		if cs, err := h.svc.Customers(ctx, hosting.CustomerFilter{}); err != nil {
			h.log.Warn("web: count customers", "err", err)
		} else {
			l.Nav.Customers = len(cs)
		}
	}
	return l
}

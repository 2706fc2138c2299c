package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"ftpanel/internal/hosting"
)

// auditPageSize is the number of events per audit page.
const auditPageSize = 100

// AuditListPage is the data of audit.html (administrators only).
type AuditListPage struct {
	Layout
	Rows      []AuditRow
	Object    string // filter: object name
	OlderURL  string // next page, "" on the last
	NewestURL string // first page, "" on it
}

// AuditRow is one audit event.
type AuditRow struct {
	Time       string
	ISOTime    string
	Actor      string
	ActorKind  string
	Via        string
	RemoteAddr string
	Action     string
	Object     string
	Detail     string
}

// handleAuditList shows audit events, newest first, a page at a time.
func (h *handler) handleAuditList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p := AuditListPage{Layout: h.layout(r, "Audit log", "audit"), Object: strings.TrimSpace(q.Get("object"))}
	f := hosting.AuditFilter{ObjectName: p.Object, Limit: auditPageSize + 1}
	if b, err := strconv.ParseInt(q.Get("before"), 10, 64); err == nil && b > 0 {
		f.BeforeID = b
		p.NewestURL = "/audit?object=" + url.QueryEscape(p.Object)
	}
	events, err := h.svc.AuditEvents(r.Context(), f)
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	if len(events) > auditPageSize {
		events = events[:auditPageSize]
		p.OlderURL = "/audit?object=" + url.QueryEscape(p.Object) + "&before=" + strconv.FormatInt(events[len(events)-1].ID, 10)
	}
	for _, e := range events {
		obj := e.ObjectType
		if e.ObjectName != "" {
			name := e.ObjectName
			if e.ObjectType == "site" {
				name = hosting.DisplayDomain(name)
			}
			obj += " " + name
		}
		p.Rows = append(p.Rows, AuditRow{Time: formatTime(e.Time), ISOTime: e.Time.UTC().Format("2006-01-02T15:04:05Z"),
			Actor: e.Actor, ActorKind: string(e.ActorKind), Via: string(e.Via), RemoteAddr: e.RemoteAddr,
			Action: e.Action, Object: obj, Detail: e.Detail})
	}
	h.render(w, r, http.StatusOK, "audit", p)
}

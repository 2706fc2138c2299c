package hosting

import (
	"context"
	"strings"
	"unicode/utf8"
)

// FileEvent describes one change made to a site's files through the web
// file manager, for the audit trail.
type FileEvent struct {
	Site    *Site    // the site whose files changed (from Service.Site)
	Account *Account // the account worked "as"; nil = the site root
	Action  string   // e.g. "upload", "delete"; recorded as "file.<action>"
	Path    string   // site-relative path of the object ("/" = site root)
	Detail  string   // e.g. the new name, the mode, bytes written
}

// maxFileEventText bounds the path and detail kept in an audit event.
const maxFileEventText = 1024

// RecordFileEvent appends a file change made by the context's actor to
// the audit trail (who, from where and through which interface come from
// the actor). A customer may record events only for its own sites.
func (s *Service) RecordFileEvent(ctx context.Context, ev FileEvent) error {
	const opName = "hosting.RecordFileEvent"
	a, err := s.actor(ctx)
	if err != nil {
		return op(opName, err)
	}
	if ev.Site == nil || ev.Action == "" {
		return op(opName, Errorf(CodeInvalidInput, "a file event needs a site and an action"))
	}
	if !a.IsAdmin() && ev.Site.CustomerID != a.CustomerID {
		return op(opName, Errorf(CodeNotFound, "site %q not found", ev.Site.Name))
	}
	name := ev.Site.Name + ":" + clipText(ev.Path, maxFileEventText)
	detail := ev.Detail
	if ev.Account != nil {
		if ev.Account.SiteID != ev.Site.ID {
			return op(opName, Errorf(CodeNotFound, "account %q not found", ev.Account.Login))
		}
		detail = strings.TrimSpace("as " + ev.Account.Login + "; " + detail)
		detail = strings.TrimSuffix(detail, ";")
	}
	e := s.event(ctx, "file."+ev.Action, "file", ev.Site.ID, name, ev.Site.CustomerID, clipText(detail, maxFileEventText))
	return op(opName, s.store.AppendAudit(ctx, e))
}

// clipText cuts s to n bytes on a rune boundary, for audit details and
// error messages; invalid UTF-8 is replaced.
func clipText(s string, n int) string {
	s = strings.ToValidUTF8(s, "?")
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s + "…"
}

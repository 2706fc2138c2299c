package web

import (
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"ftpanel/internal/hosting"
)

// formField names a form field: its form name (the service's error
// field), the id of its input and its label in the error summary.
type formField struct {
	Name, ID, Label string
}

// SummaryItem is one line of a form's error summary: a link to the field
// (Target is its input's id) or, without Target, an error of the form.
type SummaryItem struct {
	Target string
	Text   string
}

// add records msg for field unless the field already has an error; the
// first problem of a field is the one to fix first.
func (fe FieldErrors) add(field, msg string) {
	if _, ok := fe[field]; !ok {
		fe[field] = sentence(msg)
	}
}

// addErr records a hosting error on its field, or (for an unknown field)
// returns it as a message for the whole form.
func (h *handler) addErr(r *http.Request, fe FieldErrors, err error, fields []formField) string {
	if err == nil {
		return ""
	}
	if hosting.ErrorCode(err) == hosting.CodeInternal {
		h.log.Error("web: request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		return "The panel could not complete this request. Please try again in a moment."
	}
	f := hosting.ErrorField(err)
	for _, k := range fields {
		if k.Name == f {
			fe.add(f, hosting.ErrorMessage(err))
			return ""
		}
	}
	return sentence(hosting.ErrorMessage(err))
}

// summary lists every error of a form, in the order of its fields, the
// form's own error first.
func summary(fe FieldErrors, formErr string, fields []formField) []SummaryItem {
	var out []SummaryItem
	if formErr != "" {
		out = append(out, SummaryItem{Text: formErr})
	}
	for _, f := range fields {
		if msg, ok := fe[f.Name]; ok {
			text := msg
			if !strings.Contains(strings.ToLower(msg), strings.ToLower(f.Label)) {
				text = f.Label + ": " + msg
			}
			out = append(out, SummaryItem{Target: f.ID, Text: text})
		}
	}
	return out
}

// parseExpiry reads a date (YYYY-MM-DD) as the end of that day in UTC;
// empty is no expiry.
func parseExpiry(s string) (*time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		return nil, hosting.FieldErrorf(hosting.CodeInvalidInput, "expires", "enter a date as YYYY-MM-DD, or leave the field empty for no expiry")
	}
	t := d.Add(24*time.Hour - time.Second).UTC()
	return &t, nil
}

// expiryFormValue shows an expiry in the date field.
func expiryFormValue(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format("2006-01-02")
}

// parseAllowedIPs reads addresses or CIDR ranges, separated by commas,
// spaces or new lines; empty allows any address.
func parseAllowedIPs(s string) ([]string, error) {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\r' || r == '\t' }) {
		if _, err := netip.ParsePrefix(f); err == nil {
			out = append(out, f)
			continue
		}
		if _, err := netip.ParseAddr(f); err == nil {
			out = append(out, f)
			continue
		}
		return nil, hosting.FieldErrorf(hosting.CodeInvalidInput, "allowed_ips", "%q is not an IP address or a range such as 203.0.113.0/24", f)
	}
	if len(out) > 100 {
		return nil, hosting.FieldErrorf(hosting.CodeInvalidInput, "allowed_ips", "enter at most 100 addresses or ranges")
	}
	return out, nil
}

func itoa(n int) string { return strconv.Itoa(n) }

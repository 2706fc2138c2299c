package web

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"ftpanel/internal/hosting"
)

// SiteView is a site as pages show it.
type SiteView struct {
	Name           string // ASCII (punycode) domain, used in URLs
	Display        string // Unicode domain
	URL            string // http://domain
	AccountsURL    string // the site's accounts page
	FileManagerURL string // "" hides the button
	Customer       string
	Status         string // "Active" or "Suspended" (effective)
	Suspended      bool
	OwnSuspended   bool // the site itself (not only its customer) is suspended
	Host           string
	IP             string
	Port           int
	Root           string
	Used           string // the site folder's size when last measured ("" = never)
	UsedMeasured   string // when
	// SFTPPort is the port SFTP clients connect to (at Host); 0 when the
	// server has no SFTP, and then nothing about SFTP is shown.
	SFTPPort int
	// SFTPHostKeys are the SFTP server's host key fingerprints
	// ("ssh-ed25519 SHA256:..."), for users to check on first connect.
	SFTPHostKeys []string
}

// AccountCard is one FTP account card.
type AccountCard struct {
	Login         string
	Site          SiteView
	Status        string // "Active" or "Suspended" (effective)
	Suspended     bool
	StatusReason  string // why it is suspended, when it is
	Main          bool
	Home          string
	Quota         QuotaView
	Read, Write   bool
	Permissions   string
	LastLogin     string
	EditURL       string
	DeleteURL     string
	DeleteAllowed bool
	StatusURL     string
	OwnSuspended  bool   // the account itself is suspended (Resume shown)
	CSRF          string // for the card's suspend/resume form
	LastAddr      string
	Expires       string
	Allowed       string
	// SFTP is the command line that opens an SFTP session as this account
	// ("sftp -P 2222 login@host"); "" when the server has no SFTP.
	SFTP string
	// SFTPID is the id of the element holding SFTP, for its copy button.
	SFTPID string
	// KeysURL is the account's SSH keys page; KeyCount the number of its
	// keys (-1 when it could not be counted) and KeysText that number in
	// words. Cards show them with SFTP only.
	KeysURL  string
	KeyCount int
	KeysText string
}

// QuotaView is a quota usage bar.
type QuotaView struct {
	Used      string
	Limit     string // "Unlimited" or a size
	Unlimited bool
	Percent   int    // 0..100, for the bar
	Level     string // "ok", "warn", "full"
	Label     string // text for screen readers and the caption
	Measured  string // when the usage was last measured from disk; "" = never
}

// pathEscape escapes one URL path segment.
func pathEscape(s string) string { return url.PathEscape(s) }

// statusText turns a status into the word pages show.
func statusText(s hosting.Status) string {
	if s == hosting.StatusSuspended {
		return "Suspended"
	}
	return "Active"
}

// formatBytes formats n bytes with binary units, as hosting panels do.
func formatBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	units := []string{"KB", "MB", "GB", "TB", "PB", "EB"}
	v, i := float64(n)/unit, 0
	for v >= unit && i < len(units)-1 {
		v /= unit
		i++
	}
	if v >= 100 {
		return fmt.Sprintf("%.0f %s", v, units[i])
	}
	s := strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.1f", v), "0"), ".")
	return s + " " + units[i]
}

// quotaView builds the usage bar of used bytes out of quota (-1 = none).
func quotaView(used, quota int64) QuotaView {
	q := QuotaView{Used: formatBytes(used), Level: "ok"}
	if quota < 0 {
		q.Unlimited, q.Limit = true, "Unlimited"
		q.Label = q.Used + " used, no limit"
		return q
	}
	q.Limit = formatBytes(quota)
	switch {
	case quota == 0 && used > 0:
		q.Percent = 100
	case quota > 0:
		q.Percent = int(min(100, (used*100+quota-1)/quota))
	}
	switch {
	case q.Percent >= 90:
		q.Level = "full"
	case q.Percent >= 75:
		q.Level = "warn"
	}
	q.Label = fmt.Sprintf("%s of %s used (%d%%)", q.Used, q.Limit, q.Percent)
	return q
}

// formatTime formats t for tables, in UTC.
func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// since says how long ago t was, roughly.
func since(now, t time.Time) string {
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%d min ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h %d min ago", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%d days ago", int(d.Hours()/24))
}

// ftpHost returns the host FTP clients connect to for site: the
// configured host, else the site's IP, else the host the panel was
// reached at.
func (h *handler) ftpHost(r *http.Request, site *hosting.Site) string {
	if h.opts.FTPHost != "" {
		return h.opts.FTPHost
	}
	if site != nil && site.IP != "" {
		return site.IP
	}
	host := r.Host
	if hh, _, err := net.SplitHostPort(host); err == nil {
		host = hh
	}
	return strings.Trim(host, "[]")
}

// keysText says how many SSH keys an account has; n < 0 is unknown.
func keysText(n int) string {
	switch {
	case n < 0:
		return "SSH keys"
	case n == 0:
		return "No SSH keys"
	case n == 1:
		return "1 SSH key"
	}
	return strconv.Itoa(n) + " SSH keys"
}

// sftpCommand returns the OpenSSH command line that opens an SFTP session
// as login on host:port; "-P" is left out for the standard port 22. The
// destination is quoted for a POSIX shell when it needs it (an IPv6
// address in brackets, say), so the line can be pasted as it is.
func sftpCommand(login, host string, port int) string {
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	dest := shellQuote(login + "@" + host)
	if port == 22 {
		return "sftp " + dest
	}
	return "sftp -P " + strconv.Itoa(port) + " " + dest
}

// shellQuote quotes s for a POSIX shell unless it holds only characters
// that no shell treats specially.
func shellQuote(s string) string {
	safe := s != ""
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("@%+=:,./_-", r)) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// siteView builds the view of a site.
func (h *handler) siteView(r *http.Request, s *hosting.Site) SiteView {
	v := SiteView{Name: s.Name, Display: hosting.DisplayDomain(s.Name), URL: "http://" + s.Name,
		AccountsURL: "/sites/" + pathEscape(s.Name) + "/accounts", Customer: s.CustomerLogin,
		Status: statusText(s.EffectiveStatus()), Suspended: s.EffectiveStatus() == hosting.StatusSuspended,
		OwnSuspended: s.Status == hosting.StatusSuspended,
		Host:         h.ftpHost(r, s), Port: h.opts.FTPPort, Root: s.Root}
	if s.UsedMeasuredAt != nil {
		v.Used, v.UsedMeasured = formatBytes(s.UsedBytes), formatTime(*s.UsedMeasuredAt)
	}
	if s.IP != "" && s.IP != v.Host {
		v.IP = s.IP
	}
	if h.opts.SFTPPort > 0 {
		v.SFTPPort, v.SFTPHostKeys = h.opts.SFTPPort, h.opts.SFTPHostKeys
	}
	if t := h.opts.FileManagerURL; t != "" {
		t = strings.ReplaceAll(t, "{site}", url.QueryEscape(s.Name))
		v.FileManagerURL = strings.ReplaceAll(t, "{customer}", url.QueryEscape(s.CustomerLogin))
	} else {
		v.FileManagerURL = "/sites/" + pathEscape(s.Name) + "/files" // the built-in one (files.go)
	}
	return v
}

// accountCard builds the card of a; site is a's site.
func (h *handler) accountCard(r *http.Request, a *hosting.Account, site SiteView) AccountCard {
	return h.accountCardCounted(r, a, site, nil)
}

// keyCounts counts the SSH keys of a page of accounts in one query, for
// accountCardCounted; nil when SFTP is off or the count failed (logged).
func (h *handler) keyCounts(r *http.Request, accounts []*hosting.Account) map[int64]int {
	if h.opts.SFTPPort <= 0 || len(accounts) == 0 {
		return nil
	}
	counts, err := h.svc.SSHKeyCounts(r.Context(), accounts)
	if err != nil {
		h.log.Warn("web: count ssh keys", "accounts", len(accounts), "err", err)
		return nil
	}
	return counts
}

// accountCardCounted is accountCard with the key counts of the page
// (from keyCounts); with nil, the card counts its keys itself.
func (h *handler) accountCardCounted(r *http.Request, a *hosting.Account, site SiteView, keys map[int64]int) AccountCard {
	c := AccountCard{Login: a.Login, Site: site, Status: statusText(a.EffectiveStatus()),
		Suspended: a.EffectiveStatus() == hosting.StatusSuspended, Main: a.Main, Home: a.Home,
		Quota: quotaView(a.UsedBytes, a.QuotaBytes), Read: a.Read, Write: a.Write,
		EditURL:       "/accounts/" + pathEscape(a.Login) + "/edit",
		DeleteURL:     "/accounts/" + pathEscape(a.Login) + "/delete",
		DeleteAllowed: !a.Main, StatusURL: "/accounts/" + pathEscape(a.Login) + "/status",
		OwnSuspended: a.Status == hosting.StatusSuspended, Allowed: strings.Join(a.AllowedIPs, ", "),
		KeysURL: "/accounts/" + pathEscape(a.Login) + "/keys"}
	if s := sessionFrom(r.Context()); s != nil {
		c.CSRF = s.CSRF
	}
	if site.SFTPPort > 0 {
		c.SFTP, c.SFTPID = sftpCommand(a.Login, site.Host, site.SFTPPort), "sftp-"+a.Login
		c.KeyCount = -1
		if keys != nil {
			c.KeyCount = keys[a.ID]
		} else if list, err := h.svc.SSHKeys(r.Context(), a.Login); err != nil {
			h.log.Warn("web: count ssh keys", "login", a.Login, "err", err)
		} else {
			c.KeyCount = len(list)
		}
		c.KeysText = keysText(c.KeyCount)
	}
	if a.ExpiresAt != nil {
		c.Expires = a.ExpiresAt.UTC().Format("2006-01-02")
	}
	if a.UsedMeasuredAt != nil {
		c.Quota.Measured = formatTime(*a.UsedMeasuredAt)
	}
	switch {
	case a.CustomerStatus == hosting.StatusSuspended:
		c.StatusReason = "The customer is suspended."
	case a.SiteStatus == hosting.StatusSuspended:
		c.StatusReason = "The site is suspended."
	case a.Status == hosting.StatusSuspended:
		c.StatusReason = "This account is suspended."
	}
	switch {
	case a.Read && a.Write:
		c.Permissions = "Read & write"
	case a.Read:
		c.Permissions = "Read only"
	case a.Write:
		c.Permissions = "Write only"
	default:
		c.Permissions = "No access"
	}
	if a.LastLoginAt != nil {
		c.LastLogin = formatTime(*a.LastLoginAt)
		c.LastAddr = a.LastLoginAddr
	}
	return c
}

// quota units offered by forms.
const (
	mib = int64(1) << 20
	gib = int64(1) << 30
)

// quotaFormValue splits a byte count into the form's number and unit;
// unlimited is an empty number.
func quotaFormValue(bytes int64) (string, string) {
	switch {
	case bytes < 0:
		return "", "MB"
	case bytes > 0 && bytes%gib == 0:
		return strconv.FormatInt(bytes/gib, 10), "GB"
	case bytes%mib == 0:
		return strconv.FormatInt(bytes/mib, 10), "MB"
	}
	return strconv.FormatFloat(float64(bytes)/float64(mib), 'f', -1, 64), "MB"
}

// parseQuota reads a quota from a number and a unit; an empty number is
// unlimited (-1).
func parseQuota(num, unit string) (int64, error) {
	num = strings.TrimSpace(num)
	if num == "" {
		return hosting.Unlimited, nil
	}
	mult := mib
	switch unit {
	case "GB":
		mult = gib
	case "MB", "":
	default:
		return 0, hosting.FieldErrorf(hosting.CodeInvalidInput, "quota", "choose MB or GB")
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || v < 0 || v > float64(1<<62)/float64(mult) || v != v {
		return 0, hosting.FieldErrorf(hosting.CodeInvalidInput, "quota", "enter a size of 0 or more, or leave the field empty for no limit")
	}
	return int64(v * float64(mult)), nil
}

// parseLimit reads an account limit; empty is unlimited (-1).
func parseLimit(field, s string) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return hosting.Unlimited, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < hosting.Unlimited || n > 1_000_000 {
		return 0, hosting.FieldErrorf(hosting.CodeInvalidInput, field, "enter a number of 0 or more, or leave the field empty for no limit")
	}
	return n, nil
}

// limitFormValue shows a limit in a form; unlimited is empty.
func limitFormValue(n int) string {
	if n < 0 {
		return ""
	}
	return strconv.Itoa(n)
}

// limitText shows a limit in a table.
func limitText(n int) string {
	if n < 0 {
		return "Unlimited"
	}
	return strconv.Itoa(n)
}

// FieldErrors maps a form field to its error message.
type FieldErrors map[string]string

// formErrors sorts a service error onto the form's fields: a known field
// gets its message, anything else is a message for the whole form.
// Internal errors are logged and shown generically.
func (h *handler) formErrors(r *http.Request, err error, fields ...string) (FieldErrors, string) {
	if hosting.ErrorCode(err) == hosting.CodeInternal {
		h.log.Error("web: request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		return nil, "The panel could not complete this request. Please try again in a moment."
	}
	msg := sentence(hosting.ErrorMessage(err))
	f := hosting.ErrorField(err)
	for _, k := range fields {
		if k == f {
			return FieldErrors{f: msg}, ""
		}
	}
	return nil, msg
}

// sentence capitalizes msg and ends it with a full stop.
func sentence(msg string) string {
	if msg == "" {
		return ""
	}
	r, n := utf8.DecodeRuneInString(msg)
	msg = string(unicode.ToUpper(r)) + msg[n:]
	if !strings.HasSuffix(msg, ".") {
		msg += "."
	}
	return msg
}

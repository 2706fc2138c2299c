package hestia

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/http"
	"net/netip"
	"regexp"
	"strconv"
	"strings"

	"ftpanel/internal/hosting"
)

// Options configure the handler.
type Options struct {
	// Logger receives internal errors and refused requests; default discards.
	Logger *slog.Logger
	// AllowedIPs, when not empty, lists the client addresses (IPs or CIDRs)
	// that may use the API, like HestiaCP's API_ALLOWED_IP: "allow-all"
	// allows every address, and "0.0.0.0" does too for access keys (not for
	// the legacy user/password form), as in HestiaCP. Empty allows all.
	AllowedIPs []string
	// AdminLogin, when set, is the only panel administrator who may use the
	// legacy user/password credentials (HestiaCP accepts only "admin"
	// there); empty lets every panel administrator use them. Customers never
	// may.
	AdminLogin string
}

// maxBody bounds a request body; a larger one counts as no data (PHP's
// post_max_size leaves $_POST empty too).
const maxBody = 1 << 20

const msgNoData = "Error: data received is null or invalid, check https://hestiacp.com/docs/server-administration/rest-api.html"

// cmdRe is the API's check of cmd (web/api/index.php).
var cmdRe = regexp.MustCompile(`^[a-zA-Z0-9_-]+$`)

// accessKeyRe is HestiaCP's ACCESS_KEY_ID format (is_access_key_id_format_valid).
var accessKeyRe = regexp.MustCompile(`^[A-Za-z0-9]{20}$`)

type handler struct {
	svc        *hosting.Service
	log        *slog.Logger
	allowAll   bool           // no address restriction
	zeroAll    bool           // "0.0.0.0" listed: access keys from anywhere
	allowed    []netip.Prefix // otherwise these
	adminLogin string
	cmds       map[string]command
}

// NewHandler returns the HestiaCP-compatible API. It answers every method on
// /api/ and /api/index.php as HestiaCP's web/api/index.php does (a request
// without data, such as a GET, gets HTTP 405); other paths get 404.
func NewHandler(svc *hosting.Service, o Options) http.Handler {
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	h := &handler{svc: svc, log: o.Logger, adminLogin: o.AdminLogin}
	h.allowAll = len(o.AllowedIPs) == 0
	for _, s := range o.AllowedIPs {
		s = strings.TrimSpace(s)
		switch {
		case s == "":
		case s == "allow-all":
			h.allowAll = true
		case s == "0.0.0.0":
			h.zeroAll = true
		default:
			if p, err := netip.ParsePrefix(s); err == nil {
				h.allowed = append(h.allowed, p.Masked())
			} else if a, err := netip.ParseAddr(s); err == nil {
				a = a.Unmap()
				h.allowed = append(h.allowed, netip.PrefixFrom(a, a.BitLen()))
			} else {
				o.Logger.Warn("hestia: ignoring an invalid allowed address", "value", s)
			}
		}
	}
	h.cmds = h.commands()
	mux := http.NewServeMux()
	mux.HandleFunc("/api/{$}", h.serveAPI)
	mux.HandleFunc("/api/index.php", h.serveAPI)
	return mux
}

// request holds the fields a request set, as PHP sees them: a field sent
// empty is set (to ""), a JSON null is not.
type request map[string]string

func (q request) has(k string) bool { _, ok := q[k]; return ok }

// readRequest decodes the body as web/api/index.php does: the form when
// it is a POST form with access_key, user or hash; otherwise the raw body
// as a JSON object. ok is false when neither yields data.
func readRequest(w http.ResponseWriter, r *http.Request) (q request, ok bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		return nil, false
	}
	if r.Method == http.MethodPost {
		if f := parseForm(r.Header.Get("Content-Type"), body); f.has("access_key") || f.has("user") || f.has("hash") {
			return f, true
		}
	}
	return parseJSON(body)
}

// parseForm decodes an urlencoded or multipart body; as in PHP, the last
// of repeated fields wins and file parts are not fields.
func parseForm(contentType string, body []byte) request {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return nil
	}
	q := request{}
	switch mt {
	case "application/x-www-form-urlencoded":
		parsePHPQuery(q, string(body))
	case "multipart/form-data":
		mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
		for {
			p, err := mr.NextPart()
			if err != nil {
				break
			}
			if p.FormName() != "" && p.FileName() == "" {
				v, _ := io.ReadAll(p)
				q[p.FormName()] = string(v)
			}
			p.Close()
		}
	default:
		return nil
	}
	return q
}

// parsePHPQuery adds the fields of an urlencoded body to q as PHP builds
// $_POST (main/php_variables.c): pairs are split on "&" only (a raw ";"
// belongs to the value), name and value are decoded by urldecode() ("+" is
// a space, "%" followed by two hex digits is that byte, any other "%" is
// kept literally), the last of repeated names wins, and names are mangled
// as PHP mangles them. Go's url.ParseQuery instead drops a field holding a
// ";" or an invalid escape, which turned a valid password into "Usage".
func parsePHPQuery(q request, body string) {
	for pair := range strings.SplitSeq(body, "&") {
		if pair == "" {
			continue
		}
		name, value, _ := strings.Cut(pair, "=")
		if name, ok := phpVarName(phpURLDecode(name)); ok {
			q[name] = phpURLDecode(value)
		}
	}
}

// phpURLDecode is PHP's urldecode(): it never fails.
func phpURLDecode(s string) string {
	if !strings.ContainsAny(s, "+%") {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '+':
			b = append(b, ' ')
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
		default:
			b = append(b, c)
		}
	}
	return string(b)
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}

// phpVarName is the name PHP registers a form field under
// (php_register_variable_ex): leading spaces dropped, cut at a NUL, " " and
// "." turned into "_", and a "[" without a closing "]" turned into "_"
// too. ok is false for a name PHP skips (empty) and for an array field
// such as "arg1[]", which is not a string in $_POST and so is no argument.
func phpVarName(name string) (string, bool) {
	name = strings.TrimLeft(name, " ")
	if i := strings.IndexByte(name, 0); i >= 0 {
		name = name[:i]
	}
	if name == "" {
		return "", false
	}
	b := []byte(name)
	for i, c := range b {
		switch c {
		case ' ', '.':
			b[i] = '_'
		case '[':
			if strings.IndexByte(name[i:], ']') >= 0 {
				return "", false
			}
			b[i] = '_'
			return string(b), true // PHP mangles only up to the first "["
		}
	}
	return string(b), true
}

// parseJSON decodes a JSON object body. Scalars become the strings PHP
// would make of them (true "1", false "", numbers as written); null and
// nested values are left out.
func parseJSON(body []byte) (request, bool) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil || len(m) == 0 {
		return nil, false
	}
	q := request{}
	for k, raw := range m {
		raw = bytes.TrimSpace(raw)
		if len(raw) == 0 {
			continue
		}
		switch raw[0] {
		case '"':
			var s string
			if json.Unmarshal(raw, &s) == nil {
				q[k] = s
			}
		case 't':
			q[k] = "1"
		case 'f':
			q[k] = ""
		case 'n', '{', '[':
		default:
			s := string(raw)
			if strings.ContainsAny(s, ".eE") {
				if f, err := strconv.ParseFloat(s, 64); err == nil {
					s = strconv.FormatFloat(f, 'f', -1, 64)
				}
			}
			q[k] = s
		}
	}
	return q, true
}

// phpTrim is PHP's trim(): it strips " \t\n\r\0\x0B".
func phpTrim(s string) string { return strings.Trim(s, " \t\n\r\x00\x0B") }

// phpEmpty is PHP's empty() on a string.
func phpEmpty(s string) bool { return s == "" || s == "0" }

// args are the command arguments: the argN fields that were set, trimmed,
// in order (positional, as the API passes them to the script), and by name.
type args struct {
	list  []string
	named map[string]string
}

func commandArgs(q request) args {
	a := args{named: map[string]string{}}
	for i := 1; i <= 13; i++ {
		k := "arg" + strconv.Itoa(i)
		if v, ok := q[k]; ok {
			v = phpTrim(v)
			a.list = append(a.list, v)
			a.named[k] = v
		}
	}
	return a
}

// serveAPI is web/api/index.php's entry: decode, turn a hash of the form
// ACCESS:SECRET into an access key pair, then take the access-key or the
// legacy path.
func (h *handler) serveAPI(w http.ResponseWriter, r *http.Request) {
	q, ok := readRequest(w, r)
	if !ok {
		h.apiError(w, exitNoData, msgNoData, false)
		return
	}
	if hash, ok := q["hash"]; ok && !q.has("access_key") && strings.Count(hash, ":") == 1 {
		access, secret, _ := strings.Cut(hash, ":")
		if len(access) == 20 && len(secret) == 40 {
			q["access_key"], q["secret_key"] = access, secret
			delete(q, "hash")
		}
	}
	switch {
	case q.has("access_key") && q.has("secret_key"):
		h.serveKey(w, r, q)
	case q.has("user") || q.has("hash"):
		h.serveLegacy(w, r, q)
	default:
		h.apiError(w, exitNoData, msgNoData, false)
	}
}

// serveKey is the access-key path (api_connection), checks in HestiaCP's
// order: address, cmd present and well formed, both keys given, key and
// secret, command allowed, USER argument, then the command.
func (h *handler) serveKey(w http.ResponseWriter, r *http.Request, q request) {
	codeOnly := q["returncode"] == "yes"
	ip := remoteIP(r)
	if !h.ipAllowed(ip, true) {
		h.apiError(w, exitForbidden, "IP is not allowed to connect with API", codeOnly)
		return
	}
	access, secret := phpTrim(q["access_key"]), phpTrim(q["secret_key"])
	cmd := phpTrim(q["cmd"])
	a := commandArgs(q)
	if !h.checkCmd(w, cmd, codeOnly) {
		return
	}
	if phpEmpty(access) || phpEmpty(secret) {
		h.apiError(w, exitPassword, "Authentication failed", codeOnly)
		return
	}
	if !accessKeyRe.MatchString(access) {
		h.apiError(w, exitPassword, "invalid access_key_id format :: "+access, codeOnly)
		return
	}
	actor, err := h.svc.AuthenticateHestiaKey(r.Context(), access, secret, hosting.ViaHestia, ip)
	if err != nil {
		switch code := hosting.ErrorCode(err); code {
		case hosting.CodeUnauthorized:
			// Unknown key and wrong secret answer alike, so that keys cannot be probed.
			h.apiError(w, exitPassword, "Invalid secret key for key "+access, codeOnly)
		case hosting.CodeSuspended:
			// HestiaCP's v-check-access-key turns every refusal but E_FORBIDEN into
			// E_PASSWORD, and calls the owner a user.
			msg := hosting.ErrorMessage(err)
			if rest, ok := strings.CutPrefix(msg, "customer "); ok {
				msg = "user " + rest
			}
			h.apiError(w, exitPassword, msg, codeOnly)
		default:
			h.log.Error("hestia: check access key", "key", access, "err", err)
			h.apiError(w, exitCode(code), hosting.ErrorMessage(err), codeOnly)
		}
		return
	}
	c, ok := h.cmds[cmd]
	if !ok {
		h.apiError(w, exitForbidden, "Key "+access+" don't have permission to run the command "+cmd, codeOnly)
		return
	}
	if user, ok := a.named["arg1"]; !actor.IsAdmin() && (!ok || user != actor.Login) {
		// Byte for byte HestiaCP's text, whose PHP double-quoted string keeps the backslashes.
		h.apiError(w, exitForbidden, `Key `+access+` - the "user" argument doesn\'t match the key\'s user`, codeOnly)
		return
	}
	res := h.run(hosting.WithActor(r.Context(), actor), cmd, c, a.list)
	w.Header().Set("Hestia-Exit-Code", strconv.Itoa(res.code))
	switch {
	case codeOnly:
		writeText(w, http.StatusOK, strconv.Itoa(res.code))
	case res.code != exitOK:
		writeText(w, httpStatus(res.code), res.out)
	case res.out == "":
		w.WriteHeader(http.StatusNoContent)
	case jsonTruthy(res.out):
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, res.out)
	default:
		writeText(w, http.StatusOK, res.out)
	}
}

// serveLegacy is the deprecated user/password path (api_legacy): address,
// credentials, cmd, then the command; command results always answer HTTP
// 200 without the Hestia-Exit-Code header.
func (h *handler) serveLegacy(w http.ResponseWriter, r *http.Request, q request) {
	codeOnly := q["returncode"] == "yes"
	ip := remoteIP(r)
	if !h.ipAllowed(ip, false) {
		h.apiError(w, exitForbidden, "Error: IP is not allowed to connect with API", codeOnly)
		return
	}
	if !phpEmpty(q["hash"]) {
		// An old-style API key file name: ftpanel has none of those.
		h.apiError(w, exitPassword, "Error: authentication failed", codeOnly)
		return
	}
	user := q["user"]
	if user == "" || (h.adminLogin != "" && user != h.adminLogin) {
		h.apiError(w, exitForbidden, "Error: authentication failed", codeOnly)
		return
	}
	password, ok := q["password"]
	if !ok {
		h.apiError(w, exitPassword, "Error: authentication failed", codeOnly)
		return
	}
	actor, err := h.svc.AuthenticatePanel(r.Context(), user, password, hosting.ViaHestia, ip)
	switch code := hosting.ErrorCode(err); {
	case code == hosting.CodeInternal:
		h.log.Error("hestia: check panel login", "user", user, "err", err)
		h.apiError(w, exitCode(code), hosting.ErrorMessage(err), codeOnly)
		return
	case err != nil:
		h.apiError(w, exitPassword, "Error: authentication failed", codeOnly)
		return
	case !actor.IsAdmin():
		// HestiaCP lets only its admin use this path.
		h.apiError(w, exitForbidden, "Error: authentication failed", codeOnly)
		return
	}
	cmd := phpTrim(q["cmd"])
	a := commandArgs(q)
	if !h.checkCmd(w, cmd, codeOnly) {
		return
	}
	c, ok := h.cmds[cmd]
	if !ok {
		h.apiError(w, exitForbidden, "Command "+cmd+" not found", codeOnly)
		return
	}
	res := h.run(hosting.WithActor(r.Context(), actor), cmd, c, a.list)
	switch {
	case codeOnly:
		writeText(w, http.StatusOK, strconv.Itoa(res.code))
	case res.out == "":
		writeText(w, http.StatusOK, "OK")
	default:
		writeText(w, http.StatusOK, res.out+"\n")
	}
}

// checkCmd answers E_INVALID for a missing or malformed cmd.
func (h *handler) checkCmd(w http.ResponseWriter, cmd string, codeOnly bool) bool {
	switch {
	case phpEmpty(cmd):
		h.apiError(w, exitInvalid, "Command not provided", codeOnly)
		return false
	case !cmdRe.MatchString(cmd):
		h.apiError(w, exitInvalid, cmd+" command invalid", codeOnly)
		return false
	}
	return true
}

// run checks the argument count and runs a command.
func (h *handler) run(ctx context.Context, name string, c command, list []string) result {
	if len(list) < c.min {
		return result{code: exitArgs, out: "Usage: " + name + " " + c.usage}
	}
	res := c.run(ctx, list)
	h.log.Debug("hestia: command", "cmd", name, "exit", res.code) // arguments may hold passwords
	return res
}

// apiError is api_error: an error of the API layer sets the status and the
// Hestia-Exit-Code header even when only the code is asked for.
func (h *handler) apiError(w http.ResponseWriter, code int, msg string, codeOnly bool) {
	w.Header().Set("Hestia-Exit-Code", strconv.Itoa(code))
	status := httpStatus(code)
	if codeOnly {
		writeText(w, status, strconv.Itoa(code))
		return
	}
	msg = strings.TrimSpace(msg)
	if !strings.HasPrefix(msg, "Error:") {
		msg = "Error: " + msg
	}
	writeText(w, status, msg)
}

// writeText answers a text body. HestiaCP (PHP) sends text/html; ftpanel
// sends text/plain with nosniff, so that echoed arguments can never run as
// a page on the panel's origin.
func writeText(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// jsonTruthy reports whether PHP's json_decode($s, true) is truthy: the
// API sends application/json only then.
func jsonTruthy(s string) bool {
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		return false
	}
	switch x := v.(type) {
	case map[string]any:
		return len(x) > 0
	case []any:
		return len(x) > 0
	case string:
		return x != "" && x != "0"
	case float64:
		return x != 0
	case bool:
		return x
	}
	return false
}

// remoteIP is the client address. Unlike HestiaCP, forwarding headers
// (Client-IP, X-Forwarded-For) are not trusted.
func remoteIP(r *http.Request) string {
	if ap, err := netip.ParseAddrPort(r.RemoteAddr); err == nil {
		return ap.Addr().Unmap().String()
	}
	return r.RemoteAddr
}

// ipAllowed applies AllowedIPs; "0.0.0.0" counts only for access keys.
func (h *handler) ipAllowed(ip string, accessKey bool) bool {
	if h.allowAll || (accessKey && h.zeroAll) {
		return true
	}
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return false
	}
	a = a.Unmap()
	for _, p := range h.allowed {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// isCode reports whether err carries code.
func isCode(err error, code hosting.Code) bool {
	var e *hosting.Error
	return errors.As(err, &e) && e.Code == code
}

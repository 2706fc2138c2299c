package plesk

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"

	"ftpanel/internal/hosting"
)

// Path is where Plesk clients post their packets.
const Path = "/enterprise/control/agent.php"

// Version is the protocol version an answer carries when the request names
// none; a request's own version is echoed.
const Version = "1.6.9.1"

// Options configure the handler.
type Options struct {
	// Logger receives internal errors (never passwords); nil discards.
	Logger *slog.Logger
}

// handler holds the dependencies of the agent.
type handler struct {
	svc       *hosting.Service
	log       *slog.Logger
	maxAnswer int64 // answer cap, maxAnswerBytes but in tests
}

// NewHandler returns the handler of POST /enterprise/control/agent.php.
// Every answer is an XML packet with HTTP status 200 and Content-Type
// text/xml, authentication and parse failures included, since Plesk
// clients never look at the HTTP status.
func NewHandler(svc *hosting.Service, o Options) http.Handler {
	return newHandler(svc, o, maxAnswerBytes)
}

func newHandler(svc *hosting.Service, o Options, maxAnswer int64) http.Handler {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	h := &handler{svc: svc, log: o.Logger, maxAnswer: maxAnswer}
	mux := http.NewServeMux()
	mux.HandleFunc(Path, h.handleAgent)
	return mux
}

// handleAgent answers one packet: a system error, or the answers of its
// operations written as they are made.
func (h *handler) handleAgent(w http.ResponseWriter, r *http.Request) {
	ctx, req, version, sysErr := h.prepare(r)
	indent := isTrue(r.Header.Get("HTTP_PRETTY_PRINT"))
	w.Header().Set("Content-Type", "text/xml; charset=UTF-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	if sysErr != nil {
		var buf bytes.Buffer
		if err := encodePacket(&buf, sysErr, indent); err != nil {
			h.log.Error("plesk: encode answer", "err", err)
			return
		}
		_, _ = w.Write(buf.Bytes())
		return
	}
	a := newAnswerWriter(w, version, indent, h.maxAnswer)
	for _, o := range req.Operators {
		switch {
		case o.FTPUser != nil:
			h.ftpUser(ctx, a, o.FTPUser)
		case o.Webspace != nil:
			h.webspace(ctx, a, o.Webspace)
		}
	}
	if err := a.close(); err != nil {
		h.log.Warn("plesk: write answer", "err", err)
	}
}

// prepare authenticates and parses a packet: it returns the context
// carrying the actor, the packet and the version of the answer, or a
// system error. Credentials are checked first, as Plesk does: a caller
// without valid credentials learns nothing about the packet (method,
// parsing, version), only 1001 or 11003.
func (h *handler) prepare(r *http.Request) (context.Context, *requestPacket, string, *responsePacket) {
	actor, sysErr := h.authenticate(r)
	if sysErr != nil {
		sysErr.Version = Version
		return nil, nil, "", sysErr
	}
	if r.Method != http.MethodPost {
		return nil, nil, "", systemError(Version, errParse, "send the packet with POST")
	}
	req, err := decodePacket(http.MaxBytesReader(nil, r.Body, maxBodyBytes))
	if err != nil {
		code := errParse
		var se *schemaError
		if errors.As(err, &se) {
			code = se.errCode()
		}
		return nil, nil, "", systemError(Version, code, err.Error())
	}
	version := Version
	if req.Version != nil {
		if !supportedVersion(*req.Version) {
			return nil, nil, "", systemError(Version, errVersion, "protocol version "+quoteShort(*req.Version)+" is not supported")
		}
		version = strings.TrimSpace(*req.Version)
	}
	return hosting.WithActor(r.Context(), actor), req, version, nil
}

// authenticate checks the KEY header (an API token) or the
// HTTP_AUTH_LOGIN and HTTP_AUTH_PASSWD headers (panel credentials of an
// administrator or customer).
func (h *handler) authenticate(r *http.Request) (hosting.Actor, *responsePacket) {
	ctx, remote := r.Context(), remoteHost(r.RemoteAddr)
	if key := strings.TrimSpace(r.Header.Get("KEY")); key != "" {
		a, err := h.svc.AuthenticateToken(ctx, key, hosting.ViaPlesk, remote)
		if err != nil {
			return a, h.authError(err, errBadKey, "secret key validation failed")
		}
		return a, nil
	}
	a, err := h.svc.AuthenticatePanel(ctx, r.Header.Get("HTTP_AUTH_LOGIN"), r.Header.Get("HTTP_AUTH_PASSWD"),
		hosting.ViaPlesk, remote)
	if err != nil {
		return a, h.authError(err, errAuthFailed, "authentication failed: wrong login or password")
	}
	return a, nil
}

// authError turns an authentication failure into a system error.
func (h *handler) authError(err error, code int, text string) *responsePacket {
	switch hosting.ErrorCode(err) {
	case hosting.CodeUnauthorized:
		return systemError("", code, text)
	case hosting.CodeSuspended:
		return systemError("", errAccountDisabled, hosting.ErrorMessage(err))
	}
	h.log.Error("plesk: authenticate", "err", err)
	return systemError("", errFailed, hosting.ErrorMessage(err))
}

// opError returns the errcode and errtext of a failed operation; internal
// errors are logged. notFound, when set, replaces the text of a not_found
// error with Plesk's wording.
func (h *handler) opError(ctx context.Context, op string, err error, notFound string) (int, string) {
	code := hosting.ErrorCode(err)
	if code == hosting.CodeInternal {
		a, _ := hosting.ActorFrom(ctx)
		h.log.Error("plesk: operation failed", "op", op, "actor", a.Login, "err", err)
	}
	text := hosting.ErrorMessage(err)
	if code == hosting.CodeNotFound && notFound != "" {
		text = notFound
	}
	return errcode(code), text
}

// systemError is a packet answering only a <system> error.
func systemError(version string, code int, text string) *responsePacket {
	return &responsePacket{Version: version,
		System: &systemResponse{Status: statusError, ErrCode: code, ErrText: text}}
}

// supportedVersion accepts the protocol versions of Plesk's XML API, 1.x
// with two to four numeric parts (1.6, 1.6.5, 1.6.9.1).
func supportedVersion(v string) bool {
	parts := strings.Split(strings.TrimSpace(v), ".")
	if len(parts) < 2 || len(parts) > 4 || parts[0] != "1" {
		return false
	}
	for _, p := range parts {
		if p == "" || len(p) > 4 || strings.Trim(p, "0123456789") != "" {
			return false
		}
	}
	return true
}

// isTrue reads a header flag such as HTTP_PRETTY_PRINT: TRUE.
func isTrue(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "1", "yes", "on":
		return true
	}
	return false
}

func remoteHost(addr string) string {
	if host, _, err := net.SplitHostPort(addr); err == nil {
		return host
	}
	return addr
}

// quoteShort quotes a client-supplied value for an error text.
func quoteShort(s string) string {
	return `"` + safeName(s) + `"`
}

// errBodyTooLarge reports whether err comes from http.MaxBytesReader.
func errBodyTooLarge(err error) bool {
	var mbe *http.MaxBytesError
	return errors.As(err, &mbe)
}

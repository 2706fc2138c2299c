package api

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"ftpanel/internal/hosting"
)

// middleware wraps a handler; NewHandler lists them in the order they run.
type middleware func(http.Handler) http.Handler

// chain wraps h in m so that m[0] runs first.
func chain(h http.Handler, m ...middleware) http.Handler {
	for i := len(m) - 1; i >= 0; i-- {
		h = m[i](h)
	}
	return h
}

// requestInfo is filled in by inner handlers for the request log line.
type requestInfo struct {
	actor string
	err   error // cause of an internal error
}

type requestInfoKey struct{}

func infoOf(r *http.Request) *requestInfo {
	if i, ok := r.Context().Value(requestInfoKey{}).(*requestInfo); ok {
		return i
	}
	return &requestInfo{}
}

// statusWriter remembers the status and size of a response.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// logRequests logs one line per request: never bodies, headers or tokens.
func (h *handler) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		info := &requestInfo{}
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), requestInfoKey{}, info)))
		attrs := []any{"method", r.Method, "path", r.URL.Path, "status", sw.status, "bytes", sw.bytes,
			"duration", time.Since(start), "remote", clientAddr(r)}
		if info.actor != "" {
			attrs = append(attrs, "actor", info.actor)
		}
		if info.err != nil {
			h.log.Error("api request", append(attrs, "err", info.err)...)
			return
		}
		h.log.Info("api request", attrs...)
	})
}

// recoverPanics turns a panic in a handler into a logged 500, so that a
// bug answers one request with an error instead of dropping the connection.
func (h *handler) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler { //nolint:errorlint // the sentinel is compared by identity, as net/http does
				panic(v)
			}
			err := fmt.Errorf("api: panic: %v", v)
			if sw, ok := w.(*statusWriter); ok && sw.status != 0 {
				infoOf(r).err = err // too late for an error body
				return
			}
			h.writeError(w, r, &hosting.Error{Code: hosting.CodeInternal, Err: err})
		}()
		next.ServeHTTP(w, r)
	})
}

// commonHeaders marks every answer as not to be cached (some carry
// generated passwords) and not to be content-sniffed.
func (h *handler) commonHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		next.ServeHTTP(w, r)
	})
}

// limitBody bounds the request body; a larger body answers 413.
func (h *handler) limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, h.opts.MaxBodyBytes)
		next.ServeHTTP(w, r)
	})
}

// authenticate checks "Authorization: Bearer ftpanel_<key>_<secret>" with
// the service and puts the actor into the request context. The service's
// guard counts failed attempts per client address and per token key,
// together with every other password check, and refuses a banned address
// or a locked key without checking the token: that is answered 429 with
// Retry-After (see throttled in ratelimit.go).
func (h *handler) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		addr := clientAddr(r)
		bearer, present := bearerToken(r)
		if !present {
			w.Header().Set("WWW-Authenticate", `Bearer realm="ftpanel"`)
			h.writeError(w, r, hosting.Errorf(hosting.CodeUnauthorized, "missing bearer token: send Authorization: Bearer <token>"))
			return
		}
		actor, err := h.svc.AuthenticateToken(r.Context(), bearer, hosting.ViaAPI, addr)
		if err != nil {
			if h.throttled(w, r, err) {
				return
			}
			if hosting.ErrorCode(err) == hosting.CodeUnauthorized {
				w.Header().Set("WWW-Authenticate", `Bearer realm="ftpanel", error="invalid_token"`)
			}
			h.writeError(w, r, err)
			return
		}
		infoOf(r).actor = actor.Login
		next.ServeHTTP(w, r.WithContext(hosting.WithActor(r.Context(), actor)))
	})
}

// bearerToken returns the token of an Authorization header; present is
// false when the request has no Authorization header at all. A header of
// another scheme yields "" (an invalid token).
func bearerToken(r *http.Request) (token string, present bool) {
	v := r.Header.Get("Authorization")
	if v == "" {
		return "", false
	}
	scheme, tok, ok := strings.Cut(strings.TrimSpace(v), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", true
	}
	return strings.TrimSpace(tok), true
}

// tokenKey returns the public key part of a well-formed bearer token
// ("ftpanel_<key>_<secret>"), or "".
func tokenKey(bearer string) string {
	rest, ok := strings.CutPrefix(bearer, "ftpanel_")
	if !ok {
		return ""
	}
	key, _, ok := strings.Cut(rest, "_")
	if !ok || len(key) == 0 || len(key) > 64 {
		return ""
	}
	for _, c := range key {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return ""
		}
	}
	return key
}

// clientAddr returns the client's IP address (without port).
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

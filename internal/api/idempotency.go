package api

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"

	"ftpanel/internal/hosting"
)

// Idempotency keys (draft-ietf-httpapi-idempotency-key-header): a POST
// with an Idempotency-Key header is run once per token and key; a retry
// with the same key and the same request gets the first answer again, with
// "Idempotent-Replayed: true". Only successful (2xx) answers are kept, for
// 24 hours: a failed request changed nothing and simply runs again. The
// same key with a different request, or while the first is still running,
// answers 409 conflict.
//
// Stored answers may hold a generated password, so they are sealed with
// AES-GCM under a key derived from the caller's bearer token, which the
// store never sees: a copy of the database does not reveal them.

const idempotencyHeader = "Idempotency-Key"

// inflight holds the idempotency keys of requests being served, so that a
// retry racing the first attempt does not run twice on this node.
type inflight struct {
	mu   sync.Mutex
	keys map[string]struct{}
}

func newInflight() *inflight { return &inflight{keys: make(map[string]struct{})} }

func (f *inflight) acquire(k string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, busy := f.keys[k]; busy {
		return false
	}
	f.keys[k] = struct{}{}
	return true
}

func (f *inflight) release(k string) {
	f.mu.Lock()
	delete(f.keys, k)
	f.mu.Unlock()
}

// storedAnswer is what is kept for a key, sealed.
type storedAnswer struct {
	Fingerprint string `json:"fp"` // hash of method, URI and body
	Status      int    `json:"status"`
	ContentType string `json:"content_type,omitempty"`
	Location    string `json:"location,omitempty"`
	Body        []byte `json:"body"`
}

// recorder buffers an answer so it can be stored before it is sent.
type recorder struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (rec *recorder) WriteHeader(code int) {
	if rec.status == 0 {
		rec.status = code
	}
}

func (rec *recorder) Write(b []byte) (int, error) {
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	return rec.body.Write(b)
}

// idempotent replays or records POST requests that carry an
// Idempotency-Key. It runs after authenticate (the key is scoped to the
// token) and limitBody.
func (h *handler) idempotent(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.Header.Get(idempotencyHeader)
		if r.Method != http.MethodPost || key == "" {
			next.ServeHTTP(w, r)
			return
		}
		if !validIdempotencyKey(key) {
			h.writeError(w, r, hosting.FieldErrorf(hosting.CodeInvalidInput, idempotencyHeader,
				"Idempotency-Key must be 1 to 255 printable ASCII characters"))
			return
		}
		actor, _ := hosting.ActorFrom(r.Context())
		bearer, _ := bearerToken(r)
		body, err := io.ReadAll(r.Body)
		if err != nil {
			h.writeError(w, r, decodeError(err))
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))

		scope := "idem:" + strconv.FormatInt(actor.TokenID, 10)
		kh := sha256.Sum256([]byte(key))
		kvKey := hex.EncodeToString(kh[:])
		fp := fingerprint(r, body)
		if !h.idem.acquire(scope + "/" + kvKey) {
			h.writeError(w, r, hosting.FieldErrorf(hosting.CodeConflict, idempotencyHeader,
				"a request with this Idempotency-Key is still in progress"))
			return
		}
		defer h.idem.release(scope + "/" + kvKey)
		seal, err := newSealer(bearer, scope, kvKey)
		if err != nil {
			h.writeError(w, r, err)
			return
		}

		ctx := r.Context()
		raw, err := h.svc.KV(ctx, scope, kvKey)
		switch {
		case err == nil:
			var a storedAnswer
			if err := seal.open(raw, &a); err != nil {
				h.writeError(w, r, err)
				return
			}
			if a.Fingerprint != fp {
				h.writeError(w, r, hosting.FieldErrorf(hosting.CodeConflict, idempotencyHeader,
					"this Idempotency-Key was used with a different request"))
				return
			}
			if a.ContentType != "" {
				w.Header().Set("Content-Type", a.ContentType)
			}
			if a.Location != "" {
				w.Header().Set("Location", a.Location)
			}
			w.Header().Set("Idempotent-Replayed", "true")
			w.WriteHeader(a.Status)
			_, _ = w.Write(a.Body)
			return
		case hosting.ErrorCode(err) != hosting.CodeNotFound:
			h.writeError(w, r, fmt.Errorf("api: idempotency lookup: %w", err))
			return
		}

		// A client that gives up waiting will retry with the same key, so
		// the first attempt runs to the end and is recorded regardless.
		ctx = context.WithoutCancel(ctx)
		rec := &recorder{ResponseWriter: w}
		next.ServeHTTP(rec, r.WithContext(ctx))
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		if rec.status >= 200 && rec.status < 300 {
			a := storedAnswer{Fingerprint: fp, Status: rec.status, ContentType: w.Header().Get("Content-Type"),
				Location: w.Header().Get("Location"), Body: rec.body.Bytes()}
			sealed, err := seal.seal(&a)
			if err == nil {
				err = h.svc.PutKV(ctx, scope, kvKey, sealed, idempotencyTTL)
			}
			if err != nil {
				h.log.Error("api: store idempotent answer", "path", r.URL.Path, "err", err)
			}
		}
		w.WriteHeader(rec.status)
		_, _ = w.Write(rec.body.Bytes())
	})
}

func validIdempotencyKey(k string) bool {
	if len(k) == 0 || len(k) > 255 {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 0x20 || k[i] > 0x7e {
			return false
		}
	}
	return true
}

// fingerprint identifies a request: method, path with query, and body.
func fingerprint(r *http.Request, body []byte) string {
	h := sha256.New()
	h.Write([]byte(r.Method + " " + r.URL.RequestURI() + "\n"))
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

// sealer encrypts stored answers for one token and key.
type sealer struct {
	aead cipher.AEAD
	ad   []byte
}

func newSealer(bearer, scope, key string) (*sealer, error) {
	k := sha256.Sum256([]byte("ftpanel api idempotency v1\x00" + bearer))
	block, err := aes.NewCipher(k[:])
	if err != nil {
		return nil, fmt.Errorf("api: idempotency cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("api: idempotency cipher: %w", err)
	}
	return &sealer{aead: aead, ad: []byte(scope + "\x00" + key)}, nil
}

func (s *sealer) seal(a *storedAnswer) ([]byte, error) {
	plain, err := json.Marshal(a)
	if err != nil {
		return nil, fmt.Errorf("api: idempotency encode: %w", err)
	}
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+len(plain)+s.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("api: idempotency nonce: %w", err)
	}
	return s.aead.Seal(nonce, nonce, plain, s.ad), nil
}

func (s *sealer) open(sealed []byte, a *storedAnswer) error {
	n := s.aead.NonceSize()
	if len(sealed) < n {
		return errors.New("api: idempotency record too short")
	}
	plain, err := s.aead.Open(nil, sealed[:n], sealed[n:], s.ad)
	if err != nil {
		return fmt.Errorf("api: idempotency record: %w", err)
	}
	if err := json.Unmarshal(plain, a); err != nil {
		return fmt.Errorf("api: idempotency record: %w", err)
	}
	return nil
}

package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"

	"ftpanel/internal/hosting"
)

// writeJSON answers v as JSON with status.
func (h *handler) writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		infoOf(r).err = fmt.Errorf("api: encode response: %w", err)
		status = http.StatusInternalServerError
		b = []byte(`{"error":{"code":"internal","message":"internal error"}}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// decodeJSON reads the request body as one JSON object into dst: unknown
// fields, trailing data and wrong types are refused with invalid_input and
// the field concerned. An empty body is allowed only when emptyOK.
func decodeJSON(r *http.Request, dst any, emptyOK bool) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return &statusError{status: http.StatusUnsupportedMediaType,
				err: hosting.Errorf(hosting.CodeInvalidInput, "request body must be JSON (Content-Type: application/json)")}
		}
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	err := dec.Decode(dst)
	if errors.Is(err, io.EOF) {
		if emptyOK {
			return nil
		}
		return hosting.Errorf(hosting.CodeInvalidInput, "request body is required: a JSON object")
	}
	if err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		if err != nil {
			return decodeError(err)
		}
		return hosting.Errorf(hosting.CodeInvalidInput, "request body has data after the JSON object")
	}
	return nil
}

// decodeError explains a JSON decoding error without echoing values (a
// body may hold a password).
func decodeError(err error) error {
	var (
		maxErr  *http.MaxBytesError
		synErr  *json.SyntaxError
		typeErr *json.UnmarshalTypeError
		domErr  *hosting.Error
	)
	switch {
	case errors.As(err, &maxErr):
		return &statusError{status: http.StatusRequestEntityTooLarge,
			err: hosting.Errorf(hosting.CodeInvalidInput, "request body is larger than %d bytes", maxErr.Limit)}
	case errors.As(err, &domErr):
		return domErr
	case errors.As(err, &synErr):
		return hosting.Errorf(hosting.CodeInvalidInput, "request body is not valid JSON (at byte %d)", synErr.Offset)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return hosting.Errorf(hosting.CodeInvalidInput, "request body is not valid JSON (it ends too early)")
	case errors.As(err, &typeErr):
		if typeErr.Field == "" {
			return hosting.Errorf(hosting.CodeInvalidInput, "request body must be a JSON object")
		}
		return hosting.FieldErrorf(hosting.CodeInvalidInput, typeErr.Field, "%s must be %s", typeErr.Field, jsonKind(typeErr.Type))
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		name, _ = strconv.Unquote(name)
		return hosting.FieldErrorf(hosting.CodeInvalidInput, name, "unknown field %q", name)
	}
	return hosting.Errorf(hosting.CodeInvalidInput, "request body is not valid for this request")
}

// jsonKind names what a Go type expects in JSON terms.
func jsonKind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer in range"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	default:
		return "an object"
	}
}

// optionalTime is an RFC 3339 time that may be absent (Set false), null
// (Set true, Value nil) or given.
type optionalTime struct {
	Set   bool
	Value *time.Time
}

// UnmarshalJSON implements json.Unmarshaler.
func (t *optionalTime) UnmarshalJSON(b []byte) error {
	t.Set = true
	if bytes.Equal(b, []byte("null")) {
		t.Value = nil
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return hosting.FieldErrorf(hosting.CodeInvalidInput, "expires_at", "expires_at must be an RFC 3339 time such as 2030-01-31T00:00:00Z, or null")
	}
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return hosting.FieldErrorf(hosting.CodeInvalidInput, "expires_at", "expires_at must be an RFC 3339 time such as 2030-01-31T00:00:00Z, or null")
	}
	v = v.UTC()
	t.Value = &v
	return nil
}

// Pagination bounds.
const (
	defaultLimit = 50
	maxLimit     = 500
)

// list is the JSON shape of every list answer. NextCursor is null on the
// last page; otherwise pass it as ?cursor= to get the next one.
type list[T any] struct {
	Items      []T     `json:"items"`
	NextCursor *string `json:"next_cursor"`
}

// query reads the query string, refusing parameters other than allowed so
// that a misspelt filter is an error rather than silently ignored.
func query(r *http.Request, allowed ...string) (url.Values, error) {
	q := r.URL.Query()
	for k, v := range q {
		ok := false
		for _, a := range allowed {
			if k == a {
				ok = true
				break
			}
		}
		if !ok {
			return nil, hosting.FieldErrorf(hosting.CodeInvalidInput, k, "unknown query parameter %q (allowed: %s)", k, strings.Join(allowed, ", "))
		}
		if len(v) > 1 {
			return nil, hosting.FieldErrorf(hosting.CodeInvalidInput, k, "query parameter %q is given more than once", k)
		}
	}
	return q, nil
}

// pageLimit parses ?limit= (1..500, default 50).
func pageLimit(q url.Values) (int, error) {
	s := q.Get("limit")
	if s == "" {
		return defaultLimit, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > maxLimit {
		return 0, hosting.FieldErrorf(hosting.CodeInvalidInput, "limit", "limit must be a number from 1 to %d", maxLimit)
	}
	return n, nil
}

// pageCursor parses ?cursor=: an opaque value that this API produced as
// next_cursor (a non-negative integer: the last ID, or an offset).
func pageCursor(q url.Values) (int64, error) {
	s := q.Get("cursor")
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, hosting.FieldErrorf(hosting.CodeInvalidInput, "cursor", "cursor is not one this API returned as next_cursor")
	}
	return n, nil
}

// cursorString formats a next_cursor.
func cursorString(n int64) *string {
	s := strconv.FormatInt(n, 10)
	return &s
}

// statusParam parses an optional status filter.
func statusParam(q url.Values, name string) (*hosting.Status, error) {
	s := q.Get(name)
	if s == "" {
		return nil, nil
	}
	st := hosting.Status(s)
	if !st.Valid() {
		return nil, hosting.FieldErrorf(hosting.CodeInvalidInput, name, "%s must be active or suspended", name)
	}
	return &st, nil
}

// boolParam parses an optional true/false filter.
func boolParam(q url.Values, name string) (*bool, error) {
	s := q.Get(name)
	if s == "" {
		return nil, nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		return nil, hosting.FieldErrorf(hosting.CodeInvalidInput, name, "%s must be true or false", name)
	}
	return &b, nil
}

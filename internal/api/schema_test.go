package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// openAPI is the parsed document, with the lookups the tests need. Its
// validator covers the subset of JSON Schema (2020-12) the document uses:
// $ref, allOf, type (also lists such as ["string","null"]), enum,
// properties, required, additionalProperties, items, minimum, maximum,
// minLength, maxLength and format date-time. Anything else in a schema
// fails the validation, so the subset cannot silently grow.
type openAPI struct {
	doc   map[string]any
	mux   *http.ServeMux // the route table's patterns, to find a request's operation
	known map[string]bool
}

func mustOpenAPI(tb testing.TB) *openAPI {
	tb.Helper()
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(openAPIDocument))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		tb.Fatalf("openapi.json: %v", err)
	}
	o := &openAPI{doc: doc, mux: http.NewServeMux(), known: map[string]bool{
		"$ref": true, "allOf": true, "type": true, "enum": true, "properties": true, "required": true,
		"additionalProperties": true, "items": true, "minimum": true, "maximum": true, "minLength": true,
		"maxLength": true, "format": true, "description": true, "default": true,
	}}
	for _, rt := range (&handler{}).routes() {
		o.mux.HandleFunc(rt.pattern, func(http.ResponseWriter, *http.Request) {})
	}
	return o
}

// node follows a JSON pointer ("#/components/schemas/Account").
func (o *openAPI) node(ref string) (map[string]any, error) {
	p, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return nil, fmt.Errorf("unsupported $ref %q", ref)
	}
	var cur any = o.doc
	for _, part := range strings.Split(p, "/") {
		part = strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("$ref %q: %q is not an object", ref, part)
		}
		if cur, ok = m[part]; !ok {
			return nil, fmt.Errorf("$ref %q: no %q", ref, part)
		}
	}
	m, ok := cur.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("$ref %q is not an object", ref)
	}
	return m, nil
}

// deref resolves m when it is a {"$ref": ...} object.
func (o *openAPI) deref(m map[string]any) (map[string]any, error) {
	for i := 0; i < 10; i++ {
		ref, ok := m["$ref"].(string)
		if !ok {
			return m, nil
		}
		var err error
		if m, err = o.node(ref); err != nil {
			return nil, err
		}
	}
	return nil, fmt.Errorf("$ref chain too long")
}

// operation returns the operation object of a route pattern
// ("GET /api/v1/accounts/{login}").
func (o *openAPI) operation(pattern string) (map[string]any, error) {
	method, path, _ := strings.Cut(pattern, " ")
	paths, _ := o.doc["paths"].(map[string]any)
	item, ok := paths[path].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("path %s is not in the document", path)
	}
	op, ok := item[strings.ToLower(method)].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s is not in the document", pattern)
	}
	return op, nil
}

// responseSchema returns the schema documented for status of the
// operation of pattern; hasBody is false for answers without content.
func (o *openAPI) responseSchema(pattern string, status int) (schema map[string]any, hasBody bool, err error) {
	op, err := o.operation(pattern)
	if err != nil {
		return nil, false, err
	}
	resps, _ := op["responses"].(map[string]any)
	r, ok := resps[fmt.Sprint(status)].(map[string]any)
	if !ok {
		return nil, false, fmt.Errorf("%s: status %d is not documented", pattern, status)
	}
	if r, err = o.deref(r); err != nil {
		return nil, false, err
	}
	content, ok := r["content"].(map[string]any)
	if !ok {
		return nil, false, nil
	}
	mt, ok := content["application/json"].(map[string]any)
	if !ok {
		return nil, false, fmt.Errorf("%s %d: no application/json content", pattern, status)
	}
	s, ok := mt["schema"].(map[string]any)
	if !ok {
		return nil, false, fmt.Errorf("%s %d: no schema", pattern, status)
	}
	return s, true, nil
}

// checkResponse validates an answer to method and target against the
// document: the operation must document the status, and the body must
// match its schema (or be empty when it documents none). Answers to
// requests that match no route must be JSON errors.
func (o *openAPI) checkResponse(method, target string, status int, body []byte) error {
	req, err := http.NewRequest(method, target, nil)
	if err != nil {
		return err
	}
	_, pattern := o.mux.Handler(req)
	var schema map[string]any
	hasBody := true
	if pattern == "" || status == http.StatusMethodNotAllowed {
		pattern = method + " " + req.URL.Path + " (no route)"
		schema = map[string]any{"$ref": "#/components/schemas/Error"}
	} else if schema, hasBody, err = o.responseSchema(pattern, status); err != nil {
		return err
	}
	if !hasBody {
		if len(bytes.TrimSpace(body)) != 0 {
			return fmt.Errorf("%s %d: body %q where the document has none", pattern, status, body)
		}
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return fmt.Errorf("%s %d: body is not JSON: %v", pattern, status, err)
	}
	if err := o.validate(schema, v, "$"); err != nil {
		return fmt.Errorf("%s %d: %v", pattern, status, err)
	}
	return nil
}

// validate checks v (decoded with UseNumber) against schema.
func (o *openAPI) validate(schema map[string]any, v any, at string) error {
	for k := range schema {
		if !o.known[k] {
			return fmt.Errorf("%s: schema keyword %q is not supported by the test validator", at, k)
		}
	}
	if ref, ok := schema["$ref"].(string); ok {
		s, err := o.node(ref)
		if err != nil {
			return fmt.Errorf("%s: %v", at, err)
		}
		if err := o.validate(s, v, at); err != nil {
			return err
		}
	}
	if all, ok := schema["allOf"].([]any); ok {
		for _, s := range all {
			sm, _ := s.(map[string]any)
			if err := o.validate(sm, v, at); err != nil {
				return err
			}
		}
	}
	if t, ok := schema["type"]; ok {
		var types []string
		switch t := t.(type) {
		case string:
			types = []string{t}
		case []any:
			for _, x := range t {
				types = append(types, x.(string))
			}
		}
		if !slices.Contains(types, jsonType(v)) && !(jsonType(v) == "integer" && slices.Contains(types, "number")) {
			return fmt.Errorf("%s: %s, want %s", at, jsonType(v), strings.Join(types, " or "))
		}
	}
	if enum, ok := schema["enum"].([]any); ok {
		found := false
		for _, e := range enum {
			if fmt.Sprint(e) == fmt.Sprint(v) {
				found = true
			}
		}
		if !found {
			return fmt.Errorf("%s: %v is not one of %v", at, v, enum)
		}
	}
	switch v := v.(type) {
	case map[string]any:
		props, _ := schema["properties"].(map[string]any)
		if req, ok := schema["required"].([]any); ok {
			for _, r := range req {
				if _, ok := v[r.(string)]; !ok {
					return fmt.Errorf("%s: required property %q is missing", at, r)
				}
			}
		}
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if ps, ok := props[k].(map[string]any); ok {
				if err := o.validate(ps, v[k], at+"."+k); err != nil {
					return err
				}
				continue
			}
			switch ap := schema["additionalProperties"].(type) {
			case bool:
				if !ap {
					return fmt.Errorf("%s: property %q is not in the schema", at, k)
				}
			case map[string]any:
				if err := o.validate(ap, v[k], at+"."+k); err != nil {
					return err
				}
			}
		}
	case []any:
		if items, ok := schema["items"].(map[string]any); ok {
			for i, x := range v {
				if err := o.validate(items, x, fmt.Sprintf("%s[%d]", at, i)); err != nil {
					return err
				}
			}
		}
	case json.Number:
		f, _ := v.Float64()
		if m, ok := schema["minimum"].(json.Number); ok {
			if mf, _ := m.Float64(); f < mf {
				return fmt.Errorf("%s: %v < minimum %v", at, v, m)
			}
		}
		if m, ok := schema["maximum"].(json.Number); ok {
			if mf, _ := m.Float64(); f > mf {
				return fmt.Errorf("%s: %v > maximum %v", at, v, m)
			}
		}
	case string:
		n := utf8.RuneCountInString(v)
		if m, ok := schema["minLength"].(json.Number); ok {
			if mi, _ := m.Int64(); int64(n) < mi {
				return fmt.Errorf("%s: shorter than %v", at, m)
			}
		}
		if m, ok := schema["maxLength"].(json.Number); ok {
			if mi, _ := m.Int64(); int64(n) > mi {
				return fmt.Errorf("%s: longer than %v", at, m)
			}
		}
		if schema["format"] == "date-time" {
			if _, err := time.Parse(time.RFC3339, v); err != nil {
				return fmt.Errorf("%s: %q is not a date-time", at, v)
			}
		}
	}
	return nil
}

func jsonType(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	case json.Number:
		if _, err := v.Int64(); err == nil {
			return "integer"
		}
		return "number"
	}
	return fmt.Sprintf("%T", v)
}

// TestSchemaValidator makes sure the validator can fail: each bad value
// must be refused.
func TestSchemaValidator(t *testing.T) {
	o := mustOpenAPI(t)
	acct := `{"id":1,"login":"a","site":"x.example","site_id":1,"customer":"c","home":"/","quota_bytes":-1,
		"used_bytes":0,"read":true,"write":true,"status":"active","effective_status":"active","main":false,
		"expires_at":null,"allowed_ips":[],"created_at":"2026-01-02T03:04:05Z","updated_at":"2026-01-02T03:04:05Z",
		"last_login_at":null}`
	tests := []struct {
		name string
		edit func(m map[string]any)
		ok   bool
	}{
		{"valid", func(map[string]any) {}, true},
		{"missing required", func(m map[string]any) { delete(m, "login") }, false},
		{"extra property", func(m map[string]any) { m["secret"] = "x" }, false},
		{"wrong type", func(m map[string]any) { m["id"] = "1" }, false},
		{"not an integer", func(m map[string]any) { m["id"] = json.Number("1.5") }, false},
		{"below minimum", func(m map[string]any) { m["quota_bytes"] = json.Number("-2") }, false},
		{"bad enum", func(m map[string]any) { m["status"] = "deleted" }, false},
		{"bad date-time", func(m map[string]any) { m["created_at"] = "yesterday" }, false},
		{"null allowed", func(m map[string]any) { m["expires_at"] = nil }, true},
		{"null not allowed", func(m map[string]any) { m["home"] = nil }, false},
		{"bad array item", func(m map[string]any) { m["allowed_ips"] = []any{json.Number("1")} }, false},
		{"bad nested ref", func(m map[string]any) { m["connection"] = map[string]any{"protocol": "ftp", "host": "h"} }, false},
		{"sftp", func(m map[string]any) {
			m["sftp"] = map[string]any{"protocol": "sftp", "host": "h", "port": json.Number("2222"), "host_key_fingerprints": []any{"ssh-ed25519 SHA256:x"}}
		}, true},
		{"sftp without fingerprints", func(m map[string]any) {
			m["sftp"] = map[string]any{"protocol": "sftp", "host": "h", "port": json.Number("2222")}
		}, false},
		{"sftp as ftp", func(m map[string]any) {
			m["sftp"] = map[string]any{"protocol": "ftp", "host": "h", "port": json.Number("21"), "host_key_fingerprints": []any{}}
		}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dec := json.NewDecoder(strings.NewReader(acct))
			dec.UseNumber()
			var m map[string]any
			if err := dec.Decode(&m); err != nil {
				t.Fatal(err)
			}
			tc.edit(m)
			err := o.validate(map[string]any{"$ref": "#/components/schemas/Account"}, m, "$")
			if got := err == nil; got != tc.ok {
				t.Errorf("valid=%v (err %v), want %v", got, err, tc.ok)
			}
		})
	}
}

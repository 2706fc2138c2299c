package api

import (
	"bytes"
	"encoding/json"
	"regexp"
	"sort"
	"strings"
	"testing"

	"ftpanel/internal/hosting"
)

// TestOpenAPI_Complete checks that the document lists exactly the routes
// of the route table, that each operation declares its path parameters
// and a success answer, and that every $ref resolves. (Every answer the
// other tests receive is validated against it, in testEnv.do.)
func TestOpenAPI_Complete(t *testing.T) {
	o := mustOpenAPI(t)
	if got := o.doc["openapi"]; got != "3.1.0" {
		t.Errorf("openapi=%v, want 3.1.0", got)
	}
	routes := map[string]bool{}
	for _, rt := range (&handler{}).routes() {
		routes[rt.pattern] = true
	}
	documented := map[string]bool{}
	opIDs := map[string]bool{}
	paths, _ := o.doc["paths"].(map[string]any)
	param := regexp.MustCompile(`\{([^}]+)\}`)
	for path, item := range paths {
		for method, v := range item.(map[string]any) {
			pattern := strings.ToUpper(method) + " " + path
			documented[pattern] = true
			op := v.(map[string]any)
			id, _ := op["operationId"].(string)
			if id == "" || opIDs[id] {
				t.Errorf("%s: operationId %q missing or repeated", pattern, id)
			}
			opIDs[id] = true
			declared := map[string]bool{}
			ps, _ := op["parameters"].([]any)
			for _, p := range ps {
				pm, err := o.deref(p.(map[string]any))
				if err != nil {
					t.Errorf("%s: %v", pattern, err)
					continue
				}
				if pm["in"] == "path" {
					declared[pm["name"].(string)] = true
				}
			}
			for _, m := range param.FindAllStringSubmatch(path, -1) {
				if !declared[m[1]] {
					t.Errorf("%s: path parameter %s is not declared", pattern, m[1])
				}
			}
			if len(declared) != len(param.FindAllString(path, -1)) {
				t.Errorf("%s: declares path parameters %v that the path lacks", pattern, declared)
			}
			resps, _ := op["responses"].(map[string]any)
			ok := false
			for code := range resps {
				if strings.HasPrefix(code, "2") {
					ok = true
				}
			}
			if !ok {
				t.Errorf("%s: no 2xx answer documented", pattern)
			}
		}
	}
	for r := range routes {
		if !documented[r] {
			t.Errorf("route %s is not in openapi.json", r)
		}
	}
	for d := range documented {
		if !routes[d] {
			t.Errorf("openapi.json documents %s, which is no route", d)
		}
	}

	// Every $ref in the document resolves.
	var refs []string
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if r, ok := v["$ref"].(string); ok {
				refs = append(refs, r)
			}
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(o.doc)
	sort.Strings(refs)
	if len(refs) == 0 {
		t.Fatal("no $ref found: the walk is broken")
	}
	for _, r := range refs {
		if _, err := o.node(r); err != nil {
			t.Error(err)
		}
	}
}

// TestOpenAPI_Served checks the document is served as JSON, unchanged.
func TestOpenAPI_Served(t *testing.T) {
	e := newTestEnv(t, nil)
	r := e.do(t, "", "GET", "/api/v1/openapi.json", nil).want(t, 200)
	if !bytes.Equal(r.body, openAPIDocument) {
		t.Errorf("served document differs from the embedded one")
	}
	if !json.Valid(r.body) {
		t.Errorf("served document is not JSON")
	}
}

// TestOpenAPI_ErrorCodes checks the Error schema lists every hosting code
// and the status table covers each one.
func TestOpenAPI_ErrorCodes(t *testing.T) {
	o := mustOpenAPI(t)
	s, err := o.node("#/components/schemas/Error/properties/error/properties/code")
	if err != nil {
		t.Fatal(err)
	}
	var enum []string
	for _, c := range s["enum"].([]any) {
		enum = append(enum, c.(string))
	}
	var codes []string
	for _, c := range hosting.Codes() {
		codes = append(codes, string(c))
		if st := httpStatus(c); st == 500 && c != "internal" {
			t.Errorf("code %s maps to 500", c)
		}
	}
	if got, want := strings.Join(enum, ","), strings.Join(codes, ","); got != want {
		t.Errorf("Error.code enum=%s, want %s", got, want)
	}
}

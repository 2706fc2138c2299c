package api

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"ftpanel/internal/hosting"
	"ftpanel/internal/hosting/hostingtest"
)

// fuzzHandler is the API over a real store with alice, alice.example and
// alice1, and an admin token; the fuzz targets call it in-process.
func fuzzHandler(f *testing.F) (http.Handler, string) {
	f.Helper()
	env := hostingtest.New(f)
	env.MustCustomer(f, "alice")
	env.MustSite(f, "alice", "alice.example")
	env.MustAccount(f, "alice.example", "alice1", "")
	nt, err := env.Service.CreateToken(env.Admin(context.Background()), hosting.TokenCreate{Admin: true})
	if err != nil {
		f.Fatal(err)
	}
	return NewHandler(env.Service, Options{}), nt.Secret
}

// fuzzRequest sends body and fails on a 5xx answer or one that is not a
// JSON object (every answer of these routes has a body).
func fuzzRequest(t *testing.T, h http.Handler, token, method, path string, body []byte) {
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code >= 500 {
		t.Fatalf("%s %s with %q: status %d: %s", method, path, body, rec.Code, rec.Body)
	}
	var v map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatalf("%s %s with %q: answer is not a JSON object: %v: %s", method, path, body, err, rec.Body)
	}
	if rec.Code >= 400 {
		e, _ := v["error"].(map[string]any)
		if c, _ := e["code"].(string); c == "" || c == "internal" {
			t.Fatalf("%s %s with %q: error without a proper code: %s", method, path, body, rec.Body)
		}
	}
}

func accountSeeds() []string {
	return []string{
		`{"site":"alice.example"}`,
		`{"site":"alice.example","login":"web","password":"Kx9-Secret-77","home":"/httpdocs/x","create_missing":true}`,
		`{"site":"alice.example","login":"web2","quota_bytes":-1,"read":true,"write":false,"expires_at":"2030-01-01T00:00:00Z","allowed_ips":["10.0.0.0/8"]}`,
		`{"site_id":1,"login":"x","home":"../../etc"}`,
		`{"site":"alice.example","expires_at":null,"allowed_ips":null}`,
		`{"login":"\u0000"}`, `{}`, `[]`, `null`, `"x"`, `{"site":1}`, `{"quota_bytes":1e400}`, ``,
	}
}

func FuzzDecodeAccountCreate(f *testing.F) {
	h, tok := fuzzHandler(f)
	for _, s := range accountSeeds() {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		fuzzRequest(t, h, tok, "POST", "/api/v1/accounts", body)
	})
}

func FuzzDecodeAccountUpdate(f *testing.F) {
	h, tok := fuzzHandler(f)
	for _, s := range append(accountSeeds(), `{"home":"/private","create_missing":true}`, `{"login":"alice2"}`,
		`{"expires_at":"2030-01-01T00:00:00+02:00"}`, `{"allowed_ips":[]}`, `{"home":"/%2e%2e"}`) {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		fuzzRequest(t, h, tok, "PATCH", "/api/v1/accounts/alice1", body)
	})
}

func FuzzDecodeAccountPassword(f *testing.F) {
	h, tok := fuzzHandler(f)
	for _, s := range []string{``, `{}`, `{"password":""}`, `{"password":"Kx9-Secret-77"}`, `{"password":"\u0001"}`, `{"password":null}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		fuzzRequest(t, h, tok, "POST", "/api/v1/accounts/alice1/password", body)
	})
}

func FuzzDecodeCustomerCreate(f *testing.F) {
	h, tok := fuzzHandler(f)
	for _, s := range []string{`{"login":"carol"}`, `{"login":"dave","name":"D","email":"d@example.com","password":"Kx9-Secret-77","max_ftp_accounts":3}`,
		`{"login":"x","max_ftp_accounts":-2}`, `{"login":"x","email":"<>"}`, `{}`, ``} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		fuzzRequest(t, h, tok, "POST", "/api/v1/customers", body)
	})
}

func FuzzDecodeCustomerUpdate(f *testing.F) {
	h, tok := fuzzHandler(f)
	for _, s := range []string{`{"name":"A"}`, `{"email":"a@example.com","max_ftp_accounts":-1}`, `{"name":"\u0007"}`, `{}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		fuzzRequest(t, h, tok, "PATCH", "/api/v1/customers/alice", body)
	})
}

func FuzzDecodeSiteUpdate(f *testing.F) {
	h, tok := fuzzHandler(f)
	for _, s := range []string{`{"ip":"192.0.2.1"}`, `{"uid":1000,"gid":1000}`, `{"uid":-1,"gid":-1}`, `{"customer":"alice"}`,
		`{"max_ftp_accounts":5,"default_quota":1024}`, `{"customer":"nobody"}`, `{}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		fuzzRequest(t, h, tok, "PATCH", "/api/v1/sites/alice.example", body)
	})
}

// FuzzDecodeSiteCreate decodes site bodies only: running the create would
// let the fuzzer pick any folder on the machine as a site root.
func FuzzDecodeSiteCreate(f *testing.F) {
	for _, s := range []string{`{"name":"a.example","customer":"alice"}`, `{"name":"b.example","customer":"alice","root":"/srv/b","ip":"::1",
		"uid":1,"gid":1,"max_ftp_accounts":1,"default_quota":1,"main_login":"m","main_password":"p"}`, `{"uid":"1"}`, `{}`, ``} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest("POST", "/api/v1/sites", bytes.NewReader(body))
		var in siteCreateRequest
		err := decodeJSON(req, &in, false)
		if err == nil {
			_ = in.create()
			return
		}
		if c := hosting.ErrorCode(err); c != hosting.CodeInvalidInput {
			t.Fatalf("decode %q: code %q, want invalid_input: %v", body, c, err)
		}
		if st := httpStatus(hosting.ErrorCode(err)); st != http.StatusBadRequest {
			t.Fatalf("decode %q: status %d", body, st)
		}
	})
}

package plesk_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"ftpanel/internal/hosting"
	"ftpanel/internal/hosting/hostingtest"
	"ftpanel/internal/plesk"
)

// testEnv is a real service over a fresh SQLite store with the standard
// fixture, served on 127.0.0.1.
type testEnv struct {
	*hostingtest.Env
	URL      string
	AdminKey string // API token of an administrator
	AliceKey string // API token of customer alice
}

// Fixture (IDs are deterministic on a fresh store):
//
//	customers alice (1), bob (2); admin "admin"; panel passwords hostingtest.Password
//	site 1 example.com   (alice) main account 1 "examplemain"
//	site 2 bob.example   (bob)   main account 2 "bobmain"
//	site 3 empty.example (alice) main account 3 "emptymain", no additional accounts
//	account 4 webdev  on example.com, home /httpdocs, unlimited quota, read+write
//	account 5 archive on example.com, home /private, quota 1048576, read only
//	account 6 bobftp  on bob.example, home /
//
// mustEnv starts the handler over a fresh store with the fixture.
func mustEnv(tb testing.TB) *testEnv {
	tb.Helper()
	env := hostingtest.New(tb)
	ctx := env.Admin(context.Background())
	svc := env.Service
	if _, _, err := svc.CreateAdmin(ctx, "admin", hostingtest.Password); err != nil {
		tb.Fatalf("create admin: %v", err)
	}
	env.MustCustomer(tb, "alice")
	env.MustCustomer(tb, "bob")
	for _, s := range []struct{ name, customer, main string }{
		{"example.com", "alice", "examplemain"},
		{"bob.example", "bob", "bobmain"},
		{"empty.example", "alice", "emptymain"},
	} {
		if _, _, _, err := svc.CreateSite(ctx, hosting.SiteCreate{Name: s.name, Customer: s.customer,
			MainLogin: s.main, MainPassword: hostingtest.Password}); err != nil {
			tb.Fatalf("create site %s: %v", s.name, err)
		}
	}
	quota, no := int64(1048576), false
	for _, a := range []hosting.AccountCreate{
		{Site: "example.com", Login: "webdev", Password: hostingtest.Password, Home: "/httpdocs"},
		{Site: "example.com", Login: "archive", Password: hostingtest.Password, Home: "/private", QuotaBytes: &quota, Write: &no},
		{Site: "bob.example", Login: "bobftp", Password: hostingtest.Password},
	} {
		if _, _, err := svc.CreateAccount(ctx, a); err != nil {
			tb.Fatalf("create account %s: %v", a.Login, err)
		}
	}
	adminKey, err := svc.CreateToken(ctx, hosting.TokenCreate{Admin: true})
	if err != nil {
		tb.Fatalf("create token: %v", err)
	}
	aliceKey, err := svc.CreateToken(ctx, hosting.TokenCreate{Customer: "alice"})
	if err != nil {
		tb.Fatalf("create token: %v", err)
	}
	srv := httptest.NewServer(plesk.NewHandler(svc, plesk.Options{}))
	tb.Cleanup(srv.Close)
	return &testEnv{Env: env, URL: srv.URL + plesk.Path, AdminKey: adminKey.Secret, AliceKey: aliceKey.Secret}
}

// auth says how a request authenticates.
type auth string

const (
	asAdmin     auth = "admin"     // HTTP_AUTH_LOGIN admin
	asAlice     auth = "alice"     // HTTP_AUTH_LOGIN alice
	asBob       auth = "bob"       // HTTP_AUTH_LOGIN bob
	asAdminKey  auth = "admin-key" // KEY with the admin token
	asAliceKey  auth = "alice-key" // KEY with alice's token
	asBadKey    auth = "bad-key"   // KEY with a token that does not exist
	asWrongPass auth = "wrong"     // admin with a wrong password
	asNobody    auth = "none"      // no credentials
)

// reply is an HTTP answer.
type reply struct {
	Status      int
	ContentType string
	Body        []byte
}

// post sends body as Plesk's PHP client does: Content-Type text/xml,
// HTTP_PRETTY_PRINT when pretty, and the credentials of a.
func (e *testEnv) post(tb testing.TB, a auth, body []byte, pretty bool) reply {
	tb.Helper()
	req, err := http.NewRequest(http.MethodPost, e.URL, bytes.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "text/xml")
	if pretty {
		req.Header.Set("HTTP_PRETTY_PRINT", "TRUE")
	}
	switch a {
	case asAdmin, asAlice, asBob:
		req.Header.Set("HTTP_AUTH_LOGIN", string(a))
		req.Header.Set("HTTP_AUTH_PASSWD", hostingtest.Password)
	case asWrongPass:
		req.Header.Set("HTTP_AUTH_LOGIN", "admin")
		req.Header.Set("HTTP_AUTH_PASSWD", "not the password")
	case asAdminKey:
		req.Header.Set("KEY", e.AdminKey)
	case asAliceKey:
		req.Header.Set("KEY", e.AliceKey)
	case asBadKey:
		req.Header.Set("KEY", "ftpanel_AAAAAAAAAAAA_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatalf("post: %v", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("read answer: %v", err)
	}
	return reply{Status: resp.StatusCode, ContentType: resp.Header.Get("Content-Type"), Body: b}
}

// answer is the generic shape of an answer packet, for assertions.
type answer struct {
	XMLName xml.Name `xml:"packet"`
	Version string   `xml:"version,attr"`
	System  *struct {
		Status  string `xml:"status"`
		ErrCode int    `xml:"errcode"`
		ErrText string `xml:"errtext"`
	} `xml:"system"`
	Results []answerResult `xml:"-"` // every <result> of every operation, in order
}

// answerResult is any <result> two levels below an operator.
type answerResult struct {
	Status   string `xml:"status"`
	ErrCode  int    `xml:"errcode"`
	ErrText  string `xml:"errtext"`
	FilterID string `xml:"filter-id"`
	ID       int64  `xml:"id"`
	Name     string `xml:"name"`
	Home     string `xml:"home"`
}

// mustAnswer checks the HTTP side (200, text/xml) and decodes the packet.
func mustAnswer(tb testing.TB, r reply) answer {
	tb.Helper()
	if r.Status != http.StatusOK {
		tb.Fatalf("HTTP status = %d, want 200", r.Status)
	}
	if mt, _, err := mime.ParseMediaType(r.ContentType); err != nil || mt != "text/xml" {
		tb.Fatalf("Content-Type = %q, want text/xml", r.ContentType)
	}
	var a answer
	if err := checkWellFormed(r.Body); err != nil {
		tb.Fatalf("answer is not well-formed XML: %v\n%s", err, r.Body)
	}
	if err := xml.Unmarshal(r.Body, &a); err != nil {
		tb.Fatalf("decode answer: %v\n%s", err, r.Body)
	}
	d := xml.NewDecoder(bytes.NewReader(r.Body))
	for depth := 0; ; {
		t, err := d.Token()
		if err != nil {
			break
		}
		switch t := t.(type) {
		case xml.StartElement:
			if depth == 3 && t.Name.Local == "result" {
				var res answerResult
				if err := d.DecodeElement(&res, &t); err != nil {
					tb.Fatalf("decode result: %v", err)
				}
				a.Results = append(a.Results, res)
				continue
			}
			depth++
		case xml.EndElement:
			depth--
		}
	}
	return a
}

// checkWellFormed reads every token of b: one root element <packet>, with
// a version attribute, and nothing but white space after it.
func checkWellFormed(b []byte) error {
	d := xml.NewDecoder(bytes.NewReader(b))
	roots, depth := 0, 0
	for {
		t, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		switch t := t.(type) {
		case xml.StartElement:
			if depth == 0 {
				roots++
				if t.Name.Local != "packet" {
					return errors.New("root element is <" + t.Name.Local + ">, want <packet>")
				}
				hasVersion := false
				for _, a := range t.Attr {
					hasVersion = hasVersion || a.Name.Local == "version" && a.Value != ""
				}
				if !hasVersion {
					return errors.New("<packet> has no version")
				}
			}
			depth++
		case xml.EndElement:
			depth--
		case xml.CharData:
			if depth == 0 && len(bytes.TrimSpace(t)) > 0 {
				return errors.New("text outside the root element")
			}
		}
	}
	if roots != 1 {
		return errors.New("want exactly one root element")
	}
	return nil
}

// systemCode returns the errcode of a <system> error, or 0.
func (a answer) systemCode() int {
	if a.System == nil {
		return 0
	}
	return a.System.ErrCode
}

func TestHandler_HTTP(t *testing.T) {
	e := mustEnv(t)
	get := []byte(`<packet><ftp-user><get><filter><name>webdev</name></filter></get></ftp-user></packet>`)
	for _, tc := range []struct {
		name   string
		method string
		auth   auth
		body   []byte
		want   int // system errcode, 0 = none
	}{
		{"OK", http.MethodPost, asAdmin, get, 0},
		{"WrongPassword", http.MethodPost, asWrongPass, get, 1001},
		{"NoCredentials", http.MethodPost, asNobody, get, 1001},
		{"BadKey", http.MethodPost, asBadKey, get, 11003},
		{"Malformed", http.MethodPost, asAdmin, []byte(`<packet><ftp-user>`), 1014},
		{"Empty", http.MethodPost, asAdmin, nil, 1014},
		{"NotXML", http.MethodPost, asAdmin, []byte(`{"json": true}`), 1014},
		{"GET", http.MethodGet, asAdmin, nil, 1014},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, e.URL, bytes.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			switch tc.auth {
			case asAdmin:
				req.Header.Set("HTTP_AUTH_LOGIN", "admin")
				req.Header.Set("HTTP_AUTH_PASSWD", hostingtest.Password)
			case asWrongPass:
				req.Header.Set("HTTP_AUTH_LOGIN", "admin")
				req.Header.Set("HTTP_AUTH_PASSWD", "wrong")
			case asBadKey:
				req.Header.Set("KEY", "nonsense")
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			a := mustAnswer(t, reply{resp.StatusCode, resp.Header.Get("Content-Type"), body})
			if got := a.systemCode(); got != tc.want {
				t.Fatalf("system errcode = %d, want %d\n%s", got, tc.want, body)
			}
			if tc.want == 0 && (len(a.Results) != 1 || a.Results[0].Status != "ok") {
				t.Fatalf("results = %+v, want one ok", a.Results)
			}
		})
	}
}

func TestHandler_Versions(t *testing.T) {
	e := mustEnv(t)
	for _, tc := range []struct {
		version string // "-" = no attribute
		want    int
		answer  string // version of the answer
	}{
		{"-", 0, plesk.Version},
		{"1.6", 0, "1.6"},
		{"1.6.5", 0, "1.6.5"},
		{"1.6.9.1", 0, "1.6.9.1"},
		{"1.6.6.0", 0, "1.6.6.0"},
		{"1.4.2.0", 0, "1.4.2.0"},
		{"100.0.0", 1005, plesk.Version},
		{"2.0", 1005, plesk.Version},
		{"1", 1005, plesk.Version},
		{"1.6.9.1.0", 1005, plesk.Version},
		{"1.x", 1005, plesk.Version},
		{"", 1005, plesk.Version},
	} {
		t.Run(tc.version, func(t *testing.T) {
			attr := ` version="` + tc.version + `"`
			if tc.version == "-" {
				attr = ""
			}
			body := `<?xml version="1.0" encoding="UTF-8"?>` + "\n<packet" + attr +
				`><ftp-user><get><filter><id>4</id></filter></get></ftp-user></packet>`
			a := mustAnswer(t, e.post(t, asAdmin, []byte(body), false))
			if got := a.systemCode(); got != tc.want {
				t.Fatalf("system errcode = %d, want %d", got, tc.want)
			}
			if a.Version != tc.answer {
				t.Fatalf("answer version = %q, want %q", a.Version, tc.answer)
			}
		})
	}
}

func TestHandler_Auth(t *testing.T) {
	e := mustEnv(t)
	ctx := e.Admin(context.Background())
	// A customer's token sees only the customer's accounts.
	all := []byte(`<packet><ftp-user><get><filter/></get></ftp-user></packet>`)
	for _, tc := range []struct {
		auth auth
		want []string
	}{
		{asAdmin, []string{"webdev", "archive", "bobftp"}},
		{asAdminKey, []string{"webdev", "archive", "bobftp"}},
		{asAlice, []string{"webdev", "archive"}},
		{asAliceKey, []string{"webdev", "archive"}},
		{asBob, []string{"bobftp"}},
	} {
		t.Run(string(tc.auth), func(t *testing.T) {
			a := mustAnswer(t, e.post(t, tc.auth, all, false))
			var got []string
			for _, r := range a.Results {
				got = append(got, r.Name)
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Fatalf("names = %v, want %v", got, tc.want)
			}
		})
	}
	t.Run("RevokedKey", func(t *testing.T) {
		toks, err := e.Service.Tokens(ctx, hosting.TokenFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, tok := range toks {
			if !tok.Admin && strings.Contains(e.AliceKey, tok.Key) {
				if err := e.Service.DeleteToken(ctx, tok.Key); err != nil {
					t.Fatal(err)
				}
			}
		}
		if got := mustAnswer(t, e.post(t, asAliceKey, all, false)).systemCode(); got != 11003 {
			t.Fatalf("system errcode = %d, want 11003", got)
		}
	})
	t.Run("SuspendedCustomer", func(t *testing.T) {
		if _, err := e.Service.SetCustomerStatus(ctx, "bob", hosting.StatusSuspended); err != nil {
			t.Fatal(err)
		}
		if got := mustAnswer(t, e.post(t, asBob, all, false)).systemCode(); got != 1011 {
			t.Fatalf("system errcode = %d, want 1011", got)
		}
	})
	t.Run("ActorRecorded", func(t *testing.T) {
		body := []byte(`<packet><ftp-user><add><name>audited</name><password>jdnHHbe6Gc</password>` +
			`<webspace-name>example.com</webspace-name></add></ftp-user></packet>`)
		if r := mustAnswer(t, e.post(t, asAlice, body, false)); len(r.Results) != 1 || r.Results[0].Status != "ok" {
			t.Fatalf("add: %+v", r.Results)
		}
		evs, err := e.Service.AuditEvents(ctx, hosting.AuditFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) == 0 || evs[0].Action != "account.create" || evs[0].Via != hosting.ViaPlesk || evs[0].Actor != "alice" ||
			evs[0].RemoteAddr != "127.0.0.1" {
			t.Fatalf("last audit event = %+v, want account.create by alice via plesk from 127.0.0.1", evs[0])
		}
	})
}

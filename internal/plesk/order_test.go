package plesk_test

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
)

// testAuthBeforeParse: credentials are checked before anything
// about the packet, as Plesk does, so that a caller without them learns
// nothing about parsing, versions or the method (issue 16.2).
func testAuthBeforeParse(t *testing.T, e *testEnv) {
	bodies := map[string][]byte{
		"Malformed":       []byte(`<packet><ftp-user>`),
		"BadVersion":      []byte(`<packet version="100.0.0"><ftp-user><get><filter/></get></ftp-user></packet>`),
		"NotXML":          []byte(`{"json": true}`),
		"Empty":           nil,
		"UnknownOperator": []byte(`<packet><customer><get/></customer></packet>`),
	}
	for _, tc := range []struct {
		auth   auth
		method string
		want   int
	}{
		{asWrongPass, http.MethodPost, 1001},
		{asNobody, http.MethodPost, 1001},
		{asBadKey, http.MethodPost, 11003},
		{asWrongPass, http.MethodGet, 1001},
	} {
		for name, body := range bodies {
			if tc.method == http.MethodGet && name != "Malformed" {
				continue // one is enough: each wrong password costs a verification
			}
			t.Run(string(tc.auth)+"/"+tc.method+"/"+name, func(t *testing.T) {
				req, err := http.NewRequest(tc.method, e.URL, bytes.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				switch tc.auth {
				case asWrongPass:
					req.Header.Set("HTTP_AUTH_LOGIN", "admin")
					req.Header.Set("HTTP_AUTH_PASSWD", "not the password")
				case asBadKey:
					req.Header.Set("KEY", "ftpanel_AAAAAAAAAAAA_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB")
				}
				r := doRequest(t, req)
				a := mustAnswer(t, r)
				got := a.systemCode()
				if got == tc.want {
					return
				}
				if a.System == nil {
					t.Fatalf("no system error, want %d\n%s", tc.want, r.Body)
				}
				// A throttle on failed logins may answer a caller that failed
				// too often otherwise; it must still say nothing about the packet.
				if got == 1014 || got == 1005 || got == 1024 || strings.Contains(a.System.ErrText, "XML") ||
					strings.Contains(a.System.ErrText, "version") || strings.Contains(a.System.ErrText, "POST") {
					t.Fatalf("system errcode = %d (%s), want %d", got, a.System.ErrText, tc.want)
				}
			})
		}
	}
	mustAccountCount(t, e, 3)
}

// testNotAPacket: a body that holds no packet says why.
func testNotAPacket(t *testing.T, e *testEnv) {
	for _, tc := range []struct {
		name, body, text string
	}{
		{"Empty", "", "the request is empty"},
		{"WhiteSpace", " \r\n\t", "the request is empty"},
		{"JSON", `{"json": true}`, "the request is not XML"},
		{"Form", `packet=%3Cpacket%3E`, "the request is not XML"},
		{"PlainText", "hello", "the request is not XML"},
		{"OnlyProlog", `<?xml version="1.0"?><!-- nothing -->`, "holds no <packet> element"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := mustAnswer(t, e.post(t, asAdminKey, []byte(tc.body), false))
			if a.systemCode() != 1014 || !strings.Contains(a.System.ErrText, tc.text) {
				t.Fatalf("system error %d %q, want 1014 mentioning %q", a.systemCode(), a.System.ErrText, tc.text)
			}
		})
	}
}

// testEmptyFilterValue: an empty filter value answers like any
// other value that names nothing, with its (empty) <filter-id>.
func testEmptyFilterValue(t *testing.T, e *testEnv) {
	for _, tc := range []struct {
		name, body string
		code       int
	}{
		{"GetName", `<ftp-user><get><filter><name></name></filter></get></ftp-user>`, 1013},
		{"GetNameSpaces", `<ftp-user><get><filter><name> </name></filter></get></ftp-user>`, 1013},
		{"GetID", `<ftp-user><get><filter><id></id></filter></get></ftp-user>`, 1019},
		{"SetName", `<ftp-user><set><filter><name/></filter><values><quota>1</quota></values></set></ftp-user>`, 1013},
		{"DelName", `<ftp-user><del><filter><name></name></filter></del></ftp-user>`, 1013},
		{"DelWebspaceName", `<ftp-user><del><filter><webspace-name></webspace-name></filter></del></ftp-user>`, 1013},
		{"WebspaceGetName", `<webspace><get><filter><name></name></filter><dataset><gen_info/></dataset></get></webspace>`, 1013},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.post(t, asAdminKey, []byte(`<packet>`+tc.body+`</packet>`), false)
			a := mustAnswer(t, r)
			if len(a.Results) != 1 || a.Results[0].Status != "error" || a.Results[0].ErrCode != tc.code {
				t.Fatalf("results %+v, want one error %d\n%s", a.Results, tc.code, r.Body)
			}
			if !bytes.Contains(r.Body, []byte("<filter-id>")) {
				t.Fatalf("no <filter-id> in\n%s", r.Body)
			}
		})
	}
	mustAccountCount(t, e, 3)
}

// doRequest sends req and returns the answer.
func doRequest(tb testing.TB, req *http.Request) reply {
	tb.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatalf("%s: %v", req.Method, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("read answer: %v", err)
	}
	return reply{Status: resp.StatusCode, ContentType: resp.Header.Get("Content-Type"), Body: b}
}

package plesk_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ftpanel/internal/plesk"
)

func TestHandler_Limits(t *testing.T) {
	e := mustEnv(t)
	get := func(inner string) []byte {
		return []byte(`<packet><ftp-user><get><filter>` + inner + `</filter></get></ftp-user></packet>`)
	}
	for _, tc := range []struct {
		name string
		body []byte
		want int
		text string // part of the errtext
	}{
		{"TooLarge", append(get(""), []byte("<!--"+strings.Repeat("x", 4<<20)+"-->")...), 1014, "larger than"},
		{"TooDeep", get("<name>" + strings.Repeat("<a>", 40) + strings.Repeat("</a>", 40) + "</name>"), 1014, "nested"},
		{"TooManyElements", get(strings.Repeat("<name>a</name>", 200_001)), 1014, "more than"},
		{"UnsupportedEncoding", []byte(`<?xml version="1.0" encoding="Shift_JIS"?>` + string(get(""))), 1014, "Shift_JIS"},
		{"NoOperator", []byte(`<packet version="1.6.9.1"></packet>`), 1014, "no operator"},
		{"NoOperation", []byte(`<packet><ftp-user></ftp-user></packet>`), 1014, "no operation"},
		{"TrailingElement", append(get(""), []byte("<packet/>")...), 1014, "after"},
		{"TrailingText", append(get(""), []byte(" junk")...), 1014, "after"},
		{"WrongRoot", []byte(`<request><ftp-user/></request>`), 1014, "packet"},
		{"WebspaceAdd", []byte(`<packet><webspace><add/></webspace></packet>`), 1014, "not supported"},
		{"WebspaceFilterGUID", []byte(`<packet><webspace><get><filter><guid>x</guid></filter></get></webspace></packet>`), 1014, "guid"},
		{"SetWithoutValues", []byte(`<packet><ftp-user><set><filter><id>4</id></filter></set></ftp-user></packet>`), 1014, "values"},
		{"AddTwoWebspaces", []byte(`<packet><ftp-user><add><name>x</name><password>jdnHHbe6Gc</password>` +
			`<webspace-id>1</webspace-id><webspace-name>example.com</webspace-name></add></ftp-user></packet>`), 1014, "exactly one"},
		{"ScopeTwoWebspaces", []byte(`<packet><ftp-user><del><filter/><webspace-id>1</webspace-id>` +
			`<webspace-name>example.com</webspace-name></del></ftp-user></packet>`), 1014, "not both"},
		{"UnknownPermission", []byte(`<packet><ftp-user><set><filter><id>4</id></filter><values><permissions>` +
			`<execute>true</execute></permissions></values></set></ftp-user></packet>`), 1014, "execute"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.post(t, asAdminKey, tc.body, false)
			a := mustAnswer(t, r)
			if got := a.systemCode(); got != tc.want {
				t.Fatalf("system errcode = %d, want %d\n%.300s", got, tc.want, r.Body)
			}
			if !strings.Contains(a.System.ErrText, tc.text) {
				t.Fatalf("errtext = %q, want it to mention %q", a.System.ErrText, tc.text)
			}
		})
	}
	mustAccountCount(t, e, 3)
}

func TestHandler_Latin1(t *testing.T) {
	e := mustEnv(t)
	body := []byte("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<packet><ftp-user><add><name>latin</name>" +
		"<password>Gr\xfcn-Passw0rt</password><webspace-id>1</webspace-id></add></ftp-user></packet>")
	a := mustAnswer(t, e.post(t, asAdmin, body, false))
	if len(a.Results) != 1 || a.Results[0].Status != "ok" {
		t.Fatalf("results = %+v, want one ok", a.Results)
	}
	mustFTPLogin(t, e, "latin", "Grün-Passw0rt")
}

// FuzzPacket posts arbitrary bodies: the handler must not panic and must
// answer every one with a well-formed packet, HTTP 200 and text/xml.
func FuzzPacket(f *testing.F) {
	seeds, err := filepath.Glob(filepath.Join("testdata", "*.req.xml"))
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{"", "<", "<packet/>", "<packet version='1.6'><ftp-user><get><filter/></get></ftp-user></packet>",
		"<packet><ftp-user><get><filter><id>-1</id><id>99999999999999999999</id></filter></get></ftp-user></packet>",
		"<packet><webspace><get><filter><name>\u00e9xample.com</name></filter><dataset><gen_info/></dataset></get></webspace></packet>",
		"<packet><ftp-user><add><name>\x01</name><password>\xff\xfe</password><webspace-name>..</webspace-name></add></ftp-user></packet>"} {
		f.Add([]byte(s))
	}
	e := mustEnv(f)
	h := plesk.NewHandler(e.Service, plesk.Options{})
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest(http.MethodPost, plesk.Path, bytes.NewReader(body))
		req.Header.Set("KEY", e.AdminKey)
		req.Header.Set("HTTP_PRETTY_PRINT", "TRUE")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		a := mustAnswer(t, reply{rec.Code, rec.Header().Get("Content-Type"), rec.Body.Bytes()})
		if a.System != nil && (a.System.Status != "error" || a.System.ErrCode == 0 || a.System.ErrText == "") {
			t.Fatalf("incomplete system error: %+v", a.System)
		}
		for _, r := range a.Results {
			if r.Status != "ok" && (r.Status != "error" || r.ErrCode == 0 || r.ErrText == "") {
				t.Fatalf("result without status ok or a complete error: %+v", r)
			}
		}
	})
}

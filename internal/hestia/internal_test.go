package hestia

import (
	"reflect"
	"testing"

	"ftpanel/internal/hosting"
)

func TestHTTPStatus(t *testing.T) {
	tests := []struct{ exit, want int }{
		{0, 200}, {1, 400}, {2, 422}, {3, 400}, {4, 400}, {5, 401}, {6, 401}, {7, 400}, {8, 400},
		{9, 401}, {10, 401}, {11, 400}, {12, 400}, {17, 400}, {20, 400}, {21, 401}, {405, 405},
	}
	for _, tc := range tests {
		if got := httpStatus(tc.exit); got != tc.want {
			t.Errorf("httpStatus(%d)=%d, want %d", tc.exit, got, tc.want)
		}
	}
}

func TestExitCode(t *testing.T) {
	want := map[hosting.Code]int{
		hosting.CodeInvalidInput: 2, hosting.CodeInvalidLogin: 2, hosting.CodeReservedLogin: 4,
		hosting.CodeLoginTaken: 4, hosting.CodeWeakPassword: 2, hosting.CodeInvalidHome: 2,
		hosting.CodeHomeOutsideSite: 2, hosting.CodeHomeNotFound: 2, hosting.CodeTopLevelDirForbidden: 2,
		hosting.CodeLimitExceeded: 8, hosting.CodeNotFound: 3, hosting.CodeMainAccount: 3,
		hosting.CodeSuspended: 5, hosting.CodeUnauthorized: 9, hosting.CodeForbidden: 10,
		hosting.CodeConflict: 4, hosting.CodeInternal: 17,
	}
	for _, c := range hosting.Codes() {
		w, ok := want[c]
		if !ok {
			t.Errorf("code %q has no expected exit code in this test", c)
			continue
		}
		if got := exitCode(c); got != w {
			t.Errorf("exitCode(%q)=%d, want %d", c, got, w)
		}
	}
	if got := exitCode(""); got != 0 {
		t.Errorf("exitCode(\"\")=%d, want 0", got)
	}
}

func TestSitePath(t *testing.T) {
	const root = "/srv/sites/example.com"
	tests := []struct {
		in       string
		wantHome string
		wantAbs  string
		wantOK   bool
	}{
		{"", "/", root, true},
		{"/", "/", root, true},
		{"uploads", "/uploads", root + "/uploads", true},
		{"/public_html/up/", "/public_html/up", root + "/public_html/up", true},
		{"a/../b", "/b", root + "/b", true},
		{root + "/httpdocs", "/httpdocs", root + "/httpdocs", true},
		{root, "/", root, true},
		{"../other.com", "", "/srv/sites/other.com", false},
		{"../../../etc", "", "/etc", false},
		{"/srv/sites/example.com.evil/x", "/srv/sites/example.com.evil/x", root + "/srv/sites/example.com.evil/x", true},
	}
	for _, tc := range tests {
		home, abs, ok := sitePath(root, tc.in)
		if home != tc.wantHome || abs != tc.wantAbs || ok != tc.wantOK {
			t.Errorf("sitePath(%q)=(%q, %q, %v), want (%q, %q, %v)", tc.in, home, abs, ok, tc.wantHome, tc.wantAbs, tc.wantOK)
		}
	}
}

func TestHestiaDomain(t *testing.T) {
	tests := []struct {
		in, want string
		bad      bool
	}{
		{"example.com", "example.com", false},
		{"WWW.Example.COM.", "example.com", false},
		{"..example.com..", "example.com", false},
		{"www.www.example.com", "www.example.com", false},
		{"Bücher.example", "xn--bcher-kva.example", false},
		{"", "", false},
		{"bad_domain", "bad_domain", true},
		{"www.", "", false},
	}
	for _, tc := range tests {
		got, bad := hestiaDomain(tc.in)
		if got != tc.want || (bad != nil) != tc.bad {
			t.Errorf("hestiaDomain(%q)=(%q, bad %v), want (%q, bad %v)", tc.in, got, bad != nil, tc.want, tc.bad)
		}
		if bad != nil && bad.code != exitInvalid {
			t.Errorf("hestiaDomain(%q) code %d, want %d", tc.in, bad.code, exitInvalid)
		}
	}
}

func TestParseJSON(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want request
		ok   bool
	}{
		{"Strings", `{"cmd":"v-x","arg1":" a "}`, request{"cmd": "v-x", "arg1": " a "}, true},
		{"Scalars", `{"a":1,"b":2.50,"c":true,"d":false,"e":null,"f":[1],"g":{"x":1},"h":1e3}`,
			request{"a": "1", "b": "2.5", "c": "1", "d": "", "h": "1000"}, true},
		{"EmptyObject", `{}`, nil, false},
		{"Array", `["a"]`, nil, false},
		{"String", `"a"`, nil, false},
		{"Null", `null`, nil, false},
		{"Broken", `{"a":`, nil, false},
		{"Empty", ``, nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := parseJSON([]byte(tc.in))
			if ok != tc.ok || (tc.ok && !reflect.DeepEqual(got, tc.want)) {
				t.Errorf("parseJSON=(%v, %v), want (%v, %v)", got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestParseForm(t *testing.T) {
	tests := []struct {
		name, contentType, body string
		want                    request
	}{
		{"LastWins", "application/x-www-form-urlencoded", "arg1=a&arg1=b&cmd=", request{"arg1": "b", "cmd": ""}},
		{"Charset", "application/x-www-form-urlencoded; charset=UTF-8", "hash=k%3As", request{"hash": "k:s"}},
		{"JSONType", "application/json", `{"hash":"x"}`, nil},
		{"NoType", "", "hash=x", nil},
		// PHP's $_POST: split on "&" only, decode what decodes, keep the rest.
		{"RawSemicolon", "application/x-www-form-urlencoded", "arg4=Good;pass-123&cmd=x", request{"arg4": "Good;pass-123", "cmd": "x"}},
		{"InvalidEscape", "application/x-www-form-urlencoded", "arg4=Zz%zz-%4%&arg5=%", request{"arg4": "Zz%zz-%4%", "arg5": "%"}},
		{"ValidEscapes", "application/x-www-form-urlencoded", "arg4=a%3Bb%26c%3d%C3%A9+d%2B", request{"arg4": "a;b&c=é d+"}},
		{"NoEquals", "application/x-www-form-urlencoded", "returncode&&cmd==x=", request{"returncode": "", "cmd": "=x="}},
		{"NameMangling", "application/x-www-form-urlencoded", " arg.1=a&arg 2=b&arg[3=c&arg4[]=d&%00x=e&=f", request{"arg_1": "a", "arg_2": "b", "arg_3": "c"}},
		{"EscapedName", "application/x-www-form-urlencoded", "arg%34=v%00w", request{"arg4": "v\x00w"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := parseForm(tc.contentType, []byte(tc.body)); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("parseForm=%v, want %v", got, tc.want)
			}
		})
	}
}

func TestCommandArgs(t *testing.T) {
	got := commandArgs(request{"arg1": " alice\t", "arg3": "", "arg13": "\x00x\x0B", "arg14": "no"})
	if want := []string{"alice", "", "x"}; !reflect.DeepEqual(got.list, want) {
		t.Errorf("list=%q, want %q", got.list, want)
	}
	if _, ok := got.named["arg2"]; ok {
		t.Errorf("arg2 set, want unset")
	}
	if got.named["arg1"] != "alice" {
		t.Errorf("arg1=%q, want %q", got.named["arg1"], "alice")
	}
}

func TestJSONTruthy(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{`{"a":1}`, true}, {"{\n}", false}, {`[]`, false}, {`[0]`, true}, {`"0"`, false}, {`"x"`, true},
		{`0`, false}, {`2`, true}, {`false`, false}, {`true`, true}, {`null`, false}, {`DOMAIN  IP`, false},
	}
	for _, tc := range tests {
		if got := jsonTruthy(tc.in); got != tc.want {
			t.Errorf("jsonTruthy(%q)=%v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestColumnT(t *testing.T) {
	got := columnT([][]string{{"DOMAIN", "IP", "DATE"}, {"example.com", "-", "2024-01-02"}})
	want := "DOMAIN       IP  DATE\nexample.com  -   2024-01-02\n"
	if got != want {
		t.Errorf("columnT=\n%q\nwant\n%q", got, want)
	}
}

func TestPHPHelpers(t *testing.T) {
	for _, s := range []string{"", "0"} {
		if !phpEmpty(s) {
			t.Errorf("phpEmpty(%q)=false, want true", s)
		}
	}
	for _, s := range []string{" ", "00", "a"} {
		if phpEmpty(s) {
			t.Errorf("phpEmpty(%q)=true, want false", s)
		}
	}
	if got, want := phpTrim(" \t\n\r\x00\x0Bv-x \x0B"), "v-x"; got != want {
		t.Errorf("phpTrim=%q, want %q", got, want)
	}
}

package web

import (
	"net/url"
	"testing"
)

// TestLocalPath_Hostile feeds localPath the values browsers read as
// another origin (issue 17 item 6); each must fall back. The resolution
// column documents what a browser makes of it against https://panel.test.
func TestLocalPath_Hostile(t *testing.T) {
	hostile := []struct{ in, why string }{
		{"//evil.example/phish", "protocol-relative"},
		{"/\\evil.example/phish", "backslash read as slash"},
		{"\\\\evil.example/phish", "two backslashes"},
		{"/\t/evil.example/phish", "tab dropped by the URL parser: //evil.example"},
		{"/\r\n/evil.example/phish", "CR LF dropped"},
		{"/\n/evil.example", "LF dropped"},
		{"/\r/evil.example", "CR dropped"},
		{"/\x00/evil.example", "NUL"},
		{"/\x7f/evil.example", "DEL"},
		{" //evil.example", "leading space stripped by browsers"},
		{"\t//evil.example", "leading tab"},
		{"/ /evil.example", "space"},
		{"javascript:alert(1)", "scheme"},
		{"JaVaScRiPt:alert(1)", "scheme, mixed case"},
		{"data:text/html,<script>alert(1)</script>", "data scheme"},
		{"https://evil.example", "absolute"},
		{"https:/evil.example", "scheme with one slash"},
		{"http:\\\\evil.example", "scheme with backslashes"},
		{"/\u2215evil.example", "DIVISION SLASH"},
		{"/\uff0fevil.example", "FULLWIDTH SOLIDUS (IDNA maps it to /)"},
		{"/\u2044evil.example", "FRACTION SLASH"},
		{"/\u200b/evil.example", "zero-width space"},
		{"/\u3000/evil.example", "ideographic space"},
		{"evil.example", "relative"},
		{"accounts", "relative path"},
		{"./x", "dot relative"},
		{"?next=//evil", "query only"},
		{"#frag", "fragment only"},
	}
	// Values that are hostile only decoded once more: they reach
	// localPath already form-decoded, so these are the decoded forms.
	// (A path such as "/javascript:alert(1)//" or "/a/%0a" stays on this
	// origin and is kept: see the end of the test.)
	for _, enc := range []string{"%2F%09%2Fevil.example%2Fphish", "%2F%5Cevil.example", "%2F%2Fevil.example"} {
		dec, err := url.QueryUnescape(enc)
		if err != nil {
			t.Fatal(err)
		}
		hostile = append(hostile, struct{ in, why string }{dec, "form-decoded " + enc})
	}
	for _, tc := range hostile {
		got := localPath(tc.in, "/fallback")
		if got == tc.in {
			t.Errorf("localPath(%q) kept it (%s)", tc.in, tc.why)
			continue
		}
		if got != tc.in && got != "/fallback" {
			t.Errorf("localPath(%q) = %q, want the value or the fallback", tc.in, got)
		}
		// Whatever is returned must resolve to this origin.
		base, _ := url.Parse("https://panel.test/login")
		ref, err := url.Parse(got)
		if err != nil {
			t.Errorf("localPath(%q) = %q, which does not parse: %v", tc.in, got, err)
			continue
		}
		if r := base.ResolveReference(ref); r.Host != "panel.test" || r.Scheme != "https" {
			t.Errorf("localPath(%q) = %q resolves to %s", tc.in, got, r)
		}
	}

	// Local paths are kept as they are.
	for _, p := range []string{"/accounts", "/sites/a.b/accounts?x=1&y=%2F", "/connections#top", "/javascript:alert(1)//",
		"/a/%0a", "/login?next=%2Faccounts", "/sites/xn--bcher-kva.example/accounts"} {
		if got := localPath(p, "/fallback"); got != p {
			t.Errorf("localPath(%q) = %q, want it kept", p, got)
		}
	}
}

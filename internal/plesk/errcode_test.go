package plesk

import (
	"testing"

	"ftpanel/internal/hosting"
)

func TestErrcode(t *testing.T) {
	want := map[hosting.Code]int{
		hosting.CodeInvalidInput:         1019,
		hosting.CodeInvalidLogin:         1019,
		hosting.CodeReservedLogin:        1019,
		hosting.CodeLoginTaken:           1007,
		hosting.CodeWeakPassword:         1019,
		hosting.CodeInvalidHome:          1019,
		hosting.CodeHomeOutsideSite:      1019,
		hosting.CodeHomeNotFound:         1019,
		hosting.CodeTopLevelDirForbidden: 1019,
		hosting.CodeLimitExceeded:        1024,
		hosting.CodeNotFound:             1013,
		hosting.CodeMainAccount:          1023,
		hosting.CodeSuspended:            1023,
		hosting.CodeUnauthorized:         1023,
		hosting.CodeForbidden:            1006,
		hosting.CodeConflict:             1023,
		hosting.CodeInternal:             1023,
	}
	for _, c := range hosting.Codes() {
		w, ok := want[c]
		if !ok {
			t.Errorf("code %q has no expectation here: add it", c)
			continue
		}
		if got := errcode(c); got != w {
			t.Errorf("errcode(%q) = %d, want %d", c, got, w)
		}
	}
	if got := errcode("something new"); got != 1023 {
		t.Errorf("errcode(unknown) = %d, want 1023", got)
	}
}

func TestParseBool(t *testing.T) {
	for _, tc := range []struct {
		in     string
		want   bool
		wantOK bool
	}{
		{"true", true, true},
		{"false", false, true},
		{"1", true, true},
		{"0", false, true},
		{" true\n", true, true},
		{"TRUE", false, false},
		{"yes", false, false},
		{"", false, false},
		{"01", false, false},
	} {
		got, ok := parseBool(tc.in)
		if got != tc.want || ok != tc.wantOK {
			t.Errorf("parseBool(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.wantOK)
		}
	}
}

func TestSupportedVersion(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{"1.6", true}, {"1.6.5", true}, {"1.6.9.1", true}, {"1.4.2.0", true}, {" 1.6.7.0 ", true},
		{"100.0.0", false}, {"2.0", false}, {"1", false}, {"1.6.9.1.0", false}, {"1..6", false},
		{"1.6a", false}, {"", false}, {"1.-6", false}, {"1.60000", false},
	} {
		if got := supportedVersion(tc.in); got != tc.want {
			t.Errorf("supportedVersion(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

package web

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestRender_TemplateErrorIs500(t *testing.T) {
	p, err := parsePages()
	if err != nil {
		t.Fatalf("parsePages: %v", err)
	}
	h := &handler{pages: p, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	for _, tc := range []struct {
		name, page string
		data       any
	}{
		{"WrongData", "accounts", struct{ Nope int }{}},
		{"UnknownPage", "nope", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			h.renderTemplate(w, httptest.NewRequest(http.MethodGet, "/x", nil), http.StatusOK, tc.page, "layout", tc.data)
			if got, want := w.Code, http.StatusInternalServerError; got != want {
				t.Errorf("status %d, want %d", got, want)
			}
		})
	}
}

func TestFormatBytes(t *testing.T) {
	for _, tc := range []struct {
		in   int64
		want string
	}{
		{0, "0 B"}, {1023, "1023 B"}, {1024, "1 KB"}, {1536, "1.5 KB"}, {30 << 20, "30 MB"},
		{150 << 20, "150 MB"}, {5 << 30, "5 GB"}, {1<<40 + 1<<39, "1.5 TB"},
	} {
		if got := formatBytes(tc.in); got != tc.want {
			t.Errorf("formatBytes(%d)=%q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestQuotaView(t *testing.T) {
	for _, tc := range []struct {
		name         string
		used, quota  int64
		percent      int
		level, limit string
		unlimited    bool
	}{
		{"Unlimited", 5 << 20, -1, 0, "ok", "Unlimited", true},
		{"Empty", 0, 100 << 20, 0, "ok", "100 MB", false},
		{"Some", 30 << 20, 100 << 20, 30, "ok", "100 MB", false},
		{"Warn", 80 << 20, 100 << 20, 80, "warn", "100 MB", false},
		{"Full", 100 << 20, 100 << 20, 100, "full", "100 MB", false},
		{"Over", 300 << 20, 100 << 20, 100, "full", "100 MB", false},
		{"ZeroQuotaUsed", 1, 0, 100, "full", "0 B", false},
		{"RoundsUp", 1, 1000, 1, "ok", "1000 B", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := quotaView(tc.used, tc.quota)
			if q.Percent != tc.percent || q.Level != tc.level || q.Limit != tc.limit || q.Unlimited != tc.unlimited {
				t.Errorf("quotaView(%d, %d) = %+v, want percent %d level %s limit %s unlimited %v",
					tc.used, tc.quota, q, tc.percent, tc.level, tc.limit, tc.unlimited)
			}
		})
	}
}

func TestParseQuota(t *testing.T) {
	for _, tc := range []struct {
		num, unit string
		want      int64
		ok        bool
	}{
		{"", "MB", -1, true}, {"  ", "GB", -1, true}, {"0", "MB", 0, true}, {"50", "MB", 50 << 20, true},
		{"2", "GB", 2 << 30, true}, {"1.5", "GB", 3 << 29, true}, {"10", "", 10 << 20, true},
		{"-1", "MB", 0, false}, {"x", "MB", 0, false}, {"1", "TB", 0, false}, {"NaN", "MB", 0, false},
		{"1e30", "GB", 0, false},
	} {
		got, err := parseQuota(tc.num, tc.unit)
		if (err == nil) != tc.ok || (tc.ok && got != tc.want) {
			t.Errorf("parseQuota(%q, %q) = %d, %v; want %d ok=%v", tc.num, tc.unit, got, err, tc.want, tc.ok)
		}
	}
}

func TestQuotaFormValue(t *testing.T) {
	for _, tc := range []struct {
		in        int64
		num, unit string
	}{
		{-1, "", "MB"}, {0, "0", "MB"}, {50 << 20, "50", "MB"}, {2 << 30, "2", "GB"}, {3 << 19, "1.5", "MB"},
	} {
		num, unit := quotaFormValue(tc.in)
		if num != tc.num || unit != tc.unit {
			t.Errorf("quotaFormValue(%d) = %q %q, want %q %q", tc.in, num, unit, tc.num, tc.unit)
		}
		if back, err := parseQuota(num, unit); err != nil || back != tc.in {
			t.Errorf("parseQuota(quotaFormValue(%d)) = %d, %v", tc.in, back, err)
		}
	}
}

func TestLocalPath(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", "/f"}, {"/accounts", "/accounts"}, {"/sites/a.b/accounts?x=1", "/sites/a.b/accounts?x=1"},
		{"//evil.example", "/f"}, {"/\\evil.example", "/f"}, {"https://evil.example", "/f"},
		{"accounts", "/f"}, {"/a\r\nSet-Cookie: x", "/f"},
	} {
		if got := localPath(tc.in, "/f"); got != tc.want {
			t.Errorf("localPath(%q)=%q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestSentence(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""}, {"login is empty", "Login is empty."}, {"done.", "Done."}, {"über", "Über."},
	} {
		if got := sentence(tc.in); got != tc.want {
			t.Errorf("sentence(%q)=%q, want %q", tc.in, got, tc.want)
		}
	}
}

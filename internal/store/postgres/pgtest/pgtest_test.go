package pgtest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestServerDSN_SkipIsVisible: without the variable a test using the
// server is skipped, and the test binary says so on a line of its own even
// without -v (issue 16.5): run a child test binary and read its output.
func TestServerDSN_SkipIsVisible(t *testing.T) {
	if os.Getenv("PGTEST_CHILD") == "1" {
		ServerDSN(t)
		t.Fatal("not skipped")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestServerDSN_SkipIsVisible$", "-test.count=1")
	cmd.Env = append(withoutDSN(os.Environ()), "PGTEST_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), EnvDSN+" is unset: this package's PostgreSQL tests are SKIPPED") {
		t.Fatalf("child output does not announce the skip:\n%s", out)
	}
}

func withoutDSN(env []string) []string {
	var out []string
	for _, e := range env {
		if !strings.HasPrefix(e, EnvDSN+"=") {
			out = append(out, e)
		}
	}
	return out
}

// TestCIPostgresCheck: .ci/postgres-check (run by .ci/run before the
// tests) warns and passes when the variable is unset or empty, and fails
// when it is set but the server cannot be reached, so that CI never passes
// with the PostgreSQL tests silently skipped (issue 16.5).
func TestCIPostgresCheck(t *testing.T) {
	if _, err := exec.LookPath("pg_isready"); err != nil {
		if _, err := exec.LookPath("psql"); err != nil {
			t.Skip("neither pg_isready nor psql is installed (Debian: postgresql-client)")
		}
	}
	script := filepath.Join("..", "..", "..", "..", ".ci", "postgres-check")
	tests := []struct {
		name     string
		dsn      *string // nil = unset
		wantOK   bool
		wantText string
	}{
		{"Unset", nil, true, "will be SKIPPED"},
		{"Empty", ptr(""), true, "will be SKIPPED"},
		{"Unreachable", ptr("postgres://postgres@127.0.0.1:1/postgres?sslmode=disable&connect_timeout=2"), false, "unreachable"},
		{"NoSuchHost", ptr("postgres://postgres@nonexistent.invalid:5432/postgres?connect_timeout=2"), false, "unreachable"},
	}
	if dsn := os.Getenv(EnvDSN); dsn != "" {
		tests = append(tests, struct {
			name     string
			dsn      *string
			wantOK   bool
			wantText string
		}{"Reachable", &dsn, true, "is reachable"})
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command("bash", script)
			cmd.Env = withoutDSN(os.Environ())
			if tc.dsn != nil {
				cmd.Env = append(cmd.Env, EnvDSN+"="+*tc.dsn)
			}
			out, err := cmd.CombinedOutput()
			if (err == nil) != tc.wantOK || !strings.Contains(string(out), tc.wantText) {
				t.Fatalf("exit %v, output %q; want ok=%v mentioning %q", err, out, tc.wantOK, tc.wantText)
			}
			if tc.dsn != nil && *tc.dsn != "" && strings.Contains(string(out), *tc.dsn) {
				t.Fatalf("the DSN is printed: %q", out)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

package cli

import (
	"os"
	"runtime/debug"
	"testing"
)

// TestSetServerGC: serve raises the collector's target unless GOGC says
// otherwise.
func TestSetServerGC(t *testing.T) {
	old := debug.SetGCPercent(100)
	t.Cleanup(func() { debug.SetGCPercent(old) })
	for _, tc := range []struct {
		name string
		env  *string
		want int
	}{
		{"unset", nil, serverGCPercent},
		{"set", ptr("50"), 100}, // left as the runtime read it (here: 100)
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("GOGC", "")
			if tc.env == nil {
				os.Unsetenv("GOGC")
			} else {
				t.Setenv("GOGC", *tc.env)
			}
			debug.SetGCPercent(100)
			setServerGC()
			if got := debug.SetGCPercent(100); got != tc.want {
				t.Errorf("GC percent %d, want %d", got, tc.want)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

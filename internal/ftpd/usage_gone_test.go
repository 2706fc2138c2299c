package ftpd

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

// TestRecordUsage_DeletedAccount: usage measured for an account that is
// then deleted (its session still open) is dropped once at debug level,
// not retried with a WARN at every recording round (issue 16.6; the
// recording moved to homefs.Usages.Record).
func TestRecordUsage_DeletedAccount(t *testing.T) {
	// No background rounds: the test drives recordUsage itself.
	f := newFixture(t, func(c *Config) { c.SyncInterval = time.Hour })
	f.account(t, "gone", "/", true, true, 1<<20)
	c := f.dial(t, "gone")
	defer c.Quit()
	ctx := context.Background()
	must(t, c.Stor("a.bin", bytes.NewReader(pattern(1000))), "STOR a.bin")
	record := func() { f.srv.usages.Record(ctx, false, f.env.Service.RecordUsage, f.srv.log) }
	record()
	must(t, c.Stor("b.bin", bytes.NewReader(pattern(2000))), "STOR b.bin")
	must(t, f.env.Service.DeleteAccount(f.admin(), "gone"), "delete gone")
	for range 5 {
		record()
	}
	logs := f.logs.String()
	var warns, debugs int
	for _, l := range strings.Split(logs, "\n") {
		switch {
		case strings.Contains(l, "level=WARN") && strings.Contains(l, "record usage"):
			warns++
		case strings.Contains(l, "level=DEBUG") && strings.Contains(l, "usage of a deleted account dropped"):
			debugs++
		}
	}
	if warns != 0 || debugs != 1 {
		t.Fatalf("%d WARN and %d DEBUG lines about recording usage, want 0 and 1:\n%s", warns, debugs, logs)
	}
}

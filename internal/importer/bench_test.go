package importer

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// BenchmarkImport10k imports 10,000 pure-ftpd accounts (sha512-crypt
// hashes, stored as given) into a fresh SQLite store, spread over ten
// folders of one site: the target is under a minute.
//
//	go test -run '^$' -bench Import10k -benchtime 1x ./internal/importer/
func BenchmarkImport10k(b *testing.B) {
	const n = 10_000
	for b.Loop() {
		b.StopTimer()
		f := newFixture(b)
		for i := range 10 {
			if err := os.MkdirAll(filepath.Join(f.rootA, fmt.Sprintf("d%d", i)), 0o755); err != nil {
				b.Fatal(err)
			}
		}
		var sb strings.Builder
		for i := range n {
			fmt.Fprintf(&sb, "user%05d:%s:1001:1001::%s/d%d/./:::::::%d:::::\n", i, sha512Hash, f.rootA, i%10, 1<<30)
		}
		file := filepath.Join(b.TempDir(), "pureftpd.passwd")
		if err := os.WriteFile(file, []byte(sb.String()), 0o600); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		recs, err := Parse(PureFTPd, file, Options{})
		if err != nil {
			b.Fatal(err)
		}
		res, err := Run(f.ctx, f.env.Service, recs, RunOptions{})
		if err != nil {
			b.Fatal(err)
		}
		d := time.Since(start)
		b.StopTimer()
		for _, r := range res {
			if r.Result != Created {
				b.Fatalf("line %d: %+v", r.Line, r)
			}
		}
		b.ReportMetric(d.Seconds(), "s/10k")
		b.ReportMetric(float64(n)/d.Seconds(), "accounts/s")
		if d > time.Minute {
			b.Errorf("10,000 accounts took %v, want under a minute", d)
		}
		b.StartTimer()
	}
}

package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"ftpanel/internal/hosting"
	"ftpanel/internal/store/sqlite"
	"ftpanel/internal/store/storetest"
)

// MustOpen opens a store in a temp folder, closed at the end of tb.
func MustOpen(tb testing.TB) *sqlite.DB {
	tb.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "ftpanel.db"))
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Errorf("Close: %v", err)
		}
	})
	return db
}

func TestStore(t *testing.T) {
	storetest.Run(t, func(tb testing.TB) hosting.Store { return MustOpen(tb) })
}

// BenchmarkStore: go test -run '^$' -bench Store -benchtime 20000x ./internal/store/sqlite/
func BenchmarkStore(b *testing.B) {
	storetest.Bench(b, func(tb testing.TB) hosting.Store { return MustOpen(tb) })
}

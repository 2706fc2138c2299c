package sqlite

import (
	"context"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Migration is one embedded schema migration and, when it has been
// applied, when. It mirrors postgres.Migration.
type Migration struct {
	Version   int
	Name      string     // file name, e.g. "0001_init.sql"
	AppliedAt *time.Time // nil while pending
}

// embeddedMigrations returns the embedded migrations in version order.
func embeddedMigrations() ([]Migration, error) {
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	out := make([]Migration, 0, len(names))
	for _, name := range names {
		base := strings.TrimPrefix(name, "migrations/")
		num, _, ok := strings.Cut(base, "_")
		version, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("file %s is not named NNNN_name.sql", base)
		}
		out = append(out, Migration{Version: version, Name: base})
	}
	return out, nil
}

// Migrations lists the embedded migrations with the time each was
// applied (all of them, after Open).
func (db *DB) Migrations(ctx context.Context) ([]Migration, error) {
	list, err := embeddedMigrations()
	if err != nil {
		return nil, fmt.Errorf("sqlite: migrations: %w", err)
	}
	rows, err := db.r.QueryContext(ctx, "SELECT version, applied_at FROM schema_migrations")
	if err != nil {
		return nil, fmt.Errorf("sqlite: migrations: %w", err)
	}
	defer rows.Close()
	applied := map[int]time.Time{}
	for rows.Next() {
		var v int
		var at int64
		if err := rows.Scan(&v, &at); err != nil {
			return nil, fmt.Errorf("sqlite: migrations: %w", err)
		}
		applied[v] = time.Unix(0, at).UTC() // nanoseconds: see toNanos
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: migrations: %w", err)
	}
	for i := range list {
		if at, ok := applied[list[i].Version]; ok {
			list[i].AppliedAt = &at
		}
	}
	return list, nil
}

package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"ftpanel/internal/config"
	"ftpanel/internal/hosting"
	"ftpanel/internal/store/postgres"
	"ftpanel/internal/store/sqlite"
	"ftpanel/internal/store/storecopy"
)

// migration is one schema migration as migrate shows it.
type migration struct {
	Version   int        `json:"version"`
	Name      string     `json:"name"`
	AppliedAt *time.Time `json:"applied_at"` // null while pending
}

// migrateInfo is migrate's answer.
type migrateInfo struct {
	Store      string      `json:"store"`   // the database file, or the DSN without its password
	Applied    int         `json:"applied"` // migrations applied while this command ran (by it, or by a node starting meanwhile)
	Migrations []migration `json:"migrations"`
}

func (a *app) migrateCommand() *cobra.Command {
	var status bool
	c := &cobra.Command{
		Use:   "migrate",
		Short: "Apply the store's pending schema migrations and list them",
		Long: `Apply the schema migrations the configured store (SQLite in the data
folder, or PostgreSQL for --store-dsn / FTPANEL_STORE_DSN) has not seen yet,
then list every migration with the time it was applied.

Every node applies pending migrations when it starts, and so does every
other command when it opens the store; on PostgreSQL they run under a lock,
so that nodes starting together migrate once. Run "ftpanel migrate" after
installing a new version to migrate before the nodes restart.

With --status no SQLite database is created: one that does not exist yet is
reported as missing. (Opening a store still applies what is pending, as
every command does.)`,
		Args: exactArgs(),
	}
	c.Flags().BoolVar(&status, "status", false, "only list the migrations and when each was applied")
	c.RunE = verb(func(cmd *cobra.Command, _ []string) error {
		cfg, err := a.config()
		if err != nil {
			return err
		}
		start := time.Now()
		st, err := openRaw(cmd.Context(), configuredStore(cfg), !status)
		if err != nil {
			return err
		}
		defer st.Close()
		ms, err := st.migrations(cmd.Context())
		if err != nil {
			return fmt.Errorf("cli: migrate: %w", err)
		}
		info := migrateInfo{Store: st.name, Migrations: list(ms)}
		for _, m := range ms {
			// Applied times are written by this clock (in microseconds on
			// PostgreSQL), so a migration of this run is not older than start.
			if m.AppliedAt != nil && !m.AppliedAt.Before(start.Truncate(time.Microsecond)) {
				info.Applied++
			}
		}
		return a.print(info, func(w io.Writer) {
			row(w, "VERSION", "NAME", "APPLIED")
			version := 0
			for _, m := range ms {
				row(w, m.Version, m.Name, fmtTimePtr(m.AppliedAt))
				if m.AppliedAt != nil {
					version = m.Version
				}
			}
			if status {
				return
			}
			if info.Applied > 0 {
				fmt.Fprintf(w, "\n%s: %d migration(s) applied, schema at version %d\n", st.name, info.Applied, version)
			} else {
				fmt.Fprintf(w, "\n%s: schema up to date at version %d\n", st.name, version)
			}
		})
	})
	return c
}

// configuredStore returns the store the configuration selects: its
// PostgreSQL DSN, or the SQLite file in the data folder (as node.OpenStore).
func configuredStore(cfg config.Config) string {
	if cfg.Store.DSN != "" {
		return cfg.Store.DSN
	}
	return filepath.Join(cfg.Data, "ftpanel.db")
}

// rawStore is a store opened by its DSN or path, below hosting.Service:
// for the schema and for copies, which work on rows, not on the model.
type rawStore struct {
	storecopy.Store
	name       string // what to show: the file, or the DSN without its password
	path       string // SQLite: the database file
	created    bool   // SQLite: the file did not exist before
	close      func() error
	migrations func(ctx context.Context) ([]migration, error)
}

// Close closes the store.
func (s *rawStore) Close() error { return s.close() }

// isPostgres reports whether spec is a PostgreSQL URL.
func isPostgres(spec string) bool {
	return strings.HasPrefix(spec, "postgres://") || strings.HasPrefix(spec, "postgresql://")
}

// sqlitePath returns the database file spec names: an existing file, or
// a new one with an extension (backup.db), is the database; an existing
// folder, or a new name without an extension, is a data folder, whose
// database is its ftpanel.db.
func sqlitePath(spec string) string {
	fi, err := os.Stat(spec)
	switch {
	case err == nil && fi.IsDir():
		return filepath.Join(spec, "ftpanel.db")
	case err == nil, filepath.Ext(spec) != "":
		return spec
	}
	return filepath.Join(spec, "ftpanel.db")
}

// checkSpec refuses what is neither a postgres:// URL nor a file path.
func checkSpec(field, spec string) error {
	switch {
	case strings.TrimSpace(spec) == "":
		return hosting.FieldErrorf(hosting.CodeInvalidInput, field, "want a postgres:// URL or the path of a SQLite database or data folder")
	case isPostgres(spec):
		if _, err := url.Parse(spec); err != nil {
			return hosting.FieldErrorf(hosting.CodeInvalidInput, field, "%s is not a valid postgres:// URL", redactDSN(spec))
		}
	case strings.Contains(spec, "://"):
		return hosting.FieldErrorf(hosting.CodeInvalidInput, field,
			"%s: only postgres:// URLs and SQLite paths are stores", redactDSN(spec))
	}
	return nil
}

// openRaw opens the store spec names, applying its pending migrations: a
// postgres:// URL, or the path of a SQLite database (or of a data folder,
// meaning its ftpanel.db). A missing SQLite file is created when create is
// set, else refused as not_found.
func openRaw(ctx context.Context, spec string, create bool) (*rawStore, error) {
	if isPostgres(spec) {
		name := redactDSN(spec)
		db, err := postgres.Open(ctx, spec)
		if err != nil {
			return nil, fmt.Errorf("cli: open %s: %w", name, err)
		}
		return &rawStore{Store: db, name: name, close: db.Close, migrations: func(ctx context.Context) ([]migration, error) {
			ms, err := db.Migrations(ctx)
			out := make([]migration, len(ms))
			for i, m := range ms {
				out[i] = migration{Version: m.Version, Name: m.Name, AppliedAt: m.AppliedAt}
			}
			return out, err
		}}, nil
	}
	path := sqlitePath(spec)
	_, statErr := os.Stat(path)
	created := errors.Is(statErr, fs.ErrNotExist)
	switch {
	case created && !create:
		return nil, hosting.Errorf(hosting.CodeNotFound, "no SQLite database at %s (check --data, or give the database file)", path)
	case created:
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("cli: create folder of %s: %w", path, err)
		}
	case statErr != nil:
		return nil, fmt.Errorf("cli: open %s: %w", path, statErr)
	}
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		return nil, fmt.Errorf("cli: open %s: %w", path, err)
	}
	return &rawStore{Store: db, name: path, path: path, created: created, close: db.Close,
		migrations: func(ctx context.Context) ([]migration, error) {
			ms, err := db.Migrations(ctx)
			out := make([]migration, len(ms))
			for i, m := range ms {
				out[i] = migration{Version: m.Version, Name: m.Name, AppliedAt: m.AppliedAt}
			}
			return out, err
		}}, nil
}

// redactDSN returns dsn without its password, to show it.
func redactDSN(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		// Unparsable: keep only what is surely not a secret.
		if scheme, _, ok := strings.Cut(dsn, "://"); ok {
			return scheme + "://…"
		}
		return "…"
	}
	if q := u.Query(); q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}

// Package pgtest gives tests a fresh PostgreSQL database of their own on
// the server named by FTPANEL_TEST_POSTGRES_DSN, and a fresh schema per
// store within it:
//
//	db := pgtest.NewDatabase(t)        // skips t when the variable is unset
//	st, err := postgres.Open(ctx, db.NewSchema(t, 4))
//
// The database is created as ftpanel_test_<random> and dropped WITH
// (FORCE) when the test ends.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
)

// EnvDSN names the environment variable holding the test server's DSN,
// e.g. postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable.
const EnvDSN = "FTPANEL_TEST_POSTGRES_DSN"

// ServerDSN returns the DSN of the test server, or skips tb saying how to
// enable the test.
func ServerDSN(tb testing.TB) string {
	tb.Helper()
	dsn := os.Getenv(EnvDSN)
	if dsn == "" {
		announceSkip.Do(func() {
			// go test -v shows each skip's reason; this line also shows
			// without -v when go test runs in a package's folder.
			fmt.Fprintf(os.Stderr, "pgtest: %s is unset: this package's PostgreSQL tests are SKIPPED "+
				"(set it to a PostgreSQL server's DSN to run them)\n", EnvDSN)
		})
		tb.Skipf("%s is not set: set it to a PostgreSQL server's DSN to run the PostgreSQL tests, e.g. "+
			"%s='postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable' (they create and drop a database "+
			"of their own)", EnvDSN, EnvDSN)
	}
	return dsn
}

// announceSkip prints the skip notice once per test binary.
var announceSkip sync.Once

// Database is a fresh database on the test server.
type Database struct {
	DSN string // the database's DSN

	mu    sync.Mutex
	admin *pgx.Conn // guarded by mu: a connection runs one statement at a time
	n     int       // schemas made
}

// NewDatabase creates database ftpanel_test_<random> on the test server
// and drops it when tb ends. It skips tb when EnvDSN is unset.
func NewDatabase(tb testing.TB) *Database {
	tb.Helper()
	ctx := context.Background()
	server := ServerDSN(tb)
	b := make([]byte, 6)
	rand.Read(b)
	name := "ftpanel_test_" + hex.EncodeToString(b)
	conn, err := pgx.Connect(ctx, server)
	if err != nil {
		tb.Fatalf("pgtest: connect to %s: %v", EnvDSN, err)
	}
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		conn.Close(ctx)
		tb.Fatalf("pgtest: create database: %v", err)
	}
	d := &Database{DSN: withParams(tb, server, map[string]string{"dbname": name})}
	tb.Cleanup(func() {
		if d.admin != nil {
			d.admin.Close(ctx)
		}
		if _, err := conn.Exec(ctx, "DROP DATABASE "+name+" WITH (FORCE)"); err != nil {
			tb.Errorf("pgtest: drop database %s: %v", name, err)
		}
		conn.Close(ctx)
	})
	if d.admin, err = pgx.Connect(ctx, d.DSN); err != nil {
		tb.Fatalf("pgtest: connect to %s: %v", name, err)
	}
	return d
}

// NewSchema creates a fresh schema (s1, s2, …) and returns its DSN with a
// pool of at most maxConns connections (see SchemaDSN).
func (d *Database) NewSchema(tb testing.TB, maxConns int) string {
	tb.Helper()
	d.mu.Lock()
	defer d.mu.Unlock()
	d.n++
	schema := fmt.Sprintf("s%d", d.n)
	if _, err := d.admin.Exec(context.Background(), "CREATE SCHEMA "+schema); err != nil {
		tb.Fatalf("pgtest: create schema: %v", err)
	}
	return d.SchemaDSN(tb, schema, maxConns)
}

// SchemaDSN returns the DSN whose connections use schema (search_path),
// with a pool of at most maxConns connections; 0 leaves the pool setting
// out, for a plain pgx.Connect, which does not know it.
func (d *Database) SchemaDSN(tb testing.TB, schema string, maxConns int) string {
	tb.Helper()
	params := map[string]string{"search_path": schema}
	if maxConns > 0 {
		params["pool_max_conns"] = fmt.Sprint(maxConns)
	}
	return withParams(tb, d.DSN, params)
}

// withParams returns dsn with the connection parameters set, in URL or
// key=value form.
func withParams(tb testing.TB, dsn string, params map[string]string) string {
	tb.Helper()
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			tb.Fatalf("pgtest: %s: %v", EnvDSN, err)
		}
		q := u.Query()
		for k, v := range params {
			if k == "dbname" {
				u.Path = "/" + v
				continue
			}
			q.Set(k, v)
		}
		u.RawQuery = q.Encode()
		return u.String()
	}
	for k, v := range params { // key=value: a later key wins
		dsn += " " + k + "=" + v
	}
	return dsn
}

// Package storecopy copies the lasting content of one store into another,
// empty one: SQLite into PostgreSQL when one machine is no longer enough,
// and back (issue 8, `ftpanel` copy command).
//
// Every row of every lasting table is copied as it is, IDs and timestamps
// included: admins, customers, sites, FTP accounts with their password
// hashes, tokens, audit events and bans. Live sessions and the key-value
// table (web sessions, idempotency keys) are not: they belong to running
// nodes. Copy while no node uses the source.
//
// The copy works on rows, not on the hosting model, so that no column is
// dropped on the way: each store says which tables it copies (parents
// before children) and gives each row as a map from column name to a
// value of one of these canonical types:
//
//	int64      integers (IDs, limits, sizes)
//	string     text
//	bool       booleans
//	[]byte     binary values
//	time.Time  times, in UTC
//	[]string   address lists (ftp_accounts.allowed_ips; nil when empty)
//	nil        NULL (tokens.customer_id of an admin token, unset times)
//
// A store loading a row refuses a missing or unknown column and a value of
// another type, so two stores whose schemas differ fail the copy instead of
// losing a column. The whole load is one transaction: a copy that fails
// leaves the destination empty.
//
// Precision: both stores keep times to the microsecond, for years
// 0001–9999 (SQLite as unix microseconds since its migration 0002), so a
// copy either way is exact.
package storecopy

import (
	"context"
	"errors"
	"fmt"
	"slices"
)

// Store is a store that rows can be copied from and into. *sqlite.DB and
// *postgres.DB implement it.
type Store interface {
	// CopyTables lists the tables a copy carries, parents before children.
	CopyTables() []string
	// CountRows returns the number of rows of table.
	CountRows(ctx context.Context, table string) (int, error)
	// DumpRows calls fn with every row of the tables, table by table in
	// the order given, each table's rows by primary key, all read from
	// one snapshot of the store. An error of fn stops the dump and is
	// returned.
	DumpRows(ctx context.Context, tables []string, fn func(table string, row map[string]any) error) error
	// LoadRows runs fill in one transaction, committed when fill returns
	// nil; put inserts a row into table as it is, its ID included. When
	// fill or a put fails nothing is kept. Rows must come parents first.
	LoadRows(ctx context.Context, fill func(put func(table string, row map[string]any) error) error) error
}

// progressEvery is how many rows are copied between two progress calls.
const progressEvery = 500

// Copy copies every row of src's tables into dst, which must have the same
// tables, all empty. progress, when not nil, is called with the rows
// copied so far and the total, every few hundred rows and at the end of
// each table; the last call has done == total. The total is counted before
// the dump's snapshot is taken, so it is exact only when the source is not
// in use; the copy itself is always one consistent snapshot.
func Copy(ctx context.Context, dst, src Store, progress func(done, total int)) error {
	tables := src.CopyTables()
	if other := dst.CopyTables(); !slices.Equal(tables, other) {
		return fmt.Errorf("storecopy: the stores differ: the source has tables %v, the destination %v", tables, other)
	}
	total := 0
	for _, t := range tables {
		n, err := dst.CountRows(ctx, t)
		if err != nil {
			return fmt.Errorf("storecopy: destination: %w", err)
		}
		if n > 0 {
			return fmt.Errorf("storecopy: the destination is not empty: table %s has %d rows", t, n)
		}
		if n, err = src.CountRows(ctx, t); err != nil {
			return fmt.Errorf("storecopy: source: %w", err)
		}
		total += n
	}
	if progress == nil {
		progress = func(int, int) {}
	}
	done := 0
	err := dst.LoadRows(ctx, func(put func(string, map[string]any) error) error {
		last := ""
		err := src.DumpRows(ctx, tables, func(table string, row map[string]any) error {
			if table != last && last != "" {
				progress(done, max(total, done))
			}
			last = table
			if err := put(table, row); err != nil {
				return &loadError{err}
			}
			done++
			if done%progressEvery == 0 {
				progress(done, max(total, done))
			}
			return nil
		})
		var le *loadError
		if errors.As(err, &le) {
			return fmt.Errorf("storecopy: destination: %w", le.err)
		}
		if err != nil {
			return fmt.Errorf("storecopy: source: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	progress(done, done)
	return nil
}

// loadError marks an error of the destination inside the source's dump.
type loadError struct{ err error }

func (e *loadError) Error() string { return e.err.Error() }
func (e *loadError) Unwrap() error { return e.err }

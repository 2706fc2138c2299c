package postgres

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// This file lets package storecopy copy the store's rows to and from
// another store (see storecopy for the canonical value types).

// colKind is the canonical type of a column in a copy.
type colKind int

const (
	kInt      colKind = iota // int64
	kIntNull                 // int64 or nil
	kText                    // string
	kBool                    // bool
	kBytes                   // []byte
	kTime                    // time.Time, UTC
	kTimeNull                // time.Time or nil
	kStrings                 // []string, nil when empty
)

type copyCol struct {
	name string
	kind colKind
}

type copyTable struct {
	name     string
	key      string // primary key, the dump's order
	identity bool   // key is an identity column whose sequence follows a load
	cols     []copyCol
}

// copyTables describes the lasting tables, parents before children; it
// matches migrations/ and the SQLite store's list.
func copyTables() []copyTable {
	return []copyTable{
		{"admins", "id", true, []copyCol{{"id", kInt}, {"login", kText}, {"password_hash", kText}, {"created_at", kTime},
			{"totp_secret", kText}, {"totp_recovery", kText}, {"totp_last_step", kInt}}},
		{"customers", "id", true, []copyCol{{"id", kInt}, {"login", kText}, {"name", kText}, {"email", kText},
			{"password_hash", kText}, {"status", kText}, {"max_ftp_accounts", kInt}, {"created_at", kTime},
			{"updated_at", kTime}, {"totp_secret", kText}, {"totp_recovery", kText}, {"totp_last_step", kInt}}},
		{"sites", "id", true, []copyCol{{"id", kInt}, {"name", kText}, {"customer_id", kInt}, {"root", kText},
			{"ip", kText}, {"uid", kInt}, {"gid", kInt}, {"status", kText}, {"max_ftp_accounts", kInt},
			{"default_quota", kInt}, {"created_at", kTime}, {"updated_at", kTime}, {"used_bytes", kInt},
			{"used_measured_at", kTimeNull}}},
		{"ftp_accounts", "id", true, []copyCol{{"id", kInt}, {"login", kText}, {"site_id", kInt}, {"customer_id", kInt},
			{"home", kText}, {"password_hash", kText}, {"quota_bytes", kInt}, {"can_read", kBool}, {"can_write", kBool},
			{"status", kText}, {"main", kBool}, {"expires_at", kTimeNull}, {"allowed_ips", kStrings},
			{"created_at", kTime}, {"updated_at", kTime}, {"last_login_at", kTimeNull}, {"used_bytes", kInt},
			{"used_measured_at", kTimeNull}, {"last_login_addr", kText}}},
		{"tokens", "id", true, []copyCol{{"id", kInt}, {"kind", kText}, {"key", kText}, {"secret_hash", kText},
			{"admin", kBool}, {"customer_id", kIntNull}, {"description", kText}, {"created_at", kTime},
			{"last_used_at", kTimeNull}}},
		{"ssh_keys", "id", true, []copyCol{{"id", kInt}, {"account_id", kInt}, {"type", kText}, {"public_key", kText},
			{"fingerprint", kText}, {"comment", kText}, {"created_at", kTime}, {"last_used_at", kTimeNull}}},
		{"audit_events", "id", true, []copyCol{{"id", kInt}, {"time", kTime}, {"actor_kind", kText}, {"actor", kText},
			{"customer_id", kInt}, {"via", kText}, {"remote_addr", kText}, {"action", kText}, {"object_type", kText},
			{"object_id", kInt}, {"object_name", kText}, {"detail", kText}}},
		{"bans", "addr", false, []copyCol{{"addr", kText}, {"until", kTime}, {"strikes", kInt}, {"reason", kText},
			{"node", kText}, {"created_at", kTime}}},
	}
}

func findCopyTable(name string) (copyTable, error) {
	for _, t := range copyTables() {
		if t.name == name {
			return t, nil
		}
	}
	return copyTable{}, fmt.Errorf("no table %q to copy", name)
}

func (t copyTable) colNames() []string {
	out := make([]string, len(t.cols))
	for i, c := range t.cols {
		out[i] = c.name
	}
	return out
}

// CopyTables lists the tables a copy carries (storecopy.Store).
func (db *DB) CopyTables() []string {
	var out []string
	for _, t := range copyTables() {
		out = append(out, t.name)
	}
	return out
}

// CountRows returns the number of rows of a copied table (storecopy.Store).
func (db *DB) CountRows(ctx context.Context, table string) (int, error) {
	t, err := findCopyTable(table)
	if err != nil {
		return 0, wrap("count rows", err)
	}
	var n int
	if err := db.pool.QueryRow(ctx, "SELECT count(*) FROM "+t.name).Scan(&n); err != nil {
		return 0, wrap("count rows "+table, err)
	}
	return n, nil
}

// DumpRows calls fn with every row of tables, from one REPEATABLE READ
// snapshot (storecopy.Store).
func (db *DB) DumpRows(ctx context.Context, tables []string, fn func(table string, row map[string]any) error) error {
	const op = "dump rows"
	var defs []copyTable
	for _, name := range tables {
		t, err := findCopyTable(name)
		if err != nil {
			return wrap(op, err)
		}
		defs = append(defs, t)
	}
	tx, err := db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return wrap(op, err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	for _, t := range defs {
		if err := dumpTable(ctx, tx, t, fn); err != nil {
			return err
		}
	}
	return nil
}

func dumpTable(ctx context.Context, tx pgx.Tx, t copyTable, fn func(table string, row map[string]any) error) error {
	op := "dump " + t.name
	rows, err := tx.Query(ctx, "SELECT "+strings.Join(t.colNames(), ", ")+" FROM "+t.name+" ORDER BY "+t.key)
	if err != nil {
		return wrap(op, err)
	}
	defer rows.Close()
	dest := make([]any, len(t.cols))
	for i, c := range t.cols {
		switch c.kind {
		case kInt:
			dest[i] = new(int64)
		case kIntNull:
			dest[i] = new(*int64)
		case kText:
			dest[i] = new(string)
		case kBool:
			dest[i] = new(bool)
		case kBytes:
			dest[i] = new([]byte)
		case kTime:
			dest[i] = new(time.Time)
		case kTimeNull:
			dest[i] = new(*time.Time)
		case kStrings:
			dest[i] = new([]string)
		}
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return wrap(op, err)
		}
		row := make(map[string]any, len(t.cols))
		for i, c := range t.cols {
			var v any
			switch p := dest[i].(type) {
			case *int64:
				v = *p
			case **int64:
				if *p != nil {
					v = **p
				}
			case *string:
				v = *p
			case *bool:
				v = *p
			case *[]byte:
				v = append([]byte{}, *p...)
			case *time.Time:
				v = p.UTC()
			case **time.Time:
				if *p != nil {
					v = (*p).UTC()
				}
			case *[]string:
				if len(*p) > 0 {
					v = append([]string(nil), *p...)
				} else {
					v = []string(nil)
				}
			}
			row[c.name] = v
		}
		if err := fn(t.name, row); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return wrap(op, err)
	}
	return nil
}

// loadBatch is how many rows go to the server in one COPY.
const loadBatch = 5000

// LoadRows inserts the rows fill puts, in one transaction, with COPY in
// batches; the identity sequences then continue after the highest IDs
// loaded (storecopy.Store).
func (db *DB) LoadRows(ctx context.Context, fill func(put func(table string, row map[string]any) error) error) error {
	const op = "load rows"
	return db.write(ctx, op, func(tx pgx.Tx) error {
		var cur copyTable
		var batch [][]any
		loaded := map[string]bool{}
		flush := func() error {
			if len(batch) == 0 {
				return nil
			}
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{cur.name}, cur.colNames(), pgx.CopyFromRows(batch)); err != nil {
				return wrap(op+" "+cur.name, err)
			}
			batch = batch[:0]
			return nil
		}
		put := func(table string, row map[string]any) error {
			if table != cur.name {
				if err := flush(); err != nil {
					return err
				}
				t, err := findCopyTable(table)
				if err != nil {
					return wrap(op, err)
				}
				cur = t
				loaded[table] = true
			}
			vals, err := loadValues(cur, row)
			if err != nil {
				return wrap(op, err)
			}
			batch = append(batch, vals)
			if len(batch) >= loadBatch {
				return flush()
			}
			return nil
		}
		if err := fill(put); err != nil {
			return err
		}
		if err := flush(); err != nil {
			return err
		}
		for _, t := range copyTables() {
			if !t.identity || !loaded[t.name] {
				continue
			}
			// is_called false: the next ID is max+1 (1 on an empty table).
			if _, err := tx.Exec(ctx, fmt.Sprintf("SELECT setval(pg_get_serial_sequence('%s', '%s'), "+
				"COALESCE((SELECT max(%s) FROM %s), 0) + 1, false)", t.name, t.key, t.key, t.name)); err != nil {
				return wrap(op+" "+t.name, err)
			}
		}
		return nil
	})
}

// loadValues checks row against t (the same columns, canonical types)
// and returns its values in t's column order, as the database takes them.
func loadValues(t copyTable, row map[string]any) ([]any, error) {
	if len(row) != len(t.cols) {
		return nil, fmt.Errorf("%s: row has columns %v, want %v", t.name, keys(row), t.colNames())
	}
	vals := make([]any, len(t.cols))
	for i, c := range t.cols {
		v, ok := row[c.name]
		if !ok {
			return nil, fmt.Errorf("%s: row has columns %v, want %v", t.name, keys(row), t.colNames())
		}
		bad := func() error { return fmt.Errorf("%s.%s: value of type %T", t.name, c.name, v) }
		switch c.kind {
		case kInt, kIntNull:
			if v == nil && c.kind == kIntNull {
				break
			}
			if _, ok := v.(int64); !ok {
				return nil, bad()
			}
		case kText:
			if _, ok := v.(string); !ok {
				return nil, bad()
			}
		case kBool:
			if _, ok := v.(bool); !ok {
				return nil, bad()
			}
		case kBytes:
			b, ok := v.([]byte)
			if !ok {
				return nil, bad()
			}
			if b == nil {
				v = []byte{}
			}
		case kTime, kTimeNull:
			if v == nil && c.kind == kTimeNull {
				break
			}
			tm, ok := v.(time.Time)
			if !ok {
				return nil, bad()
			}
			v = utc(tm)
		case kStrings:
			s, ok := v.([]string)
			if !ok && v != nil {
				return nil, bad()
			}
			v = ips(s)
		}
		vals[i] = v
	}
	return vals, nil
}

func keys(row map[string]any) []string { return slices.Sorted(maps.Keys(row)) }

package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// This file lets package storecopy copy the store's rows to and from
// another store. Rows travel in storecopy's canonical types: times as
// time.Time in UTC (stored here as unix microseconds), booleans as bool
// (stored as 0/1), allowed_ips as []string (stored as a JSON array, ''
// when empty).

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
	name string
	key  string // primary key, the dump's order
	cols []copyCol
}

// copyTables describes the lasting tables, parents before children; it
// matches migrations/ and the PostgreSQL store's list.
func copyTables() []copyTable {
	return []copyTable{
		{"admins", "id", []copyCol{{"id", kInt}, {"login", kText}, {"password_hash", kText}, {"created_at", kTime},
			{"totp_secret", kText}, {"totp_recovery", kText}, {"totp_last_step", kInt}}},
		{"customers", "id", []copyCol{{"id", kInt}, {"login", kText}, {"name", kText}, {"email", kText},
			{"password_hash", kText}, {"status", kText}, {"max_ftp_accounts", kInt}, {"created_at", kTime},
			{"updated_at", kTime}, {"totp_secret", kText}, {"totp_recovery", kText}, {"totp_last_step", kInt}}},
		{"sites", "id", []copyCol{{"id", kInt}, {"name", kText}, {"customer_id", kInt}, {"root", kText},
			{"ip", kText}, {"uid", kInt}, {"gid", kInt}, {"status", kText}, {"max_ftp_accounts", kInt},
			{"default_quota", kInt}, {"created_at", kTime}, {"updated_at", kTime}, {"used_bytes", kInt},
			{"used_measured_at", kTimeNull}}},
		{"ftp_accounts", "id", []copyCol{{"id", kInt}, {"login", kText}, {"site_id", kInt}, {"customer_id", kInt},
			{"home", kText}, {"password_hash", kText}, {"quota_bytes", kInt}, {"can_read", kBool}, {"can_write", kBool},
			{"status", kText}, {"main", kBool}, {"expires_at", kTimeNull}, {"allowed_ips", kStrings},
			{"created_at", kTime}, {"updated_at", kTime}, {"last_login_at", kTimeNull}, {"used_bytes", kInt},
			{"used_measured_at", kTimeNull}, {"last_login_addr", kText}}},
		{"tokens", "id", []copyCol{{"id", kInt}, {"kind", kText}, {"key", kText}, {"secret_hash", kText},
			{"admin", kBool}, {"customer_id", kIntNull}, {"description", kText}, {"created_at", kTime},
			{"last_used_at", kTimeNull}}},
		{"ssh_keys", "id", []copyCol{{"id", kInt}, {"account_id", kInt}, {"type", kText}, {"public_key", kText},
			{"fingerprint", kText}, {"comment", kText}, {"created_at", kTime}, {"last_used_at", kTimeNull}}},
		{"audit_events", "id", []copyCol{{"id", kInt}, {"time", kTime}, {"actor_kind", kText}, {"actor", kText},
			{"customer_id", kInt}, {"via", kText}, {"remote_addr", kText}, {"action", kText}, {"object_type", kText},
			{"object_id", kInt}, {"object_name", kText}, {"detail", kText}}},
		{"bans", "addr", []copyCol{{"addr", kText}, {"until", kTime}, {"strikes", kInt}, {"reason", kText},
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
	if err := db.r.QueryRowContext(ctx, "SELECT count(*) FROM "+t.name).Scan(&n); err != nil {
		return 0, wrap("count rows "+table, err)
	}
	return n, nil
}

// DumpRows calls fn with every row of tables, from one read transaction,
// which WAL keeps on one snapshot (storecopy.Store).
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
	tx, err := db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return wrap(op, err)
	}
	defer tx.Rollback()
	for _, t := range defs {
		if err := dumpTable(ctx, tx, t, fn); err != nil {
			return err
		}
	}
	return nil
}

func dumpTable(ctx context.Context, tx *sql.Tx, t copyTable, fn func(table string, row map[string]any) error) error {
	op := "dump " + t.name
	rows, err := tx.QueryContext(ctx, "SELECT "+strings.Join(t.colNames(), ", ")+" FROM "+t.name+" ORDER BY "+t.key)
	if err != nil {
		return wrap(op, err)
	}
	defer rows.Close()
	dest := make([]any, len(t.cols))
	for i, c := range t.cols {
		switch c.kind {
		case kInt, kBool, kTime:
			dest[i] = new(int64)
		case kIntNull, kTimeNull:
			dest[i] = new(sql.NullInt64)
		case kText, kStrings:
			dest[i] = new(string)
		case kBytes:
			dest[i] = new([]byte)
		}
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return wrap(op, err)
		}
		row := make(map[string]any, len(t.cols))
		for i, c := range t.cols {
			var v any
			switch c.kind {
			case kInt:
				v = *dest[i].(*int64)
			case kBool:
				v = *dest[i].(*int64) != 0
			case kTime:
				v = fromNanos(*dest[i].(*int64))
			case kIntNull, kTimeNull:
				if n := *dest[i].(*sql.NullInt64); n.Valid {
					v = n.Int64
					if c.kind == kTimeNull {
						v = fromNanos(n.Int64)
					}
				}
			case kText:
				v = *dest[i].(*string)
			case kStrings:
				var list []string
				if s := *dest[i].(*string); s != "" {
					if err := json.Unmarshal([]byte(s), &list); err != nil {
						return wrap(op, fmt.Errorf("%s %q: %w", c.name, s, err))
					}
				}
				if len(list) == 0 {
					list = nil
				}
				v = list
			case kBytes:
				v = append([]byte{}, *dest[i].(*[]byte)...)
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

// LoadRows inserts the rows fill puts in one write transaction
// (storecopy.Store). AUTOINCREMENT keeps counting after the highest ID
// inserted, so new objects never reuse a copied ID.
func (db *DB) LoadRows(ctx context.Context, fill func(put func(table string, row map[string]any) error) error) error {
	const op = "load rows"
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return wrap(op, err)
	}
	defer tx.Rollback()
	var cur copyTable
	var stmt *sql.Stmt
	defer func() {
		if stmt != nil {
			stmt.Close()
		}
	}()
	put := func(table string, row map[string]any) error {
		if table != cur.name {
			t, err := findCopyTable(table)
			if err != nil {
				return wrap(op, err)
			}
			if stmt != nil {
				stmt.Close()
			}
			q := "INSERT INTO " + t.name + " (" + strings.Join(t.colNames(), ", ") + ") VALUES (" +
				strings.TrimSuffix(strings.Repeat("?, ", len(t.cols)), ", ") + ")"
			if stmt, err = tx.PrepareContext(ctx, q); err != nil {
				return wrap(op, err)
			}
			cur = t
		}
		vals, err := loadValues(cur, row)
		if err != nil {
			return wrap(op, err)
		}
		if _, err := stmt.ExecContext(ctx, vals...); err != nil {
			return wrap(op+" "+cur.name, err)
		}
		return nil
	}
	if err := fill(put); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return wrap(op, err)
	}
	return nil
}

// loadValues checks row against t (the same columns, canonical types)
// and returns its values in t's column order, as stored here.
func loadValues(t copyTable, row map[string]any) ([]any, error) {
	if len(row) != len(t.cols) {
		return nil, fmt.Errorf("%s: row has columns %v, want %v", t.name, slices.Sorted(maps.Keys(row)), t.colNames())
	}
	vals := make([]any, len(t.cols))
	for i, c := range t.cols {
		v, ok := row[c.name]
		if !ok {
			return nil, fmt.Errorf("%s: row has columns %v, want %v", t.name, slices.Sorted(maps.Keys(row)), t.colNames())
		}
		bad := fmt.Errorf("%s.%s: value of type %T", t.name, c.name, v)
		if v == nil && (c.kind == kIntNull || c.kind == kTimeNull || c.kind == kStrings) {
			if c.kind == kStrings {
				v = ""
			}
			vals[i] = v
			continue
		}
		switch c.kind {
		case kInt, kIntNull:
			if _, ok := v.(int64); !ok {
				return nil, bad
			}
		case kText:
			if _, ok := v.(string); !ok {
				return nil, bad
			}
		case kBool:
			b, ok := v.(bool)
			if !ok {
				return nil, bad
			}
			v = boolInt(b)
		case kBytes:
			b, ok := v.([]byte)
			if !ok {
				return nil, bad
			}
			if b == nil {
				v = []byte{}
			}
		case kTime, kTimeNull:
			tm, ok := v.(time.Time)
			if !ok {
				return nil, bad
			}
			v = toNanos(tm)
		case kStrings:
			list, ok := v.([]string)
			if !ok {
				return nil, bad
			}
			s := ""
			if len(list) > 0 {
				b, err := json.Marshal(list)
				if err != nil {
					return nil, fmt.Errorf("%s.%s: %w", t.name, c.name, err)
				}
				s = string(b)
			}
			v = s
		}
		vals[i] = v
	}
	return vals, nil
}

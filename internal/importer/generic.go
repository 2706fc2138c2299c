package importer

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
)

// The generic format: one account per CSV row (after a header row naming
// the columns, in any order) or per JSON object. Fields:
//
//	login      required; kept as it is
//	hash       a crypt or argon2id hash, stored as given; or
//	password   a clear-text password, hashed on import (policy applies)
//	home       the folder: an absolute path on the old server, or
//	           site-relative when the site is named (or --site given)
//	site       optional: the site (domain); default: found by home
//	customer   optional: the site must belong to this customer
//	quota      optional: bytes, with K/M/G/T suffix, or -1/"unlimited"
//	read       optional: true/false/yes/no/1/0 (default true)
//	write      optional: as read (default true)
//	allowed_ips optional: addresses or CIDRs, separated by spaces or commas
//
// In JSON, quota may be a number, read and write booleans and allowed_ips
// an array.
var genericFields = []string{"customer", "site", "login", "hash", "password", "home", "quota", "read", "write", "allowed_ips"}

func parseCSV(file string) ([]Record, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, openErr("file", file, err)
	}
	defer f.Close()
	// Lines are checked (length, NUL, UTF-8) before the CSV reader sees
	// them; a refused line becomes an empty one the reader skips.
	var clean bytes.Buffer
	bad := map[int]error{}
	if err := eachLine(f, func(l line) {
		if l.err != nil {
			bad[l.n] = l.err
			clean.WriteString("\n")
			return
		}
		clean.WriteString(l.text + "\n")
	}); err != nil {
		return nil, openErr("file", file, err)
	}
	cr := csv.NewReader(&clean)
	cr.FieldsPerRecord = -1
	cr.Comment = '#'
	var recs []Record
	for n := range bad {
		recs = append(recs, Record{File: file, Line: n, Err: bad[n]})
	}
	var cols []string
	for {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			ln := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				ln = pe.StartLine
			}
			recs = append(recs, Record{File: file, Line: ln, Err: lineErr("line", "not a CSV row: %v", err)})
			if cols == nil {
				return sortRecords(recs), nil
			}
			continue
		}
		ln, _ := cr.FieldPos(0)
		if cols == nil {
			cols = make([]string, len(row))
			seen := map[string]bool{}
			for i, c := range row {
				c = strings.ToLower(strings.TrimSpace(c))
				if !isGenericField(c) || seen[c] {
					return nil, lineErr("file", "%s line %d: header column %q is unknown or repeated (want some of: %s)", file, ln, c, strings.Join(genericFields, ", "))
				}
				seen[c] = true
				cols[i] = c
			}
			if !seen["login"] {
				return nil, lineErr("file", "%s: the header has no login column", file)
			}
			continue
		}
		r := Record{File: file, Line: ln}
		if len(row) != len(cols) {
			r.Err = lineErr("line", "want %d columns as in the header, got %d", len(cols), len(row))
		} else {
			m := map[string]any{}
			for i, v := range row {
				m[cols[i]] = v
			}
			genericRecord(m, &r)
		}
		recs = append(recs, r)
	}
	return sortRecords(recs), nil
}

func isGenericField(c string) bool {
	for _, f := range genericFields {
		if f == c {
			return true
		}
	}
	return false
}

// parseJSON reads a JSON array of objects, or JSON Lines (one object a line).
func parseJSON(file string) ([]Record, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, openErr("file", file, err)
	}
	if t := bytes.TrimLeft(b, " \t\r\n"); len(t) > 0 && t[0] == '[' {
		return parseJSONArray(file, b)
	}
	var recs []Record
	err = eachLine(bytes.NewReader(b), func(l line) {
		if l.err == nil && strings.TrimSpace(l.text) == "" {
			return
		}
		r := Record{File: file, Line: l.n, Err: l.err}
		if l.err == nil {
			jsonRecord([]byte(l.text), &r)
		}
		recs = append(recs, r)
	})
	if err != nil {
		return nil, openErr("file", file, err)
	}
	return recs, nil
}

func parseJSONArray(file string, b []byte) ([]Record, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	if _, err := dec.Token(); err != nil {
		return nil, lineErr("file", "%s: not a JSON array: %v", file, err)
	}
	var recs []Record
	for dec.More() {
		off := dec.InputOffset()
		ln := 1 + bytes.Count(b[:off], []byte("\n"))
		if i := bytes.IndexFunc(b[off:], func(r rune) bool { return r != ' ' && r != '\t' && r != '\r' && r != '\n' && r != ',' }); i > 0 {
			ln = 1 + bytes.Count(b[:int(off)+i], []byte("\n"))
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			recs = append(recs, Record{File: file, Line: ln, Err: lineErr("line", "not a JSON object: %v", err)})
			return recs, nil
		}
		if len(recs) >= MaxRecords {
			recs = append(recs, Record{File: file, Line: ln, Err: lineErr("file", "more than %d records; the rest is not read", MaxRecords)})
			return recs, nil
		}
		r := Record{File: file, Line: ln}
		if len(raw) > MaxLine {
			r.Err = lineErr("line", "object is longer than %d bytes", MaxLine)
		} else {
			jsonRecord(raw, &r)
		}
		recs = append(recs, r)
	}
	return recs, nil
}

func jsonRecord(b []byte, r *Record) {
	var m map[string]any
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(&m); err != nil || m == nil {
		r.Err = lineErr("line", "not a JSON object")
		return
	}
	for k := range m {
		if !isGenericField(k) {
			r.Err = lineErr(k, "unknown field %q (want some of: %s)", k, strings.Join(genericFields, ", "))
			return
		}
	}
	genericRecord(m, r)
}

// genericRecord fills r from the fields of one CSV row or JSON object.
func genericRecord(m map[string]any, r *Record) {
	str := func(k string) (string, bool) {
		switch v := m[k].(type) {
		case nil:
			return "", true
		case string:
			return strings.TrimSpace(v), true
		case json.Number:
			return v.String(), true
		case bool:
			return strconv.FormatBool(v), true
		}
		return "", false
	}
	for _, k := range []string{"customer", "site", "login", "hash", "password", "home", "quota", "read", "write"} {
		if _, ok := str(k); !ok {
			r.Err = lineErr(k, "%s must be a string", k)
			return
		}
	}
	r.Customer, _ = str("customer")
	r.Site, _ = str("site")
	r.Login, _ = str("login")
	r.Hash, _ = str("hash")
	r.Password, _ = str("password")
	r.Home, _ = str("home")
	if r.Hash == "" && r.Password == "" {
		r.Err = lineErr("password_hash", "give a hash or a password")
		return
	}
	if strings.HasPrefix(r.Home, "/") {
		if r.Home, r.Err = cleanAbs(r.Home); r.Err != nil {
			return
		}
	}
	if q, _ := str("quota"); q != "" {
		n, err := parseQuota(q)
		if err != nil {
			r.Err = lineErr("quota", "%v", err)
			return
		}
		r.QuotaBytes = &n
	}
	for _, p := range []struct {
		k string
		v **bool
	}{{"read", &r.Read}, {"write", &r.Write}} {
		s, _ := str(p.k)
		if s == "" {
			continue
		}
		b, err := parseBool(s)
		if err != nil {
			r.Err = lineErr(p.k, "%s %q is not true or false", p.k, s)
			return
		}
		*p.v = &b
	}
	switch v := m["allowed_ips"].(type) {
	case nil:
	case string:
		r.AllowedIPs = strings.FieldsFunc(v, func(c rune) bool { return c == ',' || c == ' ' || c == ';' })
	case []any:
		for _, x := range v {
			s, ok := x.(string)
			if !ok {
				r.Err = lineErr("allowed_ips", "allowed_ips must be strings")
				return
			}
			r.AllowedIPs = append(r.AllowedIPs, s)
		}
	default:
		r.Err = lineErr("allowed_ips", "allowed_ips must be a string or an array of strings")
	}
}

func parseBool(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "true", "yes", "1", "y", "on":
		return true, nil
	case "false", "no", "0", "n", "off":
		return false, nil
	}
	return false, fmt.Errorf("not a boolean")
}

// parseQuota reads bytes with an optional K/M/G/T suffix (powers of 1024),
// or -1 / "unlimited".
func parseQuota(s string) (int64, error) {
	l := strings.ToLower(strings.TrimSpace(s))
	if l == "unlimited" || l == "-1" {
		return -1, nil
	}
	mult := int64(1)
	l = strings.TrimSuffix(l, "b")
	if l != "" {
		switch l[len(l)-1] {
		case 'k':
			mult = 1 << 10
		case 'm':
			mult = 1 << 20
		case 'g':
			mult = 1 << 30
		case 't':
			mult = 1 << 40
		}
		if mult > 1 {
			l = l[:len(l)-1]
		}
	}
	n, err := strconv.ParseInt(l, 10, 64)
	if err != nil || n < 0 || n > (1<<62)/mult {
		return 0, fmt.Errorf("quota %q is not a number of bytes (e.g. 1073741824, 500M, 10G, unlimited)", s)
	}
	return n * mult, nil
}

// sortRecords orders records by line.
func sortRecords(recs []Record) []Record {
	sort.SliceStable(recs, func(i, j int) bool { return recs[i].Line < recs[j].Line })
	return recs
}

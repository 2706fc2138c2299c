// Package importer moves FTP accounts from other servers to ftpanel:
// pure-ftpd, ProFTPD, vsftpd, HestiaCP and a generic CSV/JSON format.
//
// It works in two pure steps. A parser reads a source's files into
// Records, each with the file and line it came from and, when the line
// cannot be read, the reason (Record.Err). Run then plans every record
// against the hosting.Service: it finds the site (the longest site root
// that contains the home, or the one given), and imports the account
// through Service.ImportAccount, so that every rule, limit and the audit
// trail apply and password hashes are stored as given. Each record gets
// one Result: created, unchanged (an identical account exists) or refused
// with the hosting error code. A dry run checks the same and changes
// nothing.
package importer

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
	"unicode/utf8"

	"ftpanel/internal/hosting"
)

// Source names an input format.
type Source string

// The sources Parse reads.
const (
	PureFTPd Source = "pureftpd" // pureftpd.passwd as written by pure-pw
	ProFTPD  Source = "proftpd"  // AuthUserFile (ftpasswd) + optional ftpquota text
	VSFTPd   Source = "vsftpd"   // pam_pwdfile/htpasswd login:crypt + user_config_dir
	Hestia   Source = "hestia"   // HestiaCP data folder (users/USER/web.conf)
	CSV      Source = "csv"      // the generic format, comma-separated with a header
	JSON     Source = "json"     // the generic format, a JSON array or one object per line
)

// Sources lists every source, in the order of the documentation.
func Sources() []Source { return []Source{PureFTPd, ProFTPD, VSFTPd, Hestia, CSV, JSON} }

// MaxLine is the longest line a parser reads; a longer line is refused on
// its own and the rest of the file is still read.
const MaxLine = 64 << 10

// MaxFileSize bounds the size of an input file.
const MaxFileSize = 512 << 20

// MaxRecords bounds how many records one import reads.
const MaxRecords = 1_000_000

// Record is one account read from a source.
type Record struct {
	File string // the file it came from
	Line int    // 1-based line number in File

	Login    string
	Hash     string // crypt or argon2id hash, stored as given
	Password string // generic format only: a clear-text password, hashed on import
	// Home is the account's folder: an absolute path on the old server
	// (mapped with Options.MapHome), or site-relative in the generic format
	// when the record names its site.
	Home       string
	QuotaBytes *int64
	Read       *bool
	Write      *bool
	AllowedIPs []string
	UID, GID   *int // pure-ftpd, ProFTPD: the system user files belong to

	Customer     string // HestiaCP, generic: the customer login
	CustomerName string // HestiaCP: the customer's name, for a new customer
	Email        string // HestiaCP: the customer's contact, for a new customer
	Site         string // HestiaCP, generic: the site (domain)
	SiteRoot     string // HestiaCP: the web domain's folder on the old server
	Compat       hosting.Compat

	// Notes are settings of the old server that ftpanel does not carry over.
	Notes []string
	// Err is why the line cannot be imported (a *hosting.Error).
	Err error
}

// Options tune Parse.
type Options struct {
	// QuotaFile is ProFTPD's `ftpquota --show-records --type=limit` output.
	QuotaFile string
	// UserConfigDir is vsftpd's user_config_dir (one file per login).
	UserConfigDir string
	// HestiaHome is HestiaCP's HOMEDIR (default "/home").
	HestiaHome string
}

// Parse reads the files of a source. An error means the input as a whole
// cannot be read (a missing file, an unknown source); problems of single
// lines are in the records' Err.
func Parse(src Source, file string, o Options) ([]Record, error) {
	if src != Hestia {
		fi, err := os.Stat(file)
		if err != nil {
			return nil, openErr("file", file, err)
		}
		if !fi.Mode().IsRegular() {
			return nil, hosting.FieldErrorf(hosting.CodeInvalidInput, "file", "%s is not a regular file", file)
		}
		if fi.Size() > MaxFileSize {
			return nil, hosting.FieldErrorf(hosting.CodeInvalidInput, "file", "%s is larger than %d MiB: split it", file, MaxFileSize>>20)
		}
	}
	switch src {
	case PureFTPd:
		return parseFile(file, parsePureFTPd)
	case ProFTPD:
		return parseProFTPD(file, o.QuotaFile)
	case VSFTPd:
		return parseVSFTPd(file, o.UserConfigDir)
	case Hestia:
		return parseHestia(file, o.HestiaHome)
	case CSV:
		return parseCSV(file)
	case JSON:
		return parseJSON(file)
	}
	return nil, hosting.FieldErrorf(hosting.CodeInvalidInput, "source", "unknown source %q (want one of: %s)", src, sourceList())
}

func sourceList() string {
	var s []string
	for _, x := range Sources() {
		s = append(s, string(x))
	}
	return strings.Join(s, ", ")
}

// lineErr returns the refusal of a line that cannot be read.
func lineErr(field, format string, args ...any) error {
	return hosting.FieldErrorf(hosting.CodeInvalidInput, field, format, args...)
}

// openErr turns a failure to open an input into an error the CLI shows.
func openErr(field, name string, err error) error {
	if errors.Is(err, os.ErrNotExist) {
		return hosting.FieldErrorf(hosting.CodeNotFound, field, "%s does not exist", name)
	}
	return &hosting.Error{Code: hosting.CodeInvalidInput, Field: field, Message: fmt.Sprintf("cannot read %s: %v", name, err), Err: err}
}

// line is one line of an input with its number, or why it is unreadable.
type line struct {
	n    int
	text string
	err  error
}

// eachLine calls fn for every line of r: without its newline (and a
// trailing CR), lines longer than MaxLine and lines with NUL bytes or
// invalid UTF-8 given as errors. Reading stops after MaxRecords lines.
func eachLine(r io.Reader, fn func(l line)) error {
	br := bufio.NewReaderSize(r, 64<<10)
	for n := 1; ; n++ {
		if n > MaxRecords {
			fn(line{n: n, err: lineErr("file", "more than %d lines; the rest is not read", MaxRecords)})
			return nil
		}
		var buf []byte
		long := false
		for {
			chunk, err := br.ReadSlice('\n')
			if len(buf)+len(chunk) <= MaxLine+1 {
				buf = append(buf, chunk...)
			} else {
				long = true
			}
			if errors.Is(err, bufio.ErrBufferFull) {
				continue
			}
			if err != nil && !errors.Is(err, io.EOF) {
				return err
			}
			if errors.Is(err, io.EOF) && len(buf) == 0 && !long {
				return nil
			}
			break
		}
		text := strings.TrimSuffix(strings.TrimSuffix(string(buf), "\n"), "\r")
		switch {
		case long:
			fn(line{n: n, err: lineErr("line", "line is longer than %d bytes", MaxLine)})
		case bytes.IndexByte(buf, 0) >= 0:
			fn(line{n: n, err: lineErr("line", "line contains a NUL byte")})
		case !isUTF8(text):
			fn(line{n: n, err: lineErr("line", "line is not valid UTF-8")})
		default:
			fn(line{n: n, text: text})
		}
		if !strings.HasSuffix(string(buf), "\n") && !long {
			return nil
		}
	}
}

func isUTF8(s string) bool { return utf8.ValidString(s) }

// parseFile reads a line-based file, skipping blank lines and # comments.
func parseFile(file string, parse func(text string, r *Record)) ([]Record, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, openErr("file", file, err)
	}
	defer f.Close()
	var recs []Record
	err = eachLine(f, func(l line) {
		if l.err == nil && (strings.TrimSpace(l.text) == "" || strings.HasPrefix(strings.TrimSpace(l.text), "#")) {
			return
		}
		r := Record{File: file, Line: l.n, Err: l.err}
		if l.err == nil {
			parse(l.text, &r)
		}
		recs = append(recs, r)
	})
	if err != nil {
		return nil, openErr("file", file, err)
	}
	return recs, nil
}

// cleanAbs checks an absolute folder path of the old server: no control
// characters and no "." or ".." segments. It returns the cleaned path.
func cleanAbs(p string) (string, error) {
	if p == "" {
		return "", hosting.FieldErrorf(hosting.CodeInvalidHome, "home", "no home folder")
	}
	for _, r := range p {
		if r < 0x20 || r == 0x7f {
			return "", hosting.FieldErrorf(hosting.CodeInvalidHome, "home", "home folder contains control characters")
		}
	}
	if !strings.HasPrefix(p, "/") {
		return "", hosting.FieldErrorf(hosting.CodeInvalidHome, "home", "home folder %q is not an absolute path", p)
	}
	for _, s := range strings.Split(p, "/") {
		if s == ".." {
			return "", hosting.FieldErrorf(hosting.CodeHomeOutsideSite, "home", "home folder %q contains \"..\"", p)
		}
	}
	return path.Clean(p), nil
}

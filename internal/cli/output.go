package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"ftpanel/internal/hosting"
)

// Exit statuses. 0 is success; each error code maps to one status through
// exitStatus, so that scripts can tell "wrong input" from "not there" from
// "already there" without parsing messages.
const (
	exitOK        = 0 // success
	exitInternal  = 1 // internal: a bug, the disk, the database
	exitInput     = 2 // usage and invalid input: fix the command line
	exitNotFound  = 3 // the named object does not exist
	exitConflict  = 4 // the name is taken, or the change conflicts with the state
	exitLimit     = 5 // a max_ftp_accounts limit would be exceeded
	exitForbidden = 6 // unauthorized, forbidden or suspended
)

// exitStatus is the CLI's mapping table, keyed by hosting.Code.
func exitStatus(code hosting.Code) int {
	switch code {
	case hosting.CodeInvalidInput, hosting.CodeInvalidLogin, hosting.CodeReservedLogin, hosting.CodeWeakPassword,
		hosting.CodeInvalidHome, hosting.CodeHomeOutsideSite, hosting.CodeTopLevelDirForbidden:
		return exitInput
	case hosting.CodeNotFound, hosting.CodeHomeNotFound:
		return exitNotFound
	case hosting.CodeLoginTaken, hosting.CodeConflict, hosting.CodeMainAccount:
		return exitConflict
	case hosting.CodeLimitExceeded:
		return exitLimit
	case hosting.CodeUnauthorized, hosting.CodeForbidden, hosting.CodeSuspended:
		return exitForbidden
	default: // internal, and any code added later until it is placed here
		return exitInternal
	}
}

// errorBody is the --json error document written to stderr.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    hosting.Code `json:"code"`
	Message string       `json:"message"`
	Field   string       `json:"field,omitempty"`
}

// classify returns the code, message and field of an error returned by
// the command tree, and the exit status.
func classify(err error) (errorDetail, int) {
	var ue *usageError
	var re *runError
	switch {
	case errors.As(err, &ue):
		msg := ue.msg
		if ue.cmd != "" {
			msg += fmt.Sprintf(" (see %q)", ue.cmd+" --help")
		}
		return errorDetail{Code: hosting.CodeInvalidInput, Message: msg, Field: ue.field}, exitInput
	case !errors.As(err, &re):
		// Not returned by a verb: cobra refused the command line.
		return errorDetail{Code: hosting.CodeInvalidInput, Message: err.Error()}, exitInput
	}
	code := hosting.ErrorCode(err)
	msg := hosting.ErrorMessage(err)
	if code == hosting.CodeInternal {
		// The CLI runs on the operator's own machine: the cause (a
		// permission, a full disk) is what they need to see.
		msg = err.Error()
	}
	return errorDetail{Code: code, Message: msg, Field: hosting.ErrorField(err)}, exitStatus(code)
}

// fail prints err once, as a line or as JSON, and returns the exit status.
func (a *app) fail(_ *cobra.Command, err error) int {
	d, status := classify(err)
	if a.json {
		b, jerr := json.Marshal(errorBody{Error: d})
		if jerr == nil {
			fmt.Fprintf(a.stderr, "%s\n", b)
			return status
		}
	}
	fmt.Fprintf(a.stderr, "ftpanel: %s\n", oneLine(d.Message))
	return status
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", "; ")), " ")
}

// print writes v as indented JSON with --json, else calls text with a
// tabwriter over stdout.
func (a *app) print(v any, text func(w io.Writer)) error {
	if a.json {
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(v); err != nil {
			return fmt.Errorf("cli: write json: %w", err)
		}
		return nil
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	text(tw)
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("cli: write table: %w", err)
	}
	return nil
}

// row writes one tab-separated table row.
func row(w io.Writer, cells ...any) {
	s := make([]string, len(cells))
	for i, c := range cells {
		s[i] = fmt.Sprint(c)
	}
	fmt.Fprintln(w, strings.Join(s, "\t"))
}

// kv writes "key:\tvalue" lines for a detail view.
func kv(w io.Writer, pairs ...any) {
	for i := 0; i+1 < len(pairs); i += 2 {
		fmt.Fprintf(w, "%s:\t%v\n", pairs[i], pairs[i+1])
	}
}

// list returns s, or an empty slice so that JSON shows [] instead of null.
func list[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// deleted is the --json answer of a del verb.
type deleted struct {
	Deleted string `json:"deleted"`
	Type    string `json:"type"`
}

// credentials is the --json answer of a passwd verb.
type credentials struct {
	Login    string `json:"login"`
	Password string `json:"password,omitempty"` // only when generated
}

// shownOnce is appended to printed generated secrets.
const shownOnce = "(shown once: store it now)"

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Local().Format("2006-01-02 15:04:05")
}

func fmtTimePtr(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return fmtTime(*t)
}

func fmtLimit(n int) string {
	if n < 0 {
		return "unlimited"
	}
	return strconv.Itoa(n)
}

// fmtBytes shows a byte count in binary units; -1 is unlimited.
func fmtBytes(n int64) string {
	if n < 0 {
		return "unlimited"
	}
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 4; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTP"[exp])
}

func fmtBool(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func fmtPerms(read, write bool) string {
	p := []byte("--")
	if read {
		p[0] = 'r'
	}
	if write {
		p[1] = 'w'
	}
	return string(p)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// parseBytes reads a byte count: a whole number, optionally with a K, M,
// G or T suffix (powers of 1024, "B" or "iB" may follow), or -1 /
// "unlimited".
func parseBytes(s string) (int64, error) {
	t := strings.TrimSpace(s)
	if strings.EqualFold(t, "unlimited") || t == "-1" {
		return hosting.Unlimited, nil
	}
	u := strings.ToUpper(t)
	u = strings.TrimSuffix(strings.TrimSuffix(u, "IB"), "B")
	mult := int64(1)
	if n := len(u); n > 0 {
		switch u[n-1] {
		case 'K':
			mult = 1 << 10
		case 'M':
			mult = 1 << 20
		case 'G':
			mult = 1 << 30
		case 'T':
			mult = 1 << 40
		}
		if mult > 1 {
			u = strings.TrimSpace(u[:n-1])
		}
	}
	n, err := strconv.ParseInt(u, 10, 64)
	if err != nil || n < 0 || n > (1<<62)/mult {
		return 0, fmt.Errorf("%q is not a byte count (e.g. 1048576, 500M, 10G, or unlimited)", s)
	}
	return n * mult, nil
}

// parseLimit reads a max_ftp_accounts value: a whole number ≥ 0, or -1 /
// "unlimited".
func parseLimit(s string) (int, error) {
	t := strings.TrimSpace(s)
	if strings.EqualFold(t, "unlimited") {
		return hosting.Unlimited, nil
	}
	n, err := strconv.Atoi(t)
	if err != nil || n < hosting.Unlimited {
		return 0, fmt.Errorf("%q is not a limit (a number ≥ 0, or -1 / unlimited)", s)
	}
	return n, nil
}

// parseExpires reads an expiry time: RFC 3339, or YYYY-MM-DD (midnight
// UTC at the start of that day); "never" or "" means none.
func parseExpires(s string) (*time.Time, error) {
	t := strings.TrimSpace(s)
	if t == "" || strings.EqualFold(t, "never") {
		return nil, nil //nolint:nilnil // nil time = no expiry
	}
	if v, err := time.Parse(time.RFC3339, t); err == nil {
		v = v.UTC()
		return &v, nil
	}
	if v, err := time.Parse(time.DateOnly, t); err == nil {
		return &v, nil
	}
	return nil, fmt.Errorf("%q is not a time (RFC 3339 like 2026-12-31T23:59:00Z, a date like 2026-12-31, or never)", s)
}

// parseSystemUser reads UID:GID; "none" (when allowed) clears it (-1:-1).
func parseSystemUser(s string, allowNone bool) (uid, gid int, err error) {
	t := strings.TrimSpace(s)
	if allowNone && strings.EqualFold(t, "none") {
		return -1, -1, nil
	}
	a, b, ok := strings.Cut(t, ":")
	uid, err1 := strconv.Atoi(a)
	gid, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || uid < 0 || gid < 0 {
		return 0, 0, fmt.Errorf("%q is not UID:GID (numbers, e.g. 1000:1000)", s)
	}
	return uid, gid, nil
}

// opt is a flag value that stays nil until given.
type opt[T any] struct {
	v     *T
	typ   string
	parse func(string) (T, error)
	show  func(T) string
}

func (o *opt[T]) Set(s string) error {
	v, err := o.parse(s)
	if err != nil {
		return err
	}
	o.v = &v
	return nil
}

func (o *opt[T]) String() string {
	if o.v == nil {
		return ""
	}
	return o.show(*o.v)
}

func (o *opt[T]) Type() string { return o.typ }

func bytesOpt() *opt[int64] {
	return &opt[int64]{typ: "BYTES", parse: parseBytes, show: func(v int64) string { return strconv.FormatInt(v, 10) }}
}

func limitOpt() *opt[int] {
	return &opt[int]{typ: "N", parse: parseLimit, show: strconv.Itoa}
}

func expiresOpt() *opt[*time.Time] {
	return &opt[*time.Time]{typ: "TIME", parse: parseExpires, show: func(t *time.Time) string {
		if t == nil {
			return "never"
		}
		return t.Format(time.RFC3339)
	}}
}

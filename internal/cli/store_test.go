package cli_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"ftpanel/internal/store/postgres/pgtest"
)

// migrateOut is `ftpanel migrate --json`.
type migrateOut struct {
	Store      string `json:"store"`
	Applied    int    `json:"applied"`
	Migrations []struct {
		Version   int        `json:"version"`
		Name      string     `json:"name"`
		AppliedAt *time.Time `json:"applied_at"`
	} `json:"migrations"`
}

// copyOut is `ftpanel store copy --json`.
type copyOut struct {
	From   string `json:"from"`
	To     string `json:"to"`
	Rows   int    `json:"rows"`
	Tables []struct {
		Table string `json:"table"`
		Rows  int    `json:"rows"`
	} `json:"tables"`
}

func (c copyOut) table(name string) int {
	for _, t := range c.Tables {
		if t.Table == name {
			return t.Rows
		}
	}
	return -1
}

// checkMigrated fails t unless every migration of m is applied, in
// version order.
func checkMigrated(t *testing.T, m migrateOut) {
	t.Helper()
	if len(m.Migrations) == 0 {
		t.Fatal("no migrations listed")
	}
	// Versions increase from 1; numbers are assigned per feature, so a
	// branch may lack one (0003 without 0002).
	prev := 0
	for i, x := range m.Migrations {
		if x.Version <= prev || (i == 0 && x.Version != 1) || !strings.HasSuffix(x.Name, ".sql") || x.AppliedAt == nil {
			t.Errorf("migration %d = %+v, want a version above %d, a .sql name and a time", i, x, prev)
		}
		prev = x.Version
	}
}

func TestCLI_Migrate(t *testing.T) {
	e := newEnv(t)

	t.Run("StatusWithoutDatabase", func(t *testing.T) {
		e.fails(t, "", 3, "not_found", "migrate", "--status")
		if _, err := os.Stat(e.data); !os.IsNotExist(err) {
			t.Errorf("migrate --status created %s (stat: %v)", e.data, err)
		}
	})

	var first migrateOut
	t.Run("OK", func(t *testing.T) {
		e.ok(t, &first, "migrate")
		checkMigrated(t, first)
		if got, want := first.Applied, len(first.Migrations); got != want {
			t.Errorf("applied = %d, want %d on a new database", got, want)
		}
		if got, want := first.Store, filepath.Join(e.data, "ftpanel.db"); got != want {
			t.Errorf("store = %q, want %q", got, want)
		}
	})

	t.Run("Again", func(t *testing.T) {
		var again migrateOut
		e.ok(t, &again, "migrate")
		if again.Applied != 0 {
			t.Errorf("applied = %d, want 0 the second time", again.Applied)
		}
		again.Applied = first.Applied
		if !reflect.DeepEqual(again, first) {
			t.Errorf("second migrate = %+v, want %+v", again, first)
		}
		var status migrateOut
		e.ok(t, &status, "migrate", "--status")
		status.Applied = first.Applied
		if !reflect.DeepEqual(status, first) {
			t.Errorf("migrate --status = %+v, want %+v", status, first)
		}
	})

	t.Run("Text", func(t *testing.T) {
		r := e.run(t, "migrate")
		if r.code != 0 || !strings.Contains(r.stdout, "VERSION") || !strings.Contains(r.stdout, first.Migrations[0].Name) ||
			!strings.Contains(r.stdout, "schema up to date") {
			t.Errorf("want a table and \"schema up to date\", got %v", r)
		}
		r = e.run(t, "migrate", "--status")
		if r.code != 0 || !strings.Contains(r.stdout, first.Migrations[0].Name) || strings.Contains(r.stdout, "schema") {
			t.Errorf("want the table alone, got %v", r)
		}
	})

	t.Run("ErrArgument", func(t *testing.T) {
		e.fails(t, "", 2, "invalid_input", "migrate", "now")
	})

	t.Run("PostgreSQL", func(t *testing.T) {
		dsn := pgtest.NewDatabase(t).NewSchema(t, 2)
		// Two at once on a new database: the advisory lock lets one
		// migrate, the other finds everything applied.
		var wg sync.WaitGroup
		outs := make([]migrateOut, 2)
		runs := make([][]byte, len(outs))
		errs := make([]error, len(outs))
		for i := range outs {
			wg.Go(func() {
				cmd := exec.Command(binary, "--json", "--store-dsn", dsn, "migrate")
				cmd.Env = e.environ()
				runs[i], errs[i] = cmd.Output()
			})
		}
		wg.Wait()
		for i := range outs {
			if errs[i] != nil {
				t.Fatalf("migrate %d: %v\n%s", i, errs[i], runs[i])
			}
			if err := json.Unmarshal(runs[i], &outs[i]); err != nil {
				t.Fatalf("migrate %d: %v\n%s", i, err, runs[i])
			}
			checkMigrated(t, outs[i])
		}
		if !reflect.DeepEqual(outs[0].Migrations, outs[1].Migrations) {
			t.Errorf("concurrent migrations differ: %+v and %+v", outs[0].Migrations, outs[1].Migrations)
		}
		var status migrateOut
		e.ok(t, &status, "--store-dsn", dsn, "migrate", "--status")
		if status.Applied != 0 || !reflect.DeepEqual(status.Migrations, outs[0].Migrations) {
			t.Errorf("migrate --status = %+v, want %+v applied before", status, outs[0].Migrations)
		}
		if !strings.HasPrefix(status.Store, "postgres://") {
			t.Errorf("store = %q, want the postgres:// URL", status.Store)
		}
	})
}

// mustFill gives e a customer, a site with its main account, another
// account and a token.
func mustFill(t *testing.T, e *env) {
	t.Helper()
	for _, args := range [][]string{
		{"customer", "add", "alice", "--name", "Alice Example", "--password", "Cust-pw-7788"},
		{"site", "add", "example.com", "--customer", "alice", "--main-login", "exweb", "--main-password", "Main-pw-4455"},
		{"account", "add", "--site", "example.com", "--login", "upload", "--password", "Upl-pw-9911",
			"--home", "/httpdocs/up", "--create-missing", "--quota", "2G", "--read=false"},
		{"token", "add", "--admin", "--description", "billing"},
	} {
		e.ok(t, nil, args...)
	}
}

// sameListings fails t unless a and b print the same --json listings.
func sameListings(t *testing.T, a, b *env) {
	t.Helper()
	for _, args := range [][]string{
		{"customer", "list"}, {"site", "list"}, {"account", "list"}, {"token", "list"}, {"admin", "list"},
		{"ban", "list"}, {"audit", "list", "--limit", "1000"},
	} {
		ra, rb := a.ok(t, nil, args...), b.ok(t, nil, args...)
		if ra.stdout != rb.stdout {
			t.Errorf("ftpanel %s differs:\n%s\nwant\n%s", strings.Join(args, " "), rb.stdout, ra.stdout)
		}
	}
}

func TestCLI_StoreCopy(t *testing.T) {
	e := newEnv(t)
	mustFill(t, e)
	tmp := t.TempDir()

	t.Run("OK", func(t *testing.T) {
		dst := &env{data: filepath.Join(tmp, "copy")} // a new data folder
		var out copyOut
		e.ok(t, &out, "store", "copy", "--to", dst.data)
		if got, want := out.To, filepath.Join(dst.data, "ftpanel.db"); got != want {
			t.Errorf("to = %q, want %q", got, want)
		}
		if got, want := out.From, filepath.Join(e.data, "ftpanel.db"); got != want {
			t.Errorf("from = %q, want %q", got, want)
		}
		sum := 0
		for _, x := range out.Tables {
			sum += x.Rows
		}
		for _, tc := range []struct {
			table string
			want  int
		}{{"customers", 1}, {"sites", 1}, {"ftp_accounts", 2}, {"tokens", 1}, {"bans", 0}} {
			if got := out.table(tc.table); got != tc.want {
				t.Errorf("%s rows = %d, want %d", tc.table, got, tc.want)
			}
		}
		if out.Rows != sum || out.table("audit_events") < 4 {
			t.Errorf("rows = %d (tables %+v), want their sum %d and at least 4 audit events", out.Rows, out.Tables, sum)
		}
		sameListings(t, e, dst)
	})

	t.Run("IntoFile", func(t *testing.T) {
		file := filepath.Join(tmp, "backup.db")
		var out copyOut
		e.ok(t, &out, "store", "copy", "--from", e.data, "--to", file)
		if out.To != file {
			t.Errorf("to = %q, want %q", out.To, file)
		}
		if fi, err := os.Stat(file); err != nil || !fi.Mode().IsRegular() {
			t.Errorf("%s: %v, want a database file", file, err)
		}
	})

	t.Run("ErrNotEmpty", func(t *testing.T) {
		je := e.fails(t, "", 4, "conflict", "store", "copy", "--to", filepath.Join(tmp, "copy"))
		if je.Error.Field != "to" || !strings.Contains(je.Error.Message, "not empty") {
			t.Errorf("error = %+v, want field to and \"not empty\"", je.Error)
		}
	})

	t.Run("ErrSameStore", func(t *testing.T) {
		e.fails(t, "", 2, "invalid_input", "store", "copy", "--to", e.data)
		e.fails(t, "", 2, "invalid_input", "store", "copy", "--to", filepath.Join(e.data, "ftpanel.db"))
	})

	t.Run("ErrInput", func(t *testing.T) {
		for _, args := range [][]string{
			{"store", "copy"},
			{"store", "copy", "--to", ""},
			{"store", "copy", "--to", "mysql://root@127.0.0.1/ftpanel"},
			{"store", "copy", "--to", filepath.Join(tmp, "x.db"), "--from", "sqlite://x"},
			{"store", "copy", "extra", "--to", filepath.Join(tmp, "x.db")},
			{"store", "paste"},
		} {
			e.fails(t, "", 2, "invalid_input", args...)
		}
	})

	t.Run("ErrSourceMissing", func(t *testing.T) {
		dst := filepath.Join(tmp, "never.db")
		e.fails(t, "", 3, "not_found", "store", "copy", "--from", filepath.Join(tmp, "nothing"), "--to", dst)
		if _, err := os.Stat(dst); !os.IsNotExist(err) {
			t.Errorf("a failed copy left %s behind (stat: %v)", dst, err)
		}
	})

	t.Run("PasswordNotShown", func(t *testing.T) {
		r := e.run(t, "store", "copy", "--to", "postgres://ftpanel:Top-secret-42@127.0.0.1:1/ftpanel?sslmode=disable&connect_timeout=5")
		if r.code != 1 || strings.Contains(r.stderr, "Top-secret-42") || !strings.Contains(r.stderr, "127.0.0.1") {
			t.Errorf("want exit 1 naming the server without the password, got %v", r)
		}
	})

	t.Run("ProgressBarOnTerminal", func(t *testing.T) {
		// script(1) of util-linux runs the command on a pseudo-terminal.
		if v, err := exec.Command("script", "--version").CombinedOutput(); err != nil || !strings.Contains(string(v), "util-linux") {
			t.Skip("needs script(1) from util-linux to run the command on a terminal")
		}
		dst := filepath.Join(tmp, "tty.db")
		line := "'" + binary + "' store copy --to '" + dst + "'"
		cmd := exec.Command("script", "-qec", line, "/dev/null")
		cmd.Env = e.environ()
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", line, err, out)
		}
		s := string(out)
		if !strings.Contains(s, "\rcopying [") || !strings.Contains(s, "] 100%") || !strings.Contains(s, "copied ") {
			t.Errorf("want a progress bar reaching 100%% and a summary, got %q", s)
		}
	})
}

// TestCLI_StoreCopyPostgreSQL moves a SQLite store into PostgreSQL and
// back: the same listings on all three.
func TestCLI_StoreCopyPostgreSQL(t *testing.T) {
	dsn := pgtest.NewDatabase(t).NewSchema(t, 2)
	e := newEnv(t)
	mustFill(t, e)
	e.ok(t, nil, "account", "suspend", "upload")

	var out copyOut
	e.ok(t, &out, "store", "copy", "--to", dsn)
	pg := newEnv(t)
	pg.extra = []string{"FTPANEL_STORE_DSN=" + dsn}
	var accounts []account
	pg.ok(t, &accounts, "account", "list")
	if len(accounts) != 2 || accounts[1].Login != "upload" || accounts[1].Status != "suspended" || accounts[1].Read {
		t.Errorf("accounts on PostgreSQL = %+v, want exweb and a suspended write-only upload", accounts)
	}
	e.fails(t, "", 4, "conflict", "store", "copy", "--to", dsn)

	// Back, from the configured store (PostgreSQL) into a new data folder.
	back := newEnv(t)
	var outBack copyOut
	pg.ok(t, &outBack, "store", "copy", "--to", back.data)
	if outBack.Rows != out.Rows || !reflect.DeepEqual(outBack.Tables, out.Tables) {
		t.Errorf("copy back = %+v, want the rows of the first copy %+v", outBack, out)
	}
	// PostgreSQL keeps microseconds: the SQLite copy of it prints as it does.
	sameListings(t, pg, back)
}

package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"ftpanel/internal/hosting"
	"ftpanel/internal/store/storecopy"
)

// copyInfo is store copy's answer.
type copyInfo struct {
	From    string       `json:"from"`
	To      string       `json:"to"`
	Rows    int          `json:"rows"`
	Tables  []tableCount `json:"tables"`
	Seconds float64      `json:"seconds"`
}

// tableCount is the number of rows of one table in the destination.
type tableCount struct {
	Table string `json:"table"`
	Rows  int    `json:"rows"`
}

func (a *app) storeCommand() *cobra.Command {
	return noun("store", "Move the store's content between SQLite and PostgreSQL", a.storeCopy())
}

func (a *app) storeCopy() *cobra.Command {
	var from, to string
	c := &cobra.Command{
		Use:   "copy --to DSN_OR_PATH [--from DSN_OR_PATH]",
		Short: "Copy every row of one store into another, empty one (SQLite to PostgreSQL and back)",
		Long: `Copy the content of a store into another, empty store: SQLite into
PostgreSQL when one machine is no longer enough, or back. Administrators,
customers, sites, FTP accounts with their password hashes, API tokens, the
audit trail and bans are copied as they are, IDs and times included; live
sessions and web logins are not.

A store is a postgres:// URL or a SQLite path: an existing database file, a
new one with an extension (backup.db), or a data folder (its ftpanel.db).
The source defaults to the configured store (--data, --store-dsn). The
destination's schema is created when it has none; a destination that holds
any row is refused, and the copy is one transaction: when it fails, the
destination stays empty.

Stop the nodes using the source first: what changes during the copy is not
carried over. Then point every node at the destination (store.dsn) and
start them again. On a terminal, a progress bar shows on stderr.

Example:
  ftpanel store copy --to 'postgres://ftpanel:secret@db.internal:5432/ftpanel'`,
		Args: exactArgs(),
	}
	c.Flags().StringVar(&to, "to", "", "destination: postgres://… URL, or SQLite database file or data folder (required)")
	c.Flags().StringVar(&from, "from", "", "source: postgres://… URL, or SQLite database file or data folder (default: the configured store)")
	c.RunE = verb(func(cmd *cobra.Command, _ []string) error {
		if !cmd.Flags().Changed("to") {
			return usageErr(cmd, "to", "missing --to: the destination store (a postgres:// URL or a SQLite path)")
		}
		if err := checkSpec("to", to); err != nil {
			return err
		}
		if cmd.Flags().Changed("from") {
			if err := checkSpec("from", from); err != nil {
				return err
			}
		} else {
			cfg, err := a.config()
			if err != nil {
				return err
			}
			from = configuredStore(cfg)
		}
		if sameStore(from, to) {
			return hosting.FieldErrorf(hosting.CodeInvalidInput, "to", "the source and the destination are the same store")
		}
		return a.copyStore(cmd.Context(), from, to)
	})
	return c
}

// sameStore reports whether two store specs name the same store, as far
// as can be told without connecting.
func sameStore(a, b string) bool {
	if isPostgres(a) || isPostgres(b) {
		return a == b
	}
	pa, pb := sqlitePath(a), sqlitePath(b)
	if fa, err := os.Stat(pa); err == nil {
		if fb, err := os.Stat(pb); err == nil {
			return os.SameFile(fa, fb)
		}
	}
	aa, erra := filepath.Abs(pa)
	ab, errb := filepath.Abs(pb)
	return erra == nil && errb == nil && aa == ab
}

func (a *app) copyStore(ctx context.Context, from, to string) (err error) {
	src, err := openRaw(ctx, from, false)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := openRaw(ctx, to, true)
	if err != nil {
		return err
	}
	defer func() {
		cerr := dst.Close()
		if err == nil && cerr != nil {
			err = fmt.Errorf("cli: store copy: close %s: %w", dst.name, cerr)
		}
		if err != nil && dst.created {
			// Leave no empty database behind that a retry would have to remove.
			for _, p := range []string{dst.path, dst.path + "-wal", dst.path + "-shm"} {
				_ = os.Remove(p)
			}
		}
	}()
	for _, t := range dst.CopyTables() {
		n, err := dst.CountRows(ctx, t)
		if err != nil {
			return fmt.Errorf("cli: store copy: %s: %w", dst.name, err)
		}
		if n > 0 {
			return hosting.FieldErrorf(hosting.CodeConflict, "to",
				"the destination %s is not empty (table %s has %d row(s)): copy into a new, empty database; "+
					"a node started on it creates an administrator, so copy before starting nodes", dst.name, t, n)
		}
	}
	a.warnLiveSessions(ctx, src)

	var bar *progressBar
	progress := func(int, int) {}
	if isTerminal(a.stderr) {
		bar = &progressBar{w: a.stderr, width: 30}
		progress = bar.update
	}
	start := time.Now()
	err = storecopy.Copy(ctx, dst, src, progress)
	bar.finish()
	if err != nil {
		return fmt.Errorf("cli: store copy from %s to %s: %w", src.name, dst.name, err)
	}
	info := copyInfo{From: src.name, To: dst.name, Tables: []tableCount{}, Seconds: time.Since(start).Seconds()}
	for _, t := range dst.CopyTables() {
		n, err := dst.CountRows(ctx, t)
		if err != nil {
			return fmt.Errorf("cli: store copy: count %s in %s: %w", t, dst.name, err)
		}
		info.Tables = append(info.Tables, tableCount{Table: t, Rows: n})
		info.Rows += n
	}
	return a.print(info, func(w io.Writer) {
		fmt.Fprintf(w, "copied %d rows from %s to %s in %.1fs\n", info.Rows, info.From, info.To, info.Seconds)
		row(w, "TABLE", "ROWS")
		for _, t := range info.Tables {
			row(w, t.Table, t.Rows)
		}
		if isPostgres(to) {
			fmt.Fprintf(w, "next: set store.dsn (or FTPANEL_STORE_DSN) to the --to URL on every node, then start them\n")
		} else if filepath.Base(info.To) == "ftpanel.db" {
			fmt.Fprintf(w, "next: start the node with --data %s and an empty store.dsn\n", filepath.Dir(info.To))
		} else {
			fmt.Fprintf(w, "next: move %s to ftpanel.db in a node's data folder, then start it with an empty store.dsn\n", info.To)
		}
	})
}

// warnLiveSessions says on stderr when nodes still hold sessions in the
// source: they are running (or stopped without cleaning up), and what they
// change after the copy's snapshot is not carried over.
func (a *app) warnLiveSessions(ctx context.Context, src *rawStore) {
	st, ok := src.Store.(hosting.Store)
	if !ok {
		return
	}
	ss, err := st.Sessions(ctx, hosting.SessionFilter{})
	if err != nil || len(ss) == 0 {
		return
	}
	nodes := map[string]bool{}
	var names []string
	for _, s := range ss {
		if !nodes[s.Node] {
			nodes[s.Node] = true
			names = append(names, s.Node)
		}
	}
	fmt.Fprintf(a.stderr, "ftpanel: warning: %s lists %d live FTP session(s) on node(s) %s: stop the nodes first, "+
		"changes made after the copy are not carried over\n", src.name, len(ss), strings.Join(names, ", "))
}

// isTerminal reports whether w is a terminal (a character device).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// progressBar draws "copying [#####.....]  50%  500/1000 rows" on one
// terminal line, redrawn in place.
type progressBar struct {
	w     io.Writer
	width int
	drawn bool
}

func (p *progressBar) update(done, total int) {
	frac := 1.0
	if total > 0 {
		frac = float64(min(done, total)) / float64(total)
	}
	n := int(frac * float64(p.width))
	fmt.Fprintf(p.w, "\rcopying [%s%s] %3d%%  %d/%d rows", strings.Repeat("#", n), strings.Repeat(".", p.width-n),
		int(frac*100), done, total)
	p.drawn = true
}

// finish ends the bar's line; a nil bar does nothing.
func (p *progressBar) finish() {
	if p != nil && p.drawn {
		fmt.Fprintln(p.w)
	}
}

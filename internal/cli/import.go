package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"ftpanel/internal/hosting"
	"ftpanel/internal/importer"
)

// importCommand is `ftpanel import SOURCE FILE_OR_DIR`: bulk migration of
// FTP accounts from another server, keeping logins, password hashes and
// folders (see package importer and README "Migrating to ftpanel").
func (a *app) importCommand() *cobra.Command {
	var o importer.RunOptions
	var po importer.Options
	var maps []string
	c := &cobra.Command{
		Use:   "import SOURCE FILE_OR_DIR",
		Short: "Import FTP accounts from pure-ftpd, ProFTPD, vsftpd, HestiaCP, CSV or JSON",
		Long: `Import moves FTP accounts from another server, keeping each login, its
password hash (stored as given, never recomputed) and its folder.

SOURCE and FILE_OR_DIR:
  pureftpd  pureftpd.passwd, as written by pure-pw
  proftpd   an AuthUserFile (ftpasswd); --quota-file for ftpquota's limits
  vsftpd    the pam_pwdfile/htpasswd file; --user-config-dir for local_root
            and write_enable
  hestia    a HestiaCP folder (/usr/local/hestia, its data/ or data/users/):
            a customer per user, a site per web domain, the FTP accounts
  csv, json the generic format (README "Migrating to ftpanel")

Each account goes to the site whose root is the longest one containing its
home folder (after --map-home), or to --site. Every line gets one result:
created, unchanged (an identical account exists) or refused with its error
code; a refused line creates nothing. --dry-run checks the same and changes
nothing. The exit status is that of the first refusal, 0 when none.`,
		Example: `  ftpanel import pureftpd --dry-run /etc/pure-ftpd/pureftpd.passwd
  ftpanel import proftpd --quota-file quotas.txt /etc/proftpd/ftpd.passwd
  ftpanel import vsftpd --user-config-dir /etc/vsftpd/users --site example.com /etc/vsftpd/ftpd.passwd
  ftpanel import hestia --map-home /home=/srv/hestia /mnt/old/usr/local/hestia
  ftpanel import csv --json accounts.csv`,
		Args: exactArgs("SOURCE", "FILE_OR_DIR"),
	}
	f := c.Flags()
	f.BoolVar(&o.DryRun, "dry-run", false, "print what would be created and refused, change nothing")
	f.StringVar(&o.Customer, "customer", "", "only sites of this customer")
	f.StringVar(&o.Site, "site", "", "put every account on this site (default: matched by home folder)")
	f.StringArrayVar(&maps, "map-home", nil, "OLD=NEW: folders under OLD on the old server are under NEW here (repeatable)")
	f.BoolVar(&o.CreateMissing, "create-missing", false, "create home folders that do not exist (default: refuse the line)")
	f.StringVar(&po.QuotaFile, "quota-file", "", "proftpd: output of `ftpquota --show-records --type=limit`")
	f.StringVar(&po.UserConfigDir, "user-config-dir", "", "vsftpd: the user_config_dir folder")
	f.StringVar(&po.HestiaHome, "hestia-home", "/home", "hestia: HestiaCP's HOMEDIR on the old server")
	c.RunE = verb(func(cmd *cobra.Command, args []string) error {
		src := importer.Source(args[0])
		for _, m := range maps {
			x, err := importer.ParseMapping(m)
			if err != nil {
				return err
			}
			o.MapHome = append(o.MapHome, x)
		}
		recs, err := importer.Parse(src, args[1], po)
		if err != nil {
			return err
		}
		ctx, svc, done, err := a.open(cmd)
		if err != nil {
			return err
		}
		defer done()
		var bar *importBar
		if isTerminal(a.stderr) && len(recs) >= 200 {
			bar = &importBar{w: a.stderr, width: 30}
			o.Progress = bar.update
		}
		results, err := importer.Run(ctx, svc, recs, o)
		bar.finish()
		if err != nil {
			return err
		}
		if err := a.printImport(results, o.DryRun); err != nil {
			return err
		}
		return importStatus(results)
	})
	return c
}

// printImport writes one JSON object per result with --json, else a table
// and a summary line.
func (a *app) printImport(results []importer.Result, dry bool) error {
	if a.json {
		enc := json.NewEncoder(a.stdout)
		for _, r := range results {
			if err := enc.Encode(r); err != nil {
				return fmt.Errorf("cli: write json: %w", err)
			}
		}
		return nil
	}
	n := map[importer.Outcome]int{}
	err := a.print(nil, func(w io.Writer) {
		row(w, "LINE", "RESULT", "KIND", "LOGIN", "SITE", "HOME", "CODE", "MESSAGE")
		for _, r := range results {
			if r.Kind == "account" {
				n[r.Result]++
			}
			res := string(r.Result)
			if dry && r.Result == importer.Created {
				res = "would create"
			}
			msg := r.Message
			if len(r.Notes) > 0 {
				msg = strings.TrimPrefix(msg+"; "+strings.Join(r.Notes, "; "), "; ")
			}
			row(w, fmt.Sprintf("%s:%d", shortName(r.File), r.Line), res, r.Kind, orDash(oneLine(r.Login)), orDash(r.Site),
				orDash(oneLine(r.Home)), orDash(string(r.Code)), orDash(oneLine(msg)))
		}
	})
	if err != nil {
		return err
	}
	verb := "created"
	if dry {
		verb = "would be created"
	}
	fmt.Fprintf(a.stdout, "%d account(s) %s, %d unchanged, %d refused", n[importer.Created], verb, n[importer.Unchanged], n[importer.Refused])
	if dry {
		fmt.Fprint(a.stdout, " (dry run: nothing was changed)")
	}
	fmt.Fprintln(a.stdout)
	return nil
}

// shortName is the last two elements of a path, enough to tell files apart.
func shortName(p string) string {
	parts := strings.Split(p, "/")
	if len(parts) > 2 {
		parts = parts[len(parts)-2:]
	}
	return strings.Join(parts, "/")
}

// importStatus is the error of the first refusal (its code sets the exit
// status), nil when nothing was refused.
func importStatus(results []importer.Result) error {
	refused, total := 0, 0
	var first *importer.Result
	for i, r := range results {
		total++
		if r.Result == importer.Refused {
			refused++
			if first == nil {
				first = &results[i]
			}
		}
	}
	if first == nil {
		return nil
	}
	return &hosting.Error{Code: first.Code, Op: "cli: import",
		Message: fmt.Sprintf("%d of %d results refused; first: line %d: %s", refused, total, first.Line, first.Message)}
}

// importBar draws "importing [#####.....]  50%  500/1000 lines" on one
// terminal line, at most ten times a second.
type importBar struct {
	w     io.Writer
	width int
	last  time.Time
	drawn bool
}

func (p *importBar) update(done, total int) {
	if done < total && time.Since(p.last) < 100*time.Millisecond {
		return
	}
	p.last = time.Now()
	frac := 1.0
	if total > 0 {
		frac = float64(min(done, total)) / float64(total)
	}
	n := int(frac * float64(p.width))
	fmt.Fprintf(p.w, "\rimporting [%s%s] %3d%%  %d/%d lines", strings.Repeat("#", n), strings.Repeat(".", p.width-n),
		int(frac*100), done, total)
	p.drawn = true
}

// finish ends the bar's line; a nil bar does nothing.
func (p *importBar) finish() {
	if p != nil && p.drawn {
		fmt.Fprintln(p.w)
	}
}

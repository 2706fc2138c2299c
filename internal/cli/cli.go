// Package cli is ftpanel's command line, `ftpanel NOUN VERB` (DESIGN §5):
// serve, customer, admin, site, account, session, ban, audit and token.
//
// Every verb acts through hosting.Service with the system actor of the CLI,
// so that the rules, limits and audit trail apply exactly as on the other
// interfaces. Verbs return errors; only Main prints them, once: one line
// `ftpanel: <message>` on stderr, or with --json
// `{"error":{"code":…,"message":…,"field":…}}`, and an exit status that
// depends on the error code (see output.go).
package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"ftpanel/internal/config"
	"ftpanel/internal/hosting"
	"ftpanel/internal/node"
)

// app holds one invocation's streams, environment and global flags.
type app struct {
	stdin   *bufio.Reader
	stdout  io.Writer
	stderr  io.Writer
	environ []string

	data       string // --data
	configFile string // --config
	storeDSN   string // --store-dsn
	json       bool   // --json
}

// Main runs the command line args (without the program name) and returns
// the process exit status. It is the only place that prints errors.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if stdin == nil {
		stdin = strings.NewReader("")
	}
	a := &app{stdin: bufio.NewReader(stdin), stdout: stdout, stderr: stderr, environ: os.Environ()}
	root := a.rootCommand()
	root.SetArgs(args)
	root.SetIn(a.stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return 0
	}
	if !a.json {
		// A flag error may stop parsing before --json is seen.
		a.json = jsonRequested(args)
	}
	return a.fail(cmd, err)
}

// jsonRequested reports whether args ask for --json before a "--".
func jsonRequested(args []string) bool {
	for _, s := range args {
		switch s {
		case "--":
			return false
		case "--json", "--json=true", "--json=1":
			return true
		}
	}
	return false
}

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "ftpanel",
		Short: "FTP accounts for web hosting: panel, APIs and FTP server in one binary",
		Long: `ftpanel manages the FTP accounts of hosted web sites and serves them:
the FTP server, a web panel, a REST API and Plesk- and HestiaCP-compatible
APIs, over one store (SQLite in the data folder, or PostgreSQL).

Start with "ftpanel serve"; manage customers, sites and accounts with
"ftpanel NOUN VERB" on the same data folder, also while the server runs.`,
		SilenceErrors:     true,
		SilenceUsage:      true,
		Args:              nounArgs,
		RunE:              showHelp,
		CompletionOptions: cobra.CompletionOptions{HiddenDefaultCmd: true},
	}
	pf := root.PersistentFlags()
	pf.StringVar(&a.data, "data", "", `data folder: database, certificate, sites (env FTPANEL_DATA; default "./ftpanel-data")`)
	pf.StringVar(&a.configFile, "config", "", `config file (env FTPANEL_CONFIG; default <data>/ftpanel.toml when it exists)`)
	pf.StringVar(&a.storeDSN, "store-dsn", "", `database: "" = SQLite in the data folder, or postgres://… (env FTPANEL_STORE_DSN)`)
	pf.BoolVar(&a.json, "json", false, "print JSON for scripts instead of tables (errors too, on stderr)")
	root.SetFlagErrorFunc(flagError)
	root.AddCommand(a.serveCommand(), a.customerCommand(), a.adminCommand(), a.siteCommand(),
		a.accountCommand(), a.sessionCommand(), a.banCommand(), a.auditCommand(), a.tokenCommand(),
		a.migrateCommand(), a.storeCommand(), a.importCommand())
	return root
}

// flagError turns pflag's complaints into usage errors, explaining the
// one that surprises people: a negative number read as a flag.
func flagError(cmd *cobra.Command, err error) error {
	msg := err.Error()
	if rest, ok := strings.CutPrefix(msg, "unknown shorthand flag: '"); ok && rest != "" && rest[0] >= '0' && rest[0] <= '9' {
		return usageErr(cmd, "", `%s: a negative number is read as a flag; write "unlimited" for -1, or put "--" before it`, msg)
	}
	return usageErr(cmd, "", "%s", msg)
}

// noun returns a command grouping verbs; run alone it shows its help.
func noun(name, short string, verbs ...*cobra.Command) *cobra.Command {
	c := &cobra.Command{Use: name, Short: short, Args: nounArgs, RunE: showHelp}
	c.AddCommand(verbs...)
	return c
}

func showHelp(cmd *cobra.Command, _ []string) error { return cmd.Help() }

// nounArgs refuses a verb that does not exist.
func nounArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		var verbs []string
		for _, c := range cmd.Commands() {
			if c.IsAvailableCommand() {
				verbs = append(verbs, c.Name())
			}
		}
		return usageErr(cmd, "", "unknown command %q for %q (want one of: %s)", args[0], cmd.CommandPath(), strings.Join(verbs, ", "))
	}
	return nil
}

// exactArgs requires the named positional arguments.
func exactArgs(names ...string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) < len(names) {
			return usageErr(cmd, strings.ToLower(names[len(args)]), "missing %s", names[len(args)])
		}
		if len(args) > len(names) {
			return usageErr(cmd, "", "unexpected argument %q", args[len(names)])
		}
		return nil
	}
}

// verb wraps a verb's function: its errors are the verb's, not usage
// errors of the command line (see app.fail).
func verb(fn func(cmd *cobra.Command, args []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		if err := fn(cmd, args); err != nil {
			return &runError{err: err}
		}
		return nil
	}
}

// withService is verb for verbs that act through the hosting service: it
// opens the store for the verb and closes it afterwards.
func (a *app) withService(fn func(ctx context.Context, svc *hosting.Service, args []string) error) func(*cobra.Command, []string) error {
	return verb(func(cmd *cobra.Command, args []string) error {
		ctx, svc, done, err := a.open(cmd)
		if err != nil {
			return err
		}
		defer done()
		return fn(ctx, svc, args)
	})
}

// passwdCommand builds the passwd verb of admins, customers and accounts:
// set changes the password of a login ("" = generate one, printed once).
func (a *app) passwdCommand(kind, short string, set func(ctx context.Context, svc *hosting.Service, login, pw string) (string, error)) *cobra.Command {
	var pw string
	c := &cobra.Command{Use: "passwd LOGIN", Short: short, Args: exactArgs("LOGIN")}
	c.Flags().StringVar(&pw, "password", "", `new password ("-" reads it from stdin)`)
	c.RunE = verb(func(cmd *cobra.Command, args []string) error {
		p, err := a.optSecret(cmd, "password", pw)
		if err != nil {
			return err
		}
		return a.withService(func(ctx context.Context, svc *hosting.Service, args []string) error {
			gen, err := set(ctx, svc, args[0], p)
			if err != nil {
				return err
			}
			return a.printPasswd(kind, args[0], gen)
		})(cmd, args)
	})
	return c
}

// runError marks an error returned by a verb; any other error from cobra
// is a usage error.
type runError struct{ err error }

func (e *runError) Error() string { return e.err.Error() }
func (e *runError) Unwrap() error { return e.err }

// usageError is a command-line mistake: unknown verb or flag, missing or
// malformed argument. It maps to invalid_input and exit status 2.
type usageError struct {
	cmd   string // command path, for the help hint
	field string
	msg   string
}

func (e *usageError) Error() string { return e.msg }

func usageErr(cmd *cobra.Command, field, format string, args ...any) error {
	return &usageError{cmd: cmd.CommandPath(), field: field, msg: fmt.Sprintf(format, args...)}
}

// getenv returns the last value of key in environ.
func getenv(environ []string, key string) string {
	v := ""
	for _, kv := range environ {
		if k, val, ok := strings.Cut(kv, "="); ok && k == key {
			v = val
		}
	}
	return v
}

// config loads the configuration: file, then FTPANEL_* environment, then
// the global flags, which win.
func (a *app) config() (config.Config, error) {
	env := slices.Clone(a.environ)
	if a.data != "" {
		env = append(env, "FTPANEL_DATA="+a.data)
	}
	if a.storeDSN != "" {
		env = append(env, "FTPANEL_STORE_DSN="+a.storeDSN)
	}
	path := a.configFile
	if path == "" {
		path = getenv(env, "FTPANEL_CONFIG")
	}
	cfg, err := config.Load(path, env)
	if err != nil {
		return cfg, &hosting.Error{Code: hosting.CodeInvalidInput, Field: "config", Message: err.Error(), Op: "cli: config"}
	}
	return cfg, nil
}

// logger returns a logger on stderr as the configuration asks, never more
// verbose than min.
func (a *app) logger(cfg config.Config, min slog.Level) *slog.Logger {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(cfg.Log.Level)); err != nil {
		lvl = slog.LevelInfo
	}
	o := &slog.HandlerOptions{Level: max(lvl, min)}
	if cfg.Log.Format == "json" {
		return slog.New(slog.NewJSONHandler(a.stderr, o))
	}
	return slog.New(slog.NewTextHandler(a.stderr, o))
}

// user names the person at the keyboard for the audit trail.
func (a *app) user() string {
	if u := getenv(a.environ, "USER"); u != "" {
		return u
	}
	return "cli"
}

// open loads the configuration, opens the store and returns the service
// with a context carrying the CLI's actor. Call done when finished.
func (a *app) open(cmd *cobra.Command) (ctx context.Context, svc *hosting.Service, done func(), err error) {
	cfg, err := a.config()
	if err != nil {
		return nil, nil, nil, err
	}
	svc, closer, err := node.OpenService(cmd.Context(), cfg, a.logger(cfg, slog.LevelWarn))
	if err != nil {
		return nil, nil, nil, fmt.Errorf("cli: open store in %s: %w", cfg.Data, err)
	}
	ctx = hosting.WithActor(cmd.Context(), hosting.SystemActor(hosting.ViaCLI, a.user()))
	return ctx, svc, func() { _ = closer.Close() }, nil
}

// secret returns a password given on the command line; "-" reads one
// line from stdin, so that it does not show in the process list.
func (a *app) secret(field, v string) (string, error) {
	if v == "-" {
		line, err := a.stdin.ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", fmt.Errorf("cli: read %s from stdin: %w", field, err)
		}
		v = strings.TrimRight(line, "\r\n")
	}
	if v == "" {
		return "", hosting.FieldErrorf(hosting.CodeWeakPassword, field, "the password is empty")
	}
	return v, nil
}

// optSecret returns the password of flag name when it was given, or ""
// (the service then generates one).
func (a *app) optSecret(cmd *cobra.Command, name, v string) (string, error) {
	if !cmd.Flags().Changed(name) {
		return "", nil
	}
	return a.secret(strings.ReplaceAll(name, "-", "_"), v)
}

// Command vigie is the operations manager of an independent web host: server,
// remote probe, imports and exports, all in one binary.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	_ "time/tzdata" // time zones work on machines without a zoneinfo database

	"github.com/vigie/vigie/internal/secret"
	"github.com/vigie/vigie/internal/store"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv})
	stop()
	os.Exit(code)
}

// env is what a command may touch of the outside world, so that tests can
// run every command in-process.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	// logFormat is the global --log-format flag, "" when not given.
	logFormat string
}

// command is one subcommand of vigie.
type command struct {
	name    string
	args    string
	summary string
	run     func(ctx context.Context, e *env, args []string) error
}

func commands() []command {
	return []command{
		{"demo", "[--speed N]", "run the whole of Vigie on this machine: a generated host, a scripted outage, what to open", runDemo},
		{"serve", "[--listen ADDR] [--tls-cert F --tls-key F]", "run the server: the API and, on the leader, the probe, the incident engine and retention", runServe},
		{"migrate", "", "apply pending database migrations and print the schema version", runMigrate},
		{"backup", "--out FILE", "write a verified snapshot of the SQLite database (PostgreSQL: pg_dump)", runBackup},
		{"restore", "--from FILE [--no-keep]", "put a snapshot in place of the SQLite database, server stopped", runRestore},
		{"import", "[--dry-run] [--prune] FILE...", "validate and import inventory files (YAML or CSV), or a folder of them", runImport},
		{"export", "[--format yaml|csv] [--out DIR|FILE]", "write the inventory as YAML or CSV", runExport},
		{"export-status", "--public-url URL DIR", "write the public status page, feeds, calendar and /api/v2 documents as static files", runExportStatus},
		{"status-url", "[--revoke] CUSTOMER", "give a customer the secret URL of their own status page and feeds, or revoke it", runStatusURL},
		{"impact", "[--json] ASSET", "show what depends on an asset and whose it is", runImpact},
		{"user", "add|list|disable|enable|set-role|remove [--email E] [--role R]", "manage staff users", runUser},
		{"audit", "list [--csv] [--actor A] [--since T]", "show the audit log of staff actions and sign-ins, or export it as CSV", runAudit},
		{"contact", "add|list|invite|remove --customer C [--email E]", "invite customers' contacts to the customer area, mail them a new invitation, remove them", runContact},
		{"token", "create|list|revoke --user E [--name N] [--role R] [--scope S,...]", "manage API tokens", runToken},
		{"location", "add|list|rotate|revoke [NAME]", "manage remote probe locations and their tokens", runLocation},
		{"agent", "add|list|rotate|remove [ASSET]", "manage host agents, each bound to one asset, and their tokens", runAgent},
		{"channel", "add|list|show|set|remove|test [ID]", "manage notification channels (e-mail, webhooks, chat, Mastodon, the forum); secrets are write-only", runChannel},
		{"notifications", "list|resend [ID] [--state dead]", "list notification messages and send dead letters again", runNotifications},
		{"probe", "--server URL --token T --location NAME", "run a remote probe at another location", runProbe},
		{"simulate", "inventory --sites N --out FILE", "generate a reference host for tests and demos", runSimulate},
		{"version", "", "print the version, commit, build date and Go version", runVersion},
	}
}

// errUsage marks an error in the command line; it exits with status 2.
var errUsage = errors.New("usage")

func run(ctx context.Context, args []string, e *env) int {
	args, err := globalFlags(args, e)
	if err == nil {
		_, _, err = logSettings(e)
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "vigie: %s\n", secret.Redact(err.Error()))
		return 2
	}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(e.stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	if args[0] == "--version" || args[0] == "-version" {
		args[0] = "version"
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, e, args[1:])
		switch {
		case err == nil:
			return 0
		case errors.Is(err, flag.ErrHelp):
			return 0
		case errors.Is(err, errUsage):
			fmt.Fprintf(e.stderr, "vigie %s: %s\n", c.name, secret.Redact(err.Error()))
			return 2
		case errors.Is(err, errReported):
			return 1
		default:
			fmt.Fprintf(e.stderr, "vigie %s: %s\n", c.name, secret.Redact(err.Error()))
			return 1
		}
	}
	fmt.Fprintf(e.stderr, "vigie: unknown command %q\n\n", args[0])
	usage(e.stderr)
	return 2
}

// errReported means the command already printed what went wrong.
var errReported = errors.New("reported")

func usage(w io.Writer) {
	fmt.Fprintln(w, "Usage: vigie COMMAND [FLAGS] [ARGS]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'vigie COMMAND --help' for the flags of a command.")
	fmt.Fprintln(w, "The database is chosen with --db or VIGIE_DB: sqlite:PATH (default sqlite:vigie.db) or postgres://URL.")
	fmt.Fprintln(w, "Logs: VIGIE_LOG=debug|info|warn|error (default info); vigie --log-format json|text COMMAND,")
	fmt.Fprintln(w, "or VIGIE_LOG_FORMAT, chooses their format (default text).")
}

// globalFlags takes the flags given before the command off args: only
// --log-format FORMAT (or --log-format=FORMAT) for now.
func globalFlags(args []string, e *env) ([]string, error) {
	for len(args) > 0 {
		switch a := args[0]; {
		case a == "--log-format" || a == "-log-format":
			if len(args) < 2 {
				return nil, errors.New("--log-format: want json or text")
			}
			e.logFormat, args = args[1], args[2:]
		case strings.HasPrefix(a, "--log-format=") || strings.HasPrefix(a, "-log-format="):
			e.logFormat, args = a[strings.IndexByte(a, '=')+1:], args[1:]
		default:
			return args, nil
		}
	}
	return args, nil
}

// newFlags returns the flag set of a subcommand, printing its usage on --help.
func newFlags(e *env, name, args, summary string) *flag.FlagSet {
	fs := flag.NewFlagSet("vigie "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stdout, "Usage: vigie %s %s\n\n%s.\n\nFlags:\n", name, args, summary)
		fs.SetOutput(e.stdout)
		fs.PrintDefaults()
		fs.SetOutput(e.stderr)
	}
	return fs
}

// dbFlag adds --db, defaulting to $VIGIE_DB or the SQLite file vigie.db.
func dbFlag(fs *flag.FlagSet, e *env) *string {
	def := e.getenv("VIGIE_DB")
	if def == "" {
		def = store.DefaultDSN
	}
	return fs.String("db", def, "database: sqlite:PATH or postgres://URL (env VIGIE_DB)")
}

// parse parses flags that may come before or after positional arguments.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, fmt.Errorf("%w: %w", errUsage, err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return rest, nil
		}
		if args[0] == "--" {
			return append(rest, args[1:]...), nil
		}
		rest = append(rest, args[0])
		args = args[1:]
	}
}

// logSettings reads the level of the process logs from VIGIE_LOG and their
// format from --log-format or VIGIE_LOG_FORMAT, refusing unknown values.
func logSettings(e *env) (level slog.Level, asJSON bool, err error) {
	switch v := e.getenv("VIGIE_LOG"); strings.ToLower(strings.TrimSpace(v)) {
	case "", "info":
		level = slog.LevelInfo
	case "debug":
		level = slog.LevelDebug
	case "warn":
		level = slog.LevelWarn
	case "error":
		level = slog.LevelError
	default:
		return 0, false, fmt.Errorf("VIGIE_LOG=%q: want debug, info, warn or error (empty means info)", v)
	}
	format, from := e.logFormat, "--log-format"
	if format == "" {
		format, from = e.getenv("VIGIE_LOG_FORMAT"), "VIGIE_LOG_FORMAT"
	}
	switch strings.ToLower(strings.TrimSpace(format)) {
	case "", "text":
	case "json":
		asJSON = true
	default:
		return 0, false, fmt.Errorf("%s=%q: want json or text", from, format)
	}
	return level, asJSON, nil
}

// Both loggers pass through secret.RedactingHandler, whatever their
// format: no log line of the process carries a token, a credential or a
// database password.

// logger is the process logger at the level of VIGIE_LOG. run has refused
// unknown settings before any command starts; a command run without it
// gets the defaults for them.
func logger(e *env) *slog.Logger {
	level, asJSON, err := logSettings(e)
	if err != nil {
		level, asJSON = slog.LevelInfo, false
	}
	return newLogger(e, level, asJSON)
}

// quietLogger logs only warnings and errors, for one-shot commands.
func quietLogger(e *env) *slog.Logger {
	_, asJSON, _ := logSettings(e)
	return newLogger(e, slog.LevelWarn, asJSON)
}

func newLogger(e *env, level slog.Level, asJSON bool) *slog.Logger {
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler = slog.NewTextHandler(e.stderr, opts)
	if asJSON {
		h = slog.NewJSONHandler(e.stderr, opts)
	}
	return slog.New(secret.RedactingHandler(h))
}

// noArgs refuses positional arguments to a command that takes none.
func noArgs(rest []string) error {
	if len(rest) > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, rest[0])
	}
	return nil
}

// closeApp closes the database at the end of a command, reporting a failure.
func closeApp(e *env, a interface{ Close() error }) {
	if err := a.Close(); err != nil {
		fmt.Fprintf(e.stderr, "vigie: close database: %v\n", err)
	}
}

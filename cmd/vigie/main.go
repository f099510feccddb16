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
		{"serve", "[--listen ADDR] [--tls-cert F --tls-key F]", "run the server: JSON API, and later the web UI, scheduler and probe", runServe},
		{"migrate", "", "apply pending database migrations and print the schema version", runMigrate},
		{"backup", "--out FILE", "write a verified snapshot of the SQLite database (PostgreSQL: pg_dump)", runBackup},
		{"restore", "--from FILE [--no-keep]", "put a snapshot in place of the SQLite database, server stopped", runRestore},
		{"import", "[--dry-run] [--prune] FILE...", "validate and import inventory files (YAML or CSV)", runImport},
		{"export", "[--format yaml|csv] [--out DIR|FILE]", "write the inventory as YAML or CSV", runExport},
		{"impact", "[--json] ASSET", "show what depends on an asset and whose it is", runImpact},
		{"user", "add|list|disable|enable|set-role|remove [--email E] [--role R]", "manage staff users", runUser},
		{"token", "create|list|revoke --user E [--name N] [--role R] [--scope S,...]", "manage API tokens", runToken},
		{"location", "add|list|rotate|revoke [NAME]", "manage remote probe locations and their tokens", runLocation},
		{"agent", "add|list|rotate|remove [ASSET]", "manage host agents, each bound to one asset, and their tokens", runAgent},
		{"probe", "--server URL --token T --location NAME", "run a remote probe at another location", runProbe},
		{"simulate", "inventory --sites N --out FILE", "generate a reference host for tests and demos", runSimulate},
	}
}

// errUsage marks an error in the command line; it exits with status 2.
var errUsage = errors.New("usage")

func run(ctx context.Context, args []string, e *env) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(e.stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
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

func logger(e *env) *slog.Logger {
	level := slog.LevelInfo
	switch strings.ToLower(e.getenv("VIGIE_LOG")) {
	case "debug":
		level = slog.LevelDebug
	case "warn":
		level = slog.LevelWarn
	case "error":
		level = slog.LevelError
	}
	return slog.New(secret.RedactingHandler(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: level})))
}

// Both loggers pass through secret.RedactingHandler: no log line of the
// process carries a token, a credential or a database password.

// quietLogger logs only warnings and errors, for one-shot commands.
func quietLogger(e *env) *slog.Logger {
	return slog.New(secret.RedactingHandler(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
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

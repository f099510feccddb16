package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"

	"github.com/vigie/vigie/internal/app"
	"github.com/vigie/vigie/internal/auth"
)

// auditUsage is the one-line synopsis of vigie audit.
const auditUsage = "vigie audit list [--csv] [--actor A] [--action X] [--since T] [--until T] [--after ID] [--limit N]"

func runAudit(ctx context.Context, e *env, args []string) error {
	sub := ""
	if len(args) > 0 {
		sub, args = args[0], args[1:]
	}
	switch sub {
	case "list":
	case "-h", "--help":
		fmt.Fprintln(e.stdout, "Usage: "+auditUsage+" [--db DSN]")
		fmt.Fprintln(e.stdout, "\nlist  show the audit log, newest first: every staff action and sign-in, who, what,")
		fmt.Fprintln(e.stdout, "      when and from where; --csv writes every entry selected as CSV (spreadsheet-safe)")
		return nil
	case "":
		return fmt.Errorf("%w: want '%s'", errUsage, auditUsage)
	default:
		return fmt.Errorf("%w: unknown subcommand %q: want '%s'", errUsage, sub, auditUsage)
	}
	fs := newFlags(e, "audit list", "[--csv] [--actor A] [--action X] [--since T] [--until T] [--after ID] [--limit N] [--db DSN]",
		"Show the audit log, newest first")
	db := dbFlag(fs, e)
	asCSV := fs.Bool("csv", false, "write CSV, every entry selected unless --limit says otherwise")
	var f auth.AuditFilter
	fs.StringVar(&f.Actor, "actor", "", "only this actor's entries (a staff e-mail, customer:ID, token:NAME or system)")
	fs.StringVar(&f.Action, "action", "", "only this action, e.g. sign-in")
	since := fs.String("since", "", "only entries at or after this RFC 3339 time")
	until := fs.String("until", "", "only entries before this RFC 3339 time")
	fs.Int64Var(&f.AfterID, "after", 0, "only entries older than this id (the last id of the previous page)")
	fs.IntVar(&f.Limit, "limit", 0, fmt.Sprintf("at most this many (default %d, at most %d; with --csv, all)", auth.DefaultAuditLimit, auth.MaxAuditLimit))
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs(rest); err != nil {
		return err
	}
	if f.Since, err = flagTime("--since", *since); err != nil {
		return err
	}
	if f.Until, err = flagTime("--until", *until); err != nil {
		return err
	}
	if f.Limit < 0 || f.Limit > auth.MaxAuditLimit && !*asCSV {
		return fmt.Errorf("%w: --limit: want a number from 1 to %d", errUsage, auth.MaxAuditLimit)
	}
	if f.AfterID < 0 {
		return fmt.Errorf("%w: --after: want an entry id", errUsage)
	}
	a, err := app.Open(ctx, app.Config{DB: *db, Logger: quietLogger(e)})
	if err != nil {
		return err
	}
	defer closeApp(e, a)
	log := auditOf(a)
	if *asCSV {
		return log.WriteCSV(ctx, e.stdout, f)
	}
	return printAudit(ctx, e, log, f)
}

// auditOf returns the audit log of an opened app.
func auditOf(a *app.App) *auth.Audit { return a.Audit }

// flagTime parses an optional RFC 3339 time given to flag.
func flagTime(flag, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: %s: want an RFC 3339 time such as 2026-11-26T03:00:00Z, got %q", errUsage, flag, v)
	}
	return t, nil
}

// printAudit writes a page of the audit log as a table, and how to get the
// next one.
func printAudit(ctx context.Context, e *env, log *auth.Audit, f auth.AuditFilter) error {
	entries, err := log.List(ctx, f)
	if err != nil {
		return fmt.Errorf("list audit log: %w", err)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tAT\tACTOR\tACTION\tTARGET\tADDRESS\tOK\tDETAIL")
	for _, en := range entries {
		ok := "yes"
		if !en.OK {
			ok = "NO"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", en.ID, en.At.Format(time.RFC3339), en.Actor, en.Action,
			dash(en.Target), dash(en.Addr), ok, dash(oneLineText(en.Detail)))
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write audit log: %w", err)
	}
	limit := f.Limit
	if limit == 0 {
		limit = auth.DefaultAuditLimit
	}
	if n := len(entries); n == limit {
		fmt.Fprintf(e.stdout, "next page: --after %s\n", strconv.FormatInt(entries[n-1].ID, 10))
	}
	return nil
}

// dash shows an empty cell as "-".
func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// oneLineText is a detail on one line of at most 80 characters, its
// control characters (line breaks, terminal escapes) made spaces.
func oneLineText(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	if r := []rune(s); len(r) > 80 {
		s = string(r[:80]) + "…"
	}
	return s
}

package main

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/vigie/vigie/internal/app"
	"github.com/vigie/vigie/internal/probe"
)

const locationArgs = "add|list|rotate|revoke [NAME] [--db DSN]"

func runLocation(ctx context.Context, e *env, args []string) error {
	sub := ""
	if len(args) > 0 {
		sub, args = args[0], args[1:]
	}
	switch sub {
	case "add", "list", "rotate", "revoke":
	case "-h", "--help":
		fmt.Fprintln(e.stdout, "Usage: vigie location "+locationArgs)
		fmt.Fprintln(e.stdout, "\nadd prints the token of a new remote probe location once; rotate replaces it;")
		fmt.Fprintln(e.stdout, "revoke stops it from authenticating; list shows every location.")
		return nil
	default:
		return fmt.Errorf("%w: want 'vigie location %s'", errUsage, locationArgs)
	}
	fs := newFlags(e, "location "+sub, "[NAME] [--db DSN]", "Manage remote probe locations and their tokens")
	db := dbFlag(fs, e)
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	var name string
	if sub == "list" {
		if err := noArgs(rest); err != nil {
			return err
		}
	} else {
		if len(rest) != 1 {
			return fmt.Errorf("%w: want one location NAME", errUsage)
		}
		name = rest[0]
		if err := probe.CheckLocationName(name); err != nil {
			return fmt.Errorf("%w: %w", errUsage, err)
		}
	}
	a, err := app.Open(ctx, app.Config{DB: *db, Logger: quietLogger(e)})
	if err != nil {
		return err
	}
	defer closeApp(e, a)
	locations := probe.NewLocationStore(a.DB)
	switch sub {
	case "add", "rotate":
		add := locations.Add
		if sub == "rotate" {
			add = locations.Rotate
		}
		token, err := add(ctx, name)
		if err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, token)
		fmt.Fprintf(e.stderr, "token of location %q; it is shown once: keep it now for 'vigie probe --location %s --token ...'\n", name, name)
	case "revoke":
		if err := locations.Revoke(ctx, name); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "location %q revoked: its probe can no longer authenticate\n", name)
	case "list":
		return printLocations(ctx, e, locations)
	}
	return nil
}

func printLocations(ctx context.Context, e *env, locations *probe.LocationStore) error {
	ls, err := locations.List(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tCREATED\tLAST SEEN\tREFUSED\tSTATE")
	for _, l := range ls {
		seen, state := "never", "active"
		if l.LastSeenAt != nil {
			seen = l.LastSeenAt.Format(time.RFC3339)
		}
		if l.Revoked() {
			state = "revoked " + l.RevokedAt.Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\n", l.Name, l.CreatedAt.Format(time.RFC3339), seen, l.RefusedResults, state)
	}
	return tw.Flush()
}

package main

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/vigie/vigie/internal/app"
)

// machineCommand is a command managing one kind of machine token, each
// bound to a target (a location, an asset): add and rotate print the new
// token once, drop stops it, list shows them all.
type machineCommand struct {
	name, target, drop string // "agent", "ASSET", "remove"
	summary, help      string
	// check, when set, refuses a bad target before the database is opened.
	check func(string) error
	// open gives the operations over the opened app.
	open func(a *app.App) machineTokens
	// shown and dropped are the messages after add or rotate, and drop.
	shown, dropped func(target string) string
}

// machineTokens are the operations of a machineCommand.
type machineTokens struct {
	add, rotate func(ctx context.Context, target string) (string, error)
	drop        func(ctx context.Context, target string) error
	list        func(ctx context.Context, e *env) error
}

func (m machineCommand) run(ctx context.Context, e *env, args []string) error {
	usage := fmt.Sprintf("add|list|rotate|%s [%s] [--db DSN]", m.drop, m.target)
	sub := ""
	if len(args) > 0 {
		sub, args = args[0], args[1:]
	}
	switch {
	case sub == "-h" || sub == "--help":
		fmt.Fprintf(e.stdout, "Usage: vigie %s %s\n\n%s\n", m.name, usage, m.help)
		return nil
	case !slices.Contains([]string{"add", "list", "rotate", m.drop}, sub):
		return fmt.Errorf("%w: want 'vigie %s %s'", errUsage, m.name, usage)
	}
	fs := newFlags(e, m.name+" "+sub, "["+m.target+"] [--db DSN]", m.summary)
	db := dbFlag(fs, e)
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	var target string
	if sub == "list" {
		if err := noArgs(rest); err != nil {
			return err
		}
	} else {
		if len(rest) != 1 || rest[0] == "" {
			return fmt.Errorf("%w: want one %s %s", errUsage, m.name, m.target)
		}
		target = rest[0]
		if m.check != nil {
			if err := m.check(target); err != nil {
				return fmt.Errorf("%w: %w", errUsage, err)
			}
		}
	}
	a, err := app.Open(ctx, app.Config{DB: *db, Logger: quietLogger(e)})
	if err != nil {
		return err
	}
	defer closeApp(e, a)
	tokens := m.open(a)
	switch sub {
	case "add", "rotate":
		make := tokens.add
		if sub == "rotate" {
			make = tokens.rotate
		}
		token, err := make(ctx, target)
		if err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, token)
		fmt.Fprintln(e.stderr, m.shown(target))
	case "list":
		return tokens.list(ctx, e)
	default:
		if err := tokens.drop(ctx, target); err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, m.dropped(target))
	}
	return nil
}

// lastTime prints an optional time of last use or sight: "never" without one.
func lastTime(t *time.Time) string {
	if t == nil {
		return "never"
	}
	return t.Format(time.RFC3339)
}

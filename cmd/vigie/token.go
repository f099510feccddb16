package main

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/vigie/vigie/internal/app"
	"github.com/vigie/vigie/internal/auth"
)

func runToken(ctx context.Context, e *env, args []string) error {
	sub := ""
	if len(args) > 0 {
		sub, args = args[0], args[1:]
	}
	switch sub {
	case "create", "list", "revoke":
	case "-h", "--help":
		fmt.Fprintln(e.stdout, "Usage: vigie token create|list|revoke --user E [--name N] [--db DSN]")
		fmt.Fprintln(e.stdout, "\ncreate prints a new API bearer token once; list shows a user's tokens; revoke deletes one.")
		return nil
	default:
		return fmt.Errorf("%w: want 'vigie token create|list|revoke --user E [--name N]'", errUsage)
	}
	fs := newFlags(e, "token "+sub, "--user E [--name N] [--db DSN]", "Manage a staff user's API tokens")
	db := dbFlag(fs, e)
	user := fs.String("user", "", "the user's e-mail address")
	name := fs.String("name", "", "the token's name (create, revoke)")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs(rest); err != nil {
		return err
	}
	if *user == "" || (sub != "list" && *name == "") {
		return fmt.Errorf("%w: --user and --name are required", errUsage)
	}
	a, err := app.Open(ctx, app.Config{DB: *db, Logger: quietLogger(e)})
	if err != nil {
		return err
	}
	defer closeApp(e, a)
	switch sub {
	case "create":
		secret, _, err := a.Auth.CreateToken(ctx, *user, auth.TokenSpec{Name: *name})
		if err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, secret)
		fmt.Fprintf(e.stderr, "token %q created for %s; it is shown once: keep it now\n", *name, *user)
	case "revoke":
		if err := a.Auth.RevokeToken(ctx, *user, *name); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "token %q of %s revoked\n", *name, *user)
	case "list":
		tokens, err := a.Auth.Tokens(ctx, *user)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tCREATED\tLAST USED")
		for _, t := range tokens {
			last := "never"
			if t.LastUsedAt != nil {
				last = t.LastUsedAt.Format(time.RFC3339)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\n", t.Name, t.CreatedAt.Format(time.RFC3339), last)
		}
		return tw.Flush()
	}
	return nil
}

package main

import (
	"context"
	"fmt"
	"strings"
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
	const synopsis = "vigie token create|list|revoke --user E [--name N] [--role R] [--scope S,...]"
	switch sub {
	case "create", "list", "revoke":
	case "-h", "--help":
		fmt.Fprintln(e.stdout, "Usage: "+synopsis+" [--db DSN]")
		fmt.Fprintln(e.stdout, "\ncreate prints a new API bearer token once; list shows a user's tokens; revoke deletes one.")
		fmt.Fprintln(e.stdout, "A token acts with its user's role, or with --role when weaker (admin, staff, viewer);")
		fmt.Fprintln(e.stdout, "--scope narrows it to some jobs: alertmanager, read, import, overview (comma-separated).")
		return nil
	default:
		return fmt.Errorf("%w: want '%s'", errUsage, synopsis)
	}
	fs := newFlags(e, "token "+sub, "--user E [--name N] [--role R] [--scope S,...] [--db DSN]", "Manage a staff user's API tokens")
	db := dbFlag(fs, e)
	user := fs.String("user", "", "the user's e-mail address")
	name := fs.String("name", "", "the token's name (create, revoke)")
	roleName := fs.String("role", "", "the token's role, at most the user's; default: the user's (create)")
	scopeList := fs.String("scope", "", "comma-separated scopes narrowing the token: alertmanager, read, import, overview (create)")
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
	if sub != "create" && (*roleName != "" || *scopeList != "") {
		return fmt.Errorf("%w: --role and --scope are only for create", errUsage)
	}
	spec := auth.TokenSpec{Name: *name}
	if *roleName != "" {
		if spec.Role, err = auth.ParseRole(*roleName); err != nil {
			return fmt.Errorf("%w: --role: %w", errUsage, err)
		}
	}
	if *scopeList != "" {
		for part := range strings.SplitSeq(*scopeList, ",") {
			sc, err := auth.ParseScope(part)
			if err != nil {
				return fmt.Errorf("%w: --scope: %w", errUsage, err)
			}
			spec.Scopes = append(spec.Scopes, sc)
		}
	}
	a, err := app.Open(ctx, app.Config{DB: *db, Logger: quietLogger(e)})
	if err != nil {
		return err
	}
	defer closeApp(e, a)
	switch sub {
	case "create":
		secret, _, err := a.Auth.CreateToken(ctx, *user, spec)
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
		return listTokens(ctx, e, a.Auth, *user)
	}
	return nil
}

// listTokens prints a user's tokens as a table. A token without a role of
// its own shows its user's, marked as such; one without scopes shows "all".
func listTokens(ctx context.Context, e *env, s *auth.Service, email string) error {
	tokens, err := s.Tokens(ctx, email)
	if err != nil {
		return err
	}
	u, err := s.User(ctx, email)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tROLE\tSCOPES\tCREATED\tLAST USED")
	for _, t := range tokens {
		last := lastTime(t.LastUsedAt)
		role := string(auth.Weaker(u.Role, t.Role))
		if t.Role == "" {
			role = string(u.Role) + " (user's)"
		}
		scopes := "all"
		if len(t.Scopes) > 0 {
			names := make([]string, len(t.Scopes))
			for i, sc := range t.Scopes {
				names[i] = string(sc)
			}
			scopes = strings.Join(names, ",")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", t.Name, role, scopes, t.CreatedAt.Format(time.RFC3339), last)
	}
	return tw.Flush()
}

package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/term"

	"github.com/vigie/vigie/internal/app"
	"github.com/vigie/vigie/internal/auth"
)

// userUsage is the one-line synopsis of vigie user.
const userUsage = "vigie user add|list|disable|enable|set-role|remove|duty [--email E] [--role admin|staff|viewer]"

func runUser(ctx context.Context, e *env, args []string) error {
	sub := ""
	if len(args) > 0 {
		sub, args = args[0], args[1:]
	}
	switch sub {
	case "add":
		return runUserAdd(ctx, e, args)
	case "list", "disable", "enable", "set-role", "remove":
		return runUserChange(ctx, e, sub, args)
	case "duty":
		return runUserDuty(ctx, e, args)
	case "-h", "--help":
		fmt.Fprintln(e.stdout, "Usage: "+userUsage+" [--db DSN]")
		fmt.Fprintln(e.stdout, "\nadd      add a staff user; the password is read from standard input; when none is")
		fmt.Fprintln(e.stdout, "         given (or standard input is a terminal), one is generated and printed once")
		fmt.Fprintln(e.stdout, "list     show every user with their role and whether they are enabled")
		fmt.Fprintln(e.stdout, "disable  stop a user from signing in and delete their tokens")
		fmt.Fprintln(e.stdout, "enable   let a disabled user sign in again (their old tokens stay deleted)")
		fmt.Fprintln(e.stdout, "set-role give a user another role (--role)")
		fmt.Fprintln(e.stdout, "remove   delete a user and their tokens")
		fmt.Fprintln(e.stdout, "duty     show who is on duty; with --email and --duty, set a member's duty hours (pages)")
		fmt.Fprintln(e.stdout, "\nThe last enabled admin cannot be demoted, disabled or removed.")
		return nil
	case "":
		return fmt.Errorf("%w: want '%s'", errUsage, userUsage)
	default:
		return fmt.Errorf("%w: unknown subcommand %q: want '%s'", errUsage, sub, userUsage)
	}
}

func runUserAdd(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "user add", "--email E --role admin|staff|viewer [--db DSN] < password",
		"Add a staff user; the password is read from standard input, or generated and printed once when none is given")
	db := dbFlag(fs, e)
	email := fs.String("email", "", "the user's e-mail address (their login)")
	roleName := fs.String("role", "staff", "admin, staff or viewer")
	zone := fs.String("timezone", "Europe/Paris", "the user's IANA time zone, e.g. America/Montreal")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs(rest); err != nil {
		return err
	}
	if *email == "" {
		return fmt.Errorf("%w: --email is required", errUsage)
	}
	role, err := auth.ParseRole(*roleName)
	if err != nil {
		return fmt.Errorf("%w: --role: %w", errUsage, err)
	}
	password, err := readPassword(e.stdin)
	if err != nil {
		return err
	}
	generated := password == ""
	if generated {
		password = auth.GeneratePassword()
	}
	a, err := app.Open(ctx, app.Config{DB: *db, Logger: quietLogger(e)})
	if err != nil {
		return err
	}
	defer closeApp(e, a)
	if loc, err := time.LoadLocation(*zone); err != nil || loc == time.Local || *zone == "Local" {
		return fmt.Errorf("%w: --timezone: unknown time zone %q", errUsage, *zone)
	}
	u, err := a.Auth.AddUser(ctx, *email, role, password)
	if err != nil {
		return err
	}
	if *zone != auth.DefaultTimezone {
		if err := a.Auth.SetTimezone(ctx, u.Email, *zone); err != nil {
			return err
		}
		u.Timezone = *zone
	}
	fmt.Fprintf(e.stdout, "added %s user %s (%s)\n", u.Role, u.Email, u.Timezone)
	if generated {
		fmt.Fprintf(e.stdout, "password (shown once): %s\n", password)
	}
	return nil
}

// runUserChange runs the user subcommands other than add.
func runUserChange(ctx context.Context, e *env, sub string, args []string) error {
	synopsis := "--email E [--db DSN]"
	switch sub {
	case "list":
		synopsis = "[--db DSN]"
	case "set-role":
		synopsis = "--email E --role admin|staff|viewer [--db DSN]"
	}
	fs := newFlags(e, "user "+sub, synopsis, "Manage staff users")
	db := dbFlag(fs, e)
	email := fs.String("email", "", "the user's e-mail address")
	roleName := fs.String("role", "", "the new role: admin, staff or viewer (set-role)")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs(rest); err != nil {
		return err
	}
	if sub != "list" && *email == "" {
		return fmt.Errorf("%w: --email is required", errUsage)
	}
	if sub == "list" && *email != "" {
		return fmt.Errorf("%w: list takes no --email", errUsage)
	}
	var role auth.Role
	switch {
	case sub == "set-role" && *roleName == "":
		return fmt.Errorf("%w: --role is required", errUsage)
	case sub == "set-role":
		if role, err = auth.ParseRole(*roleName); err != nil {
			return fmt.Errorf("%w: --role: %w", errUsage, err)
		}
	case *roleName != "":
		return fmt.Errorf("%w: --role is only for set-role and add", errUsage)
	}
	a, err := app.Open(ctx, app.Config{DB: *db, Logger: quietLogger(e)})
	if err != nil {
		return err
	}
	defer closeApp(e, a)
	switch sub {
	case "list":
		return listUsers(ctx, e, a.Auth)
	case "disable":
		err = a.Auth.DisableUser(ctx, *email)
	case "enable":
		err = a.Auth.EnableUser(ctx, *email)
	case "set-role":
		err = a.Auth.SetRole(ctx, *email, role)
	case "remove":
		err = a.Auth.RemoveUser(ctx, *email)
	}
	if err != nil {
		return err
	}
	done := map[string]string{"disable": "disabled, and their tokens revoked", "enable": "enabled",
		"set-role": "is now " + string(role), "remove": "removed, with their tokens"}
	fmt.Fprintf(e.stdout, "user %s %s\n", strings.ToLower(strings.TrimSpace(*email)), done[sub])
	return nil
}

// listUsers prints every user as a table.
func listUsers(ctx context.Context, e *env, s *auth.Service) error {
	users, err := s.Users(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "EMAIL\tROLE\tSTATUS\tTIME ZONE\tCREATED")
	for _, u := range users {
		status := "enabled"
		if u.Disabled {
			status = "disabled"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", u.Email, u.Role, status, u.Timezone, u.CreatedAt.Format(time.RFC3339))
	}
	return tw.Flush()
}

// readPassword reads the first line of stdin, unless stdin is a terminal.
func readPassword(stdin io.Reader) (string, error) {
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return "", nil
	}
	if stdin == nil {
		return "", nil
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", fmt.Errorf("read password from stdin: %w", err)
	}
	return strings.TrimRight(line, "\r\n"), nil
}

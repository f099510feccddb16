package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/vigie/vigie/internal/app"
	"github.com/vigie/vigie/internal/auth"
)

func runUser(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] != "add" {
		if len(args) > 0 && (args[0] == "--help" || args[0] == "-h") {
			fmt.Fprintln(e.stdout, "Usage: vigie user add --email E --role admin|staff [--db DSN]")
			fmt.Fprintln(e.stdout, "\nAdd a staff user. The password is read from standard input; when none is given")
			fmt.Fprintln(e.stdout, "(or standard input is a terminal), one is generated and printed once.")
			return nil
		}
		return fmt.Errorf("%w: want 'vigie user add --email E --role admin|staff'", errUsage)
	}
	fs := newFlags(e, "user add", "--email E --role admin|staff [--db DSN] < password",
		"Add a staff user; the password is read from standard input, or generated and printed once when none is given")
	db := dbFlag(fs, e)
	email := fs.String("email", "", "the user's e-mail address (their login)")
	roleName := fs.String("role", "staff", "admin or staff")
	zone := fs.String("timezone", "Europe/Paris", "the user's IANA time zone, e.g. America/Montreal")
	rest, err := parse(fs, args[1:])
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

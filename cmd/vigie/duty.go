package main

import (
	"context"
	"flag"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/vigie/vigie/internal/app"
	"github.com/vigie/vigie/internal/notify"
)

// runUserDuty shows the staff's duty hours, or sets one member's.
func runUserDuty(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "user duty", "[--email E --duty HH:MM-HH:MM|always|never [--timezone Z] [--page=false]] [--db DSN]",
		"Show who is on duty and whom a page reaches now; with --email, set that staff member's duty hours, in their time zone")
	db := dbFlag(fs, e)
	email := fs.String("email", "", "the staff member whose duty hours to set")
	duty := fs.String("duty", "", "duty hours in their time zone, e.g. 08:00-23:00 or 12:00-20:00; across midnight when the end comes first; always; never")
	zone := fs.String("timezone", "", "their IANA time zone, e.g. America/Montreal (unchanged when not given)")
	page := fs.Bool("page", true, "whether pages reach them")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs(rest); err != nil {
		return err
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	if *email == "" && (given["duty"] || given["timezone"] || given["page"]) {
		return fmt.Errorf("%w: --duty, --timezone and --page need --email", errUsage)
	}
	if *email != "" && !given["duty"] && !given["timezone"] && !given["page"] {
		return fmt.Errorf("%w: with --email, give what changes: --duty, --timezone or --page", errUsage)
	}
	if *email != "" {
		if _, err := notify.ParseDuty(*duty); given["duty"] && err != nil {
			return fmt.Errorf("%w: --duty: %w", errUsage, err)
		}
		if *zone != "" {
			if loc, err := time.LoadLocation(*zone); err != nil || loc == time.Local || *zone == "Local" {
				return fmt.Errorf("%w: --timezone: unknown time zone %q", errUsage, *zone)
			}
		}
	}
	a, err := app.Open(ctx, app.Config{DB: *db, Logger: quietLogger(e)})
	if err != nil {
		return err
	}
	defer closeApp(e, a)
	if *email != "" {
		if err := applyDuty(ctx, a, *email, *duty, *zone, *page, given); err != nil {
			return err
		}
	}
	return printDuty(ctx, e, a)
}

// applyDuty changes what was given of a staff member's watch.
func applyDuty(ctx context.Context, a *app.App, email, duty, zone string, page bool, given map[string]bool) error {
	if _, err := a.Auth.User(ctx, email); err != nil {
		return err
	}
	if zone != "" {
		if err := a.Auth.SetTimezone(ctx, email, zone); err != nil {
			return err
		}
	}
	var d *string
	var pg *bool
	if given["duty"] {
		d = &duty
	}
	if given["page"] {
		pg = &page
	}
	return a.NotifyPrefs.ChangeDuty(ctx, email, d, pg)
}

// printDuty prints the staff's duty hours and whom a page reaches now.
func printDuty(ctx context.Context, e *env, a *app.App) error {
	staff, err := a.NotifyPrefs.StaffList(ctx)
	if err != nil {
		return err
	}
	now := time.Now()
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "EMAIL\tTIME ZONE\tDUTY\tPAGED\tON DUTY NOW")
	for _, s := range staff {
		d := s.Duty
		if d == "" {
			d = "never"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", s.Email, s.Zone, d, yesNo(s.Page), yesNo(s.On(now)))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	paged, everyone := notify.Paged(staff, now)
	if everyone {
		fmt.Fprintf(e.stdout, "no one is on duty now: a page reaches all %d who take pages\n", len(paged))
	} else {
		fmt.Fprintf(e.stdout, "a page now reaches %d on duty\n", len(paged))
	}
	return nil
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

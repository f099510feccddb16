package main

import (
	"context"
	"flag"
	"fmt"
	"net/url"
	"time"

	"github.com/vigie/vigie/internal/app"
	"github.com/vigie/vigie/internal/incident"
)

// statusFlags are the options of the public status page, shared by serve
// and export-status.
type statusFlags struct {
	name, url, zone, mirrorURL *string
	fs                         *flag.FlagSet
	// urlRequired: the command writes the address for good (a static
	// export), so the default will not do.
	urlRequired bool
}

func addStatusFlags(fs *flag.FlagSet) statusFlags {
	return statusFlags{
		name:      fs.String("public-name", "Vigie", "the host's name on its status page and in its feeds"),
		url:       fs.String("public-url", "http://localhost:8080", "the status page's public address, for feeds, calendars and customers' URLs"),
		zone:      fs.String("status-zone", incident.DefaultZone, "the time zone the status page is rendered in (browsers show their own)"),
		mirrorURL: fs.String("mirror-url", "", "where the static mirror of the status page is served, linked from the live page"),
		fs:        fs,
	}
}

// check validates the flags, naming the bad one.
func (f statusFlags) check() error {
	if f.urlRequired {
		set := false
		f.fs.Visit(func(fl *flag.Flag) { set = set || fl.Name == "public-url" })
		if !set {
			return fmt.Errorf("%w: --public-url is required: the export's feeds, calendar and links carry the live page's address, and a mirror must match it", errUsage)
		}
	}
	if u, err := url.Parse(*f.url); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%w: --public-url: want an http(s) address such as https://status.example.org, got %q", errUsage, *f.url)
	}
	if *f.mirrorURL != "" {
		if u, err := url.Parse(*f.mirrorURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("%w: --mirror-url: want an http(s) address, got %q", errUsage, *f.mirrorURL)
		}
	}
	if _, err := time.LoadLocation(*f.zone); err != nil || *f.zone == "" || *f.zone == "Local" {
		return fmt.Errorf("%w: --status-zone: unknown time zone %q: want an IANA name such as Europe/Paris", errUsage, *f.zone)
	}
	return nil
}

func (f statusFlags) apply(cfg *app.Config) {
	cfg.PublicName, cfg.PublicURL, cfg.StatusZone, cfg.MirrorURL = *f.name, *f.url, *f.zone, *f.mirrorURL
}

// runExportStatus writes the public status page as static files.
func runExportStatus(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "export-status", "[--db DSN] --public-url URL DIR", "Write the public status page, its incident pages, feeds, calendar and /api/v2 documents as static files under DIR, for a web server elsewhere to serve")
	db := dbFlag(fs, e)
	sf := addStatusFlags(fs)
	sf.urlRequired = true
	a, rest, err := openForStatus(ctx, e, fs, args, db, sf, "give the directory to write, once")
	if err != nil {
		return err
	}
	defer closeApp(e, a)
	n, err := a.ExportStatus(ctx, rest[0])
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "wrote %d files of the status page to %s\n", n, rest[0])
	return nil
}

// openForStatus parses a status command's flags, which take exactly one
// argument (missing says want), and opens the app they name.
func openForStatus(ctx context.Context, e *env, fs *flag.FlagSet, args []string, db *string, sf statusFlags, want string) (*app.App, []string, error) {
	rest, err := parse(fs, args)
	if err != nil {
		return nil, nil, err
	}
	if len(rest) != 1 {
		return nil, nil, fmt.Errorf("%w: %s", errUsage, want)
	}
	if err := sf.check(); err != nil {
		return nil, nil, err
	}
	cfg := app.Config{DB: *db, Logger: logger(e)}
	sf.apply(&cfg)
	a, err := app.Open(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	return a, rest, nil
}

// runStatusURL gives a customer the secret URL of their own status page,
// or revokes it.
func runStatusURL(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "status-url", "[--revoke] CUSTOMER", "Give a customer a new secret URL of their own status page, feeds and calendar (the old one stops working), or revoke it")
	db := dbFlag(fs, e)
	revoke := fs.Bool("revoke", false, "revoke the customer's URL instead")
	sf := addStatusFlags(fs)
	a, rest, err := openForStatus(ctx, e, fs, args, db, sf, "give one customer id")
	if err != nil {
		return err
	}
	defer closeApp(e, a)
	if *revoke {
		if err := a.StatusTokens.Revoke(ctx, rest[0]); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "revoked the status URL of %s\n", rest[0])
		return nil
	}
	token, err := a.StatusTokens.Issue(ctx, rest[0])
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s/c/%s/\n", trimSlash(*sf.url), token)
	return nil
}

func trimSlash(s string) string {
	for len(s) > 0 && s[len(s)-1] == '/' {
		s = s[:len(s)-1]
	}
	return s
}

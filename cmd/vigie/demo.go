package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/vigie/vigie/internal/demo"
)

func runDemo(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "demo", "[--speed N] [--listen ADDR] [--mail-listen ADDR] [--db DSN]",
		"Run the whole of Vigie on this machine: a generated host of 600 customers and 1,500 sites served on\n"+
			"loopback, the server with a second probe location, a mail catcher, demo accounts, and a scripted outage:\n"+
			"a site answering 500 after a minute, hypervisor hv03 failing after three, a maintenance planned, then the\n"+
			"recovery and a post-mortem drafted. It prints what to open and how to sign in, and runs until stopped")
	db := fs.String("db", "", "database: sqlite:PATH or postgres://URL, which must hold no inventory yet (default: SQLite in a temporary directory, removed on exit)")
	listen := fs.String("listen", "127.0.0.1:8080", "loopback address of the server (port 0: any free one; by default a free one when 8080 is taken)")
	mailListen := fs.String("mail-listen", "127.0.0.1:8025", "loopback address of the page of caught mails (port 0: any free one; by default a free one when 8025 is taken)")
	speed := fs.Float64("speed", 1, "run the script this many times faster (the checks too, within limits)")
	seed := fs.Int64("seed", 1, "random seed of the generated host")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs(rest); err != nil {
		return err
	}
	// Ports not chosen are the usual ones, or free ones when those are
	// taken: the demo starts whatever else runs here.
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if !set["listen"] {
		*listen = ""
	}
	if !set["mail-listen"] {
		*mailListen = ""
	}
	if *speed < 1 || *speed > 1000 {
		return fmt.Errorf("%w: --speed must be between 1 and 1000", errUsage)
	}
	log := quietLogger(e)
	if e.getenv("VIGIE_LOG") != "" {
		log = logger(e)
	}
	out := &lockedWriter{w: e.stdout}
	fmt.Fprintln(out, "Starting the demo: generating the host, serving its sites on loopback, importing it…")
	d, err := demo.Start(ctx, demo.Options{DB: *db, Listen: *listen, MailListen: *mailListen, Speed: *speed, Seed: *seed,
		Logger: log, Version: readBuildInfo().short(),
		Step: func(s demo.Step) { fmt.Fprintf(out, "[%s] %s\n", clock(s.At), s.Text) }})
	if err != nil {
		return err
	}
	defer func() {
		if err := d.Close(); err != nil {
			fmt.Fprintf(e.stderr, "vigie demo: clean up: %v\n", err)
		}
	}()
	printDemo(out, d, *speed, *db == "")
	err = d.Run(ctx)
	fmt.Fprintln(out, "Demo stopped.")
	return err
}

// printDemo tells a newcomer what runs, what to open, how to sign in and
// what will happen.
func printDemo(w io.Writer, d *demo.Demo, speed float64, temporary bool) {
	h, a, u := d.Host, d.Accounts, d.URLs
	fmt.Fprintf(w, "\nVigie demo: a generated host of %d customers, %d sites, %d hypervisors and %d VMs, with storage,\n"+
		"name, mail and database services; its sites answer on loopback, checked from two locations (paris, montreal).\n",
		h.Customers, h.Sites, h.Hypervisors, h.VMs)
	if temporary {
		fmt.Fprintln(w, "Nothing leaves this machine; the database is in a temporary directory, removed when the demo stops.")
	}
	fmt.Fprintf(w, "\nOpen:\n")
	fmt.Fprintf(w, "  Staff console   %s\n", u.Console)
	fmt.Fprintf(w, "  Status page     %s\n", u.StatusPage)
	fmt.Fprintf(w, "  Customer area   %s\n", u.CustomerArea)
	fmt.Fprintf(w, "  Mails sent      %s   (every mail Vigie sends, as sent; %s?to=%s for the customer's)\n", u.Mails, u.Mails, h.CustomerEmail)
	fmt.Fprintf(w, "  API             %s   (read token: %s)\n", u.API, a.ReadToken)
	fmt.Fprintf(w, "\nSign in:\n")
	fmt.Fprintf(w, "  Staff           %s / %s   (the console; staff need no second step)\n", a.Staff, a.StaffPassword)
	fmt.Fprintf(w, "  Admin           %s / %s, then a code from an authenticator app given the key %s,\n", a.Admin, a.AdminPassword, a.AdminTOTP)
	fmt.Fprintf(w, "                  or one of the recovery codes %s (each works once)\n", strings.Join(a.AdminRecovery, ", "))
	fmt.Fprintf(w, "  Customer        %s / %s   (the customer area of %s, %s)\n", a.Contact, a.ContactPassword, a.CustomerName, a.Customer)
	fmt.Fprintf(w, "\nThe script")
	if speed != 1 {
		fmt.Fprintf(w, " (%g times faster)", speed)
	}
	fmt.Fprintln(w, ":")
	for _, s := range d.Timeline {
		fmt.Fprintf(w, "  %s  %s\n", clock(s.At), s.Text)
	}
	fmt.Fprintf(w, "Each step is told below as it happens. Stop the demo with Ctrl-C.\n\n")
}

// clock writes a moment of the script as m:ss.
func clock(d time.Duration) string {
	d = d.Round(time.Second)
	return fmt.Sprintf("+%d:%02d", int(d.Minutes()), int(d.Seconds())%60)
}

// lockedWriter serializes the lines of the script's steps and the rest.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// Package demo runs the whole of Vigie on one machine for a newcomer: a
// generated host of the reference size, its sites served on loopback by
// the simulator, the server with a second probe location, a mail catcher,
// demo accounts, and a scripted outage that becomes one incident.
package demo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/vigie/vigie/internal/app"
	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/probe"
	"github.com/vigie/vigie/internal/simulate"
)

// The probe locations of the demo: the server's own, and a second one run
// in-process as a remote probe would run elsewhere.
const (
	localLocation  = "paris"
	remoteLocation = "montreal"
)

// Options configure a demo.
type Options struct {
	// DB is the database; empty, a SQLite file in a temporary directory
	// removed on Close. A given database must hold no inventory yet.
	DB string
	// Listen and MailListen are the loopback addresses of the server and
	// of the mail catcher's page (":0" ports pick free ones); empty, they
	// are 127.0.0.1:8080 and 127.0.0.1:8025, or free ports when those are
	// taken.
	Listen, MailListen string
	// Speed compresses the script and the checks' timings (1: real time).
	Speed float64
	// Seed chooses the generated host.
	Seed int64
	// Logger receives the server's logs; nil discards them.
	Logger *slog.Logger
	// Version names the build on the first screen.
	Version string
	// Step is told each step of the script as it happens (may be nil).
	Step func(Step)
}

// Demo is a running demo.
type Demo struct {
	// App is the server; Mail the mail catcher.
	App  *app.App
	Mail *Mailbox
	// URLs are what to open; Accounts how to sign in.
	URLs     URLs
	Accounts Accounts
	// Timeline is the script, as planned at the demo's speed.
	Timeline []Step
	// Host tells what the generated host holds.
	Host HostFacts

	opts   Options
	t      timing
	h      *host
	farm   *simulate.Farm
	ln     net.Listener
	mailLn net.Listener
	dir    string // the temporary directory, removed on Close
	api    *apiClient
	remote *probe.Remote
}

// URLs are the pages of the demo.
type URLs struct {
	Console, StatusPage, CustomerArea, Mails, API string
}

// Accounts are the demo's credentials, printed at start.
type Accounts struct {
	Staff, StaffPassword string
	// Admin signs in with a password and a TOTP code from AdminTOTP (an
	// authenticator app's key, or AdminTOTPURL as a QR code), or one of
	// AdminRecovery, each good once.
	Admin, AdminPassword, AdminTOTP, AdminTOTPURL string
	AdminRecovery                                 []string
	// Customer is a contact of Customer (CustomerName) in the customer
	// area.
	Contact, ContactPassword, Customer, CustomerName string
	// ReadToken is a read-only API token.
	ReadToken string
}

// HostFacts are the figures of the generated host.
type HostFacts struct {
	Customers, Sites, Hypervisors, VMs, Assets int
	// Failing is the hypervisor the script stops, with what runs on it.
	Failing                                     string
	FailingVMs, FailingSites, FailingCustomers  int
	BrokenSite, DeflectedSite, CustomerOfScript string
	// CustomerEmail is the demo customer's own address, where Vigie's
	// mails to them go.
	CustomerEmail string
}

// Start sets everything up and starts serving: the farm, the mail
// catcher, the server with its probe, and the second location's probe.
// The script starts with Run.
func Start(ctx context.Context, opts Options) (*Demo, error) {
	if opts.Speed <= 0 {
		opts.Speed = 1
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	d := &Demo{opts: opts, t: timingFor(opts.Speed)}
	if err := d.start(ctx); err != nil {
		return nil, errors.Join(err, d.Close())
	}
	return d, nil
}

func (d *Demo) start(ctx context.Context) (err error) {
	opts := d.opts
	if d.dir, err = os.MkdirTemp("", "vigie-demo-"); err != nil {
		return fmt.Errorf("demo: temporary directory: %w", err)
	}
	if opts.DB == "" {
		opts.DB = "sqlite:" + filepath.Join(d.dir, "vigie.db")
		d.opts.DB = opts.DB
	}
	d.h = generateHost(opts.Seed, d.t)
	if d.farm, err = simulate.NewFarm(d.h.inv, simulate.FarmOptions{Logger: opts.Logger}); err != nil {
		return err
	}
	if err = d.farm.Start(ctx); err != nil {
		return err
	}
	if d.Mail, err = StartMailbox(); err != nil {
		return err
	}
	if d.ln, err = listenLoopback(opts.Listen, "127.0.0.1:8080"); err != nil {
		return fmt.Errorf("demo: server: %w", err)
	}
	if d.mailLn, err = listenLoopback(opts.MailListen, "127.0.0.1:8025"); err != nil {
		return fmt.Errorf("demo: mail page: %w", err)
	}
	base := "http://" + d.ln.Addr().String()
	if err = d.open(ctx, base); err != nil {
		return err
	}
	if err = d.populate(ctx); err != nil {
		return err
	}
	d.URLs = URLs{Console: base + "/staff", StatusPage: base + "/", CustomerArea: base + "/account",
		Mails: "http://" + d.mailLn.Addr().String() + "/", API: base + "/api/v1"}
	d.Timeline = d.plan()
	return nil
}

// listenLoopback listens on addr, which must be a loopback address: the
// demo is for this machine only. Without one it listens on def, or on any
// free port when def is taken.
func listenLoopback(addr, def string) (net.Listener, error) {
	if addr == "" {
		if ln, err := net.Listen("tcp", def); err == nil {
			return ln, nil
		}
		addr = "127.0.0.1:0"
	}
	host, _, err := net.SplitHostPort(addr)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("%q is not a loopback address such as 127.0.0.1:8080", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	return ln, nil
}

// open opens the server on the demo's database, refusing one that
// already holds a host: the script would play on real data.
func (d *Demo) open(ctx context.Context, base string) error {
	t := d.t
	a, err := app.Open(ctx, app.Config{
		DB: d.opts.DB, Logger: d.opts.Logger, Probe: true, Location: localLocation,
		CheckOptions: check.Options{Dial: d.farm.Dial, RootCAs: d.farm.CAPool()},
		Settle:       t.settle, Quiet: t.quiet, SweepEvery: t.sweep,
		NotifyWindow: t.window, NotifyGather: t.gather,
		PublicName: "Demo Host", PublicURL: base, Version: d.opts.Version,
		Attachments: filepath.Join(d.dir, "attachments"),
	})
	if err != nil {
		return err
	}
	d.App = a
	if err := a.Inventory.LoadGraph(ctx); err != nil {
		return fmt.Errorf("demo: read the inventory: %w", err)
	}
	if n := a.Inventory.Graph().Len(); n > 0 {
		return fmt.Errorf("demo: --db: the database already holds %d assets; the demo needs an empty one", n)
	}
	return nil
}

// Run serves, runs the script and keeps serving until ctx ends, then
// stops everything; Close must still be called.
func (d *Demo) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	serveErr := make(chan error, 1)
	wg.Go(func() { serveErr <- d.App.Serve(ctx, d.ln) })
	mails := &http.Server{Handler: d.Mail.MailPage(), ReadHeaderTimeout: 10 * time.Second}
	wg.Go(func() {
		if err := mails.Serve(d.mailLn); err != nil && !errors.Is(err, http.ErrServerClosed) {
			d.opts.Logger.Warn("demo: mail page", "err", err)
		}
	})
	wg.Go(func() {
		<-ctx.Done()
		_ = mails.Close()
	})
	wg.Go(func() {
		if err := d.remote.Run(ctx); err != nil && ctx.Err() == nil {
			d.opts.Logger.Warn("demo: the second location's probe stopped", "err", err)
		}
	})
	scriptErr := make(chan error, 1)
	wg.Go(func() { scriptErr <- d.runScript(ctx) })
	var err error
	select {
	case err = <-serveErr:
		cancel()
	case err = <-scriptErr:
		if err != nil && ctx.Err() == nil {
			cancel()
		} else {
			err = nil
			<-ctx.Done()
		}
	}
	wg.Wait()
	if err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

// Close stops the farm and the mail catcher, closes the database and
// removes the temporary directory.
func (d *Demo) Close() error {
	var errs []error
	if d.App != nil {
		errs = append(errs, d.App.Close())
	}
	if d.farm != nil {
		errs = append(errs, d.farm.Close())
	}
	if d.Mail != nil {
		errs = append(errs, d.Mail.Close())
	}
	for _, ln := range []net.Listener{d.ln, d.mailLn} {
		if ln != nil {
			_ = ln.Close()
		}
	}
	if d.dir != "" {
		errs = append(errs, os.RemoveAll(d.dir))
	}
	return errors.Join(errs...)
}

// facts counts what the generated host holds.
func (d *Demo) facts() HostFacts {
	f := HostFacts{Customers: len(d.h.inv.Customers), Assets: len(d.h.inv.Assets), Failing: FailingHypervisor,
		FailingVMs: d.h.affectedVMs, FailingSites: d.h.affectedSites, FailingCustomers: d.h.customersOfHV3,
		BrokenSite: d.h.broken, DeflectedSite: d.h.onHV, CustomerOfScript: d.h.customer.ID, CustomerEmail: d.h.customer.Email}
	for _, a := range d.h.inv.Assets {
		switch a.Kind {
		case inventory.KindSite:
			f.Sites++
		case "hypervisor":
			f.Hypervisors++
		case "vm":
			f.VMs++
		}
	}
	return f
}

// contactEmail is the demo contact's address, at the customer's domain.
func contactEmail(c inventory.Customer) string {
	domain := c.Email[strings.LastIndexByte(c.Email, '@')+1:]
	return "demo@" + domain
}

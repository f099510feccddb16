package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"github.com/vigie/vigie/bench/internal/seed"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the admin connection that makes and drops the schema

	"github.com/vigie/vigie/internal/app"
	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/notify"
)

// The inventory of the run: hypervisor root carries the customers' sites,
// watchRoot the sites the probe checks.
const (
	root      = "hv-web1"
	watchRoot = "hv-watch"
	// sitesPerVM is how many customer sites one VM carries.
	sitesPerVM = 100
)

// zones are the customers' time zones, given in turn.
var zones = []string{"Europe/Paris", "America/Montreal", "Europe/Brussels", "America/Toronto", "Indian/Reunion",
	"Pacific/Noumea", "Africa/Casablanca", "Europe/Zurich", "America/Guadeloupe", "Asia/Tokyo"}

// host is the Vigie server under test.
type host struct {
	dir, dsn  string
	engine    string
	app       *app.App
	base      string
	bearer    string
	channel   string
	imported  time.Duration
	checks    int
	dropDB    func()
	stopApp   context.CancelFunc
	appServed chan error
}

// buildInventory makes the host: one hypervisor carrying the sites of
// customers distinct customers (one each, on VMs of sitesPerVM), half
// French half English, and another carrying the watched sites, served by
// the peers at httpAddr.
func buildInventory(customers, watched int, httpAddr string, interval time.Duration) *inventory.Inventory {
	inv := &inventory.Inventory{}
	inv.Assets = append(inv.Assets, inventory.Asset{Name: root, Kind: "hypervisor"},
		inventory.Asset{Name: watchRoot, Kind: "hypervisor"})
	for i := range customers {
		id := fmt.Sprintf("c%05d", i+1)
		lang := "fr"
		if i%2 == 1 {
			lang = "en"
		}
		inv.Customers = append(inv.Customers, inventory.Customer{ID: id, Name: fmt.Sprintf("Client %05d", i+1),
			Email: fmt.Sprintf("contact@client%05d.example", i+1), Language: lang, Timezone: zones[i%len(zones)]})
		vm := fmt.Sprintf("vm-web%03d", i/sitesPerVM+1)
		if i%sitesPerVM == 0 {
			inv.Assets = append(inv.Assets, inventory.Asset{Name: vm, Kind: "vm", DependsOn: []string{root}})
		}
		inv.Assets = append(inv.Assets, inventory.Asset{Name: fmt.Sprintf("www.client%05d.example", i+1), Kind: inventory.KindSite,
			Owner: id, DependsOn: []string{vm}})
	}
	inv.Assets = append(inv.Assets, inventory.Asset{Name: "vm-watch", Kind: "vm", DependsOn: []string{watchRoot}})
	for i := range watched {
		name := fmt.Sprintf("watch%04d.example", i+1)
		inv.Assets = append(inv.Assets, inventory.Asset{Name: name, Kind: inventory.KindSite,
			DependsOn: []string{"vm-watch"}, URL: fmt.Sprintf("http://%s/w%04d/", httpAddr, i+1)})
		inv.Checks = append(inv.Checks, check.Check{Asset: name, Kind: check.HTTP, Interval: check.Duration(interval)})
	}
	inv.Components = append(inv.Components, inventory.Component{Name: "Hébergement web", NameEN: "Web hosting",
		Covers: &inventory.Selector{Kind: "hypervisor"}})
	return inv
}

// openHost opens Vigie on a fresh database, imports the host, makes a
// staff token and an e-mail channel to the peers' SMTP server.
func openHost(ctx context.Context, cfg config, p *peers) (h *host, err error) {
	h = &host{engine: "sqlite", dropDB: func() {}}
	defer func() {
		if err != nil {
			h.close(cfg.keep)
			h = nil
		}
	}()
	if h.dir, err = os.MkdirTemp("", "vigie-bench-notify-"); err != nil {
		return h, err
	}
	h.dsn = "sqlite:" + filepath.Join(h.dir, "vigie.db")
	if cfg.db != "sqlite" {
		h.engine = "postgres"
		if h.dsn, h.dropDB, err = freshSchema(ctx, cfg.db, cfg.keep); err != nil {
			return h, err
		}
	}
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		return h, err
	}
	h.base = "http://" + ln.Addr().String()
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	h.app, err = app.Open(ctx, app.Config{DB: h.dsn, Logger: logger, Probe: true, PublicURL: h.base, Version: "bench",
		MailRootCAs: p.roots, NotifyGather: cfg.gather})
	if err != nil {
		_ = ln.Close()
		return h, err
	}
	if err := h.setUp(ctx, cfg, p); err != nil {
		_ = ln.Close()
		return h, err
	}
	srvCtx, cancel := context.WithCancel(context.Background())
	h.stopApp, h.appServed = cancel, make(chan error, 1)
	go func() { h.appServed <- h.app.Serve(srvCtx, ln) }()
	return h, nil
}

// setUp imports the inventory as YAML, as an operator would, and adds
// the staff account and the e-mail channel.
func (h *host) setUp(ctx context.Context, cfg config, p *peers) error {
	inv := buildInventory(cfg.customers, cfg.watched, p.info.HTTPAddr, cfg.interval)
	sd, err := seed.Import(ctx, h.app, inv, progress)
	if err != nil {
		return err
	}
	h.imported, h.checks, h.bearer = sd.Imported, sd.Checks, sd.Bearer
	ch := &notify.Channel{ID: "mail", Kind: notify.KindEmail, Name: "Customers' mail", Enabled: true,
		Audiences: []notify.Audience{notify.AudienceCustomers}, RatePerMinute: cfg.rate, Secret: smtpPassword,
		Config: map[string]string{"host": p.info.SMTPHost, "port": strconv.Itoa(p.info.SMTPPort), "username": smtpUser,
			"from": "status@host.example", "from_name": "Hébergeur Exemple"}}
	if err := h.app.Notify.AddChannel(ctx, ch); err != nil {
		return fmt.Errorf("add the e-mail channel: %w", err)
	}
	h.channel = ch.ID
	return nil
}

// freshSchema makes a schema of its own in the PostgreSQL database at
// base and returns a DSN using it, and what drops it.
func freshSchema(ctx context.Context, base string, keep bool) (string, func(), error) {
	admin, err := sql.Open("pgx", base)
	if err != nil {
		return "", nil, err
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "vigie_bench_" + hex.EncodeToString(b[:])
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		_ = admin.Close()
		return "", nil, fmt.Errorf("create schema: %w", err)
	}
	drop := func() {
		if keep {
			progress("kept schema %s", schema)
		} else if _, err := admin.Exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			progress("drop schema %s: %v", schema, err)
		}
		_ = admin.Close()
	}
	u, err := url.Parse(base)
	if err != nil {
		drop()
		return "", nil, err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), drop, nil
}

// stopServing stops the server and closes the database.
func (h *host) stopServing() error {
	var errs []error
	if h.stopApp != nil {
		h.stopApp()
		errs = append(errs, <-h.appServed)
		h.stopApp = nil
	}
	if h.app != nil {
		errs = append(errs, h.app.Close())
		h.app = nil
	}
	return errors.Join(errs...)
}

// close stops everything and removes what the run made, unless kept.
func (h *host) close(keep bool) {
	if err := h.stopServing(); err != nil {
		progress("stopping the server: %v", err)
	}
	h.dropDB()
	if h.dir != "" && !keep {
		_ = os.RemoveAll(h.dir)
	} else if h.dir != "" {
		progress("kept %s", h.dir)
	}
}

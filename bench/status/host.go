package main

import (
	"context"
	"errors"
	"fmt"
	"github.com/vigie/vigie/bench/internal/seed"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/net/netutil"

	"github.com/vigie/vigie/internal/app"
	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/simulate"
)

// staticPrefix is where the baseline's static files are served, beside
// the app's routes.
const staticPrefix = "/bench/"

// host is the whole server under test: the generated host imported into
// a fresh SQLite database, served with the built-in probe checking the
// farm, and the static files beside it.
type host struct {
	inv       *inventory.Inventory
	checks    int // effective checks
	dir       string
	dsn       string
	base      string // http://127.0.0.1:PORT, the measured listener
	bearer    string
	staticDir string
	app       *app.App
	farm      *farmProcess
	log       *slog.Logger
	imported  time.Duration

	srv       *http.Server
	served    chan error // the front server's Serve
	stopApp   context.CancelFunc
	appServed chan error // a.Serve
}

// startHost builds and serves the host of cfg.sites sites.
func startHost(ctx context.Context, cfg config) (h *host, err error) {
	h = &host{log: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))}
	defer func() {
		if err != nil {
			h.close()
			h = nil
		}
	}()
	if h.dir, err = os.MkdirTemp("", "vigie-bench-status-"); err != nil {
		return h, err
	}
	h.staticDir = filepath.Join(h.dir, "static")
	if err := os.Mkdir(h.staticDir, 0o755); err != nil {
		return h, err
	}
	progress("starting the farm of %d sites", cfg.sites)
	if h.farm, err = startFarm(ctx, cfg.sites); err != nil {
		return h, err
	}
	h.inv = simulate.Generate(simulate.Params{Sites: cfg.sites, FarmPort: h.farm.port})
	h.inv.CheckDefaults = append(h.inv.CheckDefaults, inventory.CheckDefault{AssetKind: inventory.KindSite,
		Check: check.Check{Kind: check.HTTP, Interval: check.Duration(cfg.interval)}})
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		return h, err
	}
	h.base = "http://" + ln.Addr().String()
	h.dsn = "sqlite:" + filepath.Join(h.dir, "vigie.db")
	if h.app, err = app.Open(ctx, app.Config{DB: h.dsn, Logger: h.log, Probe: true, PublicURL: h.base, Version: "bench"}); err != nil {
		_ = ln.Close()
		return h, err
	}
	if err := h.importHost(ctx); err != nil {
		_ = ln.Close()
		return h, err
	}
	if err := h.serve(ln); err != nil {
		return h, err
	}
	return h, nil
}

// importHost imports the generated host as YAML, as an operator would,
// and makes a staff token.
func (h *host) importHost(ctx context.Context) error {
	sd, err := seed.Import(ctx, h.app, h.inv, progress)
	h.imported, h.checks, h.bearer = sd.Imported, sd.Checks, sd.Bearer
	return err
}

// serve serves the app and the static files on ln. a.Serve builds its
// own http.Server around its own handler, with no way to add a route, so
// it runs on a second loopback listener that nothing connects to, for its
// background work (leader, probe, status publisher); ln gets a server
// with the same limits serving the static files under staticPrefix and
// a.Handler() (the same routes) for every other path.
func (h *host) serve(ln net.Listener) error {
	appLn, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		_ = ln.Close()
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	h.stopApp, h.appServed = cancel, make(chan error, 1)
	go func() { h.appServed <- h.app.Serve(ctx, appLn) }()
	files := http.StripPrefix(staticPrefix, http.FileServer(http.Dir(h.staticDir)))
	vigie := h.app.Handler()
	h.srv = &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasPrefix(r.URL.Path, staticPrefix) {
				files.ServeHTTP(w, r)
				return
			}
			vigie.ServeHTTP(w, r)
		}),
		// The limits of app.Serve's server.
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(h.log.Handler(), slog.LevelWarn),
	}
	h.served = make(chan error, 1)
	go func() { h.served <- h.srv.Serve(netutil.LimitListener(ln, app.DefaultMaxConns)) }()
	return nil
}

// writeStatic writes the baseline's static files.
func (h *host) writeStatic(name string, body []byte) error {
	return os.WriteFile(filepath.Join(h.staticDir, name), body, 0o644)
}

// stopServing shuts the servers down and closes the database; the farm
// and the temporary directory stay.
func (h *host) stopServing() error {
	var errs []error
	if h.srv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		errs = append(errs, h.srv.Shutdown(ctx))
		cancel()
		if err := <-h.served; !errors.Is(err, http.ErrServerClosed) {
			errs = append(errs, err)
		}
		h.srv = nil
	}
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

// close stops everything; the temporary directory goes unless kept.
func (h *host) close() {
	if err := h.stopServing(); err != nil {
		progress("stopping the server: %v", err)
	}
	if h.farm != nil {
		if err := h.farm.stop(); err != nil {
			progress("stopping the farm: %v", err)
		}
		h.farm = nil
	}
}

// progress says what the run is doing, on stderr.
func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s  %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}

// Package app wires Vigie together: it opens the database and builds every
// service from its constructor, in one place, so that commands and tests can
// start the whole server in-process.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/detect"
	"github.com/vigie/vigie/internal/heartbeat"
	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/probe"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/web"
)

// Config is what an App is built from.
type Config struct {
	// DB is sqlite:PATH or a postgres:// URL.
	DB string
	// Logger receives structured logs; nil discards them.
	Logger *slog.Logger
	// RefreshEvery is how often the server looks for inventory changes made
	// by other processes.
	RefreshEvery time.Duration
	// ShutdownGrace bounds how long in-flight requests get on shutdown.
	ShutdownGrace time.Duration
	// Probe runs the built-in probe in the server, under the location name
	// Location (default "local").
	Probe    bool
	Location string
	// CheckOptions configure the built-in probe's check engine (tests and
	// the simulator route names to loopback listeners with Dial).
	CheckOptions check.Options
	// OnSignals, when set, receives the built-in probe's signals.
	OnSignals func([]detect.Signal)
	// AlertLabel is the Alertmanager label that names an asset.
	AlertLabel string
	// Settle is how long correlation waits before opening an incident
	// (default 60 s).
	Settle time.Duration
	// SweepEvery is how often the built-in probe looks at silences,
	// rollups and inventory changes (default 5 s).
	SweepEvery time.Duration
}

// App is an opened Vigie.
type App struct {
	cfg         Config
	DB          *store.DB
	Inventory   *inventory.Service
	Auth        *auth.Service
	Heartbeats  *heartbeat.Store
	Detection   *detect.Store
	Locations   *probe.LocationStore
	Compliance  *probe.Compliance
	Incidents   *incident.Store
	Maintenance *incident.MaintenanceStore
	PostMortems *incident.PostMortemStore
	Log         *slog.Logger
	// Metrics holds the process's Prometheus metrics, served on /metrics.
	Metrics *prometheus.Registry
	// monitor is the built-in probe while Serve runs; signals feeds the
	// incident engine.
	monitor atomic.Pointer[probe.Monitor]
	signals atomic.Pointer[chan []detect.Signal]
}

// Open opens the database, applies pending migrations and builds the services.
func Open(ctx context.Context, cfg Config) (*App, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.RefreshEvery == 0 {
		cfg.RefreshEvery = 2 * time.Second
	}
	if cfg.ShutdownGrace == 0 {
		cfg.ShutdownGrace = 10 * time.Second
	}
	db, err := store.Open(ctx, cfg.DB)
	if err != nil {
		return nil, err
	}
	if _, err := db.Migrate(ctx, cfg.Logger); err != nil {
		_ = db.Close()
		return nil, err
	}
	inv := inventory.NewService(db, cfg.Logger)
	detection := detect.NewStore(db)
	incidents := incident.NewStore(db)
	return &App{
		cfg:         cfg,
		DB:          db,
		Inventory:   inv,
		Auth:        auth.NewService(db),
		Heartbeats:  heartbeat.NewStore(db),
		Detection:   detection,
		Compliance:  probe.NewCompliance(db, inv, detection),
		Incidents:   incidents,
		PostMortems: incident.NewPostMortemStore(db, incidents),
		Maintenance: incident.NewMaintenanceStore(db),
		Locations:   probe.NewLocationStore(db),
		Metrics:     newRegistry(),
		Log:         cfg.Logger,
	}, nil
}

// Close releases the database.
func (a *App) Close() error { return a.DB.Close() }

// Handler returns the HTTP handler of the server.
func (a *App) Handler() http.Handler {
	return web.NewServer(web.Deps{
		Metrics:     promhttp.HandlerFor(a.Metrics, promhttp.HandlerOpts{}),
		Locations:   a.Locations,
		Ingest:      ingester{a},
		Compliance:  a.Compliance,
		Incidents:   a.Incidents,
		Maintenance: a.Maintenance,
		PostMortems: a.PostMortems,
		AlertLabel:  a.cfg.AlertLabel,
		AlertDedup:  incident.NewDedupStore(a.DB),
		OnSignals: func(l []detect.Signal) {
			if ch := a.signals.Load(); ch != nil {
				select {
				case *ch <- l:
				case <-time.After(5 * time.Second):
					a.Log.Error("incident engine not taking signals", "dropped", len(l))
				}
			}
		},
		Inventory: a.Inventory, Auth: a.Auth, Heartbeats: a.Heartbeats, Detection: a.Detection, Logger: a.Log,
		OnHeartbeat: func(key string, _ heartbeat.Ping) {
			// Judge the heartbeat now rather than at its next scheduled run.
			if m := a.monitor.Load(); m != nil {
				m.Poke(key)
			}
		},
	}).Handler()
}

// Serve serves HTTP on ln until ctx ends, then shuts down gracefully.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	if err := a.Inventory.LoadGraph(ctx); err != nil {
		return fmt.Errorf("load inventory graph: %w", err)
	}
	bg, stop := context.WithCancel(ctx)
	defer stop()
	go a.Inventory.Watch(bg, a.cfg.RefreshEvery)
	// The incident engine runs whether or not this process probes:
	// Alertmanager and remote probes feed it too.
	signals := make(chan []detect.Signal, 1024)
	a.signals.Store(&signals)
	go a.runIncidents(bg, signals)
	if a.cfg.Probe {
		opts := a.cfg.CheckOptions
		executors := map[check.Kind]check.Executor{check.Heartbeat: heartbeat.Executor(a.Heartbeats, time.Now)}
		for k, x := range opts.Executors {
			executors[k] = x
		}
		opts.Executors = executors
		m := probe.NewMonitor(a.Inventory, probe.MonitorOptions{
			Location:   a.cfg.Location,
			Engine:     check.NewEngine(opts),
			Heartbeats: a.Heartbeats,
			Store:      a.Detection,
			Mutes: func(ctx context.Context) (probe.Muter, error) {
				return a.Maintenance.Mutes(ctx, a.Inventory.Graph())
			},
			Locations:  a.Locations,
			Registerer: a.Metrics,
			Logger:     a.Log,
			OnSignals: func(l []detect.Signal) {
				if a.cfg.OnSignals != nil {
					a.cfg.OnSignals(l)
				}
				select {
				case signals <- l:
				case <-bg.Done():
				}
			},
			Sweep: a.cfg.SweepEvery,
		})
		a.monitor.Store(m)
		go func() {
			if err := m.Run(bg); err != nil {
				a.Log.Error("built-in probe stopped", "err", err)
			}
		}()
	}

	srv := &http.Server{
		Handler:           a.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(a.Log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	a.Log.Info("serving", "addr", ln.Addr().String(), "db", a.DB.Where, "assets", a.Inventory.Graph().Len())
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	a.Log.Info("shutting down")
	shutCtx, cancel := context.WithTimeout(context.Background(), a.cfg.ShutdownGrace)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

// newRegistry returns a registry with the Go runtime and process metrics.
func newRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}

// ingester hands remote results to the built-in monitor while it runs.
type ingester struct{ a *App }

// Ingest implements web.Ingester.
func (i ingester) Ingest(ctx context.Context, location, epoch string, records []probe.Record) (uint64, error) {
	m := i.a.monitor.Load()
	if m == nil {
		return 0, probe.ErrMonitorStopped
	}
	return m.Ingest(ctx, location, epoch, records)
}

// Monitor returns the built-in probe while Serve runs, else nil.
func (a *App) Monitor() *probe.Monitor { return a.monitor.Load() }

// runIncidents feeds the probe's signals to the incident engine and lets it
// correlate every few seconds, until ctx ends.
func (a *App) runIncidents(ctx context.Context, signals <-chan []detect.Signal) {
	e := incident.NewEngine(a.Incidents, a.Inventory, incident.EngineOptions{Settle: a.cfg.Settle,
		MutesFrom: func(ctx context.Context) (incident.Mutes, error) {
			return a.Maintenance.Mutes(ctx, a.Inventory.Graph())
		},
		Recheck: func(assets []string) {
			if m := a.monitor.Load(); m != nil {
				m.Recheck(assets)
			}
		}})
	if err := e.Load(ctx); err != nil {
		a.Log.Error("incident engine: load", "err", err)
		return
	}
	// Checks already down before a restart are down still.
	if rows, err := a.Detection.States(ctx); err == nil {
		var restored []detect.Signal
		for _, r := range rows {
			if r.Location == "" && r.State == detect.Down {
				if i := strings.LastIndex(r.Check, "/"); i > 0 {
					restored = append(restored, detect.Signal{Kind: detect.CheckDown, Check: r.Check, Asset: r.Check[:i], At: r.Since})
				}
			}
		}
		e.Observe(restored)
	}
	every := a.cfg.SweepEvery
	if every <= 0 {
		every = 5 * time.Second
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case l := <-signals:
			e.Observe(l)
		case <-tick.C:
			if err := e.Tick(ctx); err != nil && ctx.Err() == nil {
				a.Log.Error("incident engine", "err", err)
			}
		}
	}
}

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
	"time"

	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/inventory"
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
}

// App is an opened Vigie.
type App struct {
	cfg       Config
	DB        *store.DB
	Inventory *inventory.Service
	Auth      *auth.Service
	Log       *slog.Logger
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
	return &App{
		cfg:       cfg,
		DB:        db,
		Inventory: inventory.NewService(db, cfg.Logger),
		Auth:      auth.NewService(db),
		Log:       cfg.Logger,
	}, nil
}

// Close releases the database.
func (a *App) Close() error { return a.DB.Close() }

// Handler returns the HTTP handler of the server.
func (a *App) Handler() http.Handler {
	return web.NewServer(a.Inventory, a.Auth, a.Log).Handler()
}

// Serve serves HTTP on ln until ctx ends, then shuts down gracefully.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	if err := a.Inventory.LoadGraph(ctx); err != nil {
		return fmt.Errorf("load inventory graph: %w", err)
	}
	bg, stop := context.WithCancel(ctx)
	defer stop()
	go a.Inventory.Watch(bg, a.cfg.RefreshEvery)

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

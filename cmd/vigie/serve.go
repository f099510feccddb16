package main

import (
	"context"
	"fmt"
	"net"

	"github.com/vigie/vigie/internal/app"
)

func runServe(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "serve", "[--listen ADDR] [--db DSN]", "Run the server: the JSON API under /api/v1 and the built-in probe")
	db := dbFlag(fs, e)
	listen := fs.String("listen", "127.0.0.1:8080", "address to listen on")
	runProbe := fs.Bool("probe", true, "run the built-in probe: every check of the inventory, from this process")
	location := fs.String("location", "local", "the built-in probe's location name")
	alertLabel := fs.String("alert-label", "asset", "the Alertmanager label that names an asset (else the instance address is matched)")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs(rest); err != nil {
		return err
	}
	a, err := app.Open(ctx, app.Config{DB: *db, Logger: logger(e), Probe: *runProbe, Location: *location,
		AlertLabel: *alertLabel})
	if err != nil {
		return err
	}
	defer closeApp(e, a)
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	return a.Serve(ctx, ln)
}

package main

import (
	"context"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"strings"
	"time"

	"github.com/vigie/vigie/internal/app"
	"github.com/vigie/vigie/internal/httpguard"
	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/notify"
)

func runServe(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "serve", "[--listen ADDR] [--db DSN] [--tls-cert FILE --tls-key FILE] [--trusted-proxy CIDR]...", "Run the server: the JSON API under /api/v1 and the built-in probe")
	db := dbFlag(fs, e)
	listen := fs.String("listen", "127.0.0.1:8080", "address to listen on")
	runProbe := fs.Bool("probe", true, "run the built-in probe: every check of the inventory, from this process")
	location := fs.String("location", "local", "the built-in probe's location name")
	alertLabel := fs.String("alert-label", "asset", "the Alertmanager label that names an asset (else the instance address is matched)")
	settle := fs.Duration("settle", incident.DefaultSettle, "how long an incident opened by correlation stays unsettled, re-targeted to the highest root and told to staff only, before customers and public channels hear of it")
	quiet := fs.Duration("quiet", incident.DefaultQuiet, "how long an incident stays in monitoring after recovery before it resolves by itself")
	sweep := fs.Duration("sweep", 5*time.Second, "how often background work looks for changes when nothing wakes it")
	tlsCert := fs.String("tls-cert", "", "serve HTTPS with this PEM certificate (chain) file; needs --tls-key")
	tlsKey := fs.String("tls-key", "", "the PEM private key of --tls-cert")
	var proxies listFlag
	fs.Var(&proxies, "trusted-proxy", "a reverse proxy (IP address or CIDR) whose X-Forwarded-For and X-Forwarded-Proto are believed; repeat it or separate with commas")
	maxConns := fs.Int("max-conns", app.DefaultMaxConns, "most connections served at once; 0 for no cap")
	pingRate := fs.Float64("ping-rate", app.DefaultPingRate, "requests per second allowed to each client address on the routes without credentials (heartbeats, health, metrics); 0 for no limit")
	pingBurst := fs.Int("ping-burst", app.DefaultPingBurst, "how many of those requests one address may make at once")
	sf := addStatusFlags(fs)
	notifyWindow := fs.Duration("notify-window", notify.DefaultWindow, "at most one notification per recipient and channel in this window; updates in it are gathered, several incidents become one summary")
	notifyGather := fs.Duration("notify-gather", notify.DefaultGather, "how long a first notification to customers and public channels waits for others to join it (0: none)")
	maintNotice := fs.Duration("maintenance-notice", notify.DefaultAhead, "how long before a maintenance window its notice goes to the customers it touches")
	escalate := fs.Duration("escalate-after", notify.DefaultEscalate, "page every staff member when a page stays unacknowledged this long")
	notifyLease := fs.Duration("notify-lease", 2*time.Minute, "how long a message being sent is its worker's: a server killed mid-delivery sends it again after this")
	mailCA := fs.String("mail-ca", "", "also trust the certificate authorities of this PEM file for SMTP relays, as a private relay needs")
	mirror := fs.String("mirror", "", "write the public status page as static files to this directory within seconds of each change")
	var embedOrigins listFlag
	fs.Var(&embedOrigins, "embed-origin", "an origin (https://panel.example.net) whose pages may frame the works panel /embed/{token}; repeat it for several; without it the panel is off")
	attachments := fs.String("attachments", "", "keep support tickets' attachments in this directory, outside any web root (default: attachments next to a SQLite database; with PostgreSQL, a directory all servers share, or none are taken)")
	handOffFile := fs.String("handoff-secret-file", "", "read the secret shared with your own customer panel, which signs the links opening a customer's session at /handoff, from this file (at least 32 bytes)")
	debugListen := fs.String("debug-listen", "", "serve Go's profiler (/debug/pprof/) on this address, apart from the server's own; keep it on loopback")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs(rest); err != nil {
		return err
	}
	tuneGC(e.getenv)
	if *debugListen != "" {
		stop, err := serveDebug(*debugListen)
		if err != nil {
			return err
		}
		defer stop()
	}
	if err := sf.check(); err != nil {
		return err
	}
	if *settle <= 0 || *quiet <= 0 || *sweep <= 0 {
		return fmt.Errorf("%w: --settle, --quiet and --sweep must be positive durations", errUsage)
	}
	if *notifyWindow <= 0 || *notifyGather < 0 || *maintNotice <= 0 || *escalate <= 0 || *notifyLease <= 0 {
		return fmt.Errorf("%w: --notify-window, --maintenance-notice, --escalate-after and --notify-lease must be positive durations, --notify-gather 0 or more", errUsage)
	}
	if (*tlsCert == "") != (*tlsKey == "") {
		return fmt.Errorf("%w: give --tls-cert and --tls-key together, or neither", errUsage)
	}
	if *maxConns < 0 {
		return fmt.Errorf("%w: --max-conns must be 0 (no cap) or more", errUsage)
	}
	if _, err := httpguard.ParseProxies(proxies); err != nil {
		return fmt.Errorf("%w: --trusted-proxy: %w", errUsage, err)
	}
	if err := (httpguard.HeaderOptions{FrameAncestors: embedOrigins}).Check(); err != nil {
		return fmt.Errorf("%w: --embed-origin: %w", errUsage, err)
	}
	if *pingRate < 0 || *pingBurst < 1 {
		return fmt.Errorf("%w: --ping-rate must be 0 (no limit) or more, --ping-burst 1 or more", errUsage)
	}
	if *pingRate == 0 {
		*pingRate = -1 // app.Config reads zero as its default
	}
	if *maxConns == 0 {
		*maxConns = -1 // app.Config reads zero as its default
	}
	if *notifyGather == 0 {
		*notifyGather = -1 // app.Config reads zero as its default
	}
	cfg := app.Config{DB: *db, Logger: logger(e), Probe: *runProbe, Location: *location,
		AlertLabel: *alertLabel, Settle: *settle, Quiet: *quiet, SweepEvery: *sweep,
		TLSCert: *tlsCert, TLSKey: *tlsKey, TrustedProxies: proxies, MaxConns: *maxConns,
		PingRate: *pingRate, PingBurst: *pingBurst, Version: readBuildInfo().short(), Mirror: *mirror, Attachments: *attachments,
		NotifyWindow: *notifyWindow, NotifyGather: *notifyGather, MaintenanceNotice: *maintNotice, EscalateAfter: *escalate, NotifyLease: *notifyLease,
		EmbedOrigins: embedOrigins}
	sf.apply(&cfg)
	if *handOffFile != "" {
		if cfg.HandOffSecret, err = readHandOffSecret(*handOffFile); err != nil {
			return err
		}
	}
	if *mailCA != "" {
		if cfg.MailRootCAs, err = loadMailCA(*mailCA); err != nil {
			return err
		}
	}
	a, err := app.Open(ctx, cfg)
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

// serveDebug serves the profiler's handlers on addr until the returned
// function is called. They are on their own listener, never on the
// server's: a profile shows what the process holds.
func serveDebug(addr string) (func(), error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("--debug-listen: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return func() { _ = srv.Close() }, nil
}

// loadMailCA returns the system's certificate roots with those of the PEM
// file path added, for the e-mail sender.
func loadMailCA(path string) (*x509.CertPool, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--mail-ca: %w", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(b) {
		return nil, fmt.Errorf("%w: --mail-ca: %s holds no PEM certificate", errUsage, path)
	}
	return pool, nil
}

// listFlag is a flag that may be repeated, each value added to the list.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	*l = append(*l, v)
	return nil
}

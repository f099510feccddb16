// Package app wires Vigie together: it opens the database and builds every
// service from its constructor, in one place, so that commands and tests can
// start the whole server in-process.
package app

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"golang.org/x/net/netutil"
	"golang.org/x/time/rate"

	"github.com/vigie/vigie/internal/account"
	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/detect"
	"github.com/vigie/vigie/internal/health"
	"github.com/vigie/vigie/internal/heartbeat"
	"github.com/vigie/vigie/internal/httpguard"
	"github.com/vigie/vigie/internal/i18n"
	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/leader"
	"github.com/vigie/vigie/internal/notify"
	"github.com/vigie/vigie/internal/probe"
	"github.com/vigie/vigie/internal/settings"
	"github.com/vigie/vigie/internal/status"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/support"
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
	// Location (default "local"). Without it the leader still judges
	// heartbeats and the results of remote locations.
	Probe    bool
	Location string
	// CheckOptions configure the built-in probe's check engine (tests and
	// the simulator route names to loopback listeners with Dial).
	CheckOptions check.Options
	// AlertLabel is the Alertmanager label that names an asset.
	AlertLabel string
	// Settle is how long correlation waits before opening an incident
	// (default 60 s); Quiet how long an incident stays in monitoring
	// before it resolves by itself (default 10 min).
	Settle, Quiet time.Duration
	// SweepEvery is how often the background work looks at silences,
	// rollups, inventory changes and the signal log when nothing wakes it
	// (default 5 s).
	SweepEvery time.Duration
	// RetainEvery is how often the leader deletes what is past its
	// retention horizon (default 1 h).
	RetainEvery time.Duration
	// LeaderRetry is how often a replica tries to take the lead (default
	// 2 s).
	LeaderRetry time.Duration
	// TLSCert and TLSKey are PEM files: with both, Serve speaks HTTPS
	// (TLS 1.2 at least); with neither, plain HTTP.
	TLSCert, TLSKey string
	// TrustedProxies are the reverse proxies (IP addresses or CIDR
	// prefixes) whose X-Forwarded-For and X-Forwarded-Proto are believed.
	TrustedProxies []string
	// MaxConns caps the connections served at once (default 1000); past
	// it new ones wait in the listen queue. Negative means no cap.
	MaxConns int
	// PingRate and PingBurst limit, per client address, the requests of
	// the routes without credentials (heartbeats, health, metrics): a
	// sustained rate per second and a burst (defaults 20 and 200; a
	// negative rate means no limit).
	PingRate  float64
	PingBurst int
	// MaxImports is how many imports run at once (default 2).
	MaxImports int
	// PublicName and PublicURL name the host on its status page and in
	// its feeds (default "Vigie", "http://localhost:8080"); StatusZone is
	// the zone pages are rendered in (default Europe/Paris).
	PublicName, PublicURL, StatusZone string
	// Mirror, when set, is a directory the public status page is written
	// to within seconds of each change; MirrorURL is where that copy is
	// served, linked from the live page.
	Mirror, MirrorURL string
	// Now is the clock of the status page and of notifications (default
	// time.Now).
	Now func() time.Time
	// NotifyWindow is the coalescing window of notifications (default
	// 5 min): at most one message per recipient and channel in it;
	// NotifyGather how long a first message waits for others to join it
	// (default 20 s; negative: none). MaintenanceNotice is how long
	// before a window its notice goes out (default 3 days); EscalateAfter
	// how long a page may stay unacknowledged before everyone is paged
	// (default 10 min).
	NotifyWindow, NotifyGather, MaintenanceNotice, EscalateAfter time.Duration
	// NotifyLease is how long a message being sent is its worker's before
	// another may send it again (default 2 min): a process killed
	// mid-delivery delays its messages by at most this.
	NotifyLease time.Duration
	// MailRootCAs, when set, are the only authorities the e-mail sender
	// trusts (tests and private relays); nil is the system's.
	MailRootCAs *x509.CertPool
	// Version names the build on the first screen.
	Version string
	// EmbedOrigins are the origins (https://panel.example.net) whose pages
	// may frame the embeddable works panel, /embed/{token}; none turns it
	// off (404).
	EmbedOrigins []string
	// Attachments is the directory of support tickets' attachments,
	// outside any web root (default: "attachments" next to a SQLite
	// database; with PostgreSQL none are taken without one).
	// TicketWindow is how long before an incident's detection a ticket on
	// its scope may have been opened and be linked to it (default 2 h).
	Attachments  string
	TicketWindow time.Duration
	// HandOffSecret, at least 32 bytes, is shared with the host's own
	// customer panel, which signs the links that open a customer's
	// session (see auth.HandOffs); without it /handoff is a 404.
	HandOffSecret []byte
}

// The defaults of PingRate and PingBurst: a host's jobs behind one NAT
// address may ping together at the top of the hour.
const (
	DefaultPingRate  = 20
	DefaultPingBurst = 200
)

// DefaultMaxConns is MaxConns when the Config leaves it zero.
const DefaultMaxConns = 1000

// Limits of every HTTP request.
const (
	readHeaderTimeout = 10 * time.Second
	idleTimeout       = 2 * time.Minute
	maxHeaderBytes    = 64 << 10
)

// App is an opened Vigie.
type App struct {
	cfg        Config
	DB         *store.DB
	Inventory  *inventory.Service
	Auth       *auth.Service
	Heartbeats *heartbeat.Store
	Detection  *detect.Store
	Locations  *probe.LocationStore
	Results    *probe.ResultQueue
	// Members are the probe processes serving each location.
	Members *probe.MemberStore
	// Agents are the host agents, each bound to one asset.
	Agents      *probe.AgentStore
	Compliance  *probe.Compliance
	Incidents   *incident.Store
	Maintenance *incident.MaintenanceStore
	PostMortems *incident.PostMortemStore
	AlertDedup  *incident.DedupStore
	// Alerts takes Alertmanager webhooks into the signal log.
	Alerts *incident.Intake
	// Status renders the public status page once per change;
	// StatusTokens keeps customers' secret status URLs.
	Status       *status.Publisher
	StatusTokens *status.TokenStore
	// Notify keeps the notification channels and the outbox's messages;
	// NotifyPrefs the customers' opt-outs and the staff's duty hours;
	// NotifyLinks signs the links of messages.
	Notify      *notify.Store
	NotifyPrefs *notify.Prefs
	NotifyLinks *notify.Links
	notifier    notifier
	// Support keeps the customers' support tickets.
	Support *support.Store
	// Sessions keeps the sign-ins by cookie; Throttle slows down password
	// guessing; Audit records staff actions and sign-ins; Texts are the
	// words of every page and message in French and English.
	Sessions *auth.Sessions
	Throttle *auth.Throttle
	Audit    *auth.Audit
	Texts    *i18n.Bundle
	// Settings are the settings staff change from the console (night
	// window, settle window, thresholds), over the Config's values.
	Settings *settings.Store
	// Accounts mails contacts their invitations and sign-in links;
	// HandOffs checks the host's panel's links (nil without a secret).
	Accounts *account.Mailer
	HandOffs *auth.HandOffs
	Log      *slog.Logger
	// Metrics holds the process's Prometheus metrics, served on /metrics;
	// Health the state of its background work, served on /readyz.
	Metrics *prometheus.Registry
	Health  *health.Registry

	proxies httpguard.Proxies
	// pings limits the routes without credentials per client address
	// (nil: no limit).
	pings *httpguard.RateLimiter
}

// Proxies returns the trusted reverse proxies of the Config, for the web
// layer to find client addresses and schemes with.
func (a *App) Proxies() httpguard.Proxies { return a.proxies }

// Open opens the database, applies pending migrations and builds the services.
func Open(ctx context.Context, cfg Config) (*App, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.RefreshEvery == 0 {
		cfg.RefreshEvery = time.Second // one small query; a change of another process reaches the probes within it
	}
	if cfg.ShutdownGrace == 0 {
		cfg.ShutdownGrace = 4 * time.Second
	}
	if cfg.SweepEvery <= 0 {
		cfg.SweepEvery = 5 * time.Second
	}
	if cfg.RetainEvery <= 0 {
		cfg.RetainEvery = time.Hour
	}
	if cfg.PingRate == 0 {
		cfg.PingRate = DefaultPingRate
	}
	if cfg.PingBurst <= 0 {
		cfg.PingBurst = DefaultPingBurst
	}
	if cfg.MaxConns == 0 {
		cfg.MaxConns = DefaultMaxConns
	}
	if cfg.PublicName == "" {
		cfg.PublicName = "Vigie"
	}
	if cfg.PublicURL == "" {
		cfg.PublicURL = "http://localhost:8080"
	}
	if cfg.StatusZone == "" {
		cfg.StatusZone = incident.DefaultZone
	}
	if (cfg.TLSCert == "") != (cfg.TLSKey == "") {
		return nil, errors.New("tls: give both a certificate and its key, or neither")
	}
	var pings *httpguard.RateLimiter
	if cfg.PingRate > 0 {
		pings = httpguard.NewRateLimiter(httpguard.RateLimits{Rate: rate.Limit(cfg.PingRate), Burst: cfg.PingBurst})
	}
	proxies, err := httpguard.ParseProxies(cfg.TrustedProxies)
	if err != nil {
		return nil, err
	}
	if err := (httpguard.HeaderOptions{FrameAncestors: cfg.EmbedOrigins}).Check(); err != nil {
		return nil, fmt.Errorf("embed origins: %w", err)
	}
	db, err := store.Open(ctx, cfg.DB)
	if err != nil {
		return nil, err
	}
	if _, err := db.Migrate(ctx, cfg.Logger); err != nil {
		_ = db.Close()
		return nil, err
	}
	inv := inventory.NewService(db, cfg.Logger).WithEffective()
	incidents := incident.NewStore(db)
	dedup := incident.NewDedupStore(db)
	results := probe.NewResultQueueWith(db, probe.ResultQueueOptions{Inventory: inv, Logger: cfg.Logger})
	metrics := newRegistry()
	metrics.MustRegister(results.Collector())
	h := health.New(metrics, db.PingContext)
	db.ObserveQueries(h.Metrics().Query)
	db.ObserveAppends(h.Metrics().Appended)
	a := &App{
		cfg:          cfg,
		DB:           db,
		Inventory:    inv,
		Auth:         auth.NewService(db),
		Heartbeats:   heartbeat.NewStore(db),
		Detection:    detect.NewStore(db),
		Compliance:   probe.NewCompliance(db, inv),
		Incidents:    incidents,
		PostMortems:  incident.NewPostMortemStore(db, incidents),
		Maintenance:  incident.NewMaintenanceStore(db),
		AlertDedup:   dedup,
		Alerts:       incident.NewIntake(inv, dedup, cfg.AlertLabel),
		Locations:    probe.NewLocationStore(db),
		Results:      results,
		Members:      probe.NewMemberStore(db),
		Agents:       probe.NewAgentStore(db),
		Metrics:      metrics,
		Health:       h,
		Log:          cfg.Logger,
		proxies:      proxies,
		pings:        pings,
		StatusTokens: status.NewTokenStore(db),
		Sessions:     auth.NewSessions(db),
		Throttle:     auth.NewThrottle(db),
		Audit:        auth.NewAudit(db, time.Now),
	}
	a.Settings, err = settings.New(db, settings.Values{Settle: cfg.Settle, Quiet: cfg.Quiet,
		EscalateAfter: cfg.EscalateAfter, MaintenanceNotice: cfg.MaintenanceNotice}, cfg.Logger)
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	// One bundle of texts for the page and the messages, which repeat it.
	bundle, err := i18n.New()
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	a.Texts = bundle
	if a.Status, err = newPublisher(a, cfg, bundle); err != nil {
		_ = db.Close()
		return nil, err
	}
	if err := a.openNotify(ctx, cfg, bundle); err != nil {
		_ = db.Close()
		return nil, err
	}
	a.openSupport(cfg, bundle)
	if err := a.openAccounts(cfg); err != nil {
		_ = db.Close()
		return nil, err
	}
	return a, nil
}

// Close releases the database and the mail connections.
func (a *App) Close() error {
	if a.notifier.email != nil {
		_ = a.notifier.email.Close()
	}
	return a.DB.Close()
}

// Handler returns the HTTP handler of the server.
func (a *App) Handler() http.Handler { return a.handler(nil) }

// Routes lists the server's routes with who may call them.
func (a *App) Routes() []web.Route { return a.web(nil).Routes() }

// handler returns the HTTP handler; closing stopping ends its long polls.
func (a *App) handler(stopping <-chan struct{}) http.Handler { return a.web(stopping).Handler() }

func (a *App) web(stopping <-chan struct{}) *web.Server {
	var limiter web.Limiter
	if a.pings != nil {
		limiter = a.pings
	}
	return web.NewServer(web.Deps{
		ClientAddr: a.proxies.ClientAddr,
		Scheme:     a.proxies.Scheme,
		Sessions:   a.Sessions, Throttle: a.Throttle, Audit: a.Audit, Texts: a.Texts,
		Accounts: a.Accounts, HandOffs: a.HandOffs, Settings: a.Settings,
		Limiter:     limiter,
		MaxImports:  a.cfg.MaxImports,
		Version:     a.cfg.Version,
		Metrics:     promhttp.HandlerFor(a.Metrics, promhttp.HandlerOpts{}),
		Locations:   a.Locations,
		Agents:      a.Agents,
		Results:     a.Results,
		Members:     a.Members,
		Compliance:  a.Compliance,
		Incidents:   a.Incidents,
		Maintenance: a.Maintenance,
		PostMortems: a.PostMortems,
		Alerts:      a.Alerts,
		Status:      a.Status, StatusTokens: a.StatusTokens, PublicURL: a.cfg.PublicURL, MaxStreams: a.maxStreams(),
		PublicName: a.cfg.PublicName, Notify: a.Notify, Support: a.Support, NotifyTest: a.SendTest, NotifyPrefs: a.NotifyPrefs,
		NotifyLinks: a.NotifyLinks, Acknowledge: a.Acknowledge, PreviewUpdate: a.PreviewUpdate, NightWindow: a.Settings.NightWindow,
		PreviewWindow: a.PreviewWindow,
		EmbedOrigins:  a.cfg.EmbedOrigins,
		Health:        a.Health,
		Stopping:      stopping,
		Inventory:     a.Inventory, Auth: a.Auth, Heartbeats: a.Heartbeats, Detection: a.Detection, Logger: a.Log,
		OnHeartbeat: func(key string, _ heartbeat.Ping) {
			// Judge the heartbeat now rather than at its next scheduled
			// run, wherever the leader is.
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			if err := a.DB.Notify(ctx, store.TopicHeartbeat, key); err != nil {
				a.Log.Warn("heartbeat: wake the monitor", "err", err)
			}
		},
	})
}

// Serve serves HTTP on ln until ctx ends, then shuts down: long polls end
// at once, requests in flight finish, the background work stops and
// writes what it holds, and only then does Serve return.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	tlsConfig, err := a.tlsConfig()
	if err != nil {
		return err
	}
	release, err := store.LockServer(a.cfg.DB)
	if err != nil {
		return err
	}
	defer func() { _ = release() }()
	if err := a.Inventory.LoadGraph(ctx); err != nil {
		return fmt.Errorf("load inventory graph: %w", err)
	}
	bg, stopBackground := context.WithCancel(context.Background())
	defer stopBackground()
	var wg sync.WaitGroup
	wg.Go(func() { a.Inventory.Watch(bg, a.cfg.RefreshEvery) })
	// The console's first search should not wait for its index.
	wg.Go(func() { a.Inventory.Graph().WarmSearch() })
	wg.Go(func() { a.Status.Run(bg) })
	wg.Go(func() {
		leader.Run(bg, a.DB, a.Log, leader.Options{Retry: a.cfg.LeaderRetry, OnChange: a.Health.SetLeader}, a.lead)
	})

	stopping := make(chan struct{})
	srv := &http.Server{
		Handler:           a.handler(stopping),
		ReadHeaderTimeout: readHeaderTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		TLSConfig:         tlsConfig,
		ErrorLog:          slog.NewLogLogger(a.Log.Handler(), slog.LevelWarn),
	}
	srv.RegisterOnShutdown(func() { close(stopping) })
	errc := a.startServing(srv, ln)
	var serveErr error
	select {
	case serveErr = <-errc:
	case <-ctx.Done():
	}
	a.Log.Info("shutting down")
	shutCtx, cancel := context.WithTimeout(context.Background(), a.cfg.ShutdownGrace)
	defer cancel()
	shutErr := srv.Shutdown(shutCtx)
	if shutErr != nil {
		_ = srv.Close()
	}
	stopBackground()
	wg.Wait()
	if serveErr == nil {
		serveErr = <-errc
	}
	if serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", serveErr)
	}
	if shutErr != nil {
		return fmt.Errorf("shutdown: %w", shutErr)
	}
	a.Log.Info("stopped")
	return nil
}

// startServing serves srv on ln, capped at MaxConns connections, over
// TLS when srv has a TLSConfig; the channel gets what serving returns.
func (a *App) startServing(srv *http.Server, ln net.Listener) <-chan error {
	if a.cfg.MaxConns > 0 {
		ln = netutil.LimitListener(ln, a.cfg.MaxConns)
	}
	errc := make(chan error, 1)
	scheme := "http"
	if srv.TLSConfig != nil {
		scheme = "https"
		go func() { errc <- srv.ServeTLS(ln, "", "") }()
	} else {
		go func() { errc <- srv.Serve(ln) }()
	}
	a.Log.Info("serving", "addr", ln.Addr().String(), "scheme", scheme, "db", a.DB.Where,
		"assets", a.Inventory.Graph().Len(), "trusted_proxies", a.proxies.Len(), "max_conns", a.cfg.MaxConns)
	return errc
}

// tlsConfig loads the certificate and key of the Config, or returns nil
// when there are none. A file that cannot be read, or a key that does not
// match its certificate, stops the start with the names of both files.
func (a *App) tlsConfig() (*tls.Config, error) {
	if a.cfg.TLSCert == "" && a.cfg.TLSKey == "" {
		return nil, nil
	}
	cert, err := tls.LoadX509KeyPair(a.cfg.TLSCert, a.cfg.TLSKey)
	if err != nil {
		return nil, fmt.Errorf("tls certificate %s and key %s: %w", a.cfg.TLSCert, a.cfg.TLSKey, err)
	}
	return &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}, nil
}

// newRegistry returns a registry with the Go runtime and process metrics.
func newRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}

// maxStreams is how many live-update streams of the status page may be
// open at once: half the connection cap, so that readers of the page
// leave room for staff, probes and heartbeats.
func (a *App) maxStreams() int {
	if a.cfg.MaxConns > 0 {
		return max(1, a.cfg.MaxConns/2)
	}
	return 10000
}

// Package web serves Vigie's HTTP surfaces: the staff API under /api/v1,
// the machine API of probe locations and host agents, and the public
// routes (heartbeats, health, metrics). Each surface has one routes file
// listing every route with who may call it; handlers are methods on the
// surface's struct; every error goes through one boundary (respond.go).
package web

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"
	"time"

	"github.com/vigie/vigie/internal/account"
	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/detect"
	"github.com/vigie/vigie/internal/health"
	"github.com/vigie/vigie/internal/heartbeat"
	"github.com/vigie/vigie/internal/httpguard"
	"github.com/vigie/vigie/internal/i18n"
	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/notify"
	"github.com/vigie/vigie/internal/probe"
	"github.com/vigie/vigie/internal/settings"
	"github.com/vigie/vigie/internal/status"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/support"
)

// Deps are the services the web server is built on.
type Deps struct {
	Inventory  *inventory.Service
	Auth       *auth.Service
	Heartbeats *heartbeat.Store
	Detection  *detect.Store
	// Locations authenticates remote probes.
	Locations *probe.LocationStore
	// Agents authenticates host agents.
	Agents     *probe.AgentStore
	Compliance *probe.Compliance
	Incidents  *incident.Store
	// Maintenance keeps maintenance windows; PostMortems the post-mortems.
	Maintenance *incident.MaintenanceStore
	PostMortems *incident.PostMortemStore
	// Status renders the public side once per change (optional: without
	// it / is the server's first screen); StatusTokens keeps customers'
	// secret status URLs.
	Status       *status.Publisher
	StatusTokens *status.TokenStore
	// PublicURL is the status page's address, for the URLs given out;
	// PublicName the host's name on the pages.
	PublicURL, PublicName string
	// NotifyPrefs keeps customers' opt-outs and the staff's duty hours;
	// NotifyLinks reads the signed links of messages; Acknowledge takes an
	// incident by such a link (optional: without them no link routes).
	NotifyPrefs *notify.Prefs
	NotifyLinks *notify.Links
	Acknowledge func(ctx context.Context, token string) (incident.Incident, notify.Ack, error)
	// PreviewUpdate renders what each channel would send for a public
	// update, without sending it (optional).
	PreviewUpdate func(ctx context.Context, id int64, st incident.Status, fr, en string) ([]notify.Preview, error)
	// PreviewWindow renders what each channel would send to announce a
	// maintenance window not saved yet, without sending it (optional).
	PreviewWindow func(ctx context.Context, w *incident.Window) ([]notify.Preview, error)
	// NightWindow is when maintenance is done: wall-clock times such as
	// "02:00" and "04:00" in zone (optional: 02:00–04:00 Europe/Paris).
	NightWindow func(ctx context.Context) (start, end string, zone *time.Location)
	// MaxStreams caps the live-update streams of open status pages
	// (default 500), so that readers never hold every connection the
	// server allows: past it a page stays as loaded, without live updates.
	MaxStreams int
	// Alerts takes Alertmanager webhooks.
	Alerts *incident.Intake
	// Notify keeps the notification channels and the outbox's messages
	// (optional: without it their routes answer 503).
	Notify *notify.Store
	// NotifyTest sends a test message on a channel to a recipient
	// (optional: without it the test route answers 503).
	NotifyTest func(ctx context.Context, channelID string, to notify.Recipient) error
	// Support keeps support tickets (optional: without it their routes
	// answer 503).
	Support *support.Store
	// Settings keeps the settings staff change from the console (night
	// window, settle window, thresholds) (optional: without it the
	// settings page answers 503).
	Settings *settings.Store
	// Results queues the results of remote probes for the detector.
	Results *probe.ResultQueue
	// Members are the probe processes of each location (nil: every probe
	// runs all of its location's checks).
	Members *probe.MemberStore
	// Health answers /healthz and /readyz and counts intake outcomes.
	Health *health.Registry
	// Stopping, when closed, ends long polls at once: the server is
	// shutting down.
	Stopping <-chan struct{}
	// Metrics serves /metrics (optional).
	Metrics http.Handler
	// OnHeartbeat is told of every heartbeat received (optional).
	OnHeartbeat func(checkKey string, p heartbeat.Ping)
	// ClientAddr returns a request's client address (default: the peer's,
	// trusting no header); Scheme "https" when the browser came over TLS,
	// directly or through a trusted proxy.
	ClientAddr func(*http.Request) netip.Addr
	Scheme     func(*http.Request) string
	// Sessions keeps the sign-ins of staff and customers by cookie;
	// Throttle slows down guessing passwords; Audit records staff actions
	// and sign-ins (optional: without Sessions no session route exists).
	Sessions *auth.Sessions
	Throttle *auth.Throttle
	Audit    *auth.Audit
	// Texts are the words of the pages in French and English.
	Texts *i18n.Bundle
	// Accounts mails customers' contacts their invitations and sign-in
	// links (optional: without it the contacts API does not exist);
	// HandOffs checks the links of the host's own customer panel
	// (optional: without it /handoff is a 404).
	Accounts *account.Mailer
	HandOffs *auth.HandOffs
	// Limiter rate-limits the routes without credentials per client
	// address (optional).
	Limiter Limiter
	// MaxImports is how many imports may run at once (default 2).
	MaxImports int
	// EmbedOrigins may frame the works panel /embed/{token} (optional:
	// without them the route does not exist).
	EmbedOrigins []string
	// Version names the build, for the first screen.
	Version string
	// Now is the clock (default time.Now).
	Now    func() time.Time
	Logger *slog.Logger
}

// Server holds what the router and its middleware need; the handlers of
// each surface hold their own dependencies.
type Server struct {
	d Deps
	responder
	apiDocState
}

// NewServer returns the web server over the given services.
func NewServer(d Deps) *Server {
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.ClientAddr == nil {
		d.ClientAddr = httpguard.Proxies{}.ClientAddr // the peer, trusting no header
	}
	if d.Scheme == nil {
		d.Scheme = httpguard.Proxies{}.Scheme
	}
	if d.Version == "" {
		d.Version = "(devel)"
	}
	if d.MaxImports <= 0 {
		d.MaxImports = 2
	}
	if d.MaxStreams <= 0 {
		d.MaxStreams = 500
	}
	return &Server{d: d, responder: responder{log: d.Logger}}
}

// Handler returns the routes of every surface.
func (s *Server) Handler() http.Handler {
	return s.wrap(s.router())
}

// wrap puts around the routes what every request goes through.
func (s *Server) wrap(rt *router) http.Handler {
	return httpguard.SecurityHeaders(s.recoverPanics(s.logRequests(s.jsonMisses(rt.mux))), httpguard.HeaderOptions{})
}

// Routes lists every registered route with who may call it.
func (s *Server) Routes() []Route { return s.router().routes }

func (s *Server) router() *router {
	rt := &router{mux: http.NewServeMux(), s: s}
	rt.surface = "staff"
	s.apiRoutes(rt)
	s.staffRoutes(rt)
	s.consoleIncidentRoutes(rt)
	s.consoleNotifRoutes(rt)
	s.adminConfigRoutes(rt)
	s.maintenancePageRoutes(rt)
	s.adminRoutes(rt)
	s.inventoryRoutes(rt)
	s.customerRoutes(rt)
	s.supportRoutes(rt)
	rt.surface = "machines"
	s.machineRoutes(rt)
	rt.surface = "public"
	s.publicRoutes(rt)
	s.statusRoutes(rt)
	s.notifyLinkRoutes(rt)
	s.notifyRoutes(rt)
	s.pageRoutes(rt)
	s.areaRoutes(rt)
	s.embedRoutes(rt)
	s.backupsRoutes(rt)
	s.accountRoutes(rt)
	return rt
}

// jsonMisses answers what no route matches (404, or 405 with Allow) in
// the JSON of every other error, rather than the mux's plain text. The mux
// routes once: its own answer to a miss is caught as it is written, known
// by the request having no pattern.
func (s *Server) jsonMisses(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mw := &missWriter{ResponseWriter: w, r: r}
		mux.ServeHTTP(mw, r)
		if mw.missed == 0 {
			return
		}
		setDeadlines(w, classAPI)
		if mw.missed == http.StatusMethodNotAllowed {
			s.fail(w, r, &Error{Status: mw.missed, Message: "method not allowed here; allowed: " + w.Header().Get("Allow")})
			return
		}
		s.fail(w, r, &Error{Status: http.StatusNotFound, Message: "no such endpoint"})
	})
}

// missWriter passes a routed answer through and holds back the mux's own
// 404 or 405 (a redirect to the canonical path passes too).
type missWriter struct {
	http.ResponseWriter
	r      *http.Request
	missed int
}

func (m *missWriter) WriteHeader(code int) {
	if m.r.Pattern == "" && (code == http.StatusNotFound || code == http.StatusMethodNotAllowed) {
		m.missed = code
		return
	}
	m.ResponseWriter.WriteHeader(code)
}

func (m *missWriter) Write(b []byte) (int, error) {
	if m.missed != 0 {
		return len(b), nil
	}
	return m.ResponseWriter.Write(b)
}

func (m *missWriter) Unwrap() http.ResponseWriter { return m.ResponseWriter }

// intakeCounter counts the requests of the intakes by outcome.
type intakeCounter struct {
	health *health.Registry
}

// count counts one request to the intake named name.
func (c intakeCounter) count(name string, err error) {
	if c.health == nil {
		return
	}
	c.health.Metrics().Intake(name, outcomeOf(err))
}

func outcomeOf(err error) string {
	switch {
	case err == nil:
		return "ok"
	case store.IsUnavailable(err):
		return "unavailable"
	default:
		if we := classify(err); we.Status < 500 {
			return "rejected"
		}
		return "error"
	}
}

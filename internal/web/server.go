// Package web serves Vigie's HTTP surfaces; for now the JSON API under /api/v1.
package web

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/detect"
	"github.com/vigie/vigie/internal/health"
	"github.com/vigie/vigie/internal/heartbeat"
	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/probe"
)

// maxJSONBody bounds the body of a JSON request.
const maxJSONBody = 1 << 20

// MaxImportBody bounds the body of an import request.
const MaxImportBody = 256 << 20

// Server holds what the handlers need.
type Server struct {
	inv         *inventory.Service
	auth        *auth.Service
	heartbeats  *heartbeat.Store
	detection   *detect.Store
	beat        func(checkKey string, p heartbeat.Ping)
	metrics     http.Handler
	locations   *probe.LocationStore
	compliance  *probe.Compliance
	incidents   *incident.Store
	maintenance *incident.MaintenanceStore
	postmortems *incident.PostMortemStore
	alertLabel  string
	dedupStore  *incident.DedupStore
	results     *probe.ResultQueue
	health      *health.Registry
	stopping    <-chan struct{}
	log         *slog.Logger
}

// Deps are the services the web server is built on.
type Deps struct {
	Inventory  *inventory.Service
	Auth       *auth.Service
	Heartbeats *heartbeat.Store
	Detection  *detect.Store
	// Locations authenticates remote probes.
	Locations  *probe.LocationStore
	Compliance *probe.Compliance
	Incidents  *incident.Store
	// Maintenance keeps maintenance windows; PostMortems the post-mortems.
	Maintenance *incident.MaintenanceStore
	PostMortems *incident.PostMortemStore
	// AlertDedup keeps the Alertmanager dedup state across restarts.
	AlertDedup *incident.DedupStore
	// AlertLabel is the Alertmanager label naming an asset (default "asset").
	AlertLabel string
	// Results queues the results of remote probes for the detector.
	Results *probe.ResultQueue
	// Health answers /healthz and /readyz and counts intake outcomes.
	Health *health.Registry
	// Stopping, when closed, ends long polls at once: the server is
	// shutting down.
	Stopping <-chan struct{}
	// Metrics serves /metrics (optional).
	Metrics http.Handler
	// OnHeartbeat is told of every heartbeat received (optional).
	OnHeartbeat func(checkKey string, p heartbeat.Ping)
	Logger      *slog.Logger
}

// NewServer returns the web server over the given services.
func NewServer(d Deps) *Server {
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	return &Server{inv: d.Inventory, auth: d.Auth, heartbeats: d.Heartbeats, detection: d.Detection, beat: d.OnHeartbeat, metrics: d.Metrics,
		locations: d.Locations, compliance: d.Compliance,
		incidents: d.Incidents, maintenance: d.Maintenance, postmortems: d.PostMortems, alertLabel: d.AlertLabel, dedupStore: d.AlertDedup, results: d.Results, health: d.Health, stopping: d.Stopping, log: d.Logger}
}

// Handler returns the routes of every surface.
func (s *Server) Handler() http.Handler {
	api := http.NewServeMux()
	api.HandleFunc("GET /api/v1/customers", s.listCustomers)
	api.HandleFunc("POST /api/v1/customers", s.createCustomer)
	api.HandleFunc("GET /api/v1/customers/{id}", s.showCustomer)
	api.HandleFunc("PUT /api/v1/customers/{id}", s.updateCustomer)
	api.HandleFunc("DELETE /api/v1/customers/{id}", s.deleteCustomer)
	api.HandleFunc("GET /api/v1/assets", s.listAssets)
	api.HandleFunc("POST /api/v1/assets", s.createAsset)
	api.HandleFunc("GET /api/v1/assets/{name}", s.showAsset)
	api.HandleFunc("PUT /api/v1/assets/{name}", s.updateAsset)
	api.HandleFunc("DELETE /api/v1/assets/{name}", s.deleteAsset)
	api.HandleFunc("GET /api/v1/assets/{name}/impact", s.showImpact)
	api.HandleFunc("GET /api/v1/impact/{name}", s.showImpact)
	api.HandleFunc("POST /api/v1/import", s.importInventory)
	api.HandleFunc("GET /api/v1/checks", s.listChecks)
	api.HandleFunc("POST /api/v1/checks", s.createCheck)
	api.HandleFunc("GET /api/v1/checks/{asset}/{name}", s.showCheck)
	api.HandleFunc("PUT /api/v1/checks/{asset}/{name}", s.updateCheck)
	api.HandleFunc("DELETE /api/v1/checks/{asset}/{name}", s.deleteCheck)
	api.HandleFunc("POST /api/v1/checks/{asset}/{name}/token", s.rotateHeartbeatToken)
	api.HandleFunc("GET /api/v1/checks/{asset}/{name}/uptime", s.showUptime)
	api.HandleFunc("GET /api/v1/checks/{asset}/{name}/latency", s.showLatency)
	api.HandleFunc("GET /api/v1/signals", s.listSignals)
	api.HandleFunc("GET /api/v1/states", s.listStates)
	api.HandleFunc("GET /api/v1/compliance", s.listCompliance)
	api.HandleFunc("POST /api/v1/alertmanager", s.receiveAlertmanager)
	api.HandleFunc("GET /api/v1/incidents", s.listIncidents)
	api.HandleFunc("GET /api/v1/incidents/{id}", s.showIncident)
	api.HandleFunc("POST /api/v1/incidents/{id}/events", s.addIncidentEvent)
	if s.maintenance != nil {
		for pattern, h := range maintenanceHandlers(s.maintenance, s.writeError) {
			api.HandleFunc(pattern, h)
		}
	}
	if s.postmortems != nil {
		for pattern, h := range postmortemHandlers(s.postmortems, s.writeError) {
			api.HandleFunc(pattern, h)
		}
	}
	for route, h := range incidentWriteHandlers(s.incidents, s.inv.Graph, time.Now, s.writeError) {
		api.HandleFunc(route, h)
	}
	api.HandleFunc("GET /api/v1/digest", s.showDigest)
	api.HandleFunc("/api/v1/", func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, &Error{Status: http.StatusNotFound, Message: "no such API endpoint"})
	})

	mux := http.NewServeMux()
	mux.Handle("/api/v1/", s.requireToken(api))
	remote := http.NewServeMux()
	remote.HandleFunc("GET /api/v1/probe/assignments", s.probeAssignments)
	remote.HandleFunc("POST /api/v1/probe/results", s.probeResults)
	remote.HandleFunc("POST /api/v1/probe/facts", s.probeFacts)
	mux.Handle("/api/v1/probe/", s.requireLocation(remote))
	// Jobs authenticate with the token in the URL, not a bearer token.
	mux.Handle("/api/v1/heartbeats/", heartbeat.Handler(s.heartbeats, time.Now, s.beat, s.heartbeatIntake))
	if s.metrics != nil {
		// Metrics carry no customer data; keep the listener on a private
		// address or behind the proxy's access rules.
		mux.Handle("GET /metrics", s.metrics)
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", s.showReadiness)
	return s.recoverPanics(s.logRequests(mux))
}

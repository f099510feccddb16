package web

import (
	"net/http"
	"time"

	"github.com/vigie/vigie/internal/health"
	"github.com/vigie/vigie/internal/heartbeat"
)

// public serves the routes that take no credential header: heartbeats
// (their token is the path), health and metrics. They are rate limited per
// client address.
type public struct {
	responder
	openAPI func() []byte
	version string
	intakeCounter
	heartbeats *heartbeat.Store
	notify     func(checkKey string, p heartbeat.Ping)
	health     *health.Registry
	metrics    http.Handler
	now        func() time.Time
}

func (s *Server) publicRoutes(rt *router) {
	d := s.d
	h := &public{responder: s.responder, openAPI: s.openAPI, version: d.Version, intakeCounter: intakeCounter{d.Health}, heartbeats: d.Heartbeats,
		notify: d.OnHeartbeat, health: d.Health, metrics: d.Metrics, now: d.Now}
	// Jobs ping with the token in the URL; GET (and HEAD) serve cron lines
	// and tools that can only fetch a URL.
	rt.handle("POST /api/v1/heartbeats/{token}", noCredential, classPing, doc{summary: "A job's heartbeat, with an optional JSON body (status, size, duration, message, restore_point)", rawBody: "application/json"}, h.receivePing)
	rt.handle("GET /api/v1/heartbeats/{token}", noCredential, classPing, doc{summary: "A job's heartbeat from a cron line: ok, no body"}, h.receivePing)
	rt.handle("GET /server", noCredential, classOps, doc{summary: "A first screen: the server, its version and health, and where the API reference is"}, h.showHome)
	if d.Status == nil {
		rt.handle("GET /{$}", noCredential, classOps, doc{summary: "The first screen, where no status page is served"}, h.showHome)
	}
	rt.handle("GET /api/v1/openapi.json", noCredential, classOps, doc{summary: "This API reference, as an OpenAPI 3 document"}, h.showOpenAPI)
	rt.handle("GET /healthz", noCredential, classOps, doc{summary: "The process is up"}, h.showHealth)
	rt.handle("GET /readyz", noCredential, classOps, doc{summary: "The database answers and the background work is current (503 otherwise)"}, h.showReadiness)
	if h.metrics != nil {
		// Metrics carry no customer data; keep the listener on a private
		// address or behind the proxy's access rules.
		rt.handle("GET /metrics", noCredential, classOps, doc{summary: "Prometheus metrics"}, h.metrics.ServeHTTP)
	}
}

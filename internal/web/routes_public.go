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
	intakeCounter
	heartbeats *heartbeat.Store
	notify     func(checkKey string, p heartbeat.Ping)
	health     *health.Registry
	metrics    http.Handler
	now        func() time.Time
}

func (s *Server) publicRoutes(rt *router) {
	d := s.d
	h := &public{responder: s.responder, intakeCounter: intakeCounter{d.Health}, heartbeats: d.Heartbeats,
		notify: d.OnHeartbeat, health: d.Health, metrics: d.Metrics, now: d.Now}
	// Jobs ping with the token in the URL; GET (and HEAD) serve cron lines
	// and tools that can only fetch a URL.
	rt.handle("POST /api/v1/heartbeats/{token}", noCredential, classPing, h.receivePing)
	rt.handle("GET /api/v1/heartbeats/{token}", noCredential, classPing, h.receivePing)
	rt.handle("GET /healthz", noCredential, classOps, h.showHealth)
	rt.handle("GET /readyz", noCredential, classOps, h.showReadiness)
	if h.metrics != nil {
		// Metrics carry no customer data; keep the listener on a private
		// address or behind the proxy's access rules.
		rt.handle("GET /metrics", noCredential, classOps, h.metrics.ServeHTTP)
	}
}

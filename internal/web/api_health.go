package web

import (
	"net/http"

	"github.com/vigie/vigie/internal/store"
)

// showReadiness answers /readyz: whether the database answers and every
// background component of this process is current, with their lag, as
// JSON; 503 when one is stuck.
func (s *Server) showReadiness(w http.ResponseWriter, r *http.Request) {
	if s.health == nil {
		writeJSON(w, http.StatusOK, map[string]any{"ready": true})
		return
	}
	rep := s.health.Ready(r.Context())
	status := http.StatusOK
	if !rep.Ready {
		status = http.StatusServiceUnavailable
	}
	writeJSON(w, status, rep)
}

// intake counts one request to an intake by its outcome.
func (s *Server) intake(name string, err error) {
	if s.health == nil {
		return
	}
	s.health.Metrics().Intake(name, outcomeOf(err))
}

// heartbeatIntake counts heartbeats by outcome.
func (s *Server) heartbeatIntake(err error) { s.intake("heartbeats", err) }

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

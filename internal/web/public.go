package web

import (
	"errors"
	"net/http"

	"github.com/vigie/vigie/internal/heartbeat"
	"github.com/vigie/vigie/internal/store"
)

// receivePing records one heartbeat. The token is checked before the body
// is read: a made-up token is answered 404 at once, whatever its sender
// does with the body. It answers 202 with the check's key and the recorded
// status; 400 for a body it cannot read, naming the problem; 413 over
// heartbeat.MaxBody; 503 with Retry-After when the database cannot record
// it (nothing was recorded: send it again).
func (h *public) receivePing(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	checked, err := h.heartbeats.Check(r.Context(), token)
	if err != nil {
		h.count("heartbeats", err)
		if errors.Is(err, heartbeat.ErrUnknownToken) && r.ContentLength != 0 {
			w.Header().Set("Connection", "close")
		}
		h.failPing(w, r, err)
		return
	}
	p := heartbeat.Ping{Status: heartbeat.StatusOK}
	if r.Method == http.MethodPost {
		body, err := readBody(http.MaxBytesReader(w, r.Body, heartbeat.MaxBody))
		if err == nil {
			if p, err = heartbeat.ParsePing(body); err != nil {
				// ParsePing's errors describe only the input.
				err = badRequest("%s", err.Error())
			}
		}
		if err != nil {
			h.count("heartbeats", err)
			h.fail(w, r, err)
			return
		}
	}
	key, err := h.heartbeats.RecordChecked(r.Context(), checked, p, h.now())
	h.count("heartbeats", err)
	if err != nil {
		h.failPing(w, r, err)
		return
	}
	if h.notify != nil {
		h.notify(key, p)
	}
	writeJSON(w, http.StatusAccepted, map[string]string{"check": key, "status": p.Status})
}

// failPing answers a ping that could not be recorded; a database outage is
// worth a warning, since the job's report waits for its retry.
func (h *public) failPing(w http.ResponseWriter, r *http.Request, err error) {
	if store.IsUnavailable(err) {
		h.log.WarnContext(r.Context(), "heartbeat not recorded: database unavailable", "err", err)
	}
	h.fail(w, r, err)
}

func (h *public) showHealth(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// showReadiness answers /readyz: whether the database answers and every
// background component of this process is current, with their lag, as
// JSON; 503 when one is stuck.
func (h *public) showReadiness(w http.ResponseWriter, r *http.Request) {
	if h.health == nil {
		writeJSON(w, http.StatusOK, map[string]any{"ready": true})
		return
	}
	rep := h.health.Ready(r.Context())
	status := http.StatusOK
	if !rep.Ready {
		status = http.StatusServiceUnavailable
	}
	writeJSON(w, status, rep)
}

// showOpenAPI answers the API reference.
func (h *public) showOpenAPI(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(h.openAPI())
}

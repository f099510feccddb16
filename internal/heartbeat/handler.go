package heartbeat

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/vigie/vigie/internal/store"
)

// Handler serves POST /api/v1/heartbeats/{token}, which jobs call to report
// that they ran, with an optional JSON body (status, size, duration,
// message). GET and HEAD record an ok ping without a body, for cron lines
// and tools that can only fetch a URL. The token in the path is the
// credential, so no authentication header is read.
//
// It answers 202 with the check's key and the recorded status; 404 for a
// token that is malformed or unknown, with one message for both; 400 for a
// body it cannot read, naming the problem; 413 for a body over MaxBody.
// Errors have the JSON shape of the rest of the API. After recording, it
// calls notify (when not nil) with the ping, so that a reported failure can
// be acted on at once; notify runs before the answer and should not block.
// A nil now means time.Now. When the database cannot record the ping it
// answers 503 with Retry-After: nothing was recorded, the job should try
// again. outcome, when not nil, is told of every request's error (nil:
// recorded).
func Handler(s *Store, now func() time.Time, notify func(checkKey string, p Ping), outcome func(err error)) http.Handler {
	if now == nil {
		now = time.Now
	}
	if outcome == nil {
		outcome = func(error) {}
	}
	h := &pingHandler{store: s, now: now, notify: notify, outcome: outcome}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v1/heartbeats/{token}", h.receive)
	mux.HandleFunc("GET /api/v1/heartbeats/{token}", h.receive) // also matches HEAD
	return mux
}

// pingHandler holds what receiving a ping needs.
type pingHandler struct {
	store   *Store
	now     func() time.Time
	notify  func(checkKey string, p Ping)
	outcome func(err error)
}

// unknownTokenMessage is shown for malformed and unknown tokens alike, so
// that answers tell nothing of which tokens exist.
const unknownTokenMessage = "unknown heartbeat token"

// receive records one ping.
func (h *pingHandler) receive(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	if _, _, ok := parseToken(token); !ok {
		writeError(w, http.StatusNotFound, unknownTokenMessage)
		return
	}
	p := Ping{Status: StatusOK}
	if r.Method == http.MethodPost {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeError(w, http.StatusRequestEntityTooLarge, ErrBodyTooLarge.Error())
			return
		}
		if err != nil {
			writeError(w, http.StatusBadRequest, "cannot read the body")
			return
		}
		if p, err = ParsePing(body); err != nil {
			writeError(w, http.StatusBadRequest, err.Error())
			return
		}
	}
	key, err := h.store.Record(r.Context(), token, p, h.now())
	h.outcome(err)
	if errors.Is(err, ErrUnknownToken) {
		writeError(w, http.StatusNotFound, unknownTokenMessage)
		return
	}
	if store.IsUnavailable(err) {
		slog.WarnContext(r.Context(), "heartbeat not recorded: database unavailable", "err", err)
		w.Header().Set("Retry-After", "5")
		writeError(w, http.StatusServiceUnavailable, "the database is unavailable: heartbeat not recorded, send it again shortly")
		return
	}
	if err != nil {
		slog.ErrorContext(r.Context(), "heartbeat not recorded", "err", err)
		writeError(w, http.StatusInternalServerError, "internal error")
		return
	}
	if h.notify != nil {
		h.notify(key, p)
	}
	writeJSON(w, http.StatusAccepted, map[string]string{"check": key, "status": p.Status})
}

// writeError answers with the API's JSON error shape.
func writeError(w http.ResponseWriter, status int, message string) {
	writeJSON(w, status, map[string]string{"error": http.StatusText(status), "message": message})
}

// writeJSON answers with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

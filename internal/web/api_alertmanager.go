package web

import (
	"net/http"

	"github.com/vigie/vigie/internal/incident"
)

// receiveAlertmanager takes an Alertmanager webhook (version 4). It answers
// 2xx only once the signals are committed: on error Alertmanager delivers
// again, and the stored dedup state makes that count once.
func (h *api) receiveAlertmanager(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(http.MaxBytesReader(w, r.Body, incident.MaxAlertmanagerBody))
	if err == nil {
		var res incident.IntakeResult
		if res, err = h.alerts.Receive(r.Context(), body, h.now()); err == nil {
			h.count("alertmanager", nil)
			writeJSON(w, http.StatusOK, res)
			return
		}
	}
	h.count("alertmanager", err)
	h.fail(w, r, err)
}

package web

import (
	"errors"
	"net/http"
	"time"

	"github.com/vigie/vigie/internal/incident"
)

// receiveAlertmanager takes an Alertmanager webhook (version 4): alerts are
// mapped onto assets by label or instance address, and each change of an
// alert becomes a signal; repeated deliveries count once. Alerts on no
// known asset are kept as unmatched signals.
func (s *Server) receiveAlertmanager(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(http.MaxBytesReader(w, r.Body, incident.MaxAlertmanagerBody))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	hook, err := incident.ParseAlertmanager(body)
	var perr *incident.PayloadError
	if errors.As(err, &perr) {
		s.writeError(w, r, badRequest("%s", perr.Error()))
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.inv.LoadGraph(r.Context()); err != nil {
		s.writeError(w, r, err)
		return
	}
	addressed, err := s.inv.Addressed(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	g := s.inv.Graph()
	mapper := incident.AlertMapper{
		Label:     s.alertLabel,
		Assets:    func(name string) bool { return g.Kind(name) != "" },
		ByAddress: incident.BuildAddressIndex(addressed),
	}
	mapped := mapper.Map(hook)
	matched, unmatched := 0, 0
	for _, a := range mapped {
		if a.Matched {
			matched++
		} else {
			unmatched++
		}
	}
	// 2xx only once the signals are committed: on error Alertmanager
	// delivers again, and the stored dedup state makes that count once.
	signals, err := s.dedupStore.Receive(r.Context(), mapped, time.Now())
	if err != nil {
		s.intake("alertmanager", err)
		s.writeError(w, r, err)
		return
	}
	s.intake("alertmanager", nil)
	writeJSON(w, http.StatusOK, map[string]int{"alerts": len(hook.Alerts), "matched": matched, "unmatched": unmatched, "new_signals": len(signals)})
}

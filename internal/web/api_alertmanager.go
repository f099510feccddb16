package web

import (
	"errors"
	"net/http"

	"github.com/vigie/vigie/internal/detect"
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
	var signals []detect.Signal
	matched, unmatched := 0, 0
	for _, a := range mapper.Map(hook) {
		if a.Matched {
			matched++
		} else {
			unmatched++
		}
		if s.alerts.Fresh(a) {
			signals = append(signals, a.Signal())
		}
	}
	if len(signals) > 0 {
		if err := s.detection.SaveSignals(r.Context(), signals); err != nil {
			s.writeError(w, r, err)
			return
		}
		if s.onSignals != nil {
			s.onSignals(signals)
		}
	}
	writeJSON(w, http.StatusOK, map[string]int{"alerts": len(hook.Alerts), "matched": matched, "unmatched": unmatched, "new_signals": len(signals)})
}

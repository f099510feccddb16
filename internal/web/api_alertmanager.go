package web

import (
	"errors"
	"net/http"
	"time"

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
	if s.dedupStore != nil {
		s.dedupOnce.Do(func() {
			entries, err := s.dedupStore.Load(r.Context(), incident.DefaultDedupSize)
			if err != nil {
				s.log.Error("alertmanager: load dedup state", "err", err)
				return
			}
			s.alerts.Restore(entries)
		})
	}
	var signals []detect.Signal
	var seen []incident.DedupEntry
	matched, unmatched := 0, 0
	for _, a := range mapper.Map(hook) {
		if a.Matched {
			matched++
		} else {
			unmatched++
		}
		if s.alerts.Fresh(a) {
			signals = append(signals, a.Signal())
			seen = append(seen, incident.DedupEntry{Fingerprint: a.Fingerprint, Firing: a.Firing, StartsAt: a.StartsAt, EndsAt: a.EndsAt})
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
		if s.dedupStore != nil {
			if err := s.dedupStore.Save(r.Context(), seen, time.Now()); err != nil {
				s.writeError(w, r, err)
				return
			}
		}
	}
	writeJSON(w, http.StatusOK, map[string]int{"alerts": len(hook.Alerts), "matched": matched, "unmatched": unmatched, "new_signals": len(signals)})
}

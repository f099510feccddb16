package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/detect"
)

// signalJSON is a signal as the API shows it.
type signalJSON struct {
	ID       int64          `json:"id"`
	Kind     string         `json:"kind"`
	Check    string         `json:"check,omitempty"`
	Asset    string         `json:"asset,omitempty"`
	Location string         `json:"location,omitempty"`
	At       time.Time      `json:"at"`
	From     string         `json:"from"`
	To       string         `json:"to"`
	Reason   string         `json:"reason,omitempty"`
	Message  string         `json:"message,omitempty"`
	Results  []check.Result `json:"results,omitempty"`
}

func parseTime(name, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, badRequest("%s: want an RFC 3339 time such as 2026-11-26T03:00:00Z, got %q", name, v)
	}
	return t, nil
}

func (h *api) listSignals(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := detect.SignalFilter{Asset: q.Get("asset"), Check: q.Get("check"), Kind: detect.SignalKind(q.Get("kind"))}
	var err error
	if f.Since, err = parseTime("since", q.Get("since")); err != nil {
		h.fail(w, r, err)
		return
	}
	if f.Until, err = parseTime("until", q.Get("until")); err != nil {
		h.fail(w, r, err)
		return
	}
	if f.Limit, err = parseLimit(q.Get("limit")); err != nil {
		h.fail(w, r, err)
		return
	}
	if v := q.Get("before"); v != "" {
		if f.Before, err = strconv.ParseInt(v, 10, 64); err != nil || f.Before < 1 {
			h.fail(w, r, badRequest("before: want a signal id, got %q", v))
			return
		}
	}
	list, err := h.detection.Signals(r.Context(), f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := make([]signalJSON, len(list))
	for i, sg := range list {
		out[i] = signalJSON{ID: sg.ID, Kind: string(sg.Kind), Check: sg.Check, Asset: sg.Asset, Location: sg.Location,
			At: sg.At, From: sg.From.String(), To: sg.To.String(), Reason: string(sg.Reason), Message: sg.Message, Results: sg.Results}
	}
	next := ""
	if len(list) > 0 && len(list) == effectiveLimit(f.Limit) {
		next = strconv.FormatInt(list[len(list)-1].ID, 10)
	}
	writeJSON(w, http.StatusOK, map[string]any{"signals": out, "next": next})
}

func (h *api) listStates(w http.ResponseWriter, r *http.Request) {
	rows, err := h.detection.States(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	type stateJSON struct {
		Check    string    `json:"check"`
		Location string    `json:"location,omitempty"`
		State    string    `json:"state"`
		Since    time.Time `json:"since"`
		Reason   string    `json:"reason,omitempty"`
		Message  string    `json:"message,omitempty"`
	}
	out := make([]stateJSON, len(rows))
	for i, row := range rows {
		out[i] = stateJSON{row.Check, row.Location, row.State.String(), row.Since, string(row.Reason), row.Message}
	}
	writeJSON(w, http.StatusOK, map[string]any{"states": out})
}

func (h *api) showUptime(w http.ResponseWriter, r *http.Request) {
	key := pathCheckKey(r).String()
	list, err := h.detection.Uptime(r.Context(), key, time.Now())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	type uptimeJSON struct {
		Window   string   `json:"window"`
		Count    int      `json:"count"`
		Failures int      `json:"failures"`
		Ratio    *float64 `json:"ratio"` // null without data
	}
	out := make([]uptimeJSON, len(list))
	for i, u := range list {
		out[i] = uptimeJSON{Window: u.Window.String(), Count: u.Count, Failures: u.Failures}
		if u.Count > 0 {
			ratio := u.Ratio
			out[i].Ratio = &ratio
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"check": key, "uptime": out})
}

func (h *api) showLatency(w http.ResponseWriter, r *http.Request) {
	key := pathCheckKey(r).String()
	q := r.URL.Query()
	period := q.Get("period")
	if period == "" {
		period = detect.PeriodHour
	}
	if period != detect.PeriodMinute && period != detect.PeriodHour && period != detect.PeriodDay {
		h.fail(w, r, badRequest("period: want minute, hour or day, got %q", period))
		return
	}
	until, err := parseTime("until", q.Get("until"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if until.IsZero() {
		until = time.Now()
	}
	since, err := parseTime("since", q.Get("since"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if since.IsZero() {
		since = until.Add(-24 * time.Hour)
	}
	list, err := h.detection.Latency(r.Context(), key, period, since, until)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	type pointJSON struct {
		Start    time.Time `json:"start"`
		Count    int       `json:"count"`
		Failures int       `json:"failures"`
		AvgMS    *float64  `json:"avg_ms"`
		MinMS    float64   `json:"min_ms"`
		MaxMS    float64   `json:"max_ms"`
	}
	out := make([]pointJSON, len(list))
	for i, b := range list {
		p := pointJSON{Start: b.Minute, Count: b.Count, Failures: b.Failures,
			MinMS: float64(b.Min) / 1e6, MaxMS: float64(b.Max) / 1e6}
		if ok := b.Count - b.Failures; ok > 0 {
			avg := float64(b.LatencySum) / float64(ok) / 1e6
			p.AvgMS = &avg
		}
		out[i] = p
	}
	writeJSON(w, http.StatusOK, map[string]any{"check": key, "period": period, "points": out})
}

// listCompliance shows every host's facts and violations.
func (h *api) listCompliance(w http.ResponseWriter, r *http.Request) {
	hosts, err := h.compliance.List(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"hosts": hosts})
}

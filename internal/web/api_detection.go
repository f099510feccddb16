package web

import (
	"net/http"
	"time"

	"github.com/vigie/vigie/internal/detect"
)

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

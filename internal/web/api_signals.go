package web

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/detect"
)

// signalsQuery is what GET /api/v1/signals takes.
var signalsQuery = append([]string{
	"asset: only this asset's",
	"check: only this check (asset/name)",
	"kind: only this kind",
	"location: only those seen from this location",
	"since: RFC 3339 time",
	"until: RFC 3339 time",
	"before: a signal id: only older ones (the cursor in clear, kept for older clients)",
}, pageDocs(detect.DefaultSignalLimit, detect.MaxSignalLimit)...)

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

// listSignals answers the signals newest first, a page at a time, or all
// of them streamed.
func (h *api) listSignals(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p, err := parsePage(q, "signals", 1, detect.DefaultSignalLimit, detect.MaxSignalLimit)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f := detect.SignalFilter{Asset: q.Get("asset"), Check: q.Get("check"), Kind: detect.SignalKind(q.Get("kind")), Location: q.Get("location")}
	if f.Since, err = parseTime("since", q.Get("since")); err != nil {
		h.fail(w, r, err)
		return
	}
	if f.Until, err = parseTime("until", q.Get("until")); err != nil {
		h.fail(w, r, err)
		return
	}
	if v := q.Get("before"); v != "" {
		if p.cursor != nil {
			h.fail(w, r, badRequest("before: not with cursor, which says where the page starts"))
			return
		}
		if id, err := strconv.ParseInt(v, 10, 64); err != nil || id < 1 {
			h.fail(w, r, badRequest("before: want a signal id, got %q", v))
			return
		}
		p.cursor = []string{v}
	}
	if p.cursor != nil {
		if id, err := strconv.ParseInt(p.cursor[0], 10, 64); err != nil || id < 1 {
			h.fail(w, r, badRequest("cursor: not a cursor of this list (pass the next of the previous page as given)"))
			return
		}
	}
	servePage(h, w, r, "signals", p, func(ctx context.Context, cursor []string, limit int) ([]signalJSON, []string, error) {
		f.Before, f.Limit = 0, limit
		if cursor != nil {
			f.Before, _ = strconv.ParseInt(cursor[0], 10, 64) // checked above, or written by this function
		}
		list, err := h.detection.Signals(ctx, f)
		if err != nil {
			return nil, nil, err
		}
		out := make([]signalJSON, len(list))
		for i, sg := range list {
			out[i] = signalJSON{ID: sg.ID, Kind: string(sg.Kind), Check: sg.Check, Asset: sg.Asset, Location: sg.Location,
				At: sg.At, From: sg.From.String(), To: sg.To.String(), Reason: string(sg.Reason), Message: sg.Message, Results: sg.Results}
		}
		if len(list) < limit {
			return out, nil, nil
		}
		// A full page: one more older signal says whether a next one follows.
		last := strconv.FormatInt(list[len(list)-1].ID, 10)
		g := f
		g.Before, g.Limit = list[len(list)-1].ID, 1
		older, err := h.detection.Signals(ctx, g)
		if err != nil || len(older) == 0 {
			return out, nil, err
		}
		return out, []string{last}, nil
	})
}

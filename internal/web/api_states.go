package web

import (
	"context"
	"net/http"
	"time"

	"github.com/vigie/vigie/internal/detect"
)

// statesQuery is what GET /api/v1/states takes.
var statesQuery = append([]string{
	"asset: only this asset's checks",
	"location: only the states from this location (without it, the checks' overall states too, location absent)",
	"state: only this state: up, down or unknown",
}, pageDocs(defaultListLimit, maxListLimit)...)

// stateJSON is a stored state as the API shows it.
type stateJSON struct {
	Check    string    `json:"check"`
	Location string    `json:"location,omitempty"`
	State    string    `json:"state"`
	Since    time.Time `json:"since"`
	Reason   string    `json:"reason,omitempty"`
	Message  string    `json:"message,omitempty"`
}

// listStates answers the stored states by check then location, a page at
// a time, or all of them streamed.
func (h *api) listStates(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p, err := parsePage(q, "states", 2, defaultListLimit, maxListLimit)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f := detect.StatePage{Asset: q.Get("asset"), Location: q.Get("location")}
	if v := q.Get("state"); v != "" {
		st, ok := detect.ParseState(v)
		if !ok {
			h.fail(w, r, badRequest("state: want up, down or unknown, got %q", v))
			return
		}
		f.State = &st
	}
	servePage(h, w, r, "states", p, func(ctx context.Context, cursor []string, limit int) ([]stateJSON, []string, error) {
		f.After, f.Limit = detect.StateKey{}, limit
		if cursor != nil {
			f.After = detect.StateKey{Check: cursor[0], Location: cursor[1]}
		}
		rows, more, err := h.detection.StatesPage(ctx, f)
		if err != nil {
			return nil, nil, err
		}
		out := make([]stateJSON, len(rows))
		for i, row := range rows {
			out[i] = stateJSON{row.Check, row.Location, row.State.String(), row.Since, string(row.Reason), row.Message}
		}
		if !more {
			return out, nil, nil
		}
		last := rows[len(rows)-1]
		return out, []string{last.Check, last.Location}, nil
	})
}

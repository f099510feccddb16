package web

import (
	"net/http"
	"time"

	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/heartbeat"
	"github.com/vigie/vigie/internal/report"
	"github.com/vigie/vigie/internal/status"
)

// overviewJSON is one customer's overview, for a host's panel that renders
// it itself: only what the customer owns, and incidents and maintenance as
// their own status page tells them.
type overviewJSON struct {
	Customer    overviewCustomer      `json:"customer"`
	Assets      []overviewAsset       `json:"assets"`
	Incidents   []overviewIncident    `json:"incidents"`
	Maintenance []overviewMaintenance `json:"maintenance"`
	Backups     []overviewBackup      `json:"backups"`
	GeneratedAt time.Time             `json:"generated_at"`
}

type overviewCustomer struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Language string `json:"language"`
	Timezone string `json:"timezone"`
}

// overviewAsset is an asset with the worst state of its checks; Since is
// when it went down, or when its last check came up.
type overviewAsset struct {
	Name   string     `json:"name"`
	Kind   string     `json:"kind"`
	State  string     `json:"state"`
	Since  *time.Time `json:"since"`
	Checks int        `json:"checks"`
}

type overviewIncident struct {
	ID        int64           `json:"id"`
	Name      status.Text     `json:"name"`
	Status    string          `json:"status"`
	Impact    string          `json:"impact"`
	StartedAt time.Time       `json:"started_at"`
	Sites     []string        `json:"sites"`
	Platform  bool            `json:"platform"`
	Latest    *overviewUpdate `json:"latest_update"`
}

type overviewUpdate struct {
	Status string      `json:"status"`
	At     time.Time   `json:"at"`
	Text   status.Text `json:"text"`
}

type overviewMaintenance struct {
	ID       string      `json:"id"`
	Name     status.Text `json:"name"`
	Status   string      `json:"status"`
	Start    time.Time   `json:"start"`
	End      time.Time   `json:"end"`
	Sites    []string    `json:"sites"`
	Platform bool        `json:"platform"`
}

// overviewBackup is a heartbeat check of one of the customer's assets:
// DueBy is when the next ping is due at the latest (period and grace after
// the last one, or after the token for none); Stale is set past it.
type overviewBackup struct {
	Asset      string              `json:"asset"`
	Check      string              `json:"check"`
	LastPingAt *time.Time          `json:"last_ping_at"`
	Status     string              `json:"status,omitempty"`
	Size       *int64              `json:"size,omitempty"`
	Duration   *heartbeat.Duration `json:"duration,omitempty"`
	DueBy      *time.Time          `json:"due_by"`
	Stale      bool                `json:"stale"`
}

func (h *api) showOverview(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	c, err := h.inv.Customer(ctx, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if h.status == nil {
		h.fail(w, r, &Error{Status: http.StatusServiceUnavailable, Message: "the status page is not running"})
		return
	}
	// The customer's page gives incidents and maintenance, and its clock
	// the moment the whole overview stands for.
	page, err := h.status.Page(ctx, c.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	now := page.Generated.UTC()
	if page.Generated.IsZero() {
		now = h.now().UTC()
	}
	out := overviewJSON{Customer: overviewCustomer{c.ID, c.Name, c.Language, c.Timezone}, GeneratedAt: now,
		Assets: []overviewAsset{}, Incidents: []overviewIncident{}, Maintenance: []overviewMaintenance{}, Backups: []overviewBackup{}}
	owned, err := (&report.Reader{Inventory: h.inv, Detection: h.detection}).CustomerAssets(ctx, c.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var checks []check.Check
	for i := range owned {
		a := &owned[i]
		st, since := a.State()
		out.Assets = append(out.Assets, overviewAsset{Name: a.Name, Kind: a.Kind, State: st.String(), Since: since, Checks: len(a.Checks)})
		checks = append(checks, a.Checks...)
	}
	if out.Backups, err = h.overviewBackups(r, checks, now); err != nil {
		h.fail(w, r, err)
		return
	}
	out.Incidents, out.Maintenance = overviewOfPage(page)
	writeJSON(w, http.StatusOK, out)
}

// overviewBackups lists the heartbeat checks among checks with their last
// ping; a check with no token yet has none and is not stale.
func (h *api) overviewBackups(r *http.Request, checks []check.Check, now time.Time) ([]overviewBackup, error) {
	out := []overviewBackup{}
	var beats map[string]heartbeat.Beat
	for _, c := range checks {
		if c.Kind != check.Heartbeat {
			continue
		}
		if beats == nil {
			var err error
			if beats, err = h.heartbeats.LastAll(r.Context()); err != nil {
				return nil, err
			}
		}
		b := overviewBackup{Asset: c.Asset, Check: c.ID().Name}
		beat, ok := beats[c.Key()]
		if !ok {
			out = append(out, b)
			continue
		}
		grace := time.Duration(c.Grace)
		if grace <= 0 {
			grace = check.DefaultHeartbeatGrace
		}
		from := beat.Created
		if !beat.At.IsZero() {
			at := beat.At
			b.LastPingAt, b.Status, b.Size, b.Duration = &at, beat.Ping.Status, beat.Ping.Size, beat.Ping.Duration
			from = at
		}
		due := from.Add(time.Duration(c.Period) + grace)
		b.DueBy, b.Stale = &due, now.After(due)
		out = append(out, b)
	}
	return out, nil
}

// overviewOfPage takes the open incidents and the maintenance in progress
// or to come from a customer's status page, which names only their sites.
func overviewOfPage(p *status.Page) ([]overviewIncident, []overviewMaintenance) {
	incs := []overviewIncident{}
	for _, in := range p.Active {
		o := overviewIncident{ID: in.ID, Name: in.Name, Status: string(in.Status), Impact: string(in.Impact),
			StartedAt: in.StartedAt, Sites: nonNil(in.Sites), Platform: in.Platform}
		if len(in.Updates) > 0 {
			u := in.Updates[0]
			o.Latest = &overviewUpdate{Status: string(u.Status), At: later(u.At, u.UpdatedAt), Text: u.Body}
		}
		incs = append(incs, o)
	}
	wins := []overviewMaintenance{}
	for _, list := range [][]status.Maintenance{p.InProgress, p.Upcoming} {
		for _, m := range list {
			wins = append(wins, overviewMaintenance{ID: m.ID, Name: m.Name, Status: string(m.Status),
				Start: m.ScheduledFor, End: m.ScheduledUntil, Sites: nonNil(m.Sites), Platform: m.Platform})
		}
	}
	return incs, wins
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

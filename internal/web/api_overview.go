package web

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/detect"
	"github.com/vigie/vigie/internal/heartbeat"
	"github.com/vigie/vigie/internal/inventory"
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
// its last ping of any status, its last good run (LastGoodAt) and the
// restore points of its good runs, newest first. DueBy is when a good run
// is due at the latest (period and grace after the last good one, or after
// the token for none); Stale is set past it.
type overviewBackup struct {
	Asset         string                 `json:"asset"`
	Check         string                 `json:"check"`
	LastPingAt    *time.Time             `json:"last_ping_at"`
	Status        string                 `json:"status,omitempty"`
	Size          *int64                 `json:"size,omitempty"`
	Duration      *heartbeat.Duration    `json:"duration,omitempty"`
	LastGoodAt    *time.Time             `json:"last_good_at"`
	RestorePoints []overviewRestorePoint `json:"restore_points"`
	DueBy         *time.Time             `json:"due_by"`
	Stale         bool                   `json:"stale"`
}

// overviewRestorePoint is a good run that named the copy it made.
type overviewRestorePoint struct {
	ID       string              `json:"id"`
	At       time.Time           `json:"at"`
	Size     *int64              `json:"size,omitempty"`
	Duration *heartbeat.Duration `json:"duration,omitempty"`
}

func (h *api) showOverview(w http.ResponseWriter, r *http.Request) {
	c, err := h.inv.Customer(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if h.status == nil {
		h.fail(w, r, &Error{Status: http.StatusServiceUnavailable, Message: "the status page is not running"})
		return
	}
	src := overviewSources{inv: h.inv, detection: h.detection, heartbeats: h.heartbeats, status: h.status, now: h.now}
	out, err := src.overview(r.Context(), c)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// overviewSources are what a customer's overview is read from, for the
// API and the console's customer page alike.
type overviewSources struct {
	inv        *inventory.Service
	detection  *detect.Store
	heartbeats *heartbeat.Store
	status     *status.Publisher
	now        func() time.Time
}

// overview reads a customer's overview: their assets' states, the open
// incidents and maintenance their status page tells them, their backups.
func (o overviewSources) overview(ctx context.Context, c inventory.Customer) (overviewJSON, error) {
	// The customer's page gives incidents and maintenance, and its clock
	// the moment the whole overview stands for.
	page, err := o.status.Page(ctx, c.ID)
	if err != nil {
		return overviewJSON{}, fmt.Errorf("status page of %s: %w", c.ID, err)
	}
	now := page.Generated.UTC()
	if page.Generated.IsZero() {
		now = o.now().UTC()
	}
	out := overviewJSON{Customer: overviewCustomer{c.ID, c.Name, c.Language, c.Timezone}, GeneratedAt: now,
		Assets: []overviewAsset{}, Incidents: []overviewIncident{}, Maintenance: []overviewMaintenance{}, Backups: []overviewBackup{}}
	owned, err := (&report.Reader{Inventory: o.inv, Detection: o.detection}).CustomerAssets(ctx, c.ID)
	if err != nil {
		return overviewJSON{}, fmt.Errorf("assets of %s: %w", c.ID, err)
	}
	var checks []check.Check
	for i := range owned {
		a := &owned[i]
		st, since := a.State()
		out.Assets = append(out.Assets, overviewAsset{Name: a.Name, Kind: a.Kind, State: st.String(), Since: since, Checks: len(a.Checks)})
		checks = append(checks, a.Checks...)
	}
	if out.Backups, err = o.overviewBackups(ctx, checks, now); err != nil {
		return overviewJSON{}, err
	}
	out.Incidents, out.Maintenance = overviewOfPage(page)
	return out, nil
}

// overviewBackups lists the heartbeat checks among checks with their last
// ping and good runs; a check with no token yet has none and is not stale.
func (o overviewSources) overviewBackups(ctx context.Context, checks []check.Check, now time.Time) ([]overviewBackup, error) {
	list, err := o.heartbeats.Backups(ctx, checks, now)
	if err != nil {
		return nil, fmt.Errorf("backups: %w", err)
	}
	out := make([]overviewBackup, 0, len(list))
	for _, b := range list {
		o := overviewBackup{Asset: b.Asset, Check: b.Name, RestorePoints: []overviewRestorePoint{}}
		if b.Last != nil {
			o.LastPingAt, o.Status, o.Size, o.Duration = &b.Last.At, b.Last.Status, b.Last.Size, b.Last.Duration
		}
		if b.LastGood != nil {
			o.LastGoodAt = &b.LastGood.At
		}
		for _, p := range b.RestorePoints {
			o.RestorePoints = append(o.RestorePoints, overviewRestorePoint{ID: p.RestorePoint, At: p.At, Size: p.Size, Duration: p.Duration})
		}
		if b.Issued {
			o.DueBy, o.Stale = &b.DueBy, b.Stale
		}
		out = append(out, o)
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

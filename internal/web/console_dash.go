package web

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/detect"
	"github.com/vigie/vigie/internal/heartbeat"
	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/support"
)

// liveHeader marks the requests console.js makes to refresh a page's live
// parts: they are not a look at the page.
const liveHeader = "X-Vigie-Live"

// The dashboard's bounds: how far back a first look or ?window= reads,
// and how many rows a list shows.
const (
	firstLook       = 24 * time.Hour
	longestDigest   = 30 * 24 * time.Hour
	dashSignals     = 15
	dashTickets     = 15
	dashDigestLines = 40
)

// dashboard serves the console's landing page and its live updates.
type dashboard struct {
	*staff
	live *consoleLive
}

// dashView is the console's landing page.
type dashView struct {
	// Since is when the viewer last looked (or the window asked), Now the
	// time of the page; Window the ?window= asked, "" for the last look.
	Since, Now time.Time
	Window     string
	FirstLook  bool
	Digest     incident.Digest
	// DigestMore counts the digest's lines left out.
	DigestMore int
	Incidents  []incidentView
	Signals    []detect.StoredSignal
	// Locations is nil without probe locations configured.
	Locations   []locationHealth
	Silent      int
	Violations  []hostViolation
	PowerFirst  int
	Backups     []heartbeat.Backup
	PostMortems []incident.Incident
	// Support is nil without a ticket store.
	Support        *support.Stats
	TicketsOpen    int
	TicketsWaiting int
	Tickets        []support.Ticket
	CustomerFirst  []incident.Incident
	Figures        responseFigures
	// Version is what /staff/events sends while nothing changed.
	Version string
	// Email and RoleText say who is looking; CanAudit shows the link to
	// the audit log.
	Email, RoleText string
	CanAudit        bool
	dashClock
}

// severityRank orders severities, the worst first.
var severityRank = map[incident.Severity]int{incident.Critical: 0, incident.Major: 1, incident.Minor: 2}

// digestWindows are the fixed windows a staff member may ask instead of
// "since you last looked".
var digestWindows = map[string]time.Duration{"24h": 24 * time.Hour, "7d": 7 * 24 * time.Hour}

// showDashboard is the console's landing: what happened since the viewer
// last looked, in their zone, then what needs someone now. Each look moves
// the viewer's last-looked time on, but for console.js's refreshes.
func (h *dashboard) showDashboard(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	ctx := r.Context()
	now := h.d.Now()
	view := dashView{Now: now, Window: r.URL.Query().Get("window"), Email: v.User.Email,
		RoleText: h.text(v.Lang, roleText[v.User.Role]), CanAudit: v.Principal.Can(auth.PermAudit),
		dashClock: dashClock{loc: pageLocale{b: h.d.Texts, lang: v.Lang, zone: v.Zone}, now: now}}
	if view.Window != "" {
		d, ok := digestWindows[view.Window]
		if !ok {
			h.failPage(w, r, badRequest("window: want 24h or 7d, got %q", view.Window))
			return
		}
		view.Since = now.Add(-d)
	} else {
		last, err := h.lastLook(ctx, v.User.ID, now, r.Header.Get(liveHeader) != "")
		if err != nil {
			h.failPage(w, r, err)
			return
		}
		view.Since, view.FirstLook = last, last.IsZero()
		if view.FirstLook {
			view.Since = now.Add(-firstLook)
		}
		view.Since = later(view.Since, now.Add(-longestDigest))
	}
	if err := h.fillDashboard(ctx, &view, v.Zone); err != nil {
		h.failPage(w, r, err)
		return
	}
	h.renderPage(w, r, http.StatusOK, "console_dash", h.text(v.Lang, "ConsoleDashTitle"), view)
}

// lastLook returns when the user last looked before now and, unless the
// request is a live refresh, records this look.
func (h *dashboard) lastLook(ctx context.Context, userID int64, now time.Time, live bool) (time.Time, error) {
	if live {
		return h.d.Auth.LastLooked(ctx, userID)
	}
	return h.d.Auth.Looked(ctx, userID, now)
}

// fillDashboard reads every section from the services the API reads.
func (h *dashboard) fillDashboard(ctx context.Context, view *dashView, zone *time.Location) error {
	d := h.d
	var err error
	if view.Version, err = h.live.version(ctx); err != nil {
		return err
	}
	if view.Since.Before(view.Now) {
		src := incident.DigestSources{Incidents: d.Incidents, Maintenance: d.Maintenance, Signals: d.Detection}
		if view.Digest, err = src.Digest(ctx, view.Since, view.Now, zone); err != nil {
			return err
		}
		if n := len(view.Digest.Events); n > dashDigestLines {
			view.DigestMore = n - dashDigestLines
			view.Digest.Events = view.Digest.Events[n-dashDigestLines:]
		}
	}
	open, err := d.Incidents.List(ctx, "open", 0)
	if err != nil {
		return fmt.Errorf("dashboard incidents: %w", err)
	}
	// The worst first, then the newest: what to look at at 02:00.
	slices.SortStableFunc(open, func(a, b incident.Incident) int {
		return cmp.Or(cmp.Compare(severityRank[a.Severity], severityRank[b.Severity]), cmp.Compare(b.ID, a.ID))
	})
	for _, inc := range open {
		view.Incidents = append(view.Incidents, viewIncident(inc))
	}
	if d.Detection != nil {
		if view.Signals, err = d.Detection.Signals(ctx, detect.SignalFilter{Limit: dashSignals}); err != nil {
			return fmt.Errorf("dashboard signals: %w", err)
		}
	}
	if d.Locations != nil {
		if view.Locations, err = locationsHealth(ctx, d.Locations, view.Now); err != nil {
			return err
		}
		for _, l := range view.Locations {
			view.Silent += boolInt(l.Silent)
		}
	}
	if d.Compliance != nil {
		hosts, err := d.Compliance.List(ctx)
		if err != nil {
			return fmt.Errorf("dashboard compliance: %w", err)
		}
		view.Violations = violations(hosts)
		for _, v := range view.Violations {
			view.PowerFirst += boolInt(v.Power)
		}
	}
	if d.Heartbeats != nil && d.Inventory != nil {
		if view.Backups, err = staleBackups(ctx, d.Inventory, d.Heartbeats, view.Now); err != nil {
			return err
		}
	}
	if d.PostMortems != nil {
		if view.PostMortems, err = d.PostMortems.Pending(ctx); err != nil {
			return fmt.Errorf("dashboard post-mortems: %w", err)
		}
	}
	if view.Figures, err = monthFigures(ctx, d.Incidents, view.Now, zone); err != nil {
		return err
	}
	if view.CustomerFirst, err = customerFirst(ctx, d.Incidents, view.Figures.ThisStart, view.Now); err != nil {
		return err
	}
	if d.Support != nil {
		from := view.Figures.ThisStart
		if !from.Before(view.Now) {
			from = view.Figures.LastStart
		}
		st, err := d.Support.Stats(ctx, from, view.Now)
		if err != nil {
			return fmt.Errorf("dashboard support: %w", err)
		}
		view.Support = &st
		view.TicketsOpen, view.TicketsWaiting = st.ByStatus[support.Open], st.ByStatus[support.Waiting]
		if view.Tickets, err = d.Support.List(ctx, support.Filter{Status: []support.Status{support.Open}, Limit: dashTickets}); err != nil {
			return fmt.Errorf("dashboard tickets: %w", err)
		}
	}
	return nil
}

// dashClock writes the dashboard's times and durations short, in the
// viewer's language and zone: an operator scans columns of them.
type dashClock struct {
	loc pageLocale
	now time.Time
}

// Clock is a moment: "02:13" today, "6 Dec 02:13" this year, else its date.
func (c dashClock) Clock(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t, now := t.In(c.loc.zone), c.now.In(c.loc.zone)
	switch {
	case t.Year() == now.Year() && t.YearDay() == now.YearDay():
		return t.Format("15:04")
	case t.Year() == now.Year():
		return fmt.Sprintf("%d %s %s", t.Day(), c.loc.t(fmt.Sprintf("PageMonthShort%d", t.Month())), t.Format("15:04"))
	}
	return c.loc.date(t)
}

// ClockOf is Clock of a time that may be unset.
func (c dashClock) ClockOf(t *time.Time) string {
	if t == nil {
		return ""
	}
	return c.Clock(*t)
}

// Ago is how long ago t was, short: "45 s", "12 min", "3 h 05", "2 d 4 h".
func (c dashClock) Ago(t time.Time) string { return c.Span(c.now.Sub(t)) }

// Span is a duration, short, as Ago writes it.
func (c dashClock) Span(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%d s", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d.Minutes()))
	case d < 24*time.Hour:
		return fmt.Sprintf("%d h %02d", int(d.Hours()), int(d.Minutes())%60)
	}
	days := int(d.Hours()) / 24
	return c.loc.t("ConsoleDashDays", "Days", days, "Hours", int(d.Hours())%24)
}

// Median is a figure's median, "—" without incidents.
func (c dashClock) Median(f incident.Figure) string {
	if f.N == 0 {
		return "—"
	}
	return c.Span(f.Median)
}

// Trend compares this month's median with the last one's: "better",
// "worse" or "" (same, or nothing to compare); shorter is better.
func (c dashClock) Trend(this, last incident.Figure) string {
	switch {
	case this.N == 0 || last.N == 0 || this.Median == last.Median:
		return ""
	case this.Median < last.Median:
		return "better"
	}
	return "worse"
}

// Month names a month: "déc. 2026".
func (c dashClock) Month(t time.Time) string {
	t = t.In(c.loc.zone)
	return fmt.Sprintf("%s %d", c.loc.t(fmt.Sprintf("PageMonthShort%d", t.Month())), t.Year())
}

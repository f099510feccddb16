package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/support"
)

// incPageView is one incident's page.
type incPageView struct {
	Inc incident.Incident
	Age string
	// Timeline is the incident's timeline, oldest first; Updates its
	// public updates in both languages.
	Timeline []incEventRow
	Updates  []incident.PublicUpdate
	// Zone names the zone of the timeline's times.
	Zone string
	// Next are the statuses it may move to; Severities every severity.
	Next       []incident.Status
	Severities []string
	// Merged are the incidents merged into this one.
	Merged []incident.Incident
	// Tickets are the support tickets linked to it (TicketsOn: the server
	// keeps tickets); Live counts the open and waiting ones.
	TicketsOn bool
	Tickets   []support.Ticket
	Live      int
	Affected  affectedView
	// PMRequired says the incident needs a post-mortem.
	PMRequired bool
	// Me is the viewer's e-mail, to tell whether they hold a role.
	Me string
	// Done names what was just done; Problem what was refused, with the
	// field at fault.
	Done, Problem string
	// Compose is the public update being written; Preview what each
	// channel would send for it, once previewed.
	Compose   updateDraft
	Previewed bool
	Preview   []previewRow
	// NoPreview says the server cannot preview (no notification planner).
	NoPreview bool
	// Components are the public components with the status set for each
	// during the incident; ComponentStatuses those staff may set.
	Components        []incComponentRow
	ComponentStatuses []string
}

// incEventRow is one entry of the timeline, its time in the viewer's
// zone to the second.
type incEventRow struct {
	incident.Event
	AtText string
	// Folded are the rows of a run of deliveries shown as this one.
	Folded []incEventRow
}

// foldAfter is the length of a run of consecutive delivery records from
// which the timeline shows them as one row that opens: an outage told to
// hundreds of customers would otherwise bury the people's entries.
const foldAfter = 4

// foldDeliveries folds each run of at least foldAfter consecutive
// delivery records into one row holding them.
func foldDeliveries(rows []incEventRow) []incEventRow {
	var out []incEventRow
	for i := 0; i < len(rows); {
		j := i
		for j < len(rows) && rows[j].Type == incident.EventNotification {
			j++
		}
		if j-i >= foldAfter {
			head := rows[i]
			head.Folded = rows[i:j]
			out = append(out, head)
			i = j
			continue
		}
		if j == i {
			j++
		}
		out = append(out, rows[i:j]...)
		i = j
	}
	return out
}

// updateDraft is a public update as typed.
type updateDraft struct {
	Status   incident.Status
	FR, EN   string
	Statuses []incident.Status
}

// incExtra is what an action adds to the page it shows again: a problem,
// or an update's preview.
type incExtra struct {
	Problem   string
	Compose   *updateDraft
	Previewed bool
	Preview   []previewRow
}

// showIncident shows one incident.
func (h *incPages) showIncident(w http.ResponseWriter, r *http.Request) {
	h.renderIncident(w, r, http.StatusOK, incExtra{})
}

// renderIncident renders the page of the request's incident with code and
// what an action adds.
func (h *incPages) renderIncident(w http.ResponseWriter, r *http.Request, code int, extra incExtra) {
	ctx := r.Context()
	v := viewerOf(r)
	id, err := incidentID(r)
	if err != nil {
		h.failPage(w, r, err)
		return
	}
	inc, err := h.d.Incidents.Get(ctx, id)
	if err != nil {
		h.failPage(w, r, err)
		return
	}
	view := incPageView{Inc: inc, Age: incAge(&inc, h.d.Now()), Next: incident.NextStatuses(inc.Status),
		Severities: incident.Severities(), Me: v.User.Email, Done: doneKey(r.URL.Query().Get("done")),
		Problem: extra.Problem, Previewed: extra.Previewed, Preview: extra.Preview, NoPreview: h.d.PreviewUpdate == nil}
	events, err := h.d.Incidents.Events(ctx, id)
	if err != nil {
		h.failPage(w, r, err)
		return
	}
	for _, e := range events {
		view.Timeline = append(view.Timeline, incEventRow{Event: e, AtText: e.At.In(v.Zone).Format("2006-01-02 15:04:05")})
	}
	view.Timeline = foldDeliveries(view.Timeline)
	view.Zone = v.Zone.String()
	updates, err := h.d.Incidents.PublicUpdates(ctx, []int64{id})
	if err != nil {
		h.failPage(w, r, err)
		return
	}
	view.Updates = updates[id]
	if view.Merged, err = h.d.Incidents.MergedInto(ctx, id); err != nil {
		h.failPage(w, r, err)
		return
	}
	if h.d.Support != nil {
		view.TicketsOn = true
		if view.Tickets, err = h.d.Support.List(ctx, support.Filter{Incident: id, Limit: support.MaxList}); err != nil {
			h.failPage(w, r, err)
			return
		}
		for _, t := range view.Tickets {
			if t.Status.Live() {
				view.Live++
			}
		}
	}
	if view.Affected, err = h.affected(ctx, &inc, r.URL.Query().Get("q"), affectedShown); err != nil {
		h.failPage(w, r, err)
		return
	}
	view.PMRequired = incident.Required(&inc)
	if view.Components, err = h.incComponents(r, id); err != nil {
		h.failPage(w, r, err)
		return
	}
	view.ComponentStatuses = incident.ComponentStatuses()
	view.Compose = updateDraft{Status: inc.Status}
	if extra.Compose != nil {
		view.Compose = *extra.Compose
	}
	view.Compose.Statuses = publicStatuses(inc.Status)
	h.renderPage(w, r, code, "console_inc", h.text(v.Lang, "ConsoleIncTitle"), view)
}

// publicStatuses are the statuses a public update may announce: the
// current one, or one staff may move the incident to.
func publicStatuses(cur incident.Status) []incident.Status {
	out := []incident.Status{}
	if cur != incident.Merged {
		out = append(out, cur)
	}
	return append(out, incident.NextStatuses(cur)...)
}

// doneKeys are the confirmations a page shows after an action.
var doneKeys = []string{"acknowledge", "lead", "lead-off", "communication", "communication-off", "status", "severity",
	"hold", "hold-off", "note", "update", "tickets", "saved", "state", "public", "reply", "ticket-status",
	"title", "update-edited", "component", "ticket-assignee", "ticket-priority"}

// doneKey is the confirmation asked for, "" for an unknown one.
func doneKey(s string) string {
	for _, k := range doneKeys {
		if k == s {
			return k
		}
	}
	return ""
}

// problemText is what a page says of a refused action: the field at
// fault and why. ok is false for errors that are not the input's fault,
// which go to the error page.
func problemText(err error) (string, bool) {
	switch {
	case errors.Is(err, incident.ErrTransition), errors.Is(err, incident.ErrNotPublished), errors.Is(err, incident.ErrPublished):
		return err.Error(), true
	}
	var si *support.InvalidError
	if errors.As(err, &si) {
		return si.Error(), true
	}
	e := classify(err)
	if e.Status == http.StatusNotFound || (e.Status != http.StatusBadRequest && e.Status != http.StatusUnprocessableEntity && e.Status != http.StatusConflict) {
		return "", false
	}
	fields, _ := e.Details["fields"].([]map[string]string)
	if len(fields) == 0 {
		return e.Message, true
	}
	parts := make([]string, len(fields))
	for i, f := range fields {
		parts[i] = f["field"] + ": " + f["message"]
	}
	return strings.Join(parts, "; "), true
}

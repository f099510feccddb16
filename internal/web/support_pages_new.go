package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/status"
	"github.com/vigie/vigie/internal/support"
)

// The steps of the new-ticket page: choose the asset, see what is already
// known on it, write.
const (
	stepAsset = "asset"
	stepKnown = "known"
	stepWrite = "write"
)

// noAsset is the select's value for a ticket about no asset in particular.
const noAsset = "-"

// knownIncident is an incident on the asset as the customer's page tells it.
type knownIncident struct {
	ID       int64
	Name     string
	StatusID string
	Since    time.Time
	Latest   string
	LatestAt time.Time
}

// knownWindow is a maintenance in progress on the asset.
type knownWindow struct {
	Name  string
	Until time.Time
}

type supportNewView struct {
	Step     string
	Assets   []string
	Asset    string
	NoAsset  string
	Known    []knownIncident
	Windows  []knownWindow
	Subject  string
	Body     string
	Error    string
	MaxFiles int
	MaxMiB   int
}

func (h *supportPages) newView(v *viewer) supportNewView {
	return supportNewView{Assets: h.assets(v), NoAsset: noAsset, MaxFiles: support.MaxAttachments,
		MaxMiB: support.MaxAttachmentSize >> 20}
}

// newTicket shows the step the query is at: no asset chosen yet, what is
// known on the chosen one (unless write=1), or the form.
func (h *supportPages) newTicket(w http.ResponseWriter, r *http.Request) error {
	v := viewerOf(r)
	view := h.newView(v)
	q := r.URL.Query()
	asset, chosen := q.Get("asset"), q.Has("asset")
	switch {
	case !chosen && len(view.Assets) > 0:
		view.Step = stepAsset
	case chosen && asset != noAsset && !slices.Contains(view.Assets, asset):
		view.Step, view.Error = stepAsset, h.s.text(v.Lang, "SupportErrAsset")
		h.renderNew(w, r, http.StatusUnprocessableEntity, view)
		return nil
	default:
		view.Step, view.Asset = stepWrite, asset
		if asset == noAsset || !chosen {
			view.Asset = ""
		}
		if view.Asset != "" && q.Get("write") != "1" {
			if err := h.known(r, &view); err != nil {
				return err
			}
		}
	}
	h.renderNew(w, r, http.StatusOK, view)
	return nil
}

func (h *supportPages) renderNew(w http.ResponseWriter, r *http.Request, code int, view supportNewView) {
	h.s.renderPage(w, r, code, "support_new", h.s.text(viewerOf(r).Lang, "SupportNewTitle"), view)
}

// known fills the view with what is known on its asset, as the customer's
// status page words it, and moves it to that step when there is any.
func (h *supportPages) known(r *http.Request, view *supportNewView) error {
	v := viewerOf(r)
	k, err := h.tickets.Known(r.Context(), v.Customer.ID, view.Asset)
	if err != nil || k.Empty() {
		return err
	}
	var page *status.Page
	if h.status != nil {
		if page, err = h.status.Page(r.Context(), v.Customer.ID); err != nil {
			return err
		}
	}
	lang := status.Lang(v.Lang)
	for _, inc := range k.Incidents {
		view.Known = append(view.Known, knownOf(inc, page, lang))
	}
	for _, win := range k.Maintenance {
		_, end, _ := win.Occurrence(h.s.d.Now())
		name := win.Title
		if v.Lang == "en" && win.TitleEN != "" {
			name = win.TitleEN
		}
		view.Windows = append(view.Windows, knownWindow{Name: name, Until: end})
	}
	view.Step = stepKnown
	return nil
}

// knownOf is an incident as the customer's page tells it: its public
// name, status and latest update, never the staff's title.
func knownOf(inc incident.Incident, page *status.Page, lang status.Lang) knownIncident {
	k := knownIncident{ID: inc.ID, Since: inc.ImpactStartedAt, StatusID: statusID(string(inc.Status))}
	if page == nil {
		return k
	}
	for _, in := range page.Active {
		if in.ID != inc.ID {
			continue
		}
		k.Name, k.StatusID, k.Since = in.Name.In(lang).Text, statusID(string(in.Status)), in.StartedAt
		if len(in.Updates) > 0 {
			u := in.Updates[0]
			k.Latest, k.LatestAt = u.Body.In(lang).Text, later(u.At, u.UpdatedAt)
		}
	}
	return k
}

// statusID is the message id of an incident's public status.
func statusID(s string) string {
	switch s {
	case "identified":
		return "PageIncidentIdentified"
	case "monitoring":
		return "PageIncidentMonitoring"
	case "resolved":
		return "PageIncidentResolved"
	}
	return "PageIncidentInvestigating"
}

// create opens the ticket of the posted form and goes to it; a refused
// form comes back with what was written and the reason.
func (h *supportPages) create(w http.ResponseWriter, r *http.Request) error {
	v := viewerOf(r)
	asset := trimmed(r, "asset")
	if asset == noAsset {
		asset = ""
	}
	files, err := uploads(r)
	var th support.Thread
	if err == nil {
		th, err = h.tickets.Open(r.Context(), support.NewTicket{Customer: v.Customer.ID, Asset: asset,
			Subject: r.PostFormValue("subject"), Body: r.PostFormValue("body"), Files: files, By: customerActor(v)})
	}
	return h.answer(w, r, err, func(reason string) {
		view := h.newView(v)
		view.Step, view.Asset, view.Subject, view.Body, view.Error = stepWrite, asset, r.PostFormValue("subject"), r.PostFormValue("body"), reason
		if asset != "" && !slices.Contains(view.Assets, asset) {
			view.Step, view.Asset = stepAsset, ""
		}
		h.renderNew(w, r, http.StatusUnprocessableEntity, view)
	}, fmt.Sprintf("/account/tickets/%d?sent=1", th.Ticket.ID))
}

// follow records that the customer chose to follow what is known on their
// asset instead of writing, and sends them to the incident's page.
func (h *supportPages) follow(w http.ResponseWriter, r *http.Request) error {
	v := viewerOf(r)
	asset := trimmed(r, "asset")
	k, err := h.tickets.Known(r.Context(), v.Customer.ID, asset)
	if err == nil {
		err = h.tickets.Followed(r.Context(), v.Customer.ID, asset)
	}
	next := "/account/tickets?followed=1"
	if len(k.Incidents) > 0 {
		next = "/account/incidents/" + url.PathEscape(fmt.Sprint(k.Incidents[0].ID))
	}
	return h.answer(w, r, err, func(reason string) {
		view := h.newView(v)
		view.Step, view.Error = stepAsset, reason
		if slices.Contains(view.Assets, asset) {
			// Theirs, and nothing is known on it any more.
			view.Step, view.Asset, view.Error = stepWrite, asset, h.s.text(v.Lang, "SupportErrFollow")
		}
		h.renderNew(w, r, http.StatusUnprocessableEntity, view)
	}, next)
}

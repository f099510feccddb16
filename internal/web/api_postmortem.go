package web

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/vigie/vigie/internal/incident"
)

// defaultZone is where post-mortem times are shown unless ?tz= says
// otherwise.
const defaultZone = "Europe/Paris"

// postmortemAPI serves the post-mortems of incidents.
type postmortemAPI struct {
	store    *incident.PostMortemStore
	writeErr func(http.ResponseWriter, *http.Request, error)
}

// postmortemHandlers returns the post-mortem routes, by pattern, to mount
// on the API mux; writeErr answers their errors.
func postmortemHandlers(st *incident.PostMortemStore, writeErr func(http.ResponseWriter, *http.Request, error)) map[string]http.HandlerFunc {
	a := &postmortemAPI{store: st, writeErr: writeErr}
	return map[string]http.HandlerFunc{
		"GET /api/v1/incidents/{id}/postmortem":        a.show,
		"PUT /api/v1/incidents/{id}/postmortem":        a.save,
		"POST /api/v1/incidents/{id}/postmortem/state": a.changeState,
		"GET /api/v1/postmortems/pending":              a.listPending,
	}
}

// fail answers err, giving the post-mortem errors their status first.
func (a *postmortemAPI) fail(w http.ResponseWriter, r *http.Request, err error) {
	a.writeErr(w, r, postmortemError(err))
}

func postmortemError(err error) error {
	var invalid *incident.InvalidPostMortemError
	switch {
	case errors.As(err, &invalid):
		fields := make([]map[string]string, len(invalid.Fields))
		for i, f := range invalid.Fields {
			fields[i] = map[string]string{"field": f.Field, "message": f.Message}
		}
		msg := "invalid post-mortem"
		if errors.Is(err, incident.ErrNotReady) {
			msg = "post-mortem not ready to publish"
		}
		return &Error{Status: http.StatusUnprocessableEntity, Message: msg, Err: err,
			Details: map[string]any{"fields": fields}}
	case errors.Is(err, incident.ErrTransition):
		return &Error{Status: http.StatusConflict, Err: err,
			Message: "state change not allowed: draft goes to in_review, in_review back to draft or on to published"}
	case errors.Is(err, incident.ErrNotPublished):
		return &Error{Status: http.StatusConflict, Message: "only a published post-mortem can be made public", Err: err}
	case errors.Is(err, incident.ErrPublished):
		return &Error{Status: http.StatusConflict, Message: "a published post-mortem can only be made public or hidden", Err: err}
	}
	return err
}

// requestZone is the zone named by ?tz=, Europe/Paris by default.
func requestZone(r *http.Request) (*time.Location, error) {
	name := r.URL.Query().Get("tz")
	if name == "" {
		name = defaultZone
	}
	zone, err := time.LoadLocation(name)
	if err != nil || name == "Local" {
		return nil, badRequest("tz: want an IANA time zone such as Europe/Paris, got %q", name)
	}
	return zone, nil
}

// show answers the post-mortem as JSON, or with ?format=markdown or html as
// a document.
func (a *postmortemAPI) show(w http.ResponseWriter, r *http.Request) {
	id, err := incidentID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	zone, err := requestZone(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	switch format := r.URL.Query().Get("format"); format {
	case "", "json":
		pm, err := a.store.Get(r.Context(), id, zone)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"postmortem": pm})
	case "markdown", "html":
		md, err := a.store.Document(r.Context(), id, zone)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		if format == "markdown" {
			writeDocument(w, "text/markdown; charset=utf-8", md)
			return
		}
		body, err := incident.HTML(md)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		writeDocument(w, "text/html; charset=utf-8", fmt.Sprintf(
			"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Post-mortem of incident %d</title></head>\n<body>\n%s</body></html>\n",
			id, body))
	default:
		a.fail(w, r, badRequest("format: want json, markdown or html, got %q", format))
	}
}

// writeDocument answers a rendered post-mortem. The policy forbids every
// script, style and fetch: the page is text a browser only shows.
func writeDocument(w http.ResponseWriter, contentType, body string) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", "default-src 'none'")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(body))
}

// postmortemForm is the body of a PUT: the sections and action items. An
// absent field keeps its value; state and visibility have their own route.
type postmortemForm struct {
	Summary    *string                `json:"summary"`
	Impact     *string                `json:"impact"`
	Timeline   *string                `json:"timeline"`
	Detection  *string                `json:"detection"`
	Trigger    *string                `json:"trigger"`
	RootCause  *string                `json:"root_cause"`
	Resolution *string                `json:"resolution"`
	WentWell   *string                `json:"went_well"`
	WentBadly  *string                `json:"went_badly"`
	Actions    *[]incident.ActionItem `json:"actions"`
}

// apply writes the form's fields over pm.
func (f *postmortemForm) apply(pm *incident.PostMortem) {
	for _, s := range []struct {
		from *string
		to   *string
	}{
		{f.Summary, &pm.Summary}, {f.Impact, &pm.Impact}, {f.Timeline, &pm.Timeline},
		{f.Detection, &pm.Detection}, {f.Trigger, &pm.Trigger}, {f.RootCause, &pm.RootCause},
		{f.Resolution, &pm.Resolution}, {f.WentWell, &pm.WentWell}, {f.WentBadly, &pm.WentBadly},
	} {
		if s.from != nil {
			*s.to = *s.from
		}
	}
	if f.Actions != nil {
		pm.Actions = *f.Actions
	}
}

// save writes the sections and action items of a post-mortem.
func (a *postmortemAPI) save(w http.ResponseWriter, r *http.Request) {
	id, err := incidentID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	zone, err := requestZone(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var form postmortemForm
	if err := decodeJSON(w, r, &form); err != nil {
		a.fail(w, r, err)
		return
	}
	pm, err := a.store.Get(r.Context(), id, zone)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	form.apply(&pm)
	if err := a.store.Save(r.Context(), pm); err != nil {
		a.fail(w, r, err)
		return
	}
	a.answer(w, r, id, zone)
}

// changeState moves a post-mortem to another state, makes it public or
// hides it; with both, the state changes first.
func (a *postmortemAPI) changeState(w http.ResponseWriter, r *http.Request) {
	id, err := incidentID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	zone, err := requestZone(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var body struct {
		State  *incident.PMState `json:"state"`
		Public *bool             `json:"public"`
	}
	if err := decodeJSON(w, r, &body); err != nil {
		a.fail(w, r, err)
		return
	}
	if body.State == nil && body.Public == nil {
		a.fail(w, r, badRequest("want a state (draft, in_review or published), public (true or false), or both"))
		return
	}
	if body.State != nil {
		switch *body.State {
		case incident.PMDraft, incident.PMInReview, incident.PMPublished:
		default:
			a.fail(w, r, badRequest("state: want draft, in_review or published, got %q", *body.State))
			return
		}
	}
	// Reading first drafts a post-mortem never opened, and answers 404 for
	// an unknown incident.
	cur, err := a.store.Get(r.Context(), id, zone)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	// Asking for the state it is in changes nothing, so a retry succeeds.
	if body.State != nil && *body.State != cur.State {
		if err := a.store.Transition(r.Context(), id, *body.State); err != nil {
			a.fail(w, r, err)
			return
		}
	}
	if body.Public != nil {
		if err := a.store.SetPublic(r.Context(), id, *body.Public); err != nil {
			a.fail(w, r, err)
			return
		}
	}
	a.answer(w, r, id, zone)
}

// answer writes the post-mortem as it now is.
func (a *postmortemAPI) answer(w http.ResponseWriter, r *http.Request, id int64, zone *time.Location) {
	pm, err := a.store.Get(r.Context(), id, zone)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"postmortem": pm})
}

// listPending lists the incidents still waiting for a published
// post-mortem, resolved ones first.
func (a *postmortemAPI) listPending(w http.ResponseWriter, r *http.Request) {
	zone, err := requestZone(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	list, err := a.store.Pending(r.Context())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	for i := range list {
		incidentInZone(&list[i], zone)
	}
	writeJSON(w, http.StatusOK, map[string]any{"incidents": list})
}

// incidentInZone shows every time of an incident in zone.
func incidentInZone(inc *incident.Incident, zone *time.Location) {
	inc.ImpactStartedAt, inc.DetectedAt = inc.ImpactStartedAt.In(zone), inc.DetectedAt.In(zone)
	for _, t := range []**time.Time{&inc.AcknowledgedAt, &inc.MitigatedAt, &inc.ResolvedAt, &inc.FirstCustomerContactAt} {
		if *t != nil {
			v := (*t).In(zone)
			*t = &v
		}
	}
}

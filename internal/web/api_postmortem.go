package web

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/vigie/vigie/internal/incident"
)

// defaultZone is where post-mortem times are shown unless ?tz= says
// otherwise.
const defaultZone = "Europe/Paris"

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

// showPostMortem answers the post-mortem as JSON, or with ?format=markdown or html as
// a document.
func (h *api) showPostMortem(w http.ResponseWriter, r *http.Request) {
	id, err := incidentID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	zone, err := requestZone(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	switch format := r.URL.Query().Get("format"); format {
	case "", "json":
		pm, err := h.postmortems.Get(r.Context(), id, zone)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"postmortem": pm})
	case "markdown", "html":
		md, err := h.postmortems.Document(r.Context(), id, zone)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		if format == "markdown" {
			writeDocument(w, "text/markdown; charset=utf-8", md)
			return
		}
		body, err := incident.HTML(md)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		writeDocument(w, "text/html; charset=utf-8", fmt.Sprintf(
			"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Post-mortem of incident %d</title></head>\n<body>\n%s</body></html>\n",
			id, body))
	default:
		h.fail(w, r, badRequest("format: want json, markdown or html, got %q", format))
	}
}

// writeDocument answers a rendered post-mortem. The policy forbids every
// script, style and fetch: the page is text a browser only shows. It is
// added to the policy every answer has (frame-ancestors).
func writeDocument(w http.ResponseWriter, contentType, body string) {
	w.Header().Set("Content-Type", contentType)
	csp := "default-src 'none'"
	if every := w.Header().Get("Content-Security-Policy"); every != "" {
		csp += "; " + every
	}
	w.Header().Set("Content-Security-Policy", csp)
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

// savePostMortem writes the sections and action items of a post-mortem.
func (h *api) savePostMortem(w http.ResponseWriter, r *http.Request) {
	id, err := incidentID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	zone, err := requestZone(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var form postmortemForm
	if err := decodeJSON(w, r, &form); err != nil {
		h.fail(w, r, err)
		return
	}
	pm, err := h.postmortems.Get(r.Context(), id, zone)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	form.apply(&pm)
	if err := h.postmortems.Save(r.Context(), pm); err != nil {
		h.fail(w, r, err)
		return
	}
	h.answerPostMortem(w, r, id, zone)
}

// changePostMortemState moves a post-mortem to another state, makes it public or
// hides it; with both, the state changes first.
func (h *api) changePostMortemState(w http.ResponseWriter, r *http.Request) {
	id, err := incidentID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	zone, err := requestZone(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var body postmortemStateForm
	if err := decodeJSON(w, r, &body); err != nil {
		h.fail(w, r, err)
		return
	}
	if err := changePostMortem(r.Context(), h.postmortems, id, zone, body); err != nil {
		h.fail(w, r, err)
		return
	}
	h.answerPostMortem(w, r, id, zone)
}

// answerPostMortem writes the post-mortem as it now is.
func (h *api) answerPostMortem(w http.ResponseWriter, r *http.Request, id int64, zone *time.Location) {
	pm, err := h.postmortems.Get(r.Context(), id, zone)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"postmortem": pm})
}

// listPendingPostMortems lists the incidents still waiting for a published
// post-mortem, resolved ones first.
func (h *api) listPendingPostMortems(w http.ResponseWriter, r *http.Request) {
	zone, err := requestZone(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	list, err := h.postmortems.Pending(r.Context())
	if err != nil {
		h.fail(w, r, err)
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

// changePostMortem moves the post-mortem of incident id to the state of
// body, makes it public or hides it; with both, the state changes first.
// The API and the console's editor share it.
func changePostMortem(ctx context.Context, pms *incident.PostMortemStore, id int64, zone *time.Location, body postmortemStateForm) error {
	if body.State == nil && body.Public == nil {
		return badRequest("want a state (draft, in_review or published), public (true or false), or both")
	}
	if body.State != nil {
		switch *body.State {
		case incident.PMDraft, incident.PMInReview, incident.PMPublished:
		default:
			return badRequest("state: want draft, in_review or published, got %q", *body.State)
		}
	}
	// Reading first drafts a post-mortem never opened, and answers 404 for
	// an unknown incident.
	cur, err := pms.Get(ctx, id, zone)
	if err != nil {
		return err
	}
	// Asking for the state it is in changes nothing, so a retry succeeds.
	if body.State != nil && *body.State != cur.State {
		if err := pms.Transition(ctx, id, *body.State); err != nil {
			return err
		}
	}
	if body.Public != nil {
		if err := pms.SetPublic(ctx, id, *body.Public); err != nil {
			return err
		}
	}
	return nil
}

// postmortemStateForm is the body of a post-mortem state or visibility change.
type postmortemStateForm struct {
	State  *incident.PMState `json:"state"`
	Public *bool             `json:"public"`
}

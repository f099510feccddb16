package web

import (
	"net/http"
	"strings"

	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/notify"
)

// previewRow is what one channel would send for a public update, in both
// languages.
type previewRow struct {
	notify.Preview
	// FR and EN are the text the channel carries (the e-mail's text, the
	// Mastodon status, the forum's or chat's Markdown) in each language.
	FRSubject, FRBody, ENSubject, ENBody string
}

// readDraft reads a public update from the form.
func readDraft(r *http.Request) updateDraft {
	return updateDraft{Status: incident.Status(strings.TrimSpace(r.PostFormValue("status"))),
		FR: strings.TrimSpace(r.PostFormValue("message_fr")), EN: strings.TrimSpace(r.PostFormValue("message_en"))}
}

// previewUpdate shows the page again with what each channel would send for
// the update typed, in both languages, and a button to send it; nothing
// is sent or stored.
func (h *incPages) previewUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := incidentID(r)
	if err != nil {
		h.failPage(w, r, err)
		return
	}
	d := readDraft(r)
	extra := incExtra{Compose: &d}
	if h.d.PreviewUpdate == nil {
		h.refuse(w, r, &Error{Status: http.StatusConflict, Message: "this server cannot preview updates: no notification planner"}, extra)
		return
	}
	// The same checks as posting: a preview of an update that would be
	// refused says so at once.
	u := incident.PublicUpdate{IncidentID: id, Status: d.Status, MessageFR: d.FR, MessageEN: d.EN}
	if err := u.Check(); err != nil {
		h.refuse(w, r, err, extra)
		return
	}
	list, err := h.d.PreviewUpdate(r.Context(), id, d.Status, d.FR, d.EN)
	if err != nil {
		h.refuse(w, r, err, extra)
		return
	}
	extra.Previewed = true
	for _, p := range list {
		row := previewRow{Preview: p, FRSubject: p.FR.Subject, ENSubject: p.EN.Subject}
		row.FRBody, row.ENBody = channelText(p.Kind, p.FR), channelText(p.Kind, p.EN)
		extra.Preview = append(extra.Preview, row)
	}
	h.renderIncident(w, r, http.StatusOK, extra)
}

// channelText is the text a channel of kind carries.
func channelText(kind notify.Kind, r notify.Rendered) string {
	switch kind {
	case notify.KindMastodon:
		return r.Short
	case notify.KindDiscourse, notify.KindSlack, notify.KindDiscord:
		return r.Markdown
	}
	return r.Text
}

// postUpdate posts a public update in both languages (as the API's POST
// …/updates), moving the incident to its status.
func (h *incPages) postUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := incidentID(r)
	if err != nil {
		h.failPage(w, r, err)
		return
	}
	d := readDraft(r)
	u := incident.PublicUpdate{IncidentID: id, Status: d.Status, MessageFR: d.FR, MessageEN: d.EN, Author: viewerOf(r).User.Email}
	if err := h.d.Incidents.AddPublicUpdate(r.Context(), &u, h.d.Now()); err != nil {
		h.refuse(w, r, err, incExtra{Compose: &d})
		return
	}
	h.after(w, r, id, "update", nil)
}

package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/vigie/vigie/internal/incident"
)

// incAction is one change of an incident a page's button makes, through
// incident.Edit as the API's PATCH does.
type incAction struct {
	// path is the route's last part; done the confirmation shown after.
	path, summary string
	// edit builds the change from the form and the viewer; done names the
	// confirmation.
	edit func(r *http.Request, me string) (incident.EditRequest, string, error)
}

func ptrTo[T any](v T) *T { return &v }

// incActions are the incident page's buttons and selects.
var incActions = []incAction{
	{"acknowledge", "Acknowledge the incident: staff took it", func(*http.Request, string) (incident.EditRequest, string, error) {
		return incident.EditRequest{Acknowledge: true}, "acknowledge", nil
	}},
	{"lead", "Take the lead of the incident, or (step_down) leave it", func(r *http.Request, me string) (incident.EditRequest, string, error) {
		if r.PostFormValue("step_down") != "" {
			return incident.EditRequest{Lead: ptrTo("")}, "lead-off", nil
		}
		return incident.EditRequest{Lead: &me}, "lead", nil
	}},
	{"communication", "Take the communication of the incident, or (step_down) leave it", func(r *http.Request, me string) (incident.EditRequest, string, error) {
		if r.PostFormValue("step_down") != "" {
			return incident.EditRequest{Comms: ptrTo("")}, "communication-off", nil
		}
		return incident.EditRequest{Comms: &me}, "communication", nil
	}},
	{"status", "Move the incident to another status", func(r *http.Request, _ string) (incident.EditRequest, string, error) {
		st := incident.Status(strings.TrimSpace(r.PostFormValue("status")))
		if st == "" {
			return incident.EditRequest{}, "", &incident.EditError{Field: "status", Message: "choose a status"}
		}
		return incident.EditRequest{Status: &st}, "status", nil
	}},
	{"severity", "Set the incident's severity by hand", func(r *http.Request, _ string) (incident.EditRequest, string, error) {
		sev := incident.Severity(strings.TrimSpace(r.PostFormValue("severity")))
		return incident.EditRequest{Severity: &sev}, "severity", nil
	}},
	{"hold", "Hold the incident open after recovery until staff resolve it, or (release) let it close by itself", func(r *http.Request, _ string) (incident.EditRequest, string, error) {
		if r.PostFormValue("release") != "" {
			return incident.EditRequest{Hold: ptrTo(false)}, "hold-off", nil
		}
		return incident.EditRequest{Hold: ptrTo(true)}, "hold", nil
	}},
}

// act is the handler of one incident action: the change through
// incident.Edit, then back to the page with a confirmation; a refused
// change shows the page again with the problem, nothing changed.
func (h *incPages) act(a incAction) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := incidentID(r)
		if err != nil {
			h.failPage(w, r, err)
			return
		}
		v := viewerOf(r)
		req, done, err := a.edit(r, v.User.Email)
		if err == nil {
			_, err = incident.Edit(r.Context(), h.d.Incidents, id, req, v.User.Email, h.d.Now())
		}
		h.after(w, r, id, done, err)
	}
}

// after ends an action: a 303 back to the incident's page with the
// confirmation done, or the page again with what was refused.
func (h *incPages) after(w http.ResponseWriter, r *http.Request, id int64, done string, err error) {
	if err != nil {
		h.refuse(w, r, err, incExtra{})
		return
	}
	http.Redirect(w, r, "/staff/incidents/"+strconv.FormatInt(id, 10)+"?done="+done, http.StatusSeeOther)
}

// refuse shows the incident's page again with the input's problem (422),
// or the error page for other failures.
func (h *incPages) refuse(w http.ResponseWriter, r *http.Request, err error, extra incExtra) {
	msg, ok := problemText(err)
	if !ok {
		h.failPage(w, r, err)
		return
	}
	extra.Problem = msg
	h.renderIncident(w, r, http.StatusUnprocessableEntity, extra)
}

// addNote adds a note to the timeline, internal or public (as the API's
// POST …/events).
func (h *incPages) addNote(w http.ResponseWriter, r *http.Request) {
	id, err := incidentID(r)
	if err != nil {
		h.failPage(w, r, err)
		return
	}
	body := noteForm{Text: strings.TrimSpace(r.PostFormValue("text")), Public: r.PostFormValue("public") != ""}
	_, err = addNote(r.Context(), h.d.Incidents, id, viewerOf(r).User.Email, body, h.d.Now())
	h.after(w, r, id, "note", err)
}

// resolveTickets resolves the open and waiting tickets linked to the
// incident (as the API's POST …/tickets/resolve).
func (h *incPages) resolveTickets(w http.ResponseWriter, r *http.Request) {
	id, err := incidentID(r)
	if err == nil {
		_, err = h.d.Support.ResolveLinked(r.Context(), id, pageActor(r))
	}
	if err != nil {
		h.refuse(w, r, err, incExtra{})
		return
	}
	http.Redirect(w, r, "/staff/incidents/"+strconv.FormatInt(id, 10)+"?done=tickets", http.StatusSeeOther)
}

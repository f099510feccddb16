package web

import (
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/incident"
)

// pmPageView is the post-mortem editor.
type pmPageView struct {
	Inc incident.Incident
	PM  incident.PostMortem
	// Sections are the Markdown sections as the form shows them.
	Sections []pmSection
	// Actions are the action items, and one blank row to add one.
	Actions []incident.ActionItem
	// ActionTypes and ActionStatuses are the choices of an action item.
	ActionTypes    []incident.ActionType
	ActionStatuses []incident.ActionStatus
	// Preview is the whole document rendered, once asked for, and always
	// when the post-mortem cannot be edited (Editable false: published,
	// or a role that may not write it), which then shows no form.
	Preview  template.HTML
	Editable bool
	// Done and Problem as on the incident's page.
	Done, Problem string
}

// pmSection is one Markdown section of a post-mortem.
type pmSection struct {
	// Name is the form field (as in the API's JSON), Label its title's
	// message id.
	Name, Label, Text string
}

// pmFields are the sections in the order of the document, with where
// each is kept.
var pmFields = []struct {
	name, label string
	at          func(pm *incident.PostMortem) *string
}{
	{"summary", "ConsoleIncPMSummary", func(pm *incident.PostMortem) *string { return &pm.Summary }},
	{"impact", "ConsoleIncPMImpact", func(pm *incident.PostMortem) *string { return &pm.Impact }},
	{"timeline", "ConsoleIncPMTimeline", func(pm *incident.PostMortem) *string { return &pm.Timeline }},
	{"detection", "ConsoleIncPMDetection", func(pm *incident.PostMortem) *string { return &pm.Detection }},
	{"trigger", "ConsoleIncPMTrigger", func(pm *incident.PostMortem) *string { return &pm.Trigger }},
	{"root_cause", "ConsoleIncPMRootCause", func(pm *incident.PostMortem) *string { return &pm.RootCause }},
	{"resolution", "ConsoleIncPMResolution", func(pm *incident.PostMortem) *string { return &pm.Resolution }},
	{"went_well", "ConsoleIncPMWentWell", func(pm *incident.PostMortem) *string { return &pm.WentWell }},
	{"went_badly", "ConsoleIncPMWentBadly", func(pm *incident.PostMortem) *string { return &pm.WentBadly }},
}

// pmFromForm is the API's PUT body from the editor's form: every section,
// and the action items whose title is filled in.
func pmFromForm(r *http.Request) postmortemForm {
	var f postmortemForm
	texts := make([]string, len(pmFields))
	for i, fl := range pmFields {
		texts[i] = strings.ReplaceAll(r.PostFormValue(fl.name), "\r\n", "\n")
	}
	f.Summary, f.Impact, f.Timeline, f.Detection, f.Trigger = &texts[0], &texts[1], &texts[2], &texts[3], &texts[4]
	f.RootCause, f.Resolution, f.WentWell, f.WentBadly = &texts[5], &texts[6], &texts[7], &texts[8]
	form := r.PostForm
	actions := []incident.ActionItem{}
	for i, title := range form["action_title"] {
		at := func(name string) string {
			if vals := form[name]; i < len(vals) {
				return strings.TrimSpace(vals[i])
			}
			return ""
		}
		if strings.TrimSpace(title) == "" && at("action_owner") == "" && at("action_due") == "" {
			continue // a blank row, or one cleared to remove it
		}
		actions = append(actions, incident.ActionItem{Title: strings.TrimSpace(title), Owner: at("action_owner"),
			Type: incident.ActionType(at("action_type")), Due: at("action_due"), Status: incident.ActionStatus(at("action_status"))})
	}
	f.Actions = &actions
	return f
}

// showPostMortem shows the editor; the first visit drafts the post-mortem
// from the timeline, as the API's GET does.
func (h *incPages) showPostMortem(w http.ResponseWriter, r *http.Request) {
	h.renderPostMortem(w, r, http.StatusOK, nil, "", false)
}

// renderPostMortem renders the editor with the stored post-mortem, or
// with typed over it, a problem, and the rendered document when preview.
func (h *incPages) renderPostMortem(w http.ResponseWriter, r *http.Request, code int, typed *postmortemForm, problem string, preview bool) {
	ctx := r.Context()
	v := viewerOf(r)
	id, err := incidentID(r)
	if err != nil {
		h.failPage(w, r, err)
		return
	}
	if h.d.PostMortems == nil {
		h.failPage(w, r, &Error{Status: http.StatusServiceUnavailable, Message: "this server keeps no post-mortems"})
		return
	}
	inc, err := h.d.Incidents.Get(ctx, id)
	if err != nil {
		h.failPage(w, r, err)
		return
	}
	pm, err := h.d.PostMortems.Get(ctx, id, v.Zone)
	if err != nil {
		h.failPage(w, r, err)
		return
	}
	if typed != nil {
		typed.apply(&pm)
	}
	view := pmPageView{Inc: inc, PM: pm, Done: doneKey(r.URL.Query().Get("done")), Problem: problem,
		ActionTypes:    []incident.ActionType{incident.ActionPrevent, incident.ActionMitigate, incident.ActionDetect, incident.ActionProcess},
		ActionStatuses: []incident.ActionStatus{incident.ActionOpen, incident.ActionDone, incident.ActionWontfix}}
	for _, f := range pmFields {
		view.Sections = append(view.Sections, pmSection{Name: f.name, Label: f.label, Text: *f.at(&pm)})
	}
	view.Actions = append(append(view.Actions, pm.Actions...), incident.ActionItem{Type: incident.ActionPrevent, Status: incident.ActionOpen})
	view.Editable = v.Can(string(auth.PermPostMortems)) && pm.State != incident.PMPublished
	if preview || !view.Editable {
		// The renderer of the API's HTML: raw HTML in the Markdown is
		// left out, never passed through.
		body, err := incident.HTML(incident.Markdown(&pm, &inc))
		if err != nil {
			h.failPage(w, r, err)
			return
		}
		view.Preview = template.HTML(body) //nolint:gosec // goldmark without WithUnsafe drops raw HTML and unsafe links
	}
	h.renderPage(w, r, code, "console_inc_postmortem", h.text(v.Lang, "ConsoleIncPMTitle"), view)
}

// savePostMortem saves the sections and action items (as the API's PUT),
// or with do=preview shows them rendered without saving.
func (h *incPages) savePostMortem(w http.ResponseWriter, r *http.Request) {
	id, err := incidentID(r)
	if err != nil {
		h.failPage(w, r, err)
		return
	}
	form := pmFromForm(r)
	if r.PostFormValue("do") == "preview" {
		h.renderPostMortem(w, r, http.StatusOK, &form, "", true)
		return
	}
	pm, err := h.d.PostMortems.Get(r.Context(), id, viewerOf(r).Zone)
	if err == nil {
		form.apply(&pm)
		err = h.d.PostMortems.Save(r.Context(), pm)
	}
	h.afterPM(w, r, id, "saved", err, &form)
}

// changePostMortemState moves the post-mortem to review, back to draft or
// to published, or makes it public or hides it (as the API's POST
// …/postmortem/state).
func (h *incPages) changePostMortemState(w http.ResponseWriter, r *http.Request) {
	id, err := incidentID(r)
	if err != nil {
		h.failPage(w, r, err)
		return
	}
	var body postmortemStateForm
	done := "state"
	if s := r.PostFormValue("state"); s != "" {
		body.State = ptrTo(incident.PMState(s))
	}
	if p := r.PostFormValue("public"); p != "" {
		body.Public, done = ptrTo(p == "true"), "public"
	}
	err = changePostMortem(r.Context(), h.d.PostMortems, id, viewerOf(r).Zone, body)
	h.afterPM(w, r, id, done, err, nil)
}

// afterPM ends an editor's action: back to the editor with a
// confirmation, or the editor again with the problem and what was typed.
func (h *incPages) afterPM(w http.ResponseWriter, r *http.Request, id int64, done string, err error, typed *postmortemForm) {
	if err != nil {
		msg, ok := problemText(err)
		if !ok {
			h.failPage(w, r, err)
			return
		}
		h.renderPostMortem(w, r, http.StatusUnprocessableEntity, typed, msg, false)
		return
	}
	http.Redirect(w, r, "/staff/incidents/"+strconv.FormatInt(id, 10)+"/postmortem?done="+done, http.StatusSeeOther)
}

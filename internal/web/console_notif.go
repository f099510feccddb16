package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/notify"
	"github.com/vigie/vigie/internal/secret"
)

// notifPages is the console's page of notification messages: the dead
// letters first, then those waiting, being sent and sent, with a resend
// of one or of every dead one. It calls the notification store the API's
// /api/v1/notifications routes call and needs their permission.
type notifPages struct {
	*Server
}

// notifStates are the states in the order the page shows them: the dead
// letters first, as they need someone.
var notifStates = []notify.State{notify.StateDead, notify.StatePending, notify.StateSending, notify.StateSent}

// consoleNotifRoutes registers the notification pages.
func (s *Server) consoleNotifRoutes(rt *router) {
	if s.d.Sessions == nil {
		return
	}
	surface := rt.surface
	defer func() { rt.surface = surface }()
	rt.surface = "staff pages"
	h := &notifPages{Server: s}
	perm := staffPage(auth.PermIncidents)
	filters := []string{"state: pending, sending, sent or dead (default: every state, the dead letters first)", "channel: only this channel's",
		"incident: only this incident's", "after: the cursor: the last id of the previous page (with state)", "done: what was just done", "n: how many were resent", "id: the message resent"}
	rt.handle("GET /staff/notifications", perm, classAPI, doc{summary: "The notification messages by state, the dead letters first: channel, recipient, incident, tries, last error (secrets masked), next try", query: filters}, h.showNotifications)
	rt.handle("POST /staff/notifications/{id}/resend", perm, classAPI, doc{summary: "Send a dead or sent message again, now, with the same idempotency key"}, h.resendOne)
	rt.handle("POST /staff/notifications/resend", perm, classAPI, doc{summary: "Send every dead message the filter chooses again, now; needs the confirm box ticked"}, h.resendDead)
}

// notifView is the page.
type notifView struct {
	// Filter is the form as sent; Channels the channels to choose from.
	State, Channel, Incident string
	Channels                 []notify.Channel
	States                   []notify.State
	Counts                   map[notify.State]int64
	Groups                   []notifGroup
	Zone                     string
	// Done is the confirmation's message id, N how many, ID which one;
	// Problem what was refused.
	Done    string
	N       int64
	ID      string
	Problem string
	Query   string
	// Dead counts the dead letters.
	Dead int64
}

// notifGroup is the messages of one state, at most a page of them; Next
// is the link to the following page, "" on the last.
type notifGroup struct {
	State notify.State
	Rows  []notifRow
	Next  string
}

// notifRow is one message as the page shows it: its times in the
// viewer's zone and its last error with what looks like a secret masked.
type notifRow struct {
	notify.Message
	Created, NextTry, SentAt, LastError string
	Resendable                          bool
}

// notifDone maps done= to its message.
var notifDone = map[string]string{"resent": "ConsoleNotifResentOne", "resent-all": "ConsoleNotifResentAll"}

func (h *notifPages) showNotifications(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	view := notifView{Done: notifDone[q.Get("done")], ID: q.Get("id")}
	view.N, _ = strconv.ParseInt(q.Get("n"), 10, 64)
	h.render(w, r, http.StatusOK, q, view)
}

// render fills view with the messages q chooses and renders it with code.
func (h *notifPages) render(w http.ResponseWriter, r *http.Request, code int, q url.Values, view notifView) {
	if h.d.Notify == nil {
		h.failPage(w, r, errNotifyOff)
		return
	}
	ctx := r.Context()
	v := viewerOf(r)
	view.State, view.Channel, view.Incident = q.Get("state"), q.Get("channel"), q.Get("incident")
	view.States, view.Zone = notifStates, v.Zone.String()
	f, err := notificationFilter(q)
	if err == nil && f.State != "" && !slices.Contains(notify.States, f.State) {
		// Checked here so that a bad state names its field, before any query.
		err = badRequest("state: want pending, sending, sent or dead, got %q", f.State)
	}
	if err != nil {
		msg, ok := problemText(notifyError(err))
		if !ok {
			h.failPage(w, r, err)
			return
		}
		if view.Problem == "" {
			view.Problem = msg
		}
		if code == http.StatusOK {
			code = http.StatusUnprocessableEntity
		}
		f = notify.ListFilter{}
		view.State, view.Channel, view.Incident = "", "", ""
	}
	if view.Channels, err = h.d.Notify.Channels(ctx); err != nil {
		h.failPage(w, r, err)
		return
	}
	if view.Counts, err = h.d.Notify.Counts(ctx); err != nil {
		h.failPage(w, r, err)
		return
	}
	states := notifStates
	if f.State != "" {
		states = []notify.State{f.State}
	}
	for _, st := range states {
		g, err := h.group(r, f, st, v.Zone)
		if err != nil {
			h.failPage(w, r, err)
			return
		}
		view.Groups = append(view.Groups, g)
	}
	view.Dead = view.Counts[notify.StateDead]
	keep := url.Values{}
	for _, k := range []string{"channel", "incident"} {
		if s := q.Get(k); s != "" && view.Problem == "" {
			keep.Set(k, s)
		}
	}
	view.Query = keep.Encode()
	h.renderPage(w, r, code, "console_notif", h.text(v.Lang, "ConsoleNotifTitle"), view)
}

// group reads a page of the messages of state st that f chooses.
func (h *notifPages) group(r *http.Request, f notify.ListFilter, st notify.State, zone *time.Location) (notifGroup, error) {
	f.State = st
	if f.Limit == 0 {
		f.Limit = notify.DefaultListLimit
	}
	list, err := h.d.Notify.Messages(r.Context(), f)
	if err != nil {
		return notifGroup{}, err
	}
	g := notifGroup{State: st}
	const layout = "2006-01-02 15:04"
	for _, m := range list {
		row := notifRow{Message: m, Created: m.CreatedAt.In(zone).Format(layout), LastError: secret.Redact(m.LastError),
			Resendable: m.State == notify.StateDead || m.State == notify.StateSent}
		if m.State == notify.StatePending {
			row.NextTry = m.NotBefore.In(zone).Format(layout)
		}
		if m.SentAt != nil {
			row.SentAt = m.SentAt.In(zone).Format(layout)
		}
		g.Rows = append(g.Rows, row)
	}
	if len(list) == f.Limit {
		next := url.Values{"state": {string(st)}, "after": {strconv.FormatInt(list[len(list)-1].ID, 10)}}
		if f.Channel != "" {
			next.Set("channel", f.Channel)
		}
		if f.IncidentID != 0 {
			next.Set("incident", strconv.FormatInt(f.IncidentID, 10))
		}
		g.Next = "/staff/notifications?" + next.Encode()
	}
	return g, nil
}

// back is where an action sends the viewer: the page with the filter the
// form carried and the confirmation.
func back(r *http.Request, done url.Values) string {
	for _, k := range []string{"channel", "incident"} {
		if s := r.PostFormValue(k); s != "" {
			done.Set(k, s)
		}
	}
	return "/staff/notifications?" + done.Encode()
}

// resendOne sends one dead or sent message again (as the API's POST
// /api/v1/notifications/{id}/resend).
func (h *notifPages) resendOne(w http.ResponseWriter, r *http.Request) {
	if h.d.Notify == nil {
		h.failPage(w, r, errNotifyOff)
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		h.failPage(w, r, &Error{Status: http.StatusNotFound, Message: "notification " + strconv.Quote(r.PathValue("id")) + " not found"})
		return
	}
	if _, err := h.d.Notify.Resend(r.Context(), id); err != nil {
		h.refuse(w, r, err)
		return
	}
	http.Redirect(w, r, back(r, url.Values{"done": {"resent"}, "id": {strconv.FormatInt(id, 10)}}), http.StatusSeeOther)
}

// resendDead sends every dead message the form's filter chooses again
// (as the API's POST /api/v1/notifications/resend), once the confirm box
// is ticked.
func (h *notifPages) resendDead(w http.ResponseWriter, r *http.Request) {
	if h.d.Notify == nil {
		h.failPage(w, r, errNotifyOff)
		return
	}
	if r.PostFormValue("confirm") == "" {
		h.refuse(w, r, &Error{Status: http.StatusUnprocessableEntity, Message: "confirm: tick the box to resend every dead message"})
		return
	}
	f, err := notificationFilter(url.Values{"channel": {r.PostFormValue("channel")}, "incident": {r.PostFormValue("incident")}})
	if err != nil {
		h.refuse(w, r, err)
		return
	}
	n, err := h.d.Notify.ResendAll(r.Context(), f)
	if err != nil {
		h.refuse(w, r, notifyError(err))
		return
	}
	http.Redirect(w, r, back(r, url.Values{"done": {"resent-all"}, "n": {strconv.FormatInt(n, 10)}}), http.StatusSeeOther)
}

// refuse shows the page again with what was refused (422, or 409 for a
// message that cannot be resent), or the error page.
func (h *notifPages) refuse(w http.ResponseWriter, r *http.Request, err error) {
	msg, ok := problemText(err)
	if !ok {
		h.failPage(w, r, err)
		return
	}
	code := http.StatusUnprocessableEntity
	if e := classify(err); e.Status == http.StatusConflict {
		code = http.StatusConflict
	}
	q := url.Values{"channel": {r.PostFormValue("channel")}, "incident": {r.PostFormValue("incident")}}
	h.render(w, r, code, q, notifView{Problem: msg})
}

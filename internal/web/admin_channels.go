package web

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/vigie/vigie/internal/notify"
	"github.com/vigie/vigie/internal/secret"
)

// channelsView is the page of notification channels: the list, and a
// form to add one or to change the one being edited.
type channelsView struct {
	Channels []channelRow
	// Form is the add form or, with Editing, the edit form; Problems what
	// was wrong with the last one sent.
	Form     channelFields
	Editing  bool
	Problems []problem
	// Done is the message id of what was just done, Subject its channel;
	// Tested the outcome of a test message (TestFailed: its error).
	Done, Subject string
	Tested        *testOutcome
	Kinds         []notify.Kind
	Audiences     []notify.Audience
}

// channelRow is one channel as the list shows it: its settings with
// whatever looks like a secret taken out, and never its secret.
type channelRow struct {
	notify.Channel
	ConfigText []string
}

// testOutcome is the answer to a test message.
type testOutcome struct {
	Channel, To string
	OK          bool
	Error       string
}

// channelFields is the channel form as typed. Secret is write-only: the
// page never shows it back, even after a refusal.
type channelFields struct {
	ID, Kind, Name string
	Audiences      []string
	Enabled        bool
	Config         string
	Rate           string
	SecretSet      bool
}

// Has reports whether the form picks audience a.
func (f channelFields) Has(a notify.Audience) bool { return slices.Contains(f.Audiences, string(a)) }

// channelDone maps done= to its message.
var channelDone = map[string]string{"added": "CfgChannelAdded", "saved": "CfgChannelSaved", "deleted": "CfgChannelDeleted"}

func (h *adminConfig) showChannels(w http.ResponseWriter, r *http.Request) {
	if !h.notifyOnPage(w, r) {
		return
	}
	q := r.URL.Query()
	view := channelsView{Form: channelFields{Enabled: true}, Done: channelDone[q.Get("done")], Subject: q.Get("id")}
	h.renderChannels(w, r, http.StatusOK, view)
}

// showChannel shows the list with the form filled with one channel.
func (h *adminConfig) showChannel(w http.ResponseWriter, r *http.Request) {
	if !h.notifyOnPage(w, r) {
		return
	}
	ch, err := h.d.Notify.Channel(r.Context(), r.PathValue("id"))
	if err != nil {
		h.failPage(w, r, err)
		return
	}
	h.renderChannels(w, r, http.StatusOK, channelsView{Form: fieldsOf(ch), Editing: true})
}

// notifyOnPage answers 503 on a server without notifications.
func (h *adminConfig) notifyOnPage(w http.ResponseWriter, r *http.Request) bool {
	if h.d.Notify == nil {
		h.failPage(w, r, errNotifyOff)
		return false
	}
	return true
}

func (h *adminConfig) renderChannels(w http.ResponseWriter, r *http.Request, code int, view channelsView) {
	list, err := h.d.Notify.Channels(r.Context())
	if err != nil {
		h.failPage(w, r, err)
		return
	}
	for _, ch := range list {
		row := channelRow{Channel: ch}
		for _, k := range slices.Sorted(maps.Keys(ch.Config)) {
			row.ConfigText = append(row.ConfigText, k+"="+secret.Redact(ch.Config[k]))
		}
		view.Channels = append(view.Channels, row)
	}
	view.Kinds, view.Audiences = notify.Kinds, notify.Audiences
	h.renderPage(w, r, code, "admin_channels", h.text(viewerOf(r).Lang, "CfgChannelsTitle"), view)
}

// fieldsOf fills the form with a stored channel.
func fieldsOf(ch notify.Channel) channelFields {
	f := channelFields{ID: ch.ID, Kind: string(ch.Kind), Name: ch.Name, Enabled: ch.Enabled, SecretSet: ch.SecretSet}
	for _, a := range ch.Audiences {
		f.Audiences = append(f.Audiences, string(a))
	}
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(ch.Config)) {
		fmt.Fprintf(&b, "%s=%s\n", k, ch.Config[k])
	}
	f.Config = b.String()
	if ch.RatePerMinute > 0 {
		f.Rate = strconv.Itoa(ch.RatePerMinute)
	}
	return f
}

// readChannelForm reads the posted form into the API's channel form, and
// the fields to show again on a refusal.
func readChannelForm(r *http.Request) (channelForm, channelFields, []problem) {
	f := channelFields{ID: strings.TrimSpace(r.PostFormValue("id")), Kind: r.PostFormValue("kind"), Name: r.PostFormValue("name"),
		Audiences: r.PostForm["audience"], Enabled: r.PostFormValue("enabled") != "", Config: r.PostFormValue("config"),
		Rate: strings.TrimSpace(r.PostFormValue("rate_per_minute"))}
	enabled := f.Enabled
	form := channelForm{ID: f.ID, Kind: notify.Kind(f.Kind), Name: f.Name, Enabled: &enabled, Config: map[string]string{},
		Secret: r.PostFormValue("secret")}
	for _, a := range f.Audiences {
		form.Audiences = append(form.Audiences, notify.Audience(a))
	}
	var problems []problem
	for i, line := range strings.Split(f.Config, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok || strings.TrimSpace(k) == "" {
			problems = append(problems, problem{Field: fmt.Sprintf("config, line %d", i+1), Message: fmt.Sprintf("want KEY=VALUE, got %q", line)})
			continue
		}
		form.Config[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	if f.Rate != "" {
		n, err := strconv.Atoi(f.Rate)
		if err != nil {
			problems = append(problems, problem{Field: "rate_per_minute", Message: fmt.Sprintf("want a whole number, got %q", f.Rate)})
		}
		form.RatePerMinute = n
	}
	return form, f, problems
}

// addChannel adds a channel, as POST /api/v1/channels does.
func (h *adminConfig) addChannel(w http.ResponseWriter, r *http.Request) {
	if !h.notifyOnPage(w, r) {
		return
	}
	form, fields, problems := readChannelForm(r)
	ch := form.channel()
	if len(problems) == 0 {
		if err := h.d.Notify.AddChannel(r.Context(), &ch); err != nil {
			h.refuseChannel(w, r, err, fields, false)
			return
		}
		auditDetail(r, "channel "+ch.ID+" added ("+string(ch.Kind)+")")
		seeOther(w, r, "/staff/admin/channels?done=added&id="+ch.ID)
		return
	}
	h.renderChannels(w, r, http.StatusUnprocessableEntity, channelsView{Form: fields, Problems: problems})
}

// saveChannel changes a channel, as PUT /api/v1/channels/{id} does: an
// empty secret keeps the stored one.
func (h *adminConfig) saveChannel(w http.ResponseWriter, r *http.Request) {
	if !h.notifyOnPage(w, r) {
		return
	}
	form, fields, problems := readChannelForm(r)
	form.ID, fields.ID = r.PathValue("id"), r.PathValue("id")
	if cur, err := h.d.Notify.Channel(r.Context(), form.ID); err == nil {
		fields.SecretSet = cur.SecretSet
	}
	if len(problems) > 0 {
		h.renderChannels(w, r, http.StatusUnprocessableEntity, channelsView{Form: fields, Editing: true, Problems: problems})
		return
	}
	ch := form.channel()
	if err := h.d.Notify.UpdateChannel(r.Context(), &ch); err != nil {
		h.refuseChannel(w, r, err, fields, true)
		return
	}
	auditDetail(r, "channel "+ch.ID+" changed")
	seeOther(w, r, "/staff/admin/channels?done=saved&id="+ch.ID)
}

// refuseChannel shows the form again with what the service refused.
func (h *adminConfig) refuseChannel(w http.ResponseWriter, r *http.Request, err error, fields channelFields, editing bool) {
	problems, status, ok := formProblems(notifyError(err))
	if !ok {
		h.failPage(w, r, err)
		return
	}
	h.renderChannels(w, r, status, channelsView{Form: fields, Editing: editing, Problems: problems})
}

// deleteChannel removes a channel, as DELETE /api/v1/channels/{id} does.
func (h *adminConfig) deleteChannel(w http.ResponseWriter, r *http.Request) {
	if !h.notifyOnPage(w, r) {
		return
	}
	id := r.PathValue("id")
	if err := h.d.Notify.DeleteChannel(r.Context(), id); err != nil {
		h.failPage(w, r, err)
		return
	}
	seeOther(w, r, "/staff/admin/channels?done=deleted&id="+id)
}

// testChannel sends a test message at once, as POST
// /api/v1/channels/{id}/test does, and shows how it went.
func (h *adminConfig) testChannel(w http.ResponseWriter, r *http.Request) {
	if !h.notifyOnPage(w, r) {
		return
	}
	ch, err := h.d.Notify.Channel(r.Context(), r.PathValue("id"))
	if err != nil {
		h.failPage(w, r, err)
		return
	}
	if h.d.NotifyTest == nil {
		h.failPage(w, r, &Error{Status: http.StatusServiceUnavailable, Message: "this server cannot send test messages"})
		return
	}
	to := strings.TrimSpace(r.PostFormValue("to"))
	out := &testOutcome{Channel: ch.ID, To: to, OK: true}
	code := http.StatusOK
	if err := h.d.NotifyTest(r.Context(), ch.ID, notify.TestRecipient(ch.ID, to)); err != nil {
		h.log.WarnContext(r.Context(), "test message", "channel", ch.ID, "err", err)
		out.OK, out.Error, code = false, secret.Redact(err.Error()), http.StatusBadGateway
		auditDetail(r, "test message on "+ch.ID+" not sent")
	} else {
		auditDetail(r, "test message on "+ch.ID+" sent")
	}
	h.renderChannels(w, r, code, channelsView{Form: channelFields{Enabled: true}, Tested: out})
}

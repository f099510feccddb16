package web

import (
	"context"
	"errors"
	"net/http"

	"github.com/vigie/vigie/internal/notify"
	"github.com/vigie/vigie/internal/secret"
)

// channelForm is a notification channel as the API reads it. secret is
// write-only: given, it replaces the stored one; left out or empty on a
// change, the stored one is kept; it is never shown (secret_set says
// whether there is one). enabled defaults to true on creation.
type channelForm struct {
	ID            string            `json:"id"`
	Kind          notify.Kind       `json:"kind"`
	Name          string            `json:"name"`
	Audiences     []notify.Audience `json:"audiences"`
	Enabled       *bool             `json:"enabled"`
	Config        map[string]string `json:"config"`
	RatePerMinute int               `json:"rate_per_minute"`
	Secret        string            `json:"secret"`
}

func (f *channelForm) channel() notify.Channel {
	ch := notify.Channel{ID: f.ID, Kind: f.Kind, Name: f.Name, Audiences: f.Audiences, Enabled: f.Enabled == nil || *f.Enabled,
		Config: f.Config, RatePerMinute: f.RatePerMinute, Secret: f.Secret}
	return ch
}

// channelTestForm says who a test message goes to: an e-mail address, a
// customer id, or nothing for a channel that speaks to one room.
type channelTestForm struct {
	To string `json:"to"`
}

// notifyError turns the notify package's refusals into answers.
func notifyError(err error) error {
	var inv *notify.InvalidError
	var filter *notify.FilterError
	switch {
	case errors.As(err, &inv):
		fields := make([]map[string]string, len(inv.Fields))
		for i, f := range inv.Fields {
			fields[i] = field(f.Field, f.Message)
		}
		return fieldError("invalid channel", err, fields)
	case errors.As(err, &filter):
		return badRequest("%s", filter.Message)
	}
	return err
}

// errNotifyOff answers the notification routes of a server built without
// notifications.
var errNotifyOff = &Error{Status: http.StatusServiceUnavailable, Message: "notifications are not enabled on this server"}

// notifyOn reports whether the server has notifications, answering 503
// when it has not.
func (h *api) notifyOn(w http.ResponseWriter, r *http.Request) bool {
	if h.notify == nil {
		h.fail(w, r, errNotifyOff)
		return false
	}
	return true
}

func (h *api) listChannels(w http.ResponseWriter, r *http.Request) {
	if !h.notifyOn(w, r) {
		return
	}
	list, err := h.notify.Channels(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if list == nil {
		list = []notify.Channel{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"channels": list})
}

func (h *api) createChannel(w http.ResponseWriter, r *http.Request) {
	if !h.notifyOn(w, r) {
		return
	}
	var form channelForm
	if err := decodeJSON(w, r, &form); err != nil {
		h.fail(w, r, err)
		return
	}
	ch := form.channel()
	if err := h.notify.AddChannel(r.Context(), &ch); err != nil {
		h.fail(w, r, notifyError(err))
		return
	}
	w.Header().Set("Location", "/api/v1/channels/"+ch.ID)
	writeJSON(w, http.StatusCreated, ch)
}

func (h *api) showChannel(w http.ResponseWriter, r *http.Request) {
	if !h.notifyOn(w, r) {
		return
	}
	ch, err := h.notify.Channel(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ch)
}

func (h *api) updateChannel(w http.ResponseWriter, r *http.Request) {
	if !h.notifyOn(w, r) {
		return
	}
	var form channelForm
	if err := decodeJSON(w, r, &form); err != nil {
		h.fail(w, r, err)
		return
	}
	id := r.PathValue("id")
	if form.ID != "" && form.ID != id {
		h.fail(w, r, fieldError("invalid channel", nil, []map[string]string{field("id", "a channel's id cannot change; leave it out or give "+id)}))
		return
	}
	form.ID = id
	ch := form.channel()
	if err := h.notify.UpdateChannel(r.Context(), &ch); err != nil {
		h.fail(w, r, notifyError(err))
		return
	}
	writeJSON(w, http.StatusOK, ch)
}

func (h *api) deleteChannel(w http.ResponseWriter, r *http.Request) {
	if !h.notifyOn(w, r) {
		return
	}
	if err := h.notify.DeleteChannel(r.Context(), r.PathValue("id")); err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *api) testChannel(w http.ResponseWriter, r *http.Request) {
	if !h.notifyOn(w, r) {
		return
	}
	var form channelTestForm
	if err := decodeJSON(w, r, &form); err != nil {
		h.fail(w, r, err)
		return
	}
	ch, err := h.notify.Channel(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if h.notifyTest == nil {
		h.fail(w, r, &Error{Status: http.StatusServiceUnavailable, Message: "this server cannot send test messages"})
		return
	}
	if err := h.notifyTest(r.Context(), ch.ID, notify.TestRecipient(ch.ID, form.To)); err != nil {
		// The sender's own words are what staff need to fix the channel;
		// whatever looks like a secret is taken out.
		h.fail(w, r, &Error{Status: http.StatusBadGateway, Message: "test message not sent: " + secret.Redact(err.Error()), Err: err})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"sent": true, "channel": ch.ID})
}

// notifyTester sends a test message on a channel.
type notifyTester = func(ctx context.Context, channelID string, to notify.Recipient) error

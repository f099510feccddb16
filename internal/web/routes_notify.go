package web

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/notify"
)

// notifyAPI serves who gets what: the staff's duty hours and pages, the
// customers' opt-outs.
type notifyAPI struct {
	responder
	prefs     *notify.Prefs
	auth      *auth.Service
	inventory *inventory.Service
	preview   func(ctx context.Context, id int64, st incident.Status, fr, en string) ([]notify.Preview, error)
	now       func() time.Time
}

func (s *Server) notifyRoutes(rt *router) {
	d := s.d
	if d.NotifyPrefs == nil {
		return
	}
	h := &notifyAPI{responder: s.responder, prefs: d.NotifyPrefs, auth: d.Auth, inventory: d.Inventory, preview: d.PreviewUpdate, now: d.Now}
	rt.handle("GET /api/v1/duty", needs(auth.PermRead), classAPI, doc{summary: "The staff's duty hours, who is on duty now, and whom a page would reach now"}, h.showDuty)
	rt.handle("PUT /api/v1/users/{email}/duty", needs(auth.PermUsers), classAPI, doc{summary: "Set a staff member's duty hours (in their time zone) and whether they are paged", body: dutyForm{}}, h.setDuty)
	if h.preview != nil {
		rt.handle("POST /api/v1/incidents/{id}/updates/preview", needs(auth.PermIncidents), classAPI, doc{summary: "What each channel would send for this public update, in French and English, before posting it: nothing is sent or stored", body: updateForm{}}, h.previewUpdate)
	}
	rt.handle("GET /api/v1/customers/{id}/notifications", needs(auth.PermRead), classAPI, doc{summary: "A customer's opt-outs"}, h.showOptOuts)
	rt.handle("PUT /api/v1/customers/{id}/notifications", needs(auth.PermInventory), classAPI, doc{summary: "Stop or let again a customer's messages of a topic on a kind of channel", body: optOutForm{}}, h.setOptOut)
}

// dutyView is a staff member with their duty now.
type dutyView struct {
	notify.Staff
	OnDuty bool `json:"on_duty"`
}

func (h *notifyAPI) showDuty(w http.ResponseWriter, r *http.Request) {
	staff, err := h.prefs.StaffList(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	now := h.now()
	out := make([]dutyView, len(staff))
	for i, s := range staff {
		out[i] = dutyView{Staff: s, OnDuty: s.On(now)}
	}
	paged, everyone := notify.Paged(staff, now)
	emails := []string{}
	for _, s := range paged {
		emails = append(emails, s.Email)
	}
	writeJSON(w, http.StatusOK, map[string]any{"now": now.UTC(), "staff": out, "paged_now": emails, "everyone": everyone})
}

// dutyForm is a change of a staff member's watch; what is left out stays:
// duty hours "HH:MM-HH:MM" in their time zone (across midnight when the end
// comes first), "always" or "" (never); their time zone; page false keeps
// them out of pages.
type dutyForm struct {
	Duty     *string `json:"duty,omitempty"`
	Timezone string  `json:"timezone,omitempty"`
	Page     *bool   `json:"page,omitempty"`
}

func (h *notifyAPI) setDuty(w http.ResponseWriter, r *http.Request) {
	var body dutyForm
	if err := decodeJSON(w, r, &body); err != nil {
		h.fail(w, r, err)
		return
	}
	if err := changeDuty(r.Context(), h.auth, h.prefs, r.PathValue("email"), body); err != nil {
		h.fail(w, r, err)
		return
	}
	h.showDuty(w, r)
}

// changeDuty changes what body gives of a staff member's watch, for the
// API and the console alike: bad duty hours or an unknown zone are a 422
// naming the field, and change nothing.
func changeDuty(ctx context.Context, users *auth.Service, prefs *notify.Prefs, email string, body dutyForm) error {
	if body.Duty != nil {
		if _, err := notify.ParseDuty(*body.Duty); err != nil {
			return fieldError("invalid duty", err, []map[string]string{field("duty", err.Error())})
		}
	}
	if body.Timezone != "" {
		if loc, err := time.LoadLocation(body.Timezone); err != nil || loc == time.Local || body.Timezone == "Local" {
			return fieldError("invalid duty", err, []map[string]string{field("timezone", "unknown time zone: want an IANA name such as America/Montreal")})
		}
	}
	if _, err := users.User(ctx, email); err != nil {
		return err
	}
	if body.Timezone != "" {
		if err := users.SetTimezone(ctx, email, body.Timezone); err != nil {
			return err
		}
	}
	if err := prefs.ChangeDuty(ctx, email, body.Duty, body.Page); err != nil {
		if errors.Is(err, notify.ErrNoSuchStaff) {
			return badRequest("no such user: %s", email)
		}
		return err
	}
	return nil
}

// optOutForm stops (stop true) or lets again a customer's messages of a
// topic (incident, maintenance, site-problem or *) on a kind of channel
// (email or *).
type optOutForm struct {
	Channel string `json:"channel"`
	Topic   string `json:"topic"`
	Stop    bool   `json:"stop"`
}

func (h *notifyAPI) showOptOuts(w http.ResponseWriter, r *http.Request) {
	list, err := h.prefs.OptOuts(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"customer": r.PathValue("id"), "opt_outs": list})
}

func (h *notifyAPI) setOptOut(w http.ResponseWriter, r *http.Request) {
	var body optOutForm
	if err := decodeJSON(w, r, &body); err != nil {
		h.fail(w, r, err)
		return
	}
	o := notify.OptOut{Customer: r.PathValue("id"), Channel: body.Channel, Topic: body.Topic}
	if _, err := h.inventory.Customer(r.Context(), o.Customer); err != nil {
		h.fail(w, r, err)
		return
	}
	if err := notify.ValidOptOut(o); err != nil {
		h.fail(w, r, badRequest("%s", err.Error()))
		return
	}
	if err := h.prefs.SetOptOut(r.Context(), o, body.Stop); err != nil {
		h.fail(w, r, err)
		return
	}
	h.showOptOuts(w, r)
}

// previewUpdate answers what every channel would send for a public update
// (the body of POST …/updates), in both languages.
func (h *notifyAPI) previewUpdate(w http.ResponseWriter, r *http.Request) {
	id, form, err := readUpdate(w, r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	list, err := h.preview(r.Context(), id, form.Status, form.MessageFR, form.MessageEN)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if list == nil {
		list = []notify.Preview{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"incident": id, "channels": list})
}

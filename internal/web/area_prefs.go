package web

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/notify"
	"github.com/vigie/vigie/internal/status"
	"github.com/vigie/vigie/internal/store"
)

// areaTopics are the topics a customer chooses, in the order shown; all
// reach them by e-mail, the only kind of channel serving customers.
var areaTopics = []notify.Topic{notify.TopicIncident, notify.TopicMaintenance, notify.TopicSiteProblem}

// areaTopicRow is one topic of the notification form.
type areaTopicRow struct {
	Field, Label string
	On           bool
}

// areaChoice is one option of a select.
type areaChoice struct {
	Value, Label string
	Selected     bool
}

// areaLinks are the customer's private status URLs, shown once, when
// they are made.
type areaLinks struct {
	Page, Feed, Calendar, JSON string
}

// areaPrefsView is the preferences page.
type areaPrefsView struct {
	// Saved says what was just changed; Problem what was refused, naming
	// the field.
	Saved, Problem string
	Topics         []areaTopicRow
	Languages      []areaChoice
	Zone           string
	Zones          []string
	// LinksEnabled is set when the status page gives private links;
	// LinksSince dates the current ones; Links are the new ones, just made.
	LinksEnabled bool
	LinksSince   string
	Links        *areaLinks
}

// areaZones are suggested in the time zone field; any IANA name works.
var areaZones = []string{"Europe/Paris", "Europe/Brussels", "Europe/Zurich", "Europe/Luxembourg", "Europe/London",
	"America/Montreal", "America/Toronto", "America/New_York", "Indian/Reunion", "America/Martinique", "Pacific/Noumea", "UTC"}

// areaSavedIDs are the messages of ?saved=, after a change.
var areaSavedIDs = map[string]string{"notifications": "AreaSavedNotifications", "locale": "AreaSavedLocale"}

func (h *area) showPreferences(w http.ResponseWriter, r *http.Request) {
	view, err := h.readPrefs(r)
	if err != nil {
		h.s.failPage(w, r, err)
		return
	}
	if id, ok := areaSavedIDs[r.URL.Query().Get("saved")]; ok {
		view.Saved = h.wordsOf(r).T(id)
	}
	h.s.renderPage(w, r, http.StatusOK, "area_prefs", h.wordsOf(r).T("AreaPrefsTitle"), view)
}

// readPrefs reads the viewer's preferences as they are stored now.
func (h *area) readPrefs(r *http.Request) (*areaPrefsView, error) {
	ctx := r.Context()
	v, words := viewerOf(r), h.wordsOf(r)
	c, err := h.inv.Customer(ctx, v.Customer.ID)
	if err != nil {
		return nil, err
	}
	view := &areaPrefsView{Zone: c.Timezone, Zones: areaZones, LinksEnabled: h.tokens != nil}
	for _, lang := range inventory.Languages {
		view.Languages = append(view.Languages, areaChoice{Value: lang, Label: h.texts.T(lang, "Language", nil), Selected: lang == c.Language})
	}
	var outs []notify.OptOut
	if h.prefs != nil {
		if outs, err = h.prefs.OptOuts(ctx, c.ID); err != nil {
			return nil, err
		}
	}
	for _, t := range areaTopics {
		view.Topics = append(view.Topics, areaTopicRow{Field: string(t), Label: words.T(areaTopicIDs[t]), On: !areaStopped(outs, t)})
	}
	if h.tokens != nil {
		info, err := h.tokens.Get(ctx, c.ID)
		switch {
		case err == nil:
			view.LinksSince = words.At(info.CreatedAt)
		case !errors.Is(err, store.ErrNotFound):
			return nil, err
		}
	}
	return view, nil
}

// areaTopicIDs name each topic for its owner.
var areaTopicIDs = map[notify.Topic]string{notify.TopicIncident: "AreaTopicIncident",
	notify.TopicMaintenance: "AreaTopicMaintenance", notify.TopicSiteProblem: "AreaTopicSiteProblem"}

// areaStopped tells whether the opt-outs stop e-mail about topic t, as the
// planner reads them: a kind of channel or "*", a topic or "*".
func areaStopped(outs []notify.OptOut, t notify.Topic) bool {
	return slices.ContainsFunc(outs, func(o notify.OptOut) bool {
		return (o.Channel == "*" || o.Channel == string(notify.KindEmail)) && (o.Topic == "*" || o.Topic == string(t))
	})
}

// saveNotifications stores the topics the customer wants: a topic turned
// off is an opt-out of its e-mail; turning one on lifts every opt-out
// covering it, "everything" ones included, as the signed opt-out page
// does, and keeps the others off one by one.
func (h *area) saveNotifications(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := viewerOf(r)
	if h.prefs == nil {
		h.s.failPage(w, r, &Error{Status: http.StatusServiceUnavailable, Message: "notifications are not enabled"})
		return
	}
	if err := r.ParseForm(); err != nil {
		h.s.failPage(w, r, badRequest("a form body"))
		return
	}
	outs, err := h.prefs.OptOuts(ctx, v.Customer.ID)
	if err != nil {
		h.s.failPage(w, r, err)
		return
	}
	anyOn := false
	var changes []string
	for _, t := range areaTopics {
		on := r.PostForm.Get(string(t)) != ""
		anyOn = anyOn || on
		changes = append(changes, fmt.Sprintf("%s=%v", t, on))
		err = h.prefs.SetOptOut(ctx, notify.OptOut{Customer: v.Customer.ID, Channel: string(notify.KindEmail), Topic: string(t)}, !on)
		if err == nil && on {
			err = h.prefs.SetOptOut(ctx, notify.OptOut{Customer: v.Customer.ID, Channel: "*", Topic: string(t)}, false)
		}
		if err != nil {
			h.s.failPage(w, r, err)
			return
		}
	}
	for _, o := range outs {
		if anyOn && o.Topic == "*" {
			if err := h.prefs.SetOptOut(ctx, o, false); err != nil {
				h.s.failPage(w, r, err)
				return
			}
		}
	}
	h.s.audit(r, "area.notifications", v.Customer.ID, true, strings.Join(changes, " "))
	http.Redirect(w, r, "/account/preferences?saved=notifications", http.StatusSeeOther)
}

// saveLocale changes the customer's language and time zone through the
// inventory, which owns them; a bad value changes nothing and the page
// says which field is wrong.
func (h *area) saveLocale(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v, words := viewerOf(r), h.wordsOf(r)
	if err := r.ParseForm(); err != nil {
		h.s.failPage(w, r, badRequest("a form body"))
		return
	}
	lang, zone := strings.TrimSpace(r.PostForm.Get("language")), strings.TrimSpace(r.PostForm.Get("timezone"))
	problem := ""
	switch {
	case !slices.Contains(inventory.Languages, lang):
		problem = words.T("AreaBadLanguage", "Value", lang)
	case !areaValidZone(zone):
		problem = words.T("AreaBadZone", "Value", zone)
	}
	c, err := h.inv.Customer(ctx, v.Customer.ID)
	if err == nil && problem == "" {
		c.Language, c.Timezone = lang, zone
		_, err = h.inv.SaveCustomer(ctx, c, inventory.Update)
		var invalid *inventory.InvalidError
		if errors.As(err, &invalid) {
			problem, err = words.T("AreaBadZone", "Value", zone), nil
		}
		// A contact reads in their own language and zone: theirs change too.
		if err == nil && problem == "" && v.Contact != nil {
			err = h.s.d.Auth.SetContactLocale(ctx, v.Contact.ID, lang, zone)
		}
		if err == nil && problem == "" {
			// The language asked for in a link earlier must not outrank it.
			http.SetCookie(w, &http.Cookie{Name: langCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600,
				Secure: h.s.secure(r), HttpOnly: true, SameSite: http.SameSiteLaxMode})
		}
	}
	if err != nil {
		h.s.failPage(w, r, err)
		return
	}
	if problem != "" {
		h.s.audit(r, "area.locale", v.Customer.ID, false, problem)
		h.renderPrefs(w, r, http.StatusUnprocessableEntity, func(p *areaPrefsView) { p.Problem, p.Zone = problem, zone })
		return
	}
	h.s.audit(r, "area.locale", v.Customer.ID, true, "language="+lang+" timezone="+zone)
	http.Redirect(w, r, "/account/preferences?saved=locale", http.StatusSeeOther)
}

// areaValidZone tells whether a time zone is an IANA name: not empty, and not
// "Local", which would be the server's own.
func areaValidZone(zone string) bool {
	if zone == "" || strings.EqualFold(zone, "local") {
		return false
	}
	_, err := time.LoadLocation(zone)
	return err == nil
}

// issueLinks makes the customer's private status links, replacing the
// old ones, and shows them: they cannot be shown again.
func (h *area) issueLinks(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	if h.tokens == nil {
		h.s.failPage(w, r, &Error{Status: http.StatusServiceUnavailable, Message: "private status links are not enabled"})
		return
	}
	token, err := h.tokens.Issue(r.Context(), v.Customer.ID)
	if err != nil {
		h.s.audit(r, "area.links", v.Customer.ID, false, "")
		h.s.failPage(w, r, err)
		return
	}
	h.s.audit(r, "area.links", v.Customer.ID, true, "")
	lang := status.Lang(v.Lang)
	base := strings.TrimSuffix(h.publicURL, "/") + "/c/" + token + "/"
	links := &areaLinks{Page: base + status.HomePath(lang), Feed: base + status.FeedPath(lang, false),
		Calendar: base + status.LangPrefix(lang) + status.PathCalendar, JSON: base + status.PathAPI + "summary.json"}
	w.Header().Set("Cache-Control", "no-store")
	h.renderPrefs(w, r, http.StatusOK, func(p *areaPrefsView) { p.Links = links })
}

// renderPrefs shows the preferences page as stored, changed by edit.
func (h *area) renderPrefs(w http.ResponseWriter, r *http.Request, code int, edit func(*areaPrefsView)) {
	view, err := h.readPrefs(r)
	if err != nil {
		h.s.failPage(w, r, err)
		return
	}
	edit(view)
	h.s.renderPage(w, r, code, "area_prefs", h.wordsOf(r).T("AreaPrefsTitle"), view)
}

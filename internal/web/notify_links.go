package web

import (
	"context"
	"errors"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/notify"
	"github.com/vigie/vigie/internal/store"
)

var linkPage = template.Must(template.ParseFS(templates, "templates/notify_link.html"))

// notifyLinks serves the links of messages, which act without a sign-in
// because the link itself is signed: a customer's opt-out, a staff
// member's acknowledgement. GET only shows what the link would do (mail
// scanners and link previews fetch links); POST does it.
type notifyLinks struct {
	responder
	prefs     *notify.Prefs
	links     *notify.Links
	inventory *inventory.Service
	incidents *incident.Store
	ack       func(ctx context.Context, token string) (incident.Incident, notify.Ack, error)
	auditAs   func(r *http.Request, actor, action, target string, ok bool, detail string)
	name      string
	now       func() time.Time
}

func (s *Server) notifyLinkRoutes(rt *router) {
	d := s.d
	if d.NotifyLinks == nil {
		return
	}
	h := &notifyLinks{responder: s.responder, prefs: d.NotifyPrefs, links: d.NotifyLinks, inventory: d.Inventory,
		incidents: d.Incidents, ack: d.Acknowledge, auditAs: s.auditAs, name: d.PublicName, now: d.Now}
	rt.handle("GET /unsubscribe/{token}", noCredential, classPing, doc{summary: "What a customer's signed opt-out link stops, with a button to confirm"}, h.showUnsubscribe)
	rt.handle("POST /unsubscribe/{token}", noCredential, classPing, doc{summary: "Opt out (one click, RFC 8058) or back in, by a customer's signed link", rawBody: "application/x-www-form-urlencoded"}, h.unsubscribe)
	rt.handle("GET /ack/{token}", noCredential, classPing, doc{summary: "The incident a staff member's signed acknowledgement link names, with a button to take it"}, h.showAck)
	rt.handle("POST /ack/{token}", noCredential, classPing, doc{summary: "Acknowledge an incident by a staff member's signed link: its page stops escalating"}, h.acknowledge)
}

// linkView is what the link page shows.
type linkView struct {
	// The forms post back to the page they are on (no action), whatever
	// prefix a reverse proxy serves it under.
	Lang, Name, Title, Home, Back, Done, Problem string
	Lines                                        []string
	Forms                                        []linkForm
}

type linkForm struct{ Action, Label string }

func (h *notifyLinks) render(w http.ResponseWriter, r *http.Request, code int, v linkView) {
	if v.Name == "" {
		v.Name = "Vigie"
	}
	if v.Home == "" {
		v.Home = "/"
	}
	hdr := w.Header()
	hdr.Set("Content-Type", "text/html; charset=utf-8")
	hdr.Set("Cache-Control", "no-store")
	hdr.Set("Referrer-Policy", "no-referrer")
	hdr.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'")
	w.WriteHeader(code)
	if err := linkPage.Execute(w, v); err != nil {
		h.log.WarnContext(r.Context(), "link page", "err", err)
	}
}

// optOutWords are the texts of the opt-out page, by language.
var optOutWords = map[string]map[string]string{
	"fr": {"title": "Vos notifications", "bad": "Ce lien n'est pas valide : il a été modifié. Utilisez le lien du dernier message reçu.",
		"stop": "Ne plus recevoir ces messages", "resume": "Recevoir de nouveau ces messages",
		"stopped": "C'est fait : vous ne recevrez plus ces messages.", "resumed": "C'est fait : vous recevrez de nouveau ces messages.",
		"incident": "les messages sur les incidents qui touchent vos services", "maintenance": "les avis de maintenance qui touchent vos services",
		"site-problem": "les messages sur les problèmes de vos propres sites", "*": "tous les messages sur vos services",
		"for": "Compte client %s : %s, par %s.", "channel-*": "tous les canaux", "channel-email": "e-mail",
		"now-off": "Actuellement : désactivés.", "gone": "Ce compte client n'existe plus : aucun message ne lui est envoyé.", "stop-all": "Ne plus recevoir aucun message sur vos services", "now-on": "Actuellement : activés.", "back": "Voir l'état des services"},
	"en": {"title": "Your notifications", "bad": "This link is not valid: it was changed. Use the link of the last message you received.",
		"stop": "Stop these messages", "resume": "Receive these messages again",
		"stopped": "Done: you will no longer receive these messages.", "resumed": "Done: you will receive these messages again.",
		"incident": "messages about incidents touching your services", "maintenance": "maintenance notices touching your services",
		"site-problem": "messages about problems of your own sites", "*": "every message about your services",
		"for": "Customer account %s: %s, by %s.", "channel-*": "every channel", "channel-email": "e-mail",
		"now-off": "Now: off.", "gone": "This customer account no longer exists: no message is sent to it.", "stop-all": "Stop every message about your services", "now-on": "Now: on.", "back": "See the status of the services"},
}

func (h *notifyLinks) optOutView(r *http.Request, o notify.OptOut) (linkView, bool) {
	lang, who := "fr", o.Customer
	if c, err := h.inventory.Customer(r.Context(), o.Customer); err == nil {
		if c.Language == "en" {
			lang = "en"
		}
		if c.Name != "" {
			who = c.Name + " (" + c.ID + ")"
		}
	}
	t := optOutWords[lang]
	v := linkView{Lang: lang, Name: h.name, Title: t["title"], Back: t["back"], Home: "/" + map[string]string{"fr": "", "en": "en/"}[lang]}
	ch := t["channel-"+o.Channel]
	if ch == "" {
		ch = o.Channel
	}
	v.Lines = []string{strings.Replace(strings.Replace(strings.Replace(t["for"], "%s", who, 1), "%s", t[o.Topic], 1), "%s", ch, 1)}
	list, err := h.prefs.OptOuts(r.Context(), o.Customer)
	all := notify.OptOut{Customer: o.Customer, Channel: "*", Topic: "*"}
	off := err == nil && (containsOptOut(list, o) || containsOptOut(list, all))
	if off {
		v.Lines = append(v.Lines, t["now-off"])
		v.Forms = []linkForm{{"resume", t["resume"]}}
	} else {
		v.Lines = append(v.Lines, t["now-on"])
		v.Forms = []linkForm{{"stop", t["stop"]}}
	}
	if !off && (o.Topic != "*" || o.Channel != "*") {
		v.Forms = append(v.Forms, linkForm{"stop-all", t["stop-all"]})
	}
	return v, off
}

func containsOptOut(list []notify.OptOut, o notify.OptOut) bool {
	for _, x := range list {
		if x == o {
			return true
		}
	}
	return false
}

// refuseOptOut answers a link that is not valid, or whose customer is
// gone (problem "bad" or "gone"), in both languages.
func (h *notifyLinks) refuseOptOut(w http.ResponseWriter, r *http.Request, problem string) {
	t := optOutWords["fr"]
	h.render(w, r, http.StatusNotFound, linkView{Lang: "fr", Name: h.name, Title: t["title"],
		Problem: t[problem] + " / " + optOutWords["en"][problem], Back: t["back"]})
}

func (h *notifyLinks) showUnsubscribe(w http.ResponseWriter, r *http.Request) {
	o, err := h.links.ReadOptOut(r.PathValue("token"))
	if err != nil {
		h.refuseOptOut(w, r, "bad")
		return
	}
	v, _ := h.optOutView(r, o)
	h.render(w, r, http.StatusOK, v)
}

// unsubscribe opts out: the one-click POST of RFC 8058 (body
// List-Unsubscribe=One-Click) and the page's button both stop; the page's
// other button lets the messages in again.
func (h *notifyLinks) unsubscribe(w http.ResponseWriter, r *http.Request) {
	o, err := h.links.ReadOptOut(r.PathValue("token"))
	if err != nil {
		h.refuseOptOut(w, r, "bad")
		return
	}
	if _, err := h.inventory.Customer(r.Context(), o.Customer); errors.Is(err, store.ErrNotFound) {
		// The customer is gone: nothing is sent to them any more.
		h.refuseOptOut(w, r, "gone")
		return
	} else if err != nil {
		h.fail(w, r, err)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	if err := r.ParseForm(); err != nil {
		h.fail(w, r, badRequest("a form body (List-Unsubscribe=One-Click, or action=stop or resume)"))
		return
	}
	action := r.PostForm.Get("action")
	stop := action != "resume"
	target := o
	if action == "stop-all" {
		// The link proves who the customer is; everything is theirs to stop.
		target = notify.OptOut{Customer: o.Customer, Channel: "*", Topic: "*"}
	}
	if err := h.prefs.SetOptOut(r.Context(), target, stop); err != nil {
		h.fail(w, r, err)
		return
	}
	if !stop {
		// Taking the messages back also lifts a stop of everything.
		if err := h.prefs.SetOptOut(r.Context(), notify.OptOut{Customer: o.Customer, Channel: "*", Topic: "*"}, false); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	v, _ := h.optOutView(r, o)
	t := optOutWords[v.Lang]
	v.Done = t["resumed"]
	if stop {
		v.Done = t["stopped"]
	}
	h.render(w, r, http.StatusOK, v)
}

func (h *notifyLinks) showAck(w http.ResponseWriter, r *http.Request) {
	v := linkView{Lang: "en", Name: h.name, Title: "Acknowledge an incident", Back: "The status page", Home: "/en/"}
	a, err := h.links.ReadAck(r.PathValue("token"), h.now())
	if err != nil {
		v.Problem = "This link is not valid: it was changed, or it is older than a day. Take the incident in the console or through the API."
		h.render(w, r, http.StatusNotFound, v)
		return
	}
	inc, err := h.incidents.Get(r.Context(), a.Incident)
	if err != nil {
		h.log.WarnContext(r.Context(), "acknowledgement link", "incident", a.Incident, "err", err)
		v.Problem = "This incident cannot be read now (it may have been deleted). Open it in the console or through the API."
		h.render(w, r, http.StatusNotFound, v)
		return
	}
	v.Lines = []string{"Incident " + strconv.FormatInt(inc.ID, 10) + " (" + string(inc.Severity) + ", " + string(inc.Status) + "): " + inc.Title + "."}
	if inc.AcknowledgedAt != nil {
		v.Done = "Already acknowledged at " + inc.AcknowledgedAt.UTC().Format("2006-01-02 15:04 UTC") + ". Its page no longer escalates."
	} else {
		v.Lines = append(v.Lines, "Acknowledging says you take it, as "+a.Staff+": the page stops escalating to the whole team.")
		v.Forms = []linkForm{{"ack", "Acknowledge as " + a.Staff}}
	}
	h.render(w, r, http.StatusOK, v)
}

func (h *notifyLinks) acknowledge(w http.ResponseWriter, r *http.Request) {
	inc, a, err := h.ack(r.Context(), r.PathValue("token"))
	if errors.Is(err, notify.ErrBadLink) {
		h.render(w, r, http.StatusNotFound, linkView{Lang: "en", Name: h.name, Title: "Acknowledge an incident", Back: "The status page", Home: "/en/",
			Problem: "This link is not valid: it was changed, or it is older than a day."})
		return
	}
	if err != nil {
		h.log.WarnContext(r.Context(), "acknowledgement link", "err", err)
		h.render(w, r, http.StatusServiceUnavailable, linkView{Lang: "en", Name: h.name, Title: "Acknowledge an incident", Back: "The status page", Home: "/en/",
			Problem: "The incident could not be acknowledged now; try again, or take it in the console or through the API."})
		return
	}
	// The staff member acted, through the link their page carried.
	h.auditAs(r, a.Staff, "incident.acknowledge", "id="+strconv.FormatInt(inc.ID, 10), true, "by the signed link of a page")
	v := linkView{Lang: "en", Name: h.name, Title: "Acknowledge an incident", Back: "The status page", Home: "/en/",
		Lines: []string{"Incident " + strconv.FormatInt(inc.ID, 10) + ": " + inc.Title + "."},
		Done:  "Acknowledged by " + a.Staff + ". The page no longer escalates."}
	h.render(w, r, http.StatusOK, v)
}

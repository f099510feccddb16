package web

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/notify"
	"github.com/vigie/vigie/internal/status"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/support"
)

// custPages is the console's page of one customer: what the API's
// customer, contacts, status URL, notification and overview routes do,
// each action calling the service its API route calls and needing the
// same permission.
type custPages struct {
	*Server
	contacts *contactsAPI
}

// customerRoutes registers the customer page of the staff console.
func (s *Server) customerRoutes(rt *router) {
	if s.d.Sessions == nil || s.d.Inventory == nil {
		return
	}
	h := &custPages{Server: s}
	if s.d.Accounts != nil {
		h.contacts = &contactsAPI{responder: s.responder, auth: s.d.Auth, inv: s.d.Inventory, mailer: s.d.Accounts}
	}
	rt.surface = "staff pages"
	defer func() { rt.surface = "staff" }()
	read, inv := staffPage(auth.PermRead), staffPage(auth.PermInventory)
	rt.handle("GET /staff/customers/{id}", read, classAPI, doc{summary: "A customer's page: details, their assets' states, the open incidents and maintenance touching them, tickets, contacts, private status URL, notification opt-outs",
		query: []string{"done: what was just done"}}, h.showCustomer)
	rt.handle("POST /staff/customers/{id}", inv, classAPI, doc{summary: "Change a customer's name, e-mail, language and time zone (as PUT /api/v1/customers/{id})"}, h.editCustomer)
	rt.handle("POST /staff/customers/{id}/delete", inv, classAPI, doc{summary: "Delete a customer (refused while assets are theirs); the form must say it is meant"}, h.deleteCustomer)
	if h.contacts != nil {
		contacts := staffPage(auth.PermContacts)
		rt.handle("POST /staff/customers/{id}/contacts", contacts, classAPI, doc{summary: "Add a contact and mail them an invitation; without an e-mail channel for customers nothing is created (409)"}, h.addContact)
		rt.handle("POST /staff/customers/{id}/contacts/{contact}/invite", contacts, classAPI, doc{summary: "Mail a contact a new invitation; the older one stops working"}, h.reinviteContact)
		rt.handle("POST /staff/customers/{id}/contacts/{contact}/remove", contacts, classAPI, doc{summary: "Remove a contact: their sessions and links end at once"}, h.removeContact)
	}
	if s.d.StatusTokens != nil {
		rt.handle("POST /staff/customers/{id}/status-url", inv, classAPI, doc{summary: "Give a customer a new private status URL, shown once on the answer; the old one stops working"}, h.issueStatusURL)
		rt.handle("POST /staff/customers/{id}/status-url/revoke", inv, classAPI, doc{summary: "Revoke a customer's private status URL"}, h.revokeStatusURL)
	}
	if s.d.NotifyPrefs != nil {
		rt.handle("POST /staff/customers/{id}/notifications", inv, classAPI, doc{summary: "Stop or let again a customer's messages of a topic on a kind of channel (as PUT /api/v1/customers/{id}/notifications)"}, h.setOptOut)
	}
}

// customerPath is a customer's page in the console.
func customerPath(id string) string { return "/staff/customers/" + url.PathEscape(id) }

// custAssetsMax is how many of a customer's assets their page lists; the
// inventory lists them all.
const custAssetsMax = 25

// custTicketsMax is how many of a customer's tickets their page lists.
const custTicketsMax = 20

// custPageView is a customer's page.
type custPageView struct {
	Customer inventory.Customer
	// Form is the edit form: the customer, or as sent when refused.
	Form      inventory.Customer
	Languages []string
	Zones     []string
	// Assets are the first of the customer's assets, the worst first.
	Assets      []overviewAsset
	AssetsTotal int
	// Overview is set when the status page runs and gives the incidents
	// and maintenance below.
	Overview    bool
	Incidents   []custIncident
	Maintenance []custWindow
	// TicketsOn is set when the viewer may read tickets.
	TicketsOn bool
	Tickets   []support.Ticket
	// ContactsOn is set when the customer area runs.
	ContactsOn  bool
	Contacts    []auth.Contact
	ContactForm contactForm
	// URLOn is set when the status page gives private URLs; URL is the
	// current one's date, nil for none.
	URLOn bool
	URL   *status.TokenInfo
	// NotifyOn is set when opt-outs are kept.
	NotifyOn bool
	OptOuts  []notify.OptOut
	Channels []string
	Topics   []string
	Done     string
	// Problem is why the form of Section was refused.
	Problem *formProblem
	Section string
}

// custIncident and custWindow are an open incident and a maintenance
// window as the customer's status page tells them, in the viewer's
// language.
type custIncident struct {
	overviewIncident
	Title string
}

type custWindow struct {
	overviewMaintenance
	Title string
}

// custDone maps the done= of the page after an action to its message.
var custDone = map[string]string{
	"saved": "ConsoleCustDoneSaved", "invited": "ConsoleCustDoneInvited", "reinvited": "ConsoleCustDoneReinvited",
	"removed": "ConsoleCustDoneRemoved", "url-revoked": "ConsoleCustDoneURLRevoked", "notifications": "ConsoleCustDoneNotifications",
}

// stateRank orders asset states, the worst first.
func stateRank(s string) int {
	switch s {
	case "down":
		return 0
	case "degraded":
		return 1
	case "up":
		return 3
	}
	return 2
}

func (h *custPages) showCustomer(w http.ResponseWriter, r *http.Request) {
	h.renderCustomer(w, r, http.StatusOK, custPageView{Done: custDone[r.URL.Query().Get("done")]})
}

// renderCustomer fills in a customer's page from the stores and shows it;
// fill, when given, changes what the forms show (a refused form as sent).
func (h *custPages) renderCustomer(w http.ResponseWriter, r *http.Request, code int, view custPageView, fill ...func(*custPageView)) {
	ctx, v := r.Context(), viewerOf(r)
	c, err := h.d.Inventory.Customer(ctx, r.PathValue("id"))
	if err != nil {
		h.failPage(w, r, err)
		return
	}
	view.Customer, view.Form = c, c
	view.Languages, view.Zones = inventory.Languages, areaZones
	view.ContactForm = contactForm{Language: c.Language, Timezone: c.Timezone}
	for _, step := range []func(context.Context, *viewer, *custPageView) error{h.custOverview, h.custTickets, h.custContacts, h.custStatusURL, h.custOptOuts} {
		if err := step(ctx, v, &view); err != nil {
			h.failPage(w, r, err)
			return
		}
	}
	for _, f := range fill {
		f(&view)
	}
	h.renderPage(w, r, code, "console_cust", c.Name, view)
}

// custOverview reads the customer's assets, incidents and maintenance as
// the API's overview does; without the status page, only the assets.
func (h *custPages) custOverview(ctx context.Context, v *viewer, view *custPageView) error {
	src := overviewSources{inv: h.d.Inventory, detection: h.d.Detection, heartbeats: h.d.Heartbeats, status: h.d.Status, now: h.d.Now}
	var out overviewJSON
	if h.d.Status != nil {
		var err error
		if out, err = src.overview(ctx, view.Customer); err != nil {
			return err
		}
		view.Overview = true
	} else if err := h.d.Inventory.LoadGraph(ctx); err != nil {
		return err
	} else {
		g := h.d.Inventory.Graph()
		for _, n := range g.Owned(view.Customer.ID, "") {
			out.Assets = append(out.Assets, overviewAsset{Name: n, Kind: g.Kind(n), State: "unknown"})
		}
	}
	lang := status.Lang(v.Lang)
	for _, in := range out.Incidents {
		view.Incidents = append(view.Incidents, custIncident{overviewIncident: in, Title: in.Name.In(lang).Text})
	}
	for _, m := range out.Maintenance {
		view.Maintenance = append(view.Maintenance, custWindow{overviewMaintenance: m, Title: m.Name.In(lang).Text})
	}
	assets := out.Assets
	slices.SortStableFunc(assets, func(a, b overviewAsset) int {
		return cmp.Or(cmp.Compare(stateRank(a.State), stateRank(b.State)), strings.Compare(a.Name, b.Name))
	})
	view.AssetsTotal = len(assets)
	view.Assets = assets[:min(len(assets), custAssetsMax)]
	return nil
}

// custTickets lists the customer's newest tickets, for who may read them.
func (h *custPages) custTickets(ctx context.Context, v *viewer, view *custPageView) error {
	if h.d.Support == nil || !v.Principal.Can(auth.PermTicketsRead) {
		return nil
	}
	view.TicketsOn = true
	list, err := h.d.Support.List(ctx, support.Filter{Customer: view.Customer.ID, Limit: custTicketsMax})
	if err != nil {
		return fmt.Errorf("tickets of %s: %w", view.Customer.ID, err)
	}
	view.Tickets = list
	return nil
}

// custContacts lists the customer's contacts (GET …/contacts).
func (h *custPages) custContacts(ctx context.Context, _ *viewer, view *custPageView) error {
	if h.contacts == nil {
		return nil
	}
	view.ContactsOn = true
	list, err := h.d.Auth.Contacts(ctx, view.Customer.ID)
	if err != nil {
		return fmt.Errorf("contacts of %s: %w", view.Customer.ID, err)
	}
	view.Contacts = list
	return nil
}

// custStatusURL says whether the customer has a private status URL
// (GET …/status-url), never the secret.
func (h *custPages) custStatusURL(ctx context.Context, _ *viewer, view *custPageView) error {
	if h.d.StatusTokens == nil {
		return nil
	}
	view.URLOn = true
	info, err := h.d.StatusTokens.Get(ctx, view.Customer.ID)
	switch {
	case err == nil:
		view.URL = &info
	case !errors.Is(err, store.ErrNotFound):
		return err
	}
	return nil
}

// custOptOuts reads the customer's opt-outs (GET …/notifications).
func (h *custPages) custOptOuts(ctx context.Context, _ *viewer, view *custPageView) error {
	if h.d.NotifyPrefs == nil {
		return nil
	}
	view.NotifyOn = true
	list, err := h.d.NotifyPrefs.OptOuts(ctx, view.Customer.ID)
	if err != nil {
		return err
	}
	view.OptOuts = list
	view.Channels = []string{"*"}
	for _, k := range notify.Kinds {
		view.Channels = append(view.Channels, string(k))
	}
	view.Topics = []string{"*", string(notify.TopicIncident), string(notify.TopicMaintenance), string(notify.TopicSiteProblem)}
	return nil
}

// custFail shows the page again with why the form of section was
// refused, when the sender can fix it; the error page otherwise.
func (h *custPages) custFail(w http.ResponseWriter, r *http.Request, section string, err error, fill ...func(*custPageView)) {
	code, p, ok := problemOf(err)
	if !ok {
		h.failPage(w, r, err)
		return
	}
	h.log.DebugContext(r.Context(), "customer form refused", "route", routeOf(r), "status", code, "err", err)
	h.renderCustomer(w, r, code, custPageView{Problem: p, Section: section}, fill...)
}

// refuse shows the page again with a problem of the input itself.
func (h *custPages) refuse(w http.ResponseWriter, r *http.Request, section, field, msgID string, fill ...func(*custPageView)) {
	p := &formProblem{Field: field, Message: h.text(viewerOf(r).Lang, msgID)}
	h.renderCustomer(w, r, http.StatusUnprocessableEntity, custPageView{Problem: p, Section: section}, fill...)
}

// done sends the browser back to the customer's page, saying what was
// done, at the section it was done in.
func (h *custPages) done(w http.ResponseWriter, r *http.Request, what, section string) {
	seeOther(w, r, customerPath(r.PathValue("id"))+"?done="+what+"#"+section)
}

// editCustomer changes a customer as PUT /api/v1/customers/{id} does.
func (h *custPages) editCustomer(w http.ResponseWriter, r *http.Request) {
	c := inventory.Customer{ID: r.PathValue("id"), Name: r.PostFormValue("name"), Email: r.PostFormValue("email"),
		Language: r.PostFormValue("language"), Timezone: r.PostFormValue("timezone")}
	if _, err := h.d.Inventory.SaveCustomer(r.Context(), c, inventory.Update); err != nil {
		h.custFail(w, r, "details", err, func(v *custPageView) { v.Form = c })
		return
	}
	h.done(w, r, "saved", "details")
}

// deleteCustomer deletes a customer who owns no asset, as DELETE
// /api/v1/customers/{id} does; the form must say it is meant.
func (h *custPages) deleteCustomer(w http.ResponseWriter, r *http.Request) {
	if r.PostFormValue("confirm") != "yes" {
		h.refuse(w, r, "delete", "confirm", "ConsoleCustDeleteConfirmMissing")
		return
	}
	if err := h.d.Inventory.DeleteCustomer(r.Context(), r.PathValue("id")); err != nil {
		h.custFail(w, r, "delete", err)
		return
	}
	seeOther(w, r, "/staff/inventory")
}

// addContact adds a contact and mails their invitation, as POST
// /api/v1/customers/{id}/contacts does.
func (h *custPages) addContact(w http.ResponseWriter, r *http.Request) {
	form := contactForm{Email: r.PostFormValue("email"), Name: r.PostFormValue("name"),
		Language: r.PostFormValue("language"), Timezone: strings.TrimSpace(r.PostFormValue("timezone"))}
	if _, err := h.d.Inventory.Customer(r.Context(), r.PathValue("id")); err != nil {
		h.failPage(w, r, err)
		return
	}
	if _, err := h.contacts.invite(r, r.PathValue("id"), form); err != nil {
		h.custFail(w, r, "contacts", err, func(v *custPageView) { v.ContactForm = form })
		return
	}
	h.done(w, r, "invited", "contacts")
}

// reinviteContact mails a contact a new invitation, as POST
// …/contacts/{contact}/invite does.
func (h *custPages) reinviteContact(w http.ResponseWriter, r *http.Request) {
	if _, err := h.contacts.reinvite(r); err != nil {
		h.custFail(w, r, "contacts", err)
		return
	}
	h.done(w, r, "reinvited", "contacts")
}

// removeContact removes a contact, as DELETE …/contacts/{contact} does.
func (h *custPages) removeContact(w http.ResponseWriter, r *http.Request) {
	if _, err := h.contacts.remove(r); err != nil {
		h.custFail(w, r, "contacts", err)
		return
	}
	h.done(w, r, "removed", "contacts")
}

// custURLView is the answer to issuing a private status URL: the only
// place it is ever shown.
type custURLView struct {
	Customer            inventory.Customer
	URL, Feed, Calendar string
	Back                string
}

// issueStatusURL gives the customer a new private status URL, as POST
// …/status-url does, and shows it once, on this answer.
func (h *custPages) issueStatusURL(w http.ResponseWriter, r *http.Request) {
	ctx, v := r.Context(), viewerOf(r)
	c, err := h.d.Inventory.Customer(ctx, r.PathValue("id"))
	if err != nil {
		h.failPage(w, r, err)
		return
	}
	token, err := h.d.StatusTokens.Issue(ctx, c.ID)
	if err != nil {
		h.failPage(w, r, err)
		return
	}
	base := strings.TrimSuffix(h.d.PublicURL, "/") + "/c/" + token + "/"
	view := custURLView{Customer: c, URL: base, Feed: base + "feed.atom", Calendar: base + "maintenance.ics", Back: customerPath(c.ID) + "#status-url"}
	h.renderPage(w, r, http.StatusCreated, "console_cust_url", h.text(v.Lang, "ConsoleCustURLIssuedTitle"), view)
}

// revokeStatusURL ends the customer's private status URL, as DELETE
// …/status-url does.
func (h *custPages) revokeStatusURL(w http.ResponseWriter, r *http.Request) {
	if err := h.d.StatusTokens.Revoke(r.Context(), r.PathValue("id")); err != nil {
		h.custFail(w, r, "status-url", err)
		return
	}
	h.done(w, r, "url-revoked", "status-url")
}

// setOptOut stops or lets again the customer's messages of a topic on a
// kind of channel, as PUT …/notifications does.
func (h *custPages) setOptOut(w http.ResponseWriter, r *http.Request) {
	o := notify.OptOut{Customer: r.PathValue("id"), Channel: r.PostFormValue("channel"), Topic: r.PostFormValue("topic")}
	if _, err := h.d.Inventory.Customer(r.Context(), o.Customer); err != nil {
		h.failPage(w, r, err)
		return
	}
	var stop bool
	switch r.PostFormValue("stop") {
	case "yes":
		stop = true
	case "no":
	default:
		h.refuse(w, r, "notifications", "stop", "ConsoleCustStopMissing")
		return
	}
	if err := notify.ValidOptOut(o); err != nil {
		field, msg, _ := strings.Cut(err.Error(), ": ")
		h.renderCustomer(w, r, http.StatusUnprocessableEntity, custPageView{Section: "notifications", Problem: &formProblem{Field: field, Message: msg}})
		return
	}
	if err := h.d.NotifyPrefs.SetOptOut(r.Context(), o, stop); err != nil {
		h.custFail(w, r, "notifications", err)
		return
	}
	h.done(w, r, "notifications", "notifications")
}

package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/support"
)

// ticketPage is how many tickets one page of the console's list shows.
const ticketPage = 50

// ticketListView is the console's list of tickets with its filters.
type ticketListView struct {
	// The filters as asked, shown again in the form.
	Status, Assignee, Customer, Asset, Incident string
	Rows                                        []staffTicketRow
	// Page is the page shown (from 1); Prev and Next the addresses of the
	// pages around it, "" when there is none.
	Page       int
	Prev, Next string
}

// staffTicketRow is one ticket of the list. CustomerFirst says the ticket came
// before one of its linked incidents was detected: a customer told us.
type staffTicketRow struct {
	support.Ticket
	CustomerFirst bool
}

// ticketStatusFilters are the status filter's choices, "all" included.
var ticketStatusFilters = []string{"all", "open", "waiting", "resolved", "closed"}

// listFilter reads the list page's query into a filter, refusing a bad
// value with a 400 naming its field.
func listFilter(q url.Values, me string) (ticketListView, support.Filter, error) {
	view := ticketListView{Status: q.Get("status"), Assignee: q.Get("assignee"), Customer: strings.TrimSpace(q.Get("customer")),
		Asset: strings.TrimSpace(q.Get("asset")), Incident: strings.TrimSpace(q.Get("incident")), Page: 1}
	f := support.Filter{Customer: view.Customer, Asset: view.Asset, ByActivity: true, Limit: ticketPage + 1}
	switch view.Status {
	case "", "all":
		view.Status = "all"
	default:
		st, err := support.ParseStatus("status", view.Status)
		if err != nil {
			return view, f, badRequest("status: want one of %s, got %q", strings.Join(ticketStatusFilters, ", "), view.Status)
		}
		f.Status = []support.Status{st}
	}
	switch view.Assignee {
	case "", "anyone":
		view.Assignee = "anyone"
	case "me":
		f.Assignee = me
	case "unassigned":
		f.Assignee = support.Unassigned
	default:
		return view, f, badRequest("assignee: want me, unassigned or anyone, got %q", view.Assignee)
	}
	if view.Incident != "" {
		n, err := strconv.ParseInt(view.Incident, 10, 64)
		if err != nil || n < 1 {
			return view, f, badRequest("incident: want an incident number, got %q", view.Incident)
		}
		f.Incident = n
	}
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > support.MaxList {
			return view, f, badRequest("page: want a number from 1 to %d, got %q", support.MaxList, v)
		}
		view.Page = n
	}
	f.Offset = (view.Page - 1) * ticketPage
	return view, f, nil
}

// showTickets lists the tickets, the last changed first, as the API's
// GET /api/v1/tickets with the page's filters.
func (h *incPages) showTickets(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	view, f, err := listFilter(r.URL.Query(), v.User.Email)
	if err != nil {
		h.failPage(w, r, err)
		return
	}
	list, err := h.d.Support.List(r.Context(), f)
	if err != nil {
		h.failPage(w, r, err)
		return
	}
	if len(list) > ticketPage {
		list = list[:ticketPage]
		view.Next = ticketPageURL(r.URL.Query(), view.Page+1)
	}
	if view.Page > 1 {
		view.Prev = ticketPageURL(r.URL.Query(), view.Page-1)
	}
	detected := map[int64]time.Time{}
	for _, t := range list {
		row := staffTicketRow{Ticket: t}
		for _, id := range t.Incidents {
			at, seen := detected[id]
			if !seen {
				inc, err := h.d.Incidents.Get(r.Context(), id)
				if err != nil && !errors.Is(err, store.ErrNotFound) {
					h.failPage(w, r, err)
					return
				}
				at = inc.DetectedAt
				detected[id] = at
			}
			if !at.IsZero() && t.CreatedAt.Before(at) {
				row.CustomerFirst = true
			}
		}
		view.Rows = append(view.Rows, row)
	}
	h.renderPage(w, r, http.StatusOK, "console_tickets", h.text(v.Lang, "ConsoleTixTitle"), view)
}

// ticketPageURL is the list's address for page n with the filters of q
// (changed: pass a copy).
func ticketPageURL(q url.Values, n int) string {
	q.Set("page", strconv.Itoa(n))
	return "/staff/tickets?" + q.Encode()
}

// ticketStaff are the staff members who may take tickets, for the
// assignee form: enabled, with a role that answers tickets.
func (h *incPages) ticketStaff(r *http.Request) ([]string, error) {
	users, err := h.d.Auth.Users(r.Context())
	if err != nil {
		return nil, err
	}
	var out []string
	for _, u := range users {
		if !u.Disabled && auth.RoleAllows(u.Role, auth.PermTicketsWrite) {
			out = append(out, u.Email)
		}
	}
	return out, nil
}

// assignTicket gives the ticket to a staff member, to the viewer with
// take, or to no one with an empty assignee (as the API's PATCH).
func (h *incPages) assignTicket(w http.ResponseWriter, r *http.Request) {
	id, err := ticketID(r)
	if err != nil {
		h.failPage(w, r, err)
		return
	}
	who := r.PostFormValue("assignee")
	if r.PostFormValue("take") != "" {
		who = viewerOf(r).User.Email
	}
	_, err = h.d.Support.Change(r.Context(), id, pageActor(r), support.Change{Assignee: &who})
	h.afterTicket(w, r, id, "ticket-assignee", err, "")
}

// prioritizeTicket sets the ticket's priority (as the API's PATCH).
func (h *incPages) prioritizeTicket(w http.ResponseWriter, r *http.Request) {
	id, err := ticketID(r)
	if err != nil {
		h.failPage(w, r, err)
		return
	}
	p, err := support.ParsePriority("priority", strings.TrimSpace(r.PostFormValue("priority")))
	if err == nil {
		_, err = h.d.Support.Change(r.Context(), id, pageActor(r), support.Change{Priority: &p})
	}
	h.afterTicket(w, r, id, "ticket-priority", err, "")
}

// ticketAttachment downloads a ticket's file, as the API's route does.
func (h *incPages) ticketAttachment(w http.ResponseWriter, r *http.Request) {
	id, err := ticketID(r)
	if err != nil {
		h.failPage(w, r, err)
		return
	}
	a, f, err := openStaffAttachment(r.Context(), h.d.Support, id, r.PathValue("file"))
	if err != nil {
		h.failPage(w, r, err)
		return
	}
	serveAttachment(w, r, a, f)
}

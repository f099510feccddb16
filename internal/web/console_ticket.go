package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/support"
)

// ticketPageView is a support ticket as staff see it.
type ticketPageView struct {
	support.Thread
	Statuses   []support.Status
	Priorities []support.Priority
	// Staff are who may take the ticket (with tickets:write).
	Staff         []string
	Done, Problem string
	// Body is the answer typed, shown again when it was refused.
	Body string
}

// pageActor is the staff member a page's request acts as, for tickets.
func pageActor(r *http.Request) support.Actor {
	return support.Actor{Kind: support.ByStaff, ID: viewerOf(r).User.Email}
}

// showTicket shows a ticket's thread, staff notes included, with the
// reply form and its status.
func (h *incPages) showTicket(w http.ResponseWriter, r *http.Request) {
	h.renderTicket(w, r, http.StatusOK, "", "")
}

func (h *incPages) renderTicket(w http.ResponseWriter, r *http.Request, code int, problem, body string) {
	id, err := ticketID(r)
	if err != nil {
		h.failPage(w, r, err)
		return
	}
	th, err := h.d.Support.Thread(r.Context(), id)
	if err != nil {
		h.failPage(w, r, err)
		return
	}
	view := ticketPageView{Thread: th, Statuses: support.Statuses, Priorities: support.Priorities,
		Done: doneKey(r.URL.Query().Get("done")), Problem: problem, Body: body}
	if viewerOf(r).Can(string(auth.PermTicketsWrite)) {
		if view.Staff, err = h.ticketStaff(r); err != nil {
			h.failPage(w, r, err)
			return
		}
	}
	h.renderPage(w, r, code, "console_ticket", h.text(viewerOf(r).Lang, "ConsoleIncTicketTitle"), view)
}

// replyTicket answers the ticket (as the API's POST …/replies), or adds a
// staff note with internal (as POST …/notes).
func (h *incPages) replyTicket(w http.ResponseWriter, r *http.Request) {
	id, err := ticketID(r)
	if err != nil {
		h.failPage(w, r, err)
		return
	}
	body := r.PostFormValue("body")
	if r.PostFormValue("internal") != "" {
		_, err = h.d.Support.Note(r.Context(), id, pageActor(r), body, nil)
	} else {
		var to support.Status
		if s := strings.TrimSpace(r.PostFormValue("status")); s != "" {
			to, err = support.ParseStatus("status", s)
		}
		if err == nil {
			_, err = h.d.Support.StaffReply(r.Context(), id, pageActor(r), body, nil, to)
		}
	}
	h.afterTicket(w, r, id, "reply", err, body)
}

// changeTicket moves the ticket to another status (as the API's PATCH).
func (h *incPages) changeTicket(w http.ResponseWriter, r *http.Request) {
	id, err := ticketID(r)
	if err != nil {
		h.failPage(w, r, err)
		return
	}
	st, err := support.ParseStatus("status", strings.TrimSpace(r.PostFormValue("status")))
	if err == nil {
		_, err = h.d.Support.Change(r.Context(), id, pageActor(r), support.Change{Status: &st})
	}
	h.afterTicket(w, r, id, "ticket-status", err, "")
}

func (h *incPages) afterTicket(w http.ResponseWriter, r *http.Request, id int64, done string, err error, body string) {
	if err != nil {
		msg, ok := problemText(err)
		if !ok {
			h.failPage(w, r, err)
			return
		}
		h.renderTicket(w, r, http.StatusUnprocessableEntity, msg, body)
		return
	}
	http.Redirect(w, r, "/staff/tickets/"+strconv.FormatInt(id, 10)+"?done="+done, http.StatusSeeOther)
}

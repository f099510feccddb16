package web

import (
	"github.com/vigie/vigie/internal/auth"
)

// supportRoutes registers support tickets: the staff API under /api/v1.
func (s *Server) supportRoutes(rt *router) {
	h := &supportAPI{responder: s.responder, tickets: s.d.Support, now: s.d.Now}
	read, write := needs(auth.PermTicketsRead), needs(auth.PermTicketsWrite)
	rt.handle("GET /api/v1/tickets", read, classAPI, doc{summary: "List support tickets, newest first, a page at a time",
		query: []string{"status: only these statuses, comma-separated (open, waiting, resolved, closed)",
			"assignee: only this staff member's (an e-mail), or none for those no one took", "customer: only this customer's",
			"incident: only those linked to this incident", "before: the cursor: the last id of the previous page",
			"limit: at most this many (default 100, at most 500)"}}, h.listTickets)
	rt.handle("GET /api/v1/tickets/{id}", read, classAPI, doc{summary: "Show a ticket with its whole thread, staff notes included, its attachments and linked incidents"}, h.showTicket)
	rt.handle("PATCH /api/v1/tickets/{id}", write, classAPI, doc{summary: "Change a ticket's status, priority or assignee (noted in its thread for staff)", body: ticketEditForm{}}, h.editTicket)
	rt.handle("POST /api/v1/tickets/{id}/replies", write, classAPI, doc{summary: "Answer a ticket; the customer's contacts are mailed, and an open ticket then waits on the customer unless status says otherwise", body: ticketReplyForm{}}, h.replyTicket)
	rt.handle("POST /api/v1/tickets/{id}/notes", write, classAPI, doc{summary: "Add a staff note to a ticket: never shown to the customer nor mailed", body: ticketNoteForm{}}, h.noteTicket)
	rt.handle("GET /api/v1/tickets/{id}/attachments/{file}", read, classAPI, doc{summary: "Download a ticket's attachment (always as a download, under its sniffed type)"}, h.showTicketAttachment)
	rt.handle("POST /api/v1/incidents/{id}/tickets/resolve", write, classAPI, doc{summary: "Resolve together the open and waiting tickets linked to an incident"}, h.resolveIncidentTickets)
	rt.handle("GET /api/v1/support/stats", read, classAPI, doc{summary: "Tickets by status; over a period, tickets opened and linked to incidents, deflections (customers who followed a known incident instead of writing), tickets sent anyway, and incidents a customer reported first",
		query: []string{"from: RFC 3339 time (default 90 days before to)", "to: RFC 3339 time (default now)"}}, h.showSupportStats)
}

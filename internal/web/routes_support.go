package web

import (
	"github.com/vigie/vigie/internal/auth"
)

// supportRoutes registers support tickets: the staff API under /api/v1,
// and the customer's pages under /account/tickets.
func (s *Server) supportRoutes(rt *router) {
	surface := rt.surface
	defer func() { rt.surface = surface }()
	h := &supportAPI{responder: s.responder, tickets: s.d.Support, now: s.d.Now}
	read, write := needs(auth.PermTicketsRead), needs(auth.PermTicketsWrite)
	rt.handle("GET /api/v1/tickets", read, classAPI, doc{summary: "List support tickets, newest first, a page at a time",
		query: []string{"status: only these statuses, comma-separated (open, waiting, resolved, closed)",
			"assignee: only this staff member's (an e-mail), or none for those no one took", "customer: only this customer's",
			"incident: only those linked to this incident", "before: the cursor: the last id of the previous page",
			"limit: at most this many (default 100, at most 500)"}}, h.serve(h.listTickets))
	rt.handle("GET /api/v1/tickets/{id}", read, classAPI, doc{summary: "Show a ticket with its whole thread, staff notes included, its attachments and linked incidents"}, h.serve(h.showTicket))
	rt.handle("PATCH /api/v1/tickets/{id}", write, classAPI, doc{summary: "Change a ticket's status, priority or assignee (noted in its thread for staff)", body: ticketEditForm{}}, h.serve(h.editTicket))
	rt.handle("POST /api/v1/tickets/{id}/replies", write, classAPI, doc{summary: "Answer a ticket; the customer's contacts are mailed, and an open ticket then waits on the customer unless status says otherwise", body: ticketReplyForm{}}, h.serve(h.replyTicket))
	rt.handle("POST /api/v1/tickets/{id}/notes", write, classAPI, doc{summary: "Add a staff note to a ticket: never shown to the customer nor mailed", body: ticketNoteForm{}}, h.serve(h.noteTicket))
	rt.handle("GET /api/v1/tickets/{id}/attachments/{file}", read, classAPI, doc{summary: "Download a ticket's attachment (always as a download, under its sniffed type)"}, h.serve(h.showTicketAttachment))
	rt.handle("POST /api/v1/incidents/{id}/tickets/resolve", write, classAPI, doc{summary: "Resolve together the open and waiting tickets linked to an incident"}, h.serve(h.resolveIncidentTickets))
	rt.handle("GET /api/v1/support/stats", read, classAPI, doc{summary: "Tickets by status; over a period, tickets opened and linked to incidents, deflections (customers who followed a known incident instead of writing), tickets sent anyway, and incidents a customer reported first",
		query: []string{"from: RFC 3339 time (default 90 days before to)", "to: RFC 3339 time (default now)"}}, h.serve(h.showSupportStats))

	if s.d.Sessions == nil {
		return
	}
	rt.surface = "customer"
	p := &supportPages{s: s, tickets: s.d.Support, incidents: s.d.Incidents, status: s.d.Status}
	upload := customerArea.withBody(uploadBody)
	rt.handle("GET /account/tickets", customerArea, classAPI, doc{summary: "The customer's support requests",
		query: []string{"followed: 1 after choosing to follow a known maintenance"}}, p.page(p.list))
	rt.handle("GET /account/tickets/new", customerArea, classAPI, doc{summary: "A new support request: the asset first, then what is already known on it, then the form",
		query: []string{"asset: one of the customer's assets, or - for none", "write: 1 to write although something is known on the asset"}}, p.page(p.newTicket))
	rt.handle("POST /account/tickets", upload, classImport, doc{summary: "Send a new support request (a form, with attachments)"}, p.page(p.create))
	rt.handle("POST /account/tickets/follow", customerArea, classAPI, doc{summary: "Follow what is known on an asset instead of writing (counted as a deflection)"}, p.page(p.follow))
	rt.handle("GET /account/tickets/{id}", customerArea, classAPI, doc{summary: "One of the customer's support requests with its thread and the reply form",
		query: []string{"sent: 1 just after sending it", "replied: 1 just after replying"}}, p.page(p.show))
	rt.handle("POST /account/tickets/{id}/replies", upload, classImport, doc{summary: "Reply to one of the customer's support requests (a form, with attachments)"}, p.page(p.reply))
	rt.handle("GET /account/tickets/{id}/attachments/{file}", customerArea, classAPI, doc{summary: "Download an attachment of one of the customer's support requests"}, p.page(p.attachment))
}

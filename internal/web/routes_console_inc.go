package web

import (
	"github.com/vigie/vigie/internal/auth"
)

// consoleIncidentRoutes registers the staff console's incident pages: the
// list, one incident with its actions, its affected customers as CSV, the
// post-mortem editor, and the small page of a linked support ticket. Every
// action calls the service the JSON API calls.
func (s *Server) consoleIncidentRoutes(rt *router) {
	if s.d.Sessions == nil || s.d.Incidents == nil {
		return
	}
	surface := rt.surface
	defer func() { rt.surface = surface }()
	rt.surface = "staff pages"
	h := &incPages{Server: s}
	read, act := staffPage(auth.PermRead), staffPage(auth.PermIncidents)
	pm := staffPage(auth.PermPostMortems)
	rt.handle("GET /staff/incidents", read, classAPI, doc{summary: "The incidents: open ones first, then the recent ones, with scope, severity, roles and age",
		query: []string{"state: open, resolved or all (default: open, then the last resolved)"}}, h.showList)
	rt.handle("GET /staff/incidents/{id}", read, classAPI, doc{summary: "One incident: timeline, roles, status, severity, hold, public updates, affected customers and sites, merged incidents, linked tickets",
		query: []string{"q: only the affected customers and sites matching this", "done: what was just done"}}, h.showIncident)
	rt.handle("GET /staff/incidents/{id}/affected.csv", read, classAPI, doc{summary: "The customers and sites an incident affects as a spreadsheet-safe CSV file",
		query: []string{"q: only those matching this"}}, h.exportAffected)
	for _, a := range incActions {
		rt.handle("POST /staff/incidents/{id}/"+a.path, act, classAPI, doc{summary: a.summary}, h.act(a))
	}
	rt.handle("POST /staff/incidents/{id}/title", act, classAPI, doc{summary: titleAction.summary}, h.act(titleAction))
	rt.handle("POST /staff/incidents/{id}/updates/{update}", act, classAPI, doc{summary: "Change the texts of a sent public update in French and English (not its status)"}, h.editUpdate)
	rt.handle("POST /staff/incidents/{id}/components/{component}", act, classAPI, doc{summary: "Set a public component's status during the incident (auto gives back the computed one)"}, h.setComponent)
	rt.handle("POST /staff/incidents/{id}/notes", act, classAPI, doc{summary: "Add a note to the timeline, internal or public"}, h.addNote)
	rt.handle("POST /staff/incidents/{id}/updates/preview", act, classAPI, doc{summary: "Show what each channel would send for a public update, in French and English; nothing is sent or stored"}, h.previewUpdate)
	rt.handle("POST /staff/incidents/{id}/updates", act, classAPI, doc{summary: "Post a public update in French and English"}, h.postUpdate)
	rt.handle("GET /staff/incidents/{id}/postmortem", read, classAPI, doc{summary: "The post-mortem editor: its Markdown sections, a preview, review and publication",
		query: []string{"done: what was just done"}}, h.showPostMortem)
	rt.handle("POST /staff/incidents/{id}/postmortem", pm, classAPI, doc{summary: "Save the post-mortem's sections, or (do=preview) show them rendered without saving"}, h.savePostMortem)
	rt.handle("POST /staff/incidents/{id}/postmortem/state", pm, classAPI, doc{summary: "Move the post-mortem to review, back to draft, publish it, make it public or hide it"}, h.changePostMortemState)
	if s.d.Support == nil {
		return
	}
	tickets := staffPage(auth.PermTicketsWrite)
	rt.handle("POST /staff/incidents/{id}/tickets/resolve", tickets, classAPI, doc{summary: "Resolve together the open and waiting tickets linked to an incident"}, h.resolveTickets)
	rt.handle("GET /staff/tickets", staffPage(auth.PermTicketsRead), classAPI, doc{summary: "The support tickets, the last changed first, a page at a time, with filters",
		query: []string{"status: open, waiting, resolved, closed or all (default all)", "assignee: me, unassigned or anyone (default anyone)",
			"customer: only this customer's (an id)", "asset: only those about this asset", "incident: only those linked to this incident",
			"page: the page, from 1"}}, h.showTickets)
	rt.handle("GET /staff/tickets/{id}", staffPage(auth.PermTicketsRead), classAPI, doc{summary: "A support ticket: its thread with staff notes, a reply form and its status",
		query: []string{"done: what was just done"}}, h.showTicket)
	rt.handle("POST /staff/tickets/{id}/replies", tickets, classAPI, doc{summary: "Answer a ticket (or, with internal, add a staff note)"}, h.replyTicket)
	rt.handle("POST /staff/tickets/{id}/status", tickets, classAPI, doc{summary: "Change a ticket's status"}, h.changeTicket)
	rt.handle("POST /staff/tickets/{id}/assignee", tickets, classAPI, doc{summary: "Give a ticket to a staff member (take: to oneself; an empty assignee: to no one)"}, h.assignTicket)
	rt.handle("POST /staff/tickets/{id}/priority", tickets, classAPI, doc{summary: "Change a ticket's priority"}, h.prioritizeTicket)
	rt.handle("GET /staff/tickets/{id}/attachments/{file}", staffPage(auth.PermTicketsRead), classAPI, doc{summary: "Download a ticket's attachment (always as a download, under its sniffed type)"}, h.ticketAttachment)
}

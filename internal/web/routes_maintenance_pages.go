package web

import (
	"context"

	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/incident"
)

// maintenancePages are the staff console's maintenance planning: the
// calendar, a window's page, and the planner of a new one. They change
// windows through the same store and form as the API.
type maintenancePages struct {
	*Server
}

// maintenancePageRoutes registers the maintenance pages of the console.
func (s *Server) maintenancePageRoutes(rt *router) {
	if s.d.Sessions == nil || s.d.Maintenance == nil || s.d.Inventory == nil {
		return
	}
	h := &maintenancePages{Server: s}
	read, plan := staffPage(auth.PermRead), staffPage(auth.PermMaintenance)
	form := []string{"asset: an asset under maintenance (repeated)", "q: search asset names by prefix or substring"}
	for _, f := range []string{"title", "title_en", "description", "description_en", "start", "end", "zone", "weekly", "verify"} {
		form = append(form, f+": the window's "+f+" as typed so far")
	}
	rt.surface = "staff pages"
	rt.handle("GET /staff/maintenance", read, classAPI, doc{summary: "The maintenance calendar of a month, in the viewer's zone, and the list of windows",
		query: []string{"month: the month shown, 2026-12 (default this month)"}}, h.showCalendar)
	rt.handle("GET /staff/maintenance/new", plan, classAPI, doc{summary: "Plan a maintenance: pick assets, see their impact, a suggested free night, then preview the notices and save",
		query: form}, h.showNew)
	rt.handle("POST /staff/maintenance/preview", plan, classAPI, doc{summary: "Show the notices each channel would send for a window as typed, in French and English; saves and sends nothing"}, h.previewNew)
	rt.handle("POST /staff/maintenance", plan, classAPI, doc{summary: "Save a new maintenance window (the same checks as POST /api/v1/maintenance)"}, h.saveNew)
	rt.handle("GET /staff/maintenance/{id}", read, classAPI, doc{summary: "A maintenance window: details, impact, notices, edit and cancel forms",
		query: []string{"done: what was just done (created, updated, cancelled)"}}, h.showWindow)
	rt.handle("POST /staff/maintenance/{id}", plan, classAPI, doc{summary: "Change a maintenance window (the same checks as PUT /api/v1/maintenance/{id})"}, h.updateWindow)
	rt.handle("POST /staff/maintenance/{id}/cancel", plan, classAPI, doc{summary: "Cancel a maintenance window (as DELETE /api/v1/maintenance/{id})"}, h.cancelWindow)
	rt.surface = "staff"
}

// night is when maintenance is done, as configured, else 02:00–04:00
// Paris time.
func (h *maintenancePages) night(ctx context.Context) incident.Night {
	if h.d.NightWindow == nil {
		return incident.DefaultNight()
	}
	start, end, zone := h.d.NightWindow(ctx)
	if zone == nil || start == "" || end == "" {
		return incident.DefaultNight()
	}
	return incident.Night{Start: start, End: end, Zone: zone}
}

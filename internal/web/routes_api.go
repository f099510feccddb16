package web

import (
	"time"

	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/detect"
	"github.com/vigie/vigie/internal/heartbeat"
	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/probe"
)

// api is the staff API: what staff and their tools read and change, with
// a user's token.
type api struct {
	responder
	intakeCounter
	inv         *inventory.Service
	auth        *auth.Service
	heartbeats  *heartbeat.Store
	detection   *detect.Store
	compliance  *probe.Compliance
	locations   *probe.LocationStore
	agents      *probe.AgentStore
	incidents   *incident.Store
	maintenance *incident.MaintenanceStore
	postmortems *incident.PostMortemStore
	alerts      *incident.Intake
	digest      incident.DigestSources
	// imports holds one slot per import allowed to run at once.
	imports chan struct{}
	now     func() time.Time
}

// apiRoutes registers the staff API; each route names the permission it
// needs (see auth.Permission for who has which).
func (s *Server) apiRoutes(rt *router) {
	d := s.d
	h := &api{responder: s.responder, intakeCounter: intakeCounter{d.Health}, inv: d.Inventory, auth: d.Auth,
		heartbeats: d.Heartbeats, detection: d.Detection, compliance: d.Compliance, locations: d.Locations, agents: d.Agents, incidents: d.Incidents,
		maintenance: d.Maintenance, postmortems: d.PostMortems, alerts: d.Alerts,
		digest:  incident.DigestSources{Incidents: d.Incidents, Maintenance: d.Maintenance, PostMortems: d.PostMortems, Signals: d.Detection},
		imports: make(chan struct{}, d.MaxImports), now: d.Now}
	read, inv := needs(auth.PermRead), needs(auth.PermInventory)

	// Inventory.
	rt.handle("GET /api/v1/customers", read, classAPI, h.listCustomers)
	rt.handle("POST /api/v1/customers", inv, classAPI, h.createCustomer)
	rt.handle("GET /api/v1/customers/{id}", read, classAPI, h.showCustomer)
	rt.handle("PUT /api/v1/customers/{id}", inv, classAPI, h.updateCustomer)
	rt.handle("DELETE /api/v1/customers/{id}", inv, classAPI, h.deleteCustomer)
	rt.handle("GET /api/v1/assets", read, classAPI, h.listAssets)
	rt.handle("POST /api/v1/assets", inv, classAPI, h.createAsset)
	rt.handle("GET /api/v1/assets/{name}", read, classAPI, h.showAsset)
	rt.handle("PUT /api/v1/assets/{name}", inv, classAPI, h.updateAsset)
	rt.handle("DELETE /api/v1/assets/{name}", inv, classAPI, h.deleteAsset)
	rt.handle("GET /api/v1/assets/{name}/impact", read, classAPI, h.showImpact)
	rt.handle("GET /api/v1/impact/{name}", read, classAPI, h.showImpact)
	rt.handle("POST /api/v1/import", needs(auth.PermImport), classImport, h.importInventory)

	// Checks.
	rt.handle("GET /api/v1/checks", read, classAPI, h.listChecks)
	rt.handle("POST /api/v1/checks", inv, classAPI, h.createCheck)
	rt.handle("GET /api/v1/checks/{asset}/{name}", read, classAPI, h.showCheck)
	rt.handle("PUT /api/v1/checks/{asset}/{name}", inv, classAPI, h.updateCheck)
	rt.handle("DELETE /api/v1/checks/{asset}/{name}", inv, classAPI, h.deleteCheck)
	rt.handle("POST /api/v1/checks/{asset}/{name}/token", inv, classAPI, h.rotateHeartbeatToken)
	rt.handle("GET /api/v1/checks/{asset}/{name}/uptime", read, classAPI, h.showUptime)
	rt.handle("GET /api/v1/checks/{asset}/{name}/latency", read, classAPI, h.showLatency)

	// Detection.
	rt.handle("GET /api/v1/signals", read, classAPI, h.listSignals)
	rt.handle("GET /api/v1/states", read, classAPI, h.listStates)
	rt.handle("GET /api/v1/compliance", read, classAPI, h.listCompliance)
	rt.handle("POST /api/v1/alertmanager", needs(auth.PermAlerts), classIntake, h.receiveAlertmanager)

	// Incidents.
	rt.handle("GET /api/v1/incidents", read, classAPI, h.listIncidents)
	rt.handle("POST /api/v1/incidents", needs(auth.PermIncidents), classAPI, h.openIncident)
	rt.handle("GET /api/v1/incidents/stats", read, classAPI, h.showIncidentStats)
	rt.handle("GET /api/v1/incidents/{id}", read, classAPI, h.showIncident)
	rt.handle("PATCH /api/v1/incidents/{id}", needs(auth.PermIncidents), classAPI, h.editIncident)
	rt.handle("POST /api/v1/incidents/{id}/events", needs(auth.PermIncidents), classAPI, h.addIncidentEvent)
	rt.handle("GET /api/v1/digest", read, classAPI, h.showDigest)

	// Post-mortems.
	rt.handle("GET /api/v1/incidents/{id}/postmortem", read, classAPI, h.showPostMortem)
	rt.handle("PUT /api/v1/incidents/{id}/postmortem", needs(auth.PermPostMortems), classAPI, h.savePostMortem)
	rt.handle("POST /api/v1/incidents/{id}/postmortem/state", needs(auth.PermPostMortems), classAPI, h.changePostMortemState)
	rt.handle("GET /api/v1/postmortems/pending", read, classAPI, h.listPendingPostMortems)

	// Maintenance.
	rt.handle("GET /api/v1/maintenance", read, classAPI, h.listMaintenance)
	rt.handle("POST /api/v1/maintenance", needs(auth.PermMaintenance), classAPI, h.createMaintenance)
	rt.handle("GET /api/v1/maintenance/{id}", read, classAPI, h.showMaintenance)
	rt.handle("PUT /api/v1/maintenance/{id}", needs(auth.PermMaintenance), classAPI, h.updateMaintenance)
	rt.handle("DELETE /api/v1/maintenance/{id}", needs(auth.PermMaintenance), classAPI, h.deleteMaintenance)

	// Users and their tokens.
	rt.handle("GET /api/v1/me", read, classAPI, h.showMe)
	users := needs(auth.PermUsers)
	rt.handle("GET /api/v1/users", users, classAPI, h.listUsers)
	rt.handle("POST /api/v1/users", users, classAPI, h.createUser)
	rt.handle("GET /api/v1/users/{email}", users, classAPI, h.showUser)
	rt.handle("PATCH /api/v1/users/{email}", users, classAPI, h.editUser)
	rt.handle("DELETE /api/v1/users/{email}", users, classAPI, h.deleteUser)
	rt.handle("GET /api/v1/users/{email}/tokens", users, classAPI, h.listTokens)
	rt.handle("POST /api/v1/users/{email}/tokens", users, classAPI, h.createToken)
	rt.handle("DELETE /api/v1/users/{email}/tokens/{name}", users, classAPI, h.revokeToken)

	// Probe locations and host agents, with their tokens.
	machines := needs(auth.PermLocations)
	rt.handle("GET /api/v1/locations", read, classAPI, h.listLocations)
	rt.handle("POST /api/v1/locations", machines, classAPI, h.createLocation)
	rt.handle("POST /api/v1/locations/{name}/token", machines, classAPI, h.rotateLocation)
	rt.handle("DELETE /api/v1/locations/{name}", machines, classAPI, h.revokeLocation)
	rt.handle("GET /api/v1/agents", read, classAPI, h.listAgents)
	rt.handle("POST /api/v1/agents", machines, classAPI, h.createAgent)
	rt.handle("POST /api/v1/agents/{asset}/token", machines, classAPI, h.rotateAgent)
	rt.handle("DELETE /api/v1/agents/{asset}", machines, classAPI, h.removeAgent)
}

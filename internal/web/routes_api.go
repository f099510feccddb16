package web

import (
	"time"

	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/detect"
	"github.com/vigie/vigie/internal/heartbeat"
	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/notify"
	"github.com/vigie/vigie/internal/probe"
	"github.com/vigie/vigie/internal/status"
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
	members     *probe.MemberStore
	agents      *probe.AgentStore
	incidents   *incident.Store
	maintenance *incident.MaintenanceStore
	postmortems *incident.PostMortemStore
	alerts      *incident.Intake
	digest      incident.DigestSources
	// statusTokens keeps customers' secret status URLs; publicURL is the
	// status page's address.
	statusTokens *status.TokenStore
	publicURL    string
	// status builds a customer's page, which their overview repeats.
	status *status.Publisher
	// notify keeps channels and messages; notifyTest sends a test message.
	notify     *notify.Store
	notifyTest notifyTester
	// imports holds one slot per import allowed to run at once.
	imports chan struct{}
	now     func() time.Time
}

// apiRoutes registers the staff API; each route names the permission it
// needs (see auth.Permission for who has which).
func (s *Server) apiRoutes(rt *router) {
	d := s.d
	h := &api{responder: s.responder, intakeCounter: intakeCounter{d.Health}, inv: d.Inventory, auth: d.Auth,
		heartbeats: d.Heartbeats, detection: d.Detection, compliance: d.Compliance, locations: d.Locations, members: d.Members, agents: d.Agents, incidents: d.Incidents,
		maintenance: d.Maintenance, postmortems: d.PostMortems, alerts: d.Alerts,
		digest:  incident.DigestSources{Incidents: d.Incidents, Maintenance: d.Maintenance, PostMortems: d.PostMortems, Signals: d.Detection},
		imports: make(chan struct{}, d.MaxImports), now: d.Now, statusTokens: d.StatusTokens, publicURL: d.PublicURL, status: d.Status,
		notify: d.Notify, notifyTest: d.NotifyTest}
	read, inv := needs(auth.PermRead), needs(auth.PermInventory)

	// Inventory.
	rt.handle("GET /api/v1/customers", read, classAPI, doc{summary: "List customers by id, a page at a time", query: []string{"prefix: ids starting with this", "after: the cursor: the last id of the previous page", "limit: at most this many (default 100)"}}, h.listCustomers)
	rt.handle("POST /api/v1/customers", inv, classAPI, doc{summary: "Create a customer", body: inventory.Customer{}}, h.createCustomer)
	rt.handle("GET /api/v1/customers/{id}", read, classAPI, doc{summary: "Show a customer"}, h.showCustomer)
	rt.handle("PUT /api/v1/customers/{id}", inv, classAPI, doc{summary: "Replace a customer", body: inventory.Customer{}}, h.updateCustomer)
	rt.handle("DELETE /api/v1/customers/{id}", inv, classAPI, doc{summary: "Delete a customer (refused while assets are theirs)"}, h.deleteCustomer)
	rt.handle("POST /api/v1/customers/{id}/status-url", inv, classAPI, doc{summary: "Give a customer a new secret URL of their own status page, feeds and calendar (shown once; the old one stops working)"}, h.issueStatusURL)
	rt.handle("GET /api/v1/customers/{id}/status-url", read, classAPI, doc{summary: "Whether a customer has a secret status URL, and since when (never the secret)"}, h.showStatusURL)
	rt.handle("DELETE /api/v1/customers/{id}/status-url", inv, classAPI, doc{summary: "Revoke a customer's secret status URL"}, h.revokeStatusURL)
	rt.handle("GET /api/v1/customers/{id}/overview", needs(auth.PermOverview), classAPI, doc{summary: "A customer's overview for a host's own panel: their assets' states, the open incidents and the maintenance touching them (public texts, their sites only), their backups (last ping, last good run, restore points, staleness)"}, h.showOverview)
	rt.handle("GET /api/v1/assets", read, classAPI, doc{summary: "List assets by name, a page at a time", query: []string{"kind: only this kind", "owner: only this customer's", "prefix: names starting with this", "label: only those with this label, k=v", "after: the cursor: the last name of the previous page", "limit: at most this many (default 100)"}}, h.listAssets)
	rt.handle("POST /api/v1/assets", inv, classAPI, doc{summary: "Create an asset", body: inventory.Asset{}}, h.createAsset)
	rt.handle("GET /api/v1/assets/{name}", read, classAPI, doc{summary: "Show an asset"}, h.showAsset)
	rt.handle("PUT /api/v1/assets/{name}", inv, classAPI, doc{summary: "Replace an asset", body: inventory.Asset{}}, h.updateAsset)
	rt.handle("DELETE /api/v1/assets/{name}", inv, classAPI, doc{summary: "Delete an asset (refused while others depend on it)"}, h.deleteAsset)
	rt.handle("GET /api/v1/assets/{name}/impact", read, classAPI, doc{summary: "What depends on an asset: assets, sites and customers"}, h.showImpact)
	rt.handle("GET /api/v1/impact/{name}", read, classAPI, doc{summary: "What depends on an asset (the same as /assets/{name}/impact)"}, h.showImpact)
	rt.handle("POST /api/v1/import", needs(auth.PermImport), classImport, doc{summary: "Import inventory files (YAML or CSV): one as the body, or several as multipart/form-data", query: []string{"dry_run: true to only say what would change", "prune: true to delete what the files do not name", "name: the file name used in messages"}, rawBody: "application/yaml"}, h.importInventory)

	// Public components.
	rt.handle("GET /api/v1/components", read, classAPI, doc{summary: "List the public components in their order, each with its id"}, h.listComponents)
	rt.handle("POST /api/v1/components", inv, classAPI, doc{summary: "Add a public component, placed last (its id comes from its name)", body: inventory.Component{}}, h.createComponent)
	rt.handle("GET /api/v1/components/{id}", read, classAPI, doc{summary: "Show a public component with the names of the assets it covers"}, h.showComponent)
	rt.handle("PUT /api/v1/components/{id}", inv, classAPI, doc{summary: "Replace a public component in its place (its name must give the same id)", body: inventory.Component{}}, h.updateComponent)
	rt.handle("DELETE /api/v1/components/{id}", inv, classAPI, doc{summary: "Delete a public component"}, h.deleteComponent)

	// Checks.
	rt.handle("GET /api/v1/checks", read, classAPI, doc{summary: "List the declared checks, or every check the inventory implies, by asset then name, a page at a time (next and a Link header name the next page) or streamed (format=ndjson)", query: checksQuery}, h.listChecks)
	rt.handle("POST /api/v1/checks", inv, classAPI, doc{summary: "Declare a check", body: check.Check{}}, h.createCheck)
	rt.handle("GET /api/v1/checks/{asset}/{name}", read, classAPI, doc{summary: "Show a check (secrets show as \"(secret)\")"}, h.showCheck)
	rt.handle("PUT /api/v1/checks/{asset}/{name}", inv, classAPI, doc{summary: "Replace a check (\"(secret)\" keeps a stored secret)", body: check.Check{}}, h.updateCheck)
	rt.handle("DELETE /api/v1/checks/{asset}/{name}", inv, classAPI, doc{summary: "Delete a check (its heartbeat token dies with it)"}, h.deleteCheck)
	rt.handle("POST /api/v1/checks/{asset}/{name}/token", inv, classAPI, doc{summary: "Give a heartbeat check a new token, shown once"}, h.rotateHeartbeatToken)
	rt.handle("GET /api/v1/checks/{asset}/{name}/uptime", read, classAPI, doc{summary: "Uptime of a check over 24 h, 7 d, 30 d and 90 d"}, h.showUptime)
	rt.handle("GET /api/v1/checks/{asset}/{name}/latency", read, classAPI, doc{summary: "Latency series of a check", query: []string{"period: minute, hour or day", "since: RFC 3339 time", "until: RFC 3339 time"}}, h.showLatency)

	// Detection.
	rt.handle("GET /api/v1/signals", read, classAPI, doc{summary: "Confirmed state changes, newest first, a page at a time (next and a Link header name the next page) or streamed (format=ndjson)", query: signalsQuery}, h.listSignals)
	rt.handle("GET /api/v1/states", read, classAPI, doc{summary: "The current state of every check, as a whole and per location, by check then location, a page at a time (next and a Link header name the next page) or streamed (format=ndjson)", query: statesQuery}, h.listStates)
	rt.handle("GET /api/v1/compliance", read, classAPI, doc{summary: "Every host's facts and compliance violations"}, h.listCompliance)
	rt.handle("POST /api/v1/alertmanager", needs(auth.PermAlerts), classIntake, doc{summary: "An Alertmanager webhook (version 4)", rawBody: "application/json"}, h.receiveAlertmanager)

	// Incidents.
	rt.handle("GET /api/v1/incidents", read, classAPI, doc{summary: "List incidents, newest first", query: []string{"status: open (default), resolved or all"}}, h.listIncidents)
	rt.handle("POST /api/v1/incidents", needs(auth.PermIncidents), classAPI, doc{summary: "Open an incident by hand on root assets", body: incidentOpenForm{}}, h.openIncident)
	rt.handle("GET /api/v1/incidents/stats", read, classAPI, doc{summary: "Time to detect, acknowledge and resolve", query: []string{"from: RFC 3339 time (default 90 days before to)", "to: RFC 3339 time (default now)"}}, h.showIncidentStats)
	rt.handle("GET /api/v1/incidents/{id}", read, classAPI, doc{summary: "Show an incident with its timeline"}, h.showIncident)
	rt.handle("PATCH /api/v1/incidents/{id}", needs(auth.PermIncidents), classAPI, doc{summary: "Change an incident: status, severity, roles, hold, scope", body: incidentEditForm{}}, h.editIncident)
	rt.handle("POST /api/v1/incidents/{id}/events", needs(auth.PermIncidents), classAPI, doc{summary: "Add a note to an incident's timeline", body: noteForm{}}, h.addIncidentEvent)
	rt.handle("GET /api/v1/digest", read, classAPI, doc{summary: "What happened since, in the reader's time zone", query: []string{"since: RFC 3339 time (default a day ago)", "tz: IANA zone (default the user's)"}}, h.showDigest)

	// Public updates.
	rt.handle("GET /api/v1/incidents/{id}/updates", read, classAPI, doc{summary: "List an incident's public updates, oldest first"}, h.listUpdates)
	rt.handle("POST /api/v1/incidents/{id}/updates", needs(auth.PermIncidents), classAPI, doc{summary: "Add a public update in French and English; a new status moves the incident and the update gives that change's text", body: updateForm{}}, h.addUpdate)
	rt.handle("PUT /api/v1/incidents/{id}/updates/{update}", needs(auth.PermIncidents), classAPI, doc{summary: "Change the texts of a public update (not its status)", body: updateEditForm{}}, h.editUpdate)
	rt.handle("GET /api/v1/incidents/{id}/components", read, classAPI, doc{summary: "List the component statuses staff set during an incident"}, h.listIncidentComponents)
	rt.handle("PUT /api/v1/incidents/{id}/components/{component}", needs(auth.PermIncidents), classAPI, doc{summary: "Set a component's public status during an incident (\"auto\" gives back the computed one)", body: componentForm{}}, h.setComponent)

	// Post-mortems.
	rt.handle("GET /api/v1/incidents/{id}/postmortem", read, classAPI, doc{summary: "Show a post-mortem as JSON, Markdown or HTML", query: []string{"format: json (default), markdown or html", "tz: IANA zone of the times (default Europe/Paris)"}}, h.showPostMortem)
	rt.handle("PUT /api/v1/incidents/{id}/postmortem", needs(auth.PermPostMortems), classAPI, doc{summary: "Write a post-mortem's sections and actions", query: []string{"tz: IANA zone of the times in the answer"}, body: postmortemForm{}}, h.savePostMortem)
	rt.handle("POST /api/v1/incidents/{id}/postmortem/state", needs(auth.PermPostMortems), classAPI, doc{summary: "Move a post-mortem to review or publish it, make it public or hide it", query: []string{"tz: IANA zone of the times in the answer"}, body: postmortemStateForm{}}, h.changePostMortemState)
	rt.handle("GET /api/v1/postmortems/pending", read, classAPI, doc{summary: "Incidents whose post-mortem is still to publish", query: []string{"tz: IANA zone of the times (default Europe/Paris)"}}, h.listPendingPostMortems)

	// Maintenance.
	rt.handle("GET /api/v1/maintenance", read, classAPI, doc{summary: "List maintenance windows with their state"}, h.listMaintenance)
	rt.handle("POST /api/v1/maintenance", needs(auth.PermMaintenance), classAPI, doc{summary: "Plan a maintenance window (local times in an explicit zone; sequence, cancelled and updated_at are read-only, refused)", body: maintenanceForm{}}, h.createMaintenance)
	rt.handle("GET /api/v1/maintenance/{id}", read, classAPI, doc{summary: "Show a maintenance window"}, h.showMaintenance)
	rt.handle("PUT /api/v1/maintenance/{id}", needs(auth.PermMaintenance), classAPI, doc{summary: "Change a maintenance window, counted in its sequence (sequence, cancelled and updated_at are read-only, refused)", body: maintenanceForm{}}, h.updateMaintenance)
	rt.handle("DELETE /api/v1/maintenance/{id}", needs(auth.PermMaintenance), classAPI, doc{summary: "Cancel a maintenance window"}, h.deleteMaintenance)

	// Notification channels (their secrets are write-only) and messages.
	settings := needs(auth.PermSettings)
	rt.handle("GET /api/v1/channels", settings, classAPI, doc{summary: "List notification channels (secrets never shown: secret_set says whether there is one)"}, h.listChannels)
	rt.handle("POST /api/v1/channels", settings, classAPI, doc{summary: "Add a notification channel; its secret is write-only", body: channelForm{}}, h.createChannel)
	rt.handle("GET /api/v1/channels/{id}", settings, classAPI, doc{summary: "Show a notification channel (never its secret)"}, h.showChannel)
	rt.handle("PUT /api/v1/channels/{id}", settings, classAPI, doc{summary: "Replace a notification channel (an empty or missing secret keeps the stored one; the kind cannot change)", body: channelForm{}}, h.updateChannel)
	rt.handle("DELETE /api/v1/channels/{id}", settings, classAPI, doc{summary: "Remove a notification channel; its unsent messages go to the dead letters"}, h.deleteChannel)
	rt.handle("POST /api/v1/channels/{id}/test", settings, classAPI, doc{summary: "Send a test message on a channel, to an e-mail address, a customer id, or the channel's own room", body: channelTestForm{}}, h.testChannel)
	notifications := needs(auth.PermIncidents)
	rt.handle("GET /api/v1/notifications", notifications, classAPI, doc{summary: "List notification messages, oldest first", query: []string{"state: pending, sending, sent or dead (the dead letters)", "channel: only this channel's", "incident: only this incident's", "after: the cursor: the last id of the previous page", "limit: at most this many (default 100, at most 1000)"}}, h.listNotifications)
	rt.handle("POST /api/v1/notifications/{id}/resend", notifications, classAPI, doc{summary: "Send a dead or sent message again, now, with the same idempotency key"}, h.resendNotification)
	rt.handle("POST /api/v1/notifications/resend", notifications, classAPI, doc{summary: "Send every dead message again, now", query: []string{"state: dead (the only one resent in bulk)", "channel: only this channel's", "incident: only this incident's"}}, h.resendNotifications)

	// Users and their tokens.
	rt.handle("GET /api/v1/me", read, classAPI, doc{summary: "Who the caller is: user, token, role, scopes and permissions"}, h.showMe)
	users := needs(auth.PermUsers)
	rt.handle("GET /api/v1/users", users, classAPI, doc{summary: "List users"}, h.listUsers)
	rt.handle("POST /api/v1/users", users, classAPI, doc{summary: "Add a user (without a password, one is generated and shown once)", body: userForm{}}, h.createUser)
	rt.handle("GET /api/v1/users/{email}", users, classAPI, doc{summary: "Show a user"}, h.showUser)
	rt.handle("PATCH /api/v1/users/{email}", users, classAPI, doc{summary: "Change a user's role, disable or enable them", body: userEditForm{}}, h.editUser)
	rt.handle("DELETE /api/v1/users/{email}", users, classAPI, doc{summary: "Remove a user and their tokens"}, h.deleteUser)
	rt.handle("GET /api/v1/users/{email}/tokens", users, classAPI, doc{summary: "List a user's tokens (never their secrets)"}, h.listTokens)
	rt.handle("POST /api/v1/users/{email}/tokens", users, classAPI, doc{summary: "Create a token for a user, its secret shown once", body: tokenForm{}}, h.createToken)
	rt.handle("DELETE /api/v1/users/{email}/tokens/{name}", users, classAPI, doc{summary: "Revoke a token (every server refuses it within 2 s)"}, h.revokeToken)

	// Probe locations and host agents, with their tokens.
	machines := needs(auth.PermLocations)
	rt.handle("GET /api/v1/locations", read, classAPI, doc{summary: "List remote probe locations"}, h.listLocations)
	rt.handle("POST /api/v1/locations", machines, classAPI, doc{summary: "Add a remote probe location, its token shown once", body: locationForm{}}, h.createLocation)
	rt.handle("POST /api/v1/locations/{name}/token", machines, classAPI, doc{summary: "Give a location a new token, shown once"}, h.rotateLocation)
	rt.handle("DELETE /api/v1/locations/{name}", machines, classAPI, doc{summary: "Revoke a location"}, h.revokeLocation)
	rt.handle("GET /api/v1/agents", read, classAPI, doc{summary: "List host agents"}, h.listAgents)
	rt.handle("POST /api/v1/agents", machines, classAPI, doc{summary: "Add the agent of an asset, its token shown once", body: agentForm{}}, h.createAgent)
	rt.handle("POST /api/v1/agents/{asset}/token", machines, classAPI, doc{summary: "Give an agent a new token, shown once"}, h.rotateAgent)
	rt.handle("DELETE /api/v1/agents/{asset}", machines, classAPI, doc{summary: "Remove an agent"}, h.removeAgent)
}

package auth

import (
	"slices"
	"strings"
)

// Permission is one thing a request may need to be allowed to do. Every
// route of the staff API names the one permission it needs where it is
// registered; the tables below are the only place that says who has it.
type Permission string

// The permissions of the staff API.
const (
	// PermRead reads everything: inventory, checks (secrets shown only as
	// set or not set), signals, states, incidents, maintenance, reports.
	PermRead Permission = "read"
	// PermIncidents runs incidents: open, edit, note, merge, hold, silence.
	PermIncidents Permission = "incidents"
	// PermMaintenance plans, changes and cancels maintenance windows.
	PermMaintenance Permission = "maintenance"
	// PermPostMortems writes, reviews and publishes post-mortems.
	PermPostMortems Permission = "postmortems"
	// PermAlerts posts Alertmanager webhooks.
	PermAlerts Permission = "alerts"
	// PermInventory writes customers, assets and checks, and rotates
	// heartbeat tokens.
	PermInventory Permission = "inventory"
	// PermImport replaces the inventory from files (import, prune).
	PermImport Permission = "import"
	// PermUsers manages users and every user's tokens.
	PermUsers Permission = "users"
	// PermLocations manages probe locations and host agents.
	PermLocations Permission = "locations"
	// PermRules manages detection and compliance rules.
	PermRules Permission = "rules"
	// PermSettings changes server settings.
	PermSettings Permission = "settings"
	// PermOverview reads one customer's overview (their assets' states,
	// incidents, maintenance and backups), for a host's customer panel:
	// less than PermRead, which holds it too.
	PermOverview Permission = "overview"
	// PermAudit reads the audit log (who did what, when, from where):
	// admins only, since it names every staff member's actions and
	// addresses.
	PermAudit Permission = "audit:read"
	// PermTicketsRead reads support tickets, staff's notes included, and
	// their attachments and figures.
	PermTicketsRead Permission = "tickets:read"
	// PermTicketsWrite answers tickets, notes, assigns them and moves
	// their status and priority.
	PermTicketsWrite Permission = "tickets:write"
	// PermContacts invites, re-invites and removes customers' contacts,
	// the people who sign in to the customer area (PermRead lists them):
	// like users, admins only, since it opens a customer's data.
	PermContacts Permission = "contacts"
)

// Permissions lists every permission, in a stable order.
var Permissions = []Permission{PermRead, PermIncidents, PermMaintenance, PermPostMortems, PermAlerts,
	PermInventory, PermImport, PermUsers, PermLocations, PermRules, PermSettings, PermOverview, PermAudit,
	PermTicketsRead, PermTicketsWrite, PermContacts}

// RoleViewer reads and changes nothing.
const RoleViewer Role = "viewer"

// Roles lists the roles from the most to the least powerful.
var Roles = []Role{RoleAdmin, RoleStaff, RoleViewer}

// rolePermissions is what each role may do: admins everything; staff read
// everything and run incidents, maintenance, notes, post-mortems and
// silences, but change no inventory, users, tokens, locations, rules or
// settings, and answer support tickets; viewers only read, tickets
// included. Whoever reads may read a customer's overview, which shows
// nothing PermRead does not.
var rolePermissions = map[Role][]Permission{
	RoleAdmin: Permissions,
	RoleStaff: {PermRead, PermOverview, PermIncidents, PermMaintenance, PermPostMortems, PermAlerts,
		PermTicketsRead, PermTicketsWrite},
	RoleViewer: {PermRead, PermOverview, PermTicketsRead},
}

// Scope narrows a token to one job: a token with scopes may do only what
// both its role and one of its scopes allow.
type Scope string

// The token scopes.
const (
	// ScopeAlertmanager may only post Alertmanager webhooks.
	ScopeAlertmanager Scope = "alertmanager"
	// ScopeRead may only read (customers' overviews and tickets included).
	ScopeRead Scope = "read"
	// ScopeImport may only import the inventory.
	ScopeImport Scope = "import"
	// ScopeOverview may only read customers' overviews: the token a host's
	// customer panel keeps on its server.
	ScopeOverview Scope = "overview"
)

// Scopes lists every scope.
var Scopes = []Scope{ScopeAlertmanager, ScopeRead, ScopeImport, ScopeOverview}

var scopePermissions = map[Scope][]Permission{
	ScopeAlertmanager: {PermAlerts},
	ScopeRead:         {PermRead, PermOverview, PermTicketsRead},
	ScopeImport:       {PermImport},
	ScopeOverview:     {PermOverview},
}

// ParseScope returns the scope named s, or an error wrapping ErrInvalid.
func ParseScope(s string) (Scope, error) {
	sc := Scope(strings.TrimSpace(s))
	if _, ok := scopePermissions[sc]; ok {
		return sc, nil
	}
	return "", invalid("scopes", "scope %q is not one of %q", s, Scopes)
}

// RoleAllows reports whether role has permission p.
func RoleAllows(role Role, p Permission) bool {
	return slices.Contains(rolePermissions[role], p)
}

// rank orders roles: a lower rank is more powerful; unknown roles rank last.
func rank(r Role) int {
	if i := slices.Index(Roles, r); i >= 0 {
		return i
	}
	return len(Roles)
}

// Weaker returns the less powerful of two roles.
func Weaker(a, b Role) Role {
	if rank(a) >= rank(b) {
		return a
	}
	return b
}

// Principal is who a request acts as: a user through one of their tokens.
// Role is the weaker of the user's role and the token's; Scopes, when not
// empty, narrow it further.
type Principal struct {
	User
	TokenID   int64
	TokenName string
	Role      Role
	Scopes    []Scope
}

// Can reports whether the principal may do p.
func (p Principal) Can(perm Permission) bool {
	if !RoleAllows(p.Role, perm) {
		return false
	}
	if len(p.Scopes) == 0 {
		return true
	}
	for _, s := range p.Scopes {
		if slices.Contains(scopePermissions[s], perm) {
			return true
		}
	}
	return false
}

package web

import (
	"net/http"

	"github.com/vigie/vigie/internal/auth"
)

// adminPages are the console's administration of people and access:
// staff users, their roles, duty hours and API tokens, probe locations
// and host agents. Each action calls the service its API route calls and
// needs the same permission; every secret made (a password, a token) is
// shown once, on the answer to the form that made it.
type adminPages struct {
	*Server
}

// adminRoutes registers the administration pages under /staff/admin.
func (s *Server) adminRoutes(rt *router) {
	if s.d.Sessions == nil {
		return
	}
	h := &adminPages{Server: s}
	rt.surface = "staff pages"
	defer func() { rt.surface = "staff" }()
	done := []string{"done: what was just done"}
	read, users, machines := staffPage(auth.PermRead), staffPage(auth.PermUsers), staffPage(auth.PermLocations)
	rt.handle("GET /staff/admin", read, classAPI, doc{summary: "The administration's index: the sections the viewer may open"}, h.showIndex)

	rt.handle("GET /staff/admin/users", users, classAPI, doc{summary: "Staff users: role, two-step verification, duty hours (and who a page reaches now), tokens", query: done}, h.showUsers)
	rt.handle("POST /staff/admin/users", users, classAPI, doc{summary: "Add a staff user; the generated password is shown once"}, h.addUser)
	rt.handle("GET /staff/admin/users/{email}", users, classAPI, doc{summary: "One staff user: role, duty hours, state, two-step verification, tokens", query: done}, h.showUser)
	rt.handle("POST /staff/admin/users/{email}/role", users, classAPI, doc{summary: "Give a staff user another role"}, h.setRole)
	rt.handle("POST /staff/admin/users/{email}/duty", users, classAPI, doc{summary: "Set a staff user's duty hours (in their time zone), their zone and whether pages reach them"}, h.setDuty)
	rt.handle("POST /staff/admin/users/{email}/disable", users, classAPI, doc{summary: "Disable a staff user: their sessions end and their tokens are deleted"}, h.disableUser)
	rt.handle("POST /staff/admin/users/{email}/enable", users, classAPI, doc{summary: "Let a disabled staff user sign in again"}, h.enableUser)
	rt.handle("POST /staff/admin/users/{email}/totp/reset", users, classAPI, doc{summary: "Remove a staff user's two-step verification and recovery codes (a lost device): they enrol again"}, h.resetTOTP)
	rt.handle("POST /staff/admin/users/{email}/remove", users, classAPI, doc{summary: "Remove a staff user, their tokens and their sessions"}, h.removeUser)

	rt.handle("GET /staff/admin/tokens", users, classAPI, doc{summary: "Every user's API tokens, with their role and scopes (never their secrets)",
		query: append([]string{"user: the user the new token form starts with"}, done...)}, h.showTokens)
	rt.handle("POST /staff/admin/tokens", users, classAPI, doc{summary: "Create an API token for a user; its secret is shown once"}, h.createToken)
	rt.handle("POST /staff/admin/tokens/{email}/{name}/revoke", users, classAPI, doc{summary: "Revoke an API token (every server refuses it within 2 s)"}, h.revokeToken)

	rt.handle("GET /staff/admin/locations", read, classAPI, doc{summary: "Probe locations with their health, and host agents", query: done}, h.showMachines)
	rt.handle("POST /staff/admin/locations", machines, classAPI, doc{summary: "Add a remote probe location; its token is shown once"}, h.addLocation)
	rt.handle("POST /staff/admin/locations/{name}/token", machines, classAPI, doc{summary: "Give a location a new token, shown once; the old one stops working"}, h.rotateLocation)
	rt.handle("POST /staff/admin/locations/{name}/revoke", machines, classAPI, doc{summary: "Revoke a location: its probe can no longer authenticate"}, h.revokeLocation)
	rt.handle("POST /staff/admin/agents", machines, classAPI, doc{summary: "Add the host agent of an asset; its token is shown once"}, h.addAgent)
	rt.handle("POST /staff/admin/agents/{asset}/token", machines, classAPI, doc{summary: "Give a host agent a new token, shown once; the old one stops working"}, h.rotateAgent)
	rt.handle("POST /staff/admin/agents/{asset}/remove", machines, classAPI, doc{summary: "Remove a host agent: its token stops working"}, h.removeAgent)
}

// adminSection is one link of the administration's index.
type adminSection struct {
	Path, Title, Help string
}

// adminSections are the sections of the administration and the
// permission each needs to open.
var adminSections = []struct {
	perm auth.Permission
	adminSection
}{
	{auth.PermUsers, adminSection{"/staff/admin/users", "ConsoleAdmUsersTitle", "ConsoleAdmUsersHelp"}},
	{auth.PermUsers, adminSection{"/staff/admin/tokens", "ConsoleAdmTokensTitle", "ConsoleAdmTokensHelp"}},
	{auth.PermRead, adminSection{"/staff/admin/locations", "ConsoleAdmMachinesTitle", "ConsoleAdmMachinesHelp"}},
	{auth.PermSettings, adminSection{"/staff/admin/channels", "ConsoleAdmChannelsTitle", "ConsoleAdmChannelsHelp"}},
	{auth.PermIncidents, adminSection{"/staff/notifications", "ConsoleNotifAdmTitle", "ConsoleNotifAdmHelp"}},
	{auth.PermRead, adminSection{"/staff/admin/components", "ConsoleAdmComponentsTitle", "ConsoleAdmComponentsHelp"}},
	{auth.PermRead, adminSection{"/staff/admin/compliance", "ConsoleAdmComplianceTitle", "ConsoleAdmComplianceHelp"}},
	{auth.PermSettings, adminSection{"/staff/admin/settings", "ConsoleAdmSettingsTitle", "ConsoleAdmSettingsHelp"}},
}

func (h *adminPages) showIndex(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	var list []adminSection
	for _, s := range adminSections {
		if v.Principal.Can(s.perm) {
			list = append(list, s.adminSection)
		}
	}
	h.renderPage(w, r, http.StatusOK, "admin_index", h.text(v.Lang, "ConsoleAdmTitle"), list)
}

// formProblem is why a form was refused, for the page that shows it
// again: the field it names (as the form calls it) and what is wrong.
type formProblem struct {
	Field, Message string
}

// problemOf turns the error of a refused action into the status of the
// answer and what to show; ok is false for errors that are not the
// sender's (5xx), which go to the error page.
func problemOf(err error) (status int, p *formProblem, ok bool) {
	e := classify(err)
	if e.Status >= http.StatusInternalServerError {
		return e.Status, nil, false
	}
	p = &formProblem{Message: e.Message}
	if fields, _ := e.Details["fields"].([]map[string]string); len(fields) > 0 {
		p.Field, p.Message = fields[0]["field"], fields[0]["message"]
	}
	return e.Status, p, true
}

// secretView is the answer to a form that made a secret: shown on this
// page only, never in a URL, a log or the audit log.
type secretView struct {
	// Lead is the message id of what was made, For whom or what for.
	Lead, For string
	Secret    string
	// Use is the message id telling how the secret is used.
	Use  string
	Back string
}

// showSecret answers a form that made a secret with the page that shows
// it, once.
func (h *adminPages) showSecret(w http.ResponseWriter, r *http.Request, code int, view secretView) {
	v := viewerOf(r)
	h.renderPage(w, r, code, "admin_secret", h.text(v.Lang, view.Lead), view)
}

// adminFail answers a refused action: the page of the form again, with
// the problem, when the sender can fix it; the error page otherwise.
func (h *adminPages) adminFail(w http.ResponseWriter, r *http.Request, err error, again func(status int, p *formProblem)) {
	status, p, ok := problemOf(err)
	if !ok {
		h.failPage(w, r, err)
		return
	}
	h.log.DebugContext(r.Context(), "admin form refused", "route", routeOf(r), "status", status, "err", err)
	again(status, p)
}

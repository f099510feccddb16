package web

import (
	"net/http"

	"github.com/vigie/vigie/internal/auth"
)

// adminConfigRoutes registers the administration pages of the host's
// configuration: notification channels (with a test send), public
// components, compliance rules and settings. Reading and changing need
// the permissions of the matching API routes.
func (s *Server) adminConfigRoutes(rt *router) {
	h := &adminConfig{staff: &staff{Server: s}}
	rt.handle("GET /api/v1/settings", needs(auth.PermRead), classAPI, doc{summary: "The host's settings in force (night window, settle window, thresholds), their defaults (the flags of vigie serve) and who changed them"}, h.showSettingsAPI)
	rt.handle("PUT /api/v1/settings", needs(auth.PermSettings), classAPI, doc{summary: "Change the settings the body names (durations such as 90s, times HH:MM, an IANA zone); one refused changes nothing", body: settingsForm{}}, h.changeSettingsAPI)
	if s.d.Sessions == nil {
		return
	}
	rt.surface = "staff pages"
	defer func() { rt.surface = "staff" }()
	settingsPerm := staffPage(auth.PermSettings)
	rt.handle("GET /staff/admin/channels", settingsPerm, classAPI, doc{summary: "The notification channels: list, add, test (secrets never shown)", query: []string{"done: what was just done (added, saved, deleted)", "id: the channel it was done to"}}, h.showChannels)
	rt.handle("POST /staff/admin/channels", settingsPerm, classAPI, doc{summary: "Add a notification channel from the form; its secret is write-only"}, h.addChannel)
	rt.handle("GET /staff/admin/channels/{id}", settingsPerm, classAPI, doc{summary: "The notification channels with the form filled with one, to change it"}, h.showChannel)
	rt.handle("POST /staff/admin/channels/{id}", settingsPerm, classAPI, doc{summary: "Change a notification channel (an empty secret keeps the stored one; the kind cannot change)"}, h.saveChannel)
	rt.handle("POST /staff/admin/channels/{id}/delete", settingsPerm, classAPI, doc{summary: "Remove a notification channel; its unsent messages go to the dead letters"}, h.deleteChannel)
	rt.handle("POST /staff/admin/channels/{id}/test", settingsPerm, classAPI, doc{summary: "Send a test message on a channel at once and show how it went"}, h.testChannel)

	inv := staffPage(auth.PermInventory)
	republished := func(next http.HandlerFunc) http.HandlerFunc { return s.republish(next).ServeHTTP }
	rt.handle("GET /staff/admin/components", staffPage(auth.PermRead), classAPI, doc{summary: "The public components of the status page, in order, with the assets each covers", query: []string{"done: what was just done (added, saved, deleted)", "id: the component it was done to"}}, h.showComponents)
	rt.handle("POST /staff/admin/components", inv, classAPI, doc{summary: "Add a public component, placed last"}, republished(h.addComponent))
	rt.handle("GET /staff/admin/components/{id}", inv, classAPI, doc{summary: "The public components with the form filled with one, to change it"}, h.showComponent)
	rt.handle("POST /staff/admin/components/{id}", inv, classAPI, doc{summary: "Change a public component in its place (its name must keep its id)"}, republished(h.saveComponent))
	rt.handle("POST /staff/admin/components/{id}/delete", inv, classAPI, doc{summary: "Delete a public component"}, republished(h.deleteComponent))

	rt.handle("GET /staff/admin/compliance", staffPage(auth.PermRead), classAPI, doc{summary: "The compliance rules in force and the hosts breaking them, the hypervisors' power profile first", query: []string{"done: rules when the rules were just saved", "added: how many rules were added", "changed: how many were changed", "removed: how many were removed"}}, h.showCompliance)
	rt.handle("POST /staff/admin/compliance/rules", staffPage(auth.PermRules), classAPI, doc{summary: "Replace the inventory's compliance rules with a rules section, checked as an import is (line-numbered problems, nothing changed on one)"}, h.saveRules)

	rt.handle("GET /staff/admin/settings", staffPage(auth.PermRead), classAPI, doc{summary: "The host's settings: night window, settle window, thresholds; each with its default and who changed it", query: []string{"done: saved or reset"}}, h.showSettings)
	rt.handle("POST /staff/admin/settings", settingsPerm, classAPI, doc{summary: "Change settings; one refused changes nothing, each problem named by its setting"}, h.saveSettings)
	rt.handle("POST /staff/admin/settings/{name}/reset", settingsPerm, classAPI, doc{summary: "Give a setting back its default, the flag of vigie serve"}, h.resetSetting)
}

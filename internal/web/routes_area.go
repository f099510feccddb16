package web

import (
	"time"

	"github.com/vigie/vigie/internal/i18n"
	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/notify"
	"github.com/vigie/vigie/internal/report"
	"github.com/vigie/vigie/internal/status"
)

// area serves the customer's area: their assets, problems, incidents,
// reports and preferences, each page scoped to the signed-in customer.
type area struct {
	s         *Server
	reader    *report.Reader
	inv       *inventory.Service
	status    *status.Publisher
	prefs     *notify.Prefs
	tokens    *status.TokenStore
	texts     *i18n.Bundle
	publicURL string
	now       func() time.Time
}

func (s *Server) areaRoutes(rt *router) {
	d := s.d
	if d.Sessions == nil || d.Inventory == nil || d.Detection == nil || d.Status == nil || d.Texts == nil {
		return
	}
	h := &area{s: s, inv: d.Inventory, status: d.Status, prefs: d.NotifyPrefs, tokens: d.StatusTokens, texts: d.Texts,
		publicURL: d.PublicURL, now: d.Now,
		reader: &report.Reader{Inventory: d.Inventory, Detection: d.Detection, Maintenance: d.Maintenance, Incidents: d.Incidents}}
	rt.handle("GET /account", customerArea, classAPI, doc{summary: "The customer's home: their sites, VPS and services with their state and uptime, their problems in plain words, and the incidents and maintenance touching them"}, h.showHome)
	rt.handle("GET /account/assets/{name}", customerArea, classAPI, doc{summary: "One of the customer's assets: state, checks, uptime, latency of the last 24 hours, problem and what to check, incidents and maintenance touching it"}, h.showAsset)
	rt.handle("GET /account/incidents/{id}", customerArea, classAPI, doc{summary: "An incident (by number) or a maintenance window (m and its number) on the customer's own status page, with its public timeline"}, h.showIncident)
	rt.handle("GET /account/preferences", customerArea, classAPI, doc{summary: "The customer's notification, language and time zone preferences, and their private status links", query: []string{"saved: what was just saved (notifications or locale), to confirm it"}}, h.showPreferences)
	rt.handle("POST /account/preferences/notifications", customerArea, classAPI, doc{summary: "Choose which messages the customer receives by e-mail", rawBody: areaFormBody}, h.saveNotifications)
	rt.handle("POST /account/preferences/locale", customerArea, classAPI, doc{summary: "Change the customer's language and time zone", rawBody: areaFormBody}, h.saveLocale)
	rt.handle("POST /account/preferences/links", customerArea, classAPI, doc{summary: "Create the customer's private status links, or replace them (the old ones stop working)", rawBody: areaFormBody}, h.issueLinks)
	rt.handle("GET /account/reports", customerArea, classAPI, doc{summary: "The customer's monthly availability reports, by asset and month"}, h.listReports)
	rt.handle("GET /account/reports/{asset}/{month}", customerArea, classAPI, doc{summary: "The availability report of one asset for one month (YYYY-MM) as a printable page, or as PDF (YYYY-MM.pdf)"}, h.showReport)
}

// areaFormBody is the body of the area's forms.
const areaFormBody = "application/x-www-form-urlencoded"

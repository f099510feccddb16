package web

import (
	"strings"
	"time"

	"github.com/vigie/vigie/internal/status"
)

// embedView is what the works panel shows.
type embedView struct {
	Lang, Title, Host, CSS string
	// Home is the customer's own status page, in the panel's language.
	Home, HomeLink, NewTab string
	// Nothing is said when there is no incident and no maintenance.
	Nothing                          string
	IncidentsTitle, MaintenanceTitle string
	Incidents, Maintenance           []embedItem
	Updated                          string
}

// embedItem is one incident or maintenance window.
type embedItem struct {
	// Class is the colour (minor, major, critical, maint); Status and
	// Impact say it in words.
	Class, Status, Impact string
	Name                  embedText
	// URL opens in a new tab, which NewTab tells screen readers.
	URL, NewTab string
	When        string
	// Scope names the customer's sites touched, or says the whole
	// platform is.
	Scope string
	// LatestHead introduces the latest public update, with its time.
	LatestHead string
	Latest     embedText
}

// embedText is a text with, when it is in the other language, that
// language's code and a marker saying so.
type embedText struct{ Text, Lang, Marker string }

func newEmbedText(w status.Words, t status.Text) embedText {
	s, lang, marker := w.Text(t)
	return embedText{s, lang, marker}
}

// view makes the panel of page in lang, with times in zone.
func (h *embedPanel) view(page *status.Page, lang status.Lang, zone *time.Location) embedView {
	w := h.words[lang].In(zone)
	base := page.Base()
	v := embedView{Lang: string(lang), Title: w.T("EmbedTitle"), Host: page.Name, CSS: "/embed/panel.css?v=" + embedCSSTag,
		Home: base + status.HomePath(lang), HomeLink: w.T("EmbedHomeLink"), NewTab: w.T("EmbedNewTab"),
		IncidentsTitle: w.T("PageActive"), MaintenanceTitle: w.T("EmbedMaintenance"),
		Updated: w.T("EmbedUpdated", "At", w.At(page.Generated))}
	for i := range page.Active {
		in := &page.Active[i]
		it := embedItem{Name: newEmbedText(w, in.Name), URL: base + status.IncidentPath(lang, in.ID), NewTab: v.NewTab,
			Status: w.IncidentStatus(in.Status), When: w.T("EmbedSince", "At", w.At(in.StartedAt)), Scope: embedScope(w, in.Sites, in.Platform)}
		it.Impact, it.Class = w.Impact(in.Impact)
		if len(in.Updates) > 0 {
			u := in.Updates[0]
			it.LatestHead, it.Latest = w.T("EmbedLatest", "At", w.At(later(u.At, u.UpdatedAt))), newEmbedText(w, u.Body)
		}
		v.Incidents = append(v.Incidents, it)
	}
	for _, list := range [][]status.Maintenance{page.InProgress, page.Upcoming} {
		for i := range list {
			m := &list[i]
			from, until := w.Window(m.ScheduledFor, m.ScheduledUntil)
			it := embedItem{Class: "maint", Name: newEmbedText(w, m.Name), URL: v.Home, NewTab: v.NewTab, Status: w.MaintenanceStatus(m),
				When: w.T("EmbedWindow", "From", from, "Until", until), Scope: embedScope(w, m.Sites, m.Platform)}
			v.Maintenance = append(v.Maintenance, it)
		}
	}
	if len(v.Incidents) == 0 && len(v.Maintenance) == 0 {
		v.Nothing = w.T("EmbedNothing")
	}
	return v
}

// embedScope says what an incident or window touches: the customer's
// sites, or the whole platform.
func embedScope(w status.Words, sites []string, platform bool) string {
	switch {
	case len(sites) > 0:
		return w.Label("PageYourSites") + " " + strings.Join(sites, ", ")
	case platform:
		return w.T("PagePlatformWide")
	}
	return ""
}

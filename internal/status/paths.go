package status

import (
	"fmt"
	"time"
)

// The paths of the public side, under a page's Base. Pages in the default
// language (French) live at the root; English ones under "en/". A path
// ending in "/" is an HTML page.
const (
	PathHome        = ""
	PathFeedAtom    = "feed.atom"
	PathFeedRSS     = "feed.rss"
	PathCalendar    = "maintenance.ics"
	PathAPI         = "api/v2/"
	PathStatic      = "static/"
	PathEventStream = "events"
)

// Base returns the root of the page's paths: "/" for the public page,
// "/c/{token}/" for a customer's.
func (p *Page) Base() string {
	if p.Customer != nil {
		return "/c/" + p.Customer.Token + "/"
	}
	return "/"
}

// LangPrefix returns the path prefix of a language: "" for the default
// one, "en/" for English.
func LangPrefix(lang Lang) string {
	if lang == Langs[0] {
		return ""
	}
	return string(lang) + "/"
}

// IncidentPath is the page of one incident, relative to the base.
func IncidentPath(lang Lang, id int64) string {
	return fmt.Sprintf("%sincidents/%d/", LangPrefix(lang), id)
}

// HistoryPath is the history page of the month of t, relative to the base.
func HistoryPath(lang Lang, t time.Time) string {
	return fmt.Sprintf("%shistory/%04d-%02d/", LangPrefix(lang), t.Year(), int(t.Month()))
}

// HomePath is the page of a language, relative to the base.
func HomePath(lang Lang) string { return LangPrefix(lang) }

// FeedPath is the Atom (or RSS) feed in a language, relative to the base.
func FeedPath(lang Lang, rss bool) string {
	if rss {
		return LangPrefix(lang) + PathFeedRSS
	}
	return LangPrefix(lang) + PathFeedAtom
}

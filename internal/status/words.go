package status

import (
	"time"

	"github.com/vigie/vigie/internal/i18n"
)

// Words writes a page's statuses, times and texts in one language and one
// zone exactly as the status page does, for pages made outside this
// package from a Page (the works panel a host's customer panel frames).
// Make one per language, once (it reads every message), and move it to a
// reader's zone with In. It is safe for concurrent use.
type Words struct{ l *locale }

// NewWords returns the words of lang, with times in UTC until In.
func NewWords(b *i18n.Bundle, lang Lang) Words { return Words{newLocale(b, lang)} }

// In returns the same words with times in zone.
func (w Words) In(zone *time.Location) Words { return Words{w.l.in(zone)} }

// T returns message id filled with data given as key, value pairs.
func (w Words) T(id string, kv ...any) string { return w.l.tf(id, kv...) }

// Label returns message id followed by a colon, spaced as the language
// wants: "Début :" or "Started:".
func (w Words) Label(id string) string { return w.l.label(id) }

// At writes an instant in full: "6 déc. 2026 à 14:05 (heure de Paris,
// UTC+1)".
func (w Words) At(t time.Time) string { return w.l.at(t).Text }

// Window writes the two ends of a window; the end names the zone, and is
// only a time when the window ends the day it starts.
func (w Words) Window(from, until time.Time) (start, end string) {
	a, b := w.l.window(from, until)
	return a.Text, b.Text
}

// IncidentStatus writes an incident's public status: "Cause identifiée".
func (w Words) IncidentStatus(s IncidentStatus) string { return w.l.incidentStatus(s) }

// Impact writes an incident's impact, with the CSS class suffix of its
// colour (op, minor, major, critical, maint).
func (w Words) Impact(i Indicator) (words, class string) {
	look := impactLook(i)
	return w.l.t(look.Message), look.Class
}

// MaintenanceStatus writes a window's public status: "En cours".
func (w Words) MaintenanceStatus(m *Maintenance) string { return w.l.maintenanceStatus(m) }

// Text returns t in the language, or in the other one with that
// language's code and a marker saying so ("(in English)"); lang and
// marker are empty when t is in the language asked.
func (w Words) Text(t Text) (s, lang, marker string) {
	x := w.l.text(t)
	return x.Text, x.Lang, x.Marker
}

package status

import (
	"fmt"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/vigie/vigie/internal/i18n"
)

// icalLocal is how an iCalendar local time is written, its zone in TZID.
const icalLocal = "20060102T150405"

// CalendarFiles renders the maintenance calendar of a page in every
// language ("maintenance.ics", "en/maintenance.ics"): one VEVENT per
// window kept, with a UID stable per window and the window's SEQUENCE, so
// that a subscribed calendar follows changes; cancelled windows stay, with
// STATUS:CANCELLED. Times are wall-clock times in the window's zone, whose
// VTIMEZONE the calendar carries. A weekly window is one VEVENT from its
// current or next occurrence, repeated by RRULE:FREQ=WEEKLY.
func CalendarFiles(p *Page, b *i18n.Bundle) ([]File, error) {
	host, err := p.host()
	if err != nil {
		return nil, fmt.Errorf("calendar: %w", err)
	}
	var files []File
	for _, lang := range Langs {
		cal := calendarOf(p, b, lang, host)
		var sb strings.Builder
		path := LangPrefix(lang) + PathCalendar
		if err := cal.SerializeTo(&sb, ics.WithNewLineWindows); err != nil {
			return nil, fmt.Errorf("calendar %s: %w", path, err)
		}
		files = append(files, File{Path: "/" + path, ContentType: "text/calendar; charset=utf-8", Body: []byte(sb.String())})
	}
	return files, nil
}

func calendarOf(p *Page, b *i18n.Bundle, lang Lang, host string) *ics.Calendar {
	cal := ics.NewCalendarFor("Vigie")
	cal.SetProductId("-//Vigie//Travaux//" + strings.ToUpper(string(lang)))
	cal.SetMethod(ics.MethodPublish)
	cal.SetCalscale("GREGORIAN")
	cal.SetXWRCalName(tr(b, lang, "StatusCalendarName", map[string]any{"Name": p.Name}))
	cal.SetXWRTimezone(p.zone().String())
	// Every zone used gets its VTIMEZONE, over the years its events span.
	var zones []*time.Location
	spans := map[string][2]time.Time{}
	for i := range p.Maintenances {
		m := &p.Maintenances[i]
		z := windowZone(p, m)
		from, to := eventSpan(m)
		s, ok := spans[z.String()]
		if !ok {
			zones = append(zones, z)
			s = [2]time.Time{from, to}
		}
		spans[z.String()] = [2]time.Time{earlier(s[0], from), later(s[1], m.ScheduledUntil)}
	}
	for _, z := range zones {
		s := spans[z.String()]
		cal.AddVTimezone(vtimezone(z, s[0], s[1]))
	}
	for i := range p.Maintenances {
		m := &p.Maintenances[i]
		z := windowZone(p, m)
		ev := cal.AddEvent(fmt.Sprintf("maintenance-%s@%s", m.ID, host))
		stamp := m.UpdatedAt
		if stamp.IsZero() {
			stamp = p.Generated
		}
		ev.SetDtStampTime(stamp)
		ev.SetModifiedAt(stamp)
		ev.SetSequence(m.Sequence)
		from, to := eventSpan(m)
		ev.SetProperty(ics.ComponentPropertyDtStart, from.In(z).Format(icalLocal), ics.WithTZID(z.String()))
		ev.SetProperty(ics.ComponentPropertyDtEnd, to.In(z).Format(icalLocal), ics.WithTZID(z.String()))
		if m.Weekly {
			ev.AddRrule("FREQ=WEEKLY")
		}
		ev.SetSummary(marked(b, m.Name.In(lang)))
		ev.SetDescription(eventDescription(p, b, lang, m))
		ev.SetURL(p.absolute(HomePath(lang)))
		status := ics.ObjectStatusConfirmed
		if m.Cancelled {
			status = ics.ObjectStatusCancelled
		}
		ev.SetStatus(status)
		// Maintenance at night must not show the subscriber as busy.
		ev.SetTimeTransparency(ics.TransparencyTransparent)
	}
	return cal
}

// windowZone is the zone a window's times are written in.
func windowZone(p *Page, m *Maintenance) *time.Location {
	if m.Zone != nil {
		return m.Zone
	}
	return p.zone()
}

// eventDescription is a window's description in lang, marked when in the
// other language, with what it reaches.
func eventDescription(p *Page, b *i18n.Bundle, lang Lang, m *Maintenance) string {
	desc := marked(b, m.Description.In(lang))
	if desc == "" {
		desc = tr(b, lang, "StatusMaintenanceDefault", nil)
	}
	comps, sites := scopeLines(p, b, lang, m.Components, m.Sites)
	for _, line := range []string{comps, sites} {
		if line != "" {
			desc += "\n\n" + line
		}
	}
	return desc
}

// eventSpan is the start and end of a window's event: a weekly window's
// first occurrence, which its RRULE repeats, so that the event stays the
// same from week to week and past occurrences stay in calendars; a one-off
// window's own.
func eventSpan(m *Maintenance) (time.Time, time.Time) {
	if m.Weekly && !m.SeriesStart.IsZero() {
		return m.SeriesStart, m.SeriesEnd
	}
	return m.ScheduledFor, m.ScheduledUntil
}

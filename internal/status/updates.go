package status

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigie/vigie/internal/incident"
)

// updates builds an incident's public timeline, newest first, and when it
// first moved to monitoring. Only the engine's opened and status-changed
// events appear, with default texts unless a staff update replaces them,
// and the staff-written public updates: notes and every other event stay
// with staff, their texts naming assets.
func (b *builder) updates(v *incidentView, touched []*Component) ([]Update, *time.Time) {
	inc := v.inc
	pubs := slices.Clone(b.in.Updates[inc.ID])
	slices.SortFunc(pubs, func(x, y incident.PublicUpdate) int { return cmp.Compare(x.ID, y.ID) })
	events := slices.Clone(b.in.Events[inc.ID])
	slices.SortStableFunc(events, func(x, y incident.Event) int {
		if c := x.At.Compare(y.At); c != 0 {
			return c
		}
		return cmp.Compare(x.ID, y.ID)
	})
	// The latest staff text given for an event replaces its default one.
	replacing := map[int64]int{}
	for k, pu := range pubs {
		replacing[pu.ReplacesEvent] = k
	}
	used := map[int]bool{}
	var out []Update
	var monitoringAt *time.Time
	opened := false
	for _, ev := range events {
		st, ok := eventStatus(ev)
		if !ok {
			continue
		}
		if st == incident.Monitoring && monitoringAt == nil {
			at := ev.At
			monitoringAt = &at
		}
		u := Update{ID: "e" + strconv.FormatInt(ev.ID, 10), Status: incidentStatus(st), At: ev.At, UpdatedAt: ev.At, Auto: true}
		if k, ok := replacing[ev.ID]; ok && ev.ID != 0 && hasText(pubs[k]) {
			pu := pubs[k]
			used[k] = true
			// The entry keeps its id when staff replace its text: readers
			// and chat integrations see an edit, not a new update.
			u.Auto = false
			u.Body = Text{FR: pu.MessageFR, EN: pu.MessageEN}
			u.UpdatedAt = later(ev.At, pu.UpdatedAt)
		} else {
			u.Body = b.autoText(v, st, ev.Type == incident.EventOpened && !opened, touched)
		}
		opened = opened || ev.Type == incident.EventOpened
		out = append(out, u)
	}
	for k, pu := range pubs {
		if used[k] || !hasText(pu) {
			continue
		}
		st := incidentStatus(cmp.Or(pu.Status, inc.Status))
		out = append(out, Update{ID: "u" + strconv.FormatInt(pu.ID, 10), Status: st,
			Body: Text{FR: pu.MessageFR, EN: pu.MessageEN}, At: pu.At, UpdatedAt: later(pu.At, pu.UpdatedAt)})
	}
	slices.Reverse(out)
	slices.SortStableFunc(out, func(x, y Update) int { return y.At.Compare(x.At) })
	if monitoringAt == nil && inc.Status == incident.Monitoring && inc.MitigatedAt != nil {
		at := *inc.MitigatedAt
		monitoringAt = &at
	}
	return out, monitoringAt
}

func hasText(pu incident.PublicUpdate) bool {
	return strings.TrimSpace(pu.MessageFR) != "" || strings.TrimSpace(pu.MessageEN) != ""
}

// eventStatus returns the status an opened or status-changed event moves
// the incident to. The engine writes "status: a → b", "… failed again:
// investigating", "… recovered: monitoring" or "resolved after a quiet
// period": the status is the last word after the last arrow or colon, or
// the first word.
func eventStatus(ev incident.Event) (incident.Status, bool) {
	switch ev.Type {
	case incident.EventOpened:
		return incident.Investigating, true
	case incident.EventStatus:
	default:
		return "", false
	}
	text := strings.TrimSpace(ev.Text)
	if k := strings.LastIndexAny(text, ":→"); k >= 0 {
		if s, ok := statusWord(text[k:]); ok {
			return s, true
		}
	}
	return statusWord(text)
}

func statusWord(text string) (incident.Status, bool) {
	words := strings.FieldsFunc(text, func(r rune) bool { return r == ' ' || r == ':' || r == '→' || r == '.' })
	for _, w := range words {
		switch s := incident.Status(strings.ToLower(w)); s {
		case incident.Investigating, incident.Identified, incident.Monitoring, incident.Resolved:
			return s, true
		}
	}
	return "", false
}

// autoText is the default public text of an engine event moving the
// incident to st, naming the components it touches.
func (b *builder) autoText(v *incidentView, st incident.Status, first bool, touched []*Component) Text {
	var id string
	switch {
	case st == incident.Investigating && first && v.site:
		id = "StatusAutoOpenedSite"
	case st == incident.Investigating && first && len(touched) == 0:
		id = "StatusAutoOpenedNone"
	case st == incident.Investigating && first:
		id = "StatusAutoOpened"
		degraded := true
		for _, c := range touched {
			degraded = degraded && v.statusOf(c.ID) == DegradedPerformance
		}
		if degraded {
			id = "StatusAutoOpenedDegraded"
		}
	case st == incident.Investigating:
		id = "StatusAutoInvestigating"
	case st == incident.Identified:
		id = "StatusAutoIdentified"
	case st == incident.Monitoring:
		id = "StatusAutoMonitoring"
	default:
		id = "StatusAutoResolved"
	}
	return both(b.b, id, func(lang Lang) map[string]any {
		return map[string]any{"Components": joinAnd(b.b, lang, namesIn(touched, lang))}
	})
}

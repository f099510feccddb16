package web

import (
	"slices"
	"testing"

	"github.com/vigie/vigie/internal/incident"
)

// Runs of deliveries long enough become one row holding them; shorter
// runs and everything people wrote stay rows of their own, in order.
func TestTheTimelineFoldsLongRunsOfDeliveries(t *testing.T) {
	row := func(kind incident.EventType, text string) incEventRow {
		return incEventRow{Event: incident.Event{Type: kind, Text: text}}
	}
	n, note := incident.EventNotification, incident.EventType("note")
	in := []incEventRow{row(note, "a"), row(n, "1"), row(n, "2"), row(n, "3"), row(n, "4"), row(n, "5"), row(note, "b"), row(n, "6"), row(n, "7"), row(note, "c")}
	out := foldDeliveries(in)
	var got []string
	for _, r := range out {
		s := r.Text
		for _, f := range r.Folded {
			s += "+" + f.Text
		}
		got = append(got, s)
	}
	want := []string{"a", "1+1+2+3+4+5", "b", "6", "7", "c"}
	if !slices.Equal(got, want) {
		t.Fatalf("folded %q, want %q", got, want)
	}
}

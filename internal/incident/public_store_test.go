package incident_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// countEvents counts an incident's timeline entries of a type.
func countEvents(t *testing.T, s *incident.Store, id int64, typ incident.EventType) int {
	t.Helper()
	events, err := s.Events(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range events {
		if e.Type == typ {
			n++
		}
	}
	return n
}

func TestPublicUpdateWithANewStatusMovesTheIncidentAndReplacesItsStatusChange(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := incident.NewStore(db)
		inc := createIncident(t, s, "hv03", incident.Major, false)
		now := time.Date(2026, 3, 14, 10, 0, 0, 123456789, time.UTC)
		u := incident.PublicUpdate{IncidentID: inc.ID, Status: incident.Identified, MessageFR: " Cause trouvée. ",
			MessageEN: "Cause found.", Author: "ops@example.org"}
		if err := s.AddPublicUpdate(ctx, &u, now); err != nil {
			t.Fatal(err)
		}
		at := now.Truncate(time.Microsecond)
		if u.ID == 0 || !u.At.Equal(at) || !u.UpdatedAt.Equal(at) || u.MessageFR != "Cause trouvée." || u.ReplacesEvent == 0 {
			t.Fatalf("update %+v", u)
		}
		got, err := s.Get(ctx, inc.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != incident.Identified || got.AcknowledgedAt == nil || !got.AcknowledgedAt.Equal(at) {
			t.Fatalf("incident after the update: %+v", got)
		}
		events, err := s.Events(ctx, inc.ID)
		if err != nil {
			t.Fatal(err)
		}
		var status []incident.Event
		for _, e := range events {
			if e.Type == incident.EventStatus {
				status = append(status, e)
			}
		}
		if len(status) != 1 || status[0].ID != u.ReplacesEvent || !status[0].Public || status[0].Author != "ops@example.org" ||
			status[0].Text != "status: investigating → identified" {
			t.Fatalf("status events %+v, update replaces %d", status, u.ReplacesEvent)
		}

		// The same status again is one more entry, replacing nothing.
		same := incident.PublicUpdate{IncidentID: inc.ID, Status: incident.Identified, MessageEN: "Still on it.", Author: "ops@example.org"}
		if err := s.AddPublicUpdate(ctx, &same, now.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if same.ReplacesEvent != 0 || countEvents(t, s, inc.ID, incident.EventStatus) != 1 {
			t.Fatalf("same status: replaces %d, %d status events", same.ReplacesEvent, countEvents(t, s, inc.ID, incident.EventStatus))
		}

		// Staff may give the engine's opening its text, once.
		opened := events[0]
		first := incident.PublicUpdate{IncidentID: inc.ID, Status: incident.Identified, MessageFR: "Panne de hv03.", ReplacesEvent: opened.ID}
		if err := s.AddPublicUpdate(ctx, &first, now.Add(2*time.Minute)); err != nil {
			t.Fatal(err)
		}
		again := first
		again.ID = 0
		var edit *incident.EditError
		if err := s.AddPublicUpdate(ctx, &again, now.Add(3*time.Minute)); !errors.As(err, &edit) || edit.Field != "replaces_event" {
			t.Fatalf("a second replacement of one event: %v", err)
		}

		// Resolving through an update sets the times Edit sets.
		done := incident.PublicUpdate{IncidentID: inc.ID, Status: incident.Resolved, MessageFR: "Résolu."}
		if err := s.AddPublicUpdate(ctx, &done, now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		got, _ = s.Get(ctx, inc.ID)
		if got.Status != incident.Resolved || got.ResolvedAt == nil || got.MitigatedAt == nil || !got.ResolvedAt.Equal(now.Add(time.Hour).Truncate(time.Microsecond)) {
			t.Fatalf("resolved: %+v", got)
		}
		updates, err := s.PublicUpdates(ctx, []int64{inc.ID})
		if err != nil {
			t.Fatal(err)
		}
		list := updates[inc.ID]
		if len(list) != 4 || list[0].ID != u.ID || list[1].ID != same.ID || list[2].ReplacesEvent != opened.ID || list[3].ID != done.ID ||
			list[3].ReplacesEvent == 0 || list[0] != u {
			t.Fatalf("updates %+v", list)
		}

		// A site problem's status change is public too when an update
		// gives its text: the customer's page shows it.
		site := incident.Incident{Title: "s1 down", Status: incident.Investigating, Severity: incident.Minor,
			Cause: incident.CauseSiteProblem, RootAssets: []string{"s1"}, ImpactStartedAt: now, DetectedAt: now}
		if _, err := s.Create(ctx, &site, incident.Event{At: now, Type: incident.EventOpened, Text: "opened"}); err != nil {
			t.Fatal(err)
		}
		told := incident.PublicUpdate{IncidentID: site.ID, Status: incident.Monitoring, MessageFR: "Corrigé, sous surveillance."}
		var edit2 *incident.EditError
		if err := s.AddPublicUpdate(ctx, &told, now); !errors.As(err, &edit2) || edit2.Field != "status" {
			t.Fatalf("investigating to monitoring, which Edit refuses: %v", err)
		}
		told.Status = incident.Identified
		if err := s.AddPublicUpdate(ctx, &told, now); err != nil {
			t.Fatal(err)
		}
		siteEvents, _ := s.Events(ctx, site.ID)
		if last := siteEvents[len(siteEvents)-2]; last.ID != told.ReplacesEvent || !last.Public {
			t.Fatalf("site problem timeline %+v, update %+v", siteEvents, told)
		}
	})
}

func TestRefusedPublicUpdatesChangeNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := incident.NewStore(db)
		inc := createIncident(t, s, "hv03", incident.Major, false)
		other := createIncident(t, s, "hv04", incident.Major, false)
		otherEvents, _ := s.Events(ctx, other.ID)
		note := incident.Event{IncidentID: inc.ID, At: inc.DetectedAt, Type: incident.EventNote, Text: "a note"}
		if err := s.AddEvent(ctx, &note); err != nil {
			t.Fatal(err)
		}
		merged := createIncident(t, s, "hv05", incident.Minor, false)
		merged.Status, merged.MergedInto = incident.Merged, inc.ID
		if err := s.Update(ctx, &merged, incident.Event{At: merged.DetectedAt, Type: incident.EventMerged, Text: "merged"}); err != nil {
			t.Fatal(err)
		}
		// Monitoring cannot go back to identified, as in Edit.
		mon := createIncident(t, s, "hv06", incident.Minor, false)
		mon.Status = incident.Monitoring
		if err := s.Update(ctx, &mon, incident.Event{At: mon.DetectedAt, Type: incident.EventStatus, Text: "monitoring"}); err != nil {
			t.Fatal(err)
		}
		before, err := s.Fingerprint(ctx)
		if err != nil {
			t.Fatal(err)
		}
		long := strings.Repeat("é", 5001)
		cases := []struct {
			name  string
			u     incident.PublicUpdate
			field string // "" for not found
		}{
			{"unknown status", incident.PublicUpdate{IncidentID: inc.ID, Status: "fixed", MessageFR: "x"}, "status"},
			{"merged status", incident.PublicUpdate{IncidentID: inc.ID, Status: incident.Merged, MessageFR: "x"}, "status"},
			{"no message", incident.PublicUpdate{IncidentID: inc.ID, Status: incident.Identified, MessageFR: "  "}, "message_fr"},
			{"French too long", incident.PublicUpdate{IncidentID: inc.ID, Status: incident.Identified, MessageFR: long}, "message_fr"},
			{"English too long", incident.PublicUpdate{IncidentID: inc.ID, Status: incident.Identified, MessageFR: "x", MessageEN: long}, "message_en"},
			{"no incident", incident.PublicUpdate{IncidentID: 999, Status: incident.Identified, MessageFR: "x"}, ""},
			{"merged incident", incident.PublicUpdate{IncidentID: merged.ID, Status: incident.Identified, MessageFR: "x"}, "incident_id"},
			{"event of another incident", incident.PublicUpdate{IncidentID: inc.ID, Status: incident.Investigating, MessageFR: "x", ReplacesEvent: otherEvents[0].ID}, "replaces_event"},
			{"no such event", incident.PublicUpdate{IncidentID: inc.ID, Status: incident.Investigating, MessageFR: "x", ReplacesEvent: 99999}, "replaces_event"},
			{"a note", incident.PublicUpdate{IncidentID: inc.ID, Status: incident.Investigating, MessageFR: "x", ReplacesEvent: note.ID}, "replaces_event"},
			{"a status change replacing another event", incident.PublicUpdate{IncidentID: inc.ID, Status: incident.Identified, MessageFR: "x", ReplacesEvent: note.ID}, "replaces_event"},
			{"a move Edit refuses", incident.PublicUpdate{IncidentID: mon.ID, Status: incident.Identified, MessageFR: "x"}, "status"},
		}
		for _, c := range cases {
			u := c.u
			err := s.AddPublicUpdate(ctx, &u, time.Now())
			var edit *incident.EditError
			switch {
			case c.field == "" && !errors.Is(err, store.ErrNotFound):
				t.Errorf("%s: %v, want not found", c.name, err)
			case c.field != "" && (!errors.As(err, &edit) || edit.Field != c.field):
				t.Errorf("%s: %v, want a refusal of %s", c.name, err, c.field)
			}
			if u != c.u {
				t.Errorf("%s: the refused update was changed: %+v", c.name, u)
			}
		}
		after, err := s.Fingerprint(ctx)
		if err != nil {
			t.Fatal(err)
		}
		updates, _ := s.PublicUpdates(ctx, []int64{inc.ID, other.ID, merged.ID, mon.ID})
		got, _ := s.Get(ctx, mon.ID)
		if after != before || len(updates) != 0 || got.Status != incident.Monitoring || got.AcknowledgedAt != nil {
			t.Fatalf("refusals changed something: fingerprint %s → %s, updates %+v, %+v", before, after, updates, got)
		}
	})
}

func TestEditPublicUpdateChangesOnlyItsTexts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := incident.NewStore(db)
		inc := createIncident(t, s, "hv03", incident.Major, false)
		t0 := time.Date(2026, 3, 14, 10, 0, 0, 0, time.UTC)
		u := incident.PublicUpdate{IncidentID: inc.ID, Status: incident.Identified, MessageFR: "Cause trouvée.", Author: "ops@example.org"}
		if err := s.AddPublicUpdate(ctx, &u, t0); err != nil {
			t.Fatal(err)
		}
		t1 := t0.Add(5 * time.Minute)
		edited, err := s.EditPublicUpdate(ctx, inc.ID, u.ID, "Cause trouvée : un disque.", "Cause found: a disk.", t1)
		if err != nil {
			t.Fatal(err)
		}
		want := u
		want.MessageFR, want.MessageEN, want.UpdatedAt = "Cause trouvée : un disque.", "Cause found: a disk.", t1
		if edited != want {
			t.Fatalf("edited %+v, want %+v", edited, want)
		}
		same, err := s.EditPublicUpdate(ctx, inc.ID, u.ID, edited.MessageFR, edited.MessageEN, t1.Add(time.Hour))
		if err != nil || same != want {
			t.Fatalf("unchanged texts moved the update: %+v %v", same, err)
		}
		stored, _ := s.PublicUpdates(ctx, []int64{inc.ID})
		if len(stored[inc.ID]) != 1 || stored[inc.ID][0] != want {
			t.Fatalf("stored %+v", stored)
		}
		other := createIncident(t, s, "hv04", incident.Major, false)
		if _, err := s.EditPublicUpdate(ctx, other.ID, u.ID, "x", "", t1); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("through another incident: %v", err)
		}
		var edit *incident.EditError
		if _, err := s.EditPublicUpdate(ctx, inc.ID, u.ID, "", "", t1); !errors.As(err, &edit) || edit.Field != "message_fr" {
			t.Fatalf("emptied: %v", err)
		}
	})
}

func TestComponentOverridesAreSetRemovedAndNoted(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := incident.NewStore(db)
		inc := createIncident(t, s, "hv03", incident.Major, false)
		now := time.Date(2026, 3, 14, 10, 0, 0, 0, time.UTC)
		notes := func() int { return countEvents(t, s, inc.ID, incident.EventNote) }
		ov := func(component, status string) incident.ComponentOverride {
			return incident.ComponentOverride{IncidentID: inc.ID, Component: component, Status: status}
		}
		steps := []struct {
			component, status string
			want              []incident.ComponentOverride
			notes             int
		}{
			{"shared-hosting", "partial_outage", []incident.ComponentOverride{ov("shared-hosting", "partial_outage")}, 1},
			{"dns", "operational", []incident.ComponentOverride{ov("dns", "operational"), ov("shared-hosting", "partial_outage")}, 2},
			{"shared-hosting", "major_outage", []incident.ComponentOverride{ov("dns", "operational"), ov("shared-hosting", "major_outage")}, 3},
			{"shared-hosting", "major_outage", []incident.ComponentOverride{ov("dns", "operational"), ov("shared-hosting", "major_outage")}, 3},
			{"shared-hosting", "auto", []incident.ComponentOverride{ov("dns", "operational")}, 4},
			{"dns", "", nil, 5},
			{"dns", "auto", nil, 5},
		}
		for i, step := range steps {
			if err := s.SetComponentStatus(ctx, inc.ID, step.component, step.status, "ops@example.org", now); err != nil {
				t.Fatalf("step %d: %v", i, err)
			}
			got, err := s.ComponentOverrides(ctx, []int64{inc.ID})
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got[inc.ID]) != fmt.Sprint(step.want) || notes() != step.notes {
				t.Fatalf("step %d: %v and %d notes, want %v and %d", i, got[inc.ID], notes(), step.want, step.notes)
			}
		}
		events, _ := s.Events(ctx, inc.ID)
		last := events[len(events)-1]
		if last.Public || last.Author != "ops@example.org" || last.Text != "component dns set to auto by staff" {
			t.Fatalf("last note %+v", last)
		}
		for _, c := range []struct{ component, status, field string }{
			{"dns", "down", "status"},
			{"Shared hosting", "operational", "component"},
			{"", "operational", "component"},
		} {
			var edit *incident.EditError
			if err := s.SetComponentStatus(ctx, inc.ID, c.component, c.status, "", now); !errors.As(err, &edit) || edit.Field != c.field {
				t.Errorf("%q %q: %v, want a refusal of %s", c.component, c.status, err, c.field)
			}
		}
		if err := s.SetComponentStatus(ctx, 999, "dns", "operational", "", now); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("no incident: %v", err)
		}
		if n := notes(); n != 5 {
			t.Fatalf("refusals noted: %d notes", n)
		}
	})
}

// TestPublicUpdateAndItsStatusChangeAreOneTransaction has the database
// refuse the update's row: the status change made before it in the same
// transaction must be undone with it.
func TestPublicUpdateAndItsStatusChangeAreOneTransaction(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := incident.NewStore(db)
		inc := createIncident(t, s, "hv03", incident.Major, false)
		before, _ := s.Events(ctx, inc.ID)
		lift := storetest.RefuseWrites(t, db, "incident_updates", "")
		u := incident.PublicUpdate{IncidentID: inc.ID, Status: incident.Resolved, MessageFR: "Résolu."}
		if err := s.AddPublicUpdate(ctx, &u, time.Now()); err == nil {
			t.Fatal("the refused row was reported stored")
		}
		lift()
		got, _ := s.Get(ctx, inc.ID)
		after, _ := s.Events(ctx, inc.ID)
		if got.Status != incident.Investigating || got.ResolvedAt != nil || got.AcknowledgedAt != nil || len(after) != len(before) || u.ID != 0 || u.ReplacesEvent != 0 {
			t.Fatalf("half an update stayed: %+v, %d events (was %d), update %+v", got, len(after), len(before), u)
		}
		if err := s.AddPublicUpdate(ctx, &u, time.Now()); err != nil {
			t.Fatalf("once writes are allowed again: %v", err)
		}
	})
}

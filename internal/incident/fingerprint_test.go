package incident_test

import (
	"context"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// TestFingerprintMovesWithEachPublicChangeOnly takes one step of each kind
// that a public page may show, and steps that change nothing: the
// fingerprint must move with the first and stay with the second.
func TestFingerprintMovesWithEachPublicChangeOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := incident.NewStore(db)
		windows := incident.NewMaintenanceStore(db)
		pms := incident.NewPostMortemStore(db, s)
		clock := time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC)
		windows.Now = func() time.Time { return clock }
		var (
			inc    incident.Incident
			update incident.PublicUpdate
			win    incident.Window
		)
		steps := []struct {
			name    string
			changes bool
			do      func() error
		}{
			{"nothing", false, func() error { return nil }},
			{"open an incident", true, func() error { inc = createIncident(t, s, "hv03", incident.Major, false); return nil }},
			{"read everything", false, func() error {
				_, err := s.PublicSince(ctx, clock.AddDate(0, 0, -90))
				return err
			}},
			{"add a note", true, func() error {
				return s.AddEvent(ctx, &incident.Event{IncidentID: inc.ID, At: clock, Type: incident.EventNote, Text: "looking"})
			}},
			{"add a public update", true, func() error {
				update = incident.PublicUpdate{IncidentID: inc.ID, Status: incident.Investigating, MessageFR: "On regarde."}
				return s.AddPublicUpdate(ctx, &update, clock)
			}},
			{"edit it", true, func() error {
				_, err := s.EditPublicUpdate(ctx, inc.ID, update.ID, "On cherche.", "", clock.Add(time.Minute))
				return err
			}},
			{"edit it the same", false, func() error {
				_, err := s.EditPublicUpdate(ctx, inc.ID, update.ID, "On cherche.", "", clock.Add(2*time.Minute))
				return err
			}},
			{"override a component", true, func() error {
				return s.SetComponentStatus(ctx, inc.ID, "dns", "partial_outage", "", clock)
			}},
			{"override it the same", false, func() error {
				return s.SetComponentStatus(ctx, inc.ID, "dns", "partial_outage", "", clock)
			}},
			{"remove the override", true, func() error { return s.SetComponentStatus(ctx, inc.ID, "dns", "auto", "", clock) }},
			{"plan a window", true, func() error {
				win = incident.Window{Title: "hv03", Assets: []string{"hv03"}, Start: "2026-03-20T02:00", End: "2026-03-20T03:00", Zone: "Europe/Paris"}
				return windows.Create(ctx, &win, "")
			}},
			{"change it, at the same time", true, func() error {
				win.Description = "Noyau."
				return windows.Update(ctx, &win)
			}},
			{"give it unchanged", false, func() error { return windows.Update(ctx, &win) }},
			{"cancel it", true, func() error { return windows.Delete(ctx, win.ID) }},
			{"retain nothing yet", false, func() error {
				_, err := windows.Retain(ctx, clock)
				return err
			}},
			{"retain it", true, func() error {
				_, err := windows.Retain(ctx, clock.Add(time.Second))
				return err
			}},
			{"draft a post-mortem", true, func() error {
				_, err := pms.Get(ctx, inc.ID, time.UTC)
				return err
			}},
			{"write it", true, func() error {
				pm, err := pms.Get(ctx, inc.ID, time.UTC)
				if err != nil {
					return err
				}
				pm.Summary = "A disk failed."
				return pms.Save(ctx, pm)
			}},
			{"delete the incident", true, func() error {
				_, err := db.ExecContext(ctx, `DELETE FROM postmortems WHERE incident_id = $1`, inc.ID)
				if err == nil {
					_, err = db.ExecContext(ctx, `DELETE FROM incidents WHERE id = $1`, inc.ID)
				}
				return err
			}},
		}
		prev, err := s.Fingerprint(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, step := range steps {
			if err := step.do(); err != nil {
				t.Fatalf("%s: %v", step.name, err)
			}
			fp, err := s.Fingerprint(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if moved := fp != prev; moved != step.changes {
				t.Errorf("%s: fingerprint moved %v (%s → %s), want %v", step.name, moved, prev, fp, step.changes)
			}
			prev = fp
		}
	})
}

// BenchmarkFingerprint reads the fingerprint of a database of 5,000
// incidents with their events, one in ten with a public update and an
// override, once the engine has its statistics: it must stay under a
// millisecond, as public pages may ask it at every request.
func BenchmarkFingerprint(b *testing.B) {
	for _, e := range storetest.Engines {
		b.Run(string(e), func(b *testing.B) {
			db := storetest.Open(b, e)
			manyIncidents(b, db, 5000, 10)
			s := incident.NewStore(db)
			ctx := context.Background()
			analyze := "ANALYZE"
			if e == store.Postgres {
				analyze = "VACUUM ANALYZE" // what autovacuum does to a table that grew
			}
			if _, err := db.ExecContext(ctx, analyze); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if _, err := s.Fingerprint(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

package incident_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// manyIncidents stores n bare incidents, each with two events (stored
// newest first), and one in every of them with a public update and an
// override, in one transaction.
func manyIncidents(t testing.TB, db *store.DB, n, every int) []int64 {
	t.Helper()
	ctx := context.Background()
	at := time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)
	ids := make([]int64, 0, n)
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback() }()
	for i := range n {
		var id int64
		err := tx.QueryRowContext(ctx, `INSERT INTO incidents (title, status, severity, cause, root_assets, impact, peak, auto,
			impact_started_at, detected_at) VALUES ($1, 'resolved', 'minor', 'outage', '[]', '{}', '{}', TRUE, $2, $2) RETURNING id`,
			fmt.Sprint("incident ", i), at).Scan(&id)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range []struct {
			at  time.Time
			typ incident.EventType
		}{{at.Add(time.Minute), incident.EventStatus}, {at, incident.EventOpened}} {
			if _, err := tx.ExecContext(ctx, `INSERT INTO incident_events (incident_id, at, type, public, text) VALUES ($1, $2, $3, TRUE, 'x')`,
				id, e.at, e.typ); err != nil {
				t.Fatal(err)
			}
		}
		ids = append(ids, id)
		if i%every != 0 {
			continue
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO incident_updates (incident_id, at, status, message_fr, updated_at)
			VALUES ($1, $2, 'resolved', $3, $2)`, id, at, fmt.Sprint("update ", id)); err != nil {
			t.Fatal(err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO incident_components (incident_id, component, status) VALUES ($1, 'dns', 'major_outage')`, id); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	return ids
}

func TestBatchReadsTakeThousandsOfIncidents(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := incident.NewStore(db)
		ids := manyIncidents(t, db, 2100, 1)
		// Duplicates and unknown ids are harmless.
		ask := append(append([]int64{-1, 1 << 40}, ids...), ids[:50]...)
		events, err := s.EventsOf(ctx, ask)
		if err != nil {
			t.Fatal(err)
		}
		updates, err := s.PublicUpdates(ctx, ask)
		if err != nil {
			t.Fatal(err)
		}
		overrides, err := s.ComponentOverrides(ctx, ask)
		if err != nil {
			t.Fatal(err)
		}
		if len(events) != len(ids) || len(updates) != len(ids) || len(overrides) != len(ids) {
			t.Fatalf("%d incidents: events of %d, updates of %d, overrides of %d", len(ids), len(events), len(updates), len(overrides))
		}
		for _, id := range ids {
			ev, up, ov := events[id], updates[id], overrides[id]
			if len(ev) != 2 || ev[0].Type != incident.EventOpened || ev[1].Type != incident.EventStatus || ev[0].IncidentID != id ||
				len(up) != 1 || up[0].MessageFR != fmt.Sprint("update ", id) || len(ov) != 1 || ov[0].Status != "major_outage" {
				t.Fatalf("incident %d: events %+v, updates %+v, overrides %+v", id, ev, up, ov)
			}
		}
		if none, err := s.EventsOf(ctx, nil); err != nil || len(none) != 0 {
			t.Fatalf("no ids: %v %v", none, err)
		}
	})
}

func TestPublicSinceKeepsOpenAndRecentlyResolvedIncidents(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := incident.NewStore(db)
		since := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
		add := func(root string, status incident.Status, cause incident.Cause, resolved time.Time) int64 {
			inc := incident.Incident{Title: root, Status: incident.Investigating, Severity: incident.Minor, Cause: cause,
				RootAssets: []string{root}, ImpactStartedAt: since.AddDate(0, -2, 0), DetectedAt: since.AddDate(0, -2, 0)}
			if _, err := s.Create(ctx, &inc, incident.Event{At: inc.DetectedAt, Type: incident.EventOpened, Text: "opened"}); err != nil {
				t.Fatal(err)
			}
			if status != incident.Investigating {
				inc.Status = status
				if !resolved.IsZero() {
					inc.ResolvedAt = &resolved
				}
				if status == incident.Merged {
					inc.MergedInto = inc.ID - 1
				}
				if err := s.Update(ctx, &inc, incident.Event{At: inc.DetectedAt, Type: incident.EventStatus, Text: string(status)}); err != nil {
					t.Fatal(err)
				}
			}
			return inc.ID
		}
		open := add("a", incident.Investigating, incident.CauseOutage, time.Time{})
		oldResolved := add("b", incident.Resolved, incident.CauseOutage, since.Add(-time.Second))
		atSince := add("c", incident.Resolved, incident.CauseOutage, since)
		merged := add("d", incident.Merged, incident.CauseOutage, since.Add(time.Hour))
		site := add("e", incident.Monitoring, incident.CauseSiteProblem, time.Time{})
		recent := add("f", incident.Resolved, incident.CauseSiteProblem, since.AddDate(0, 0, 3))
		list, err := s.PublicSince(ctx, since)
		if err != nil {
			t.Fatal(err)
		}
		var got []int64
		for _, inc := range list {
			got = append(got, inc.ID)
		}
		if fmt.Sprint(got) != fmt.Sprint([]int64{recent, site, atSince, open}) {
			t.Fatalf("public since %s: %v (old resolved %d, merged %d)", since, got, oldResolved, merged)
		}
	})
}

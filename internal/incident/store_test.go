package incident_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

func TestIncidentStoreKeepsOneOpenIncidentPerRoot(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := incident.NewStore(db)
		start := time.Date(2026, 11, 27, 2, 13, 0, 0, time.UTC)
		inc := incident.Incident{Title: "hv03 down: 333 sites, 267 customers", Status: incident.Investigating,
			Severity: incident.Major, Cause: incident.CauseOutage, RootAssets: []string{"hv03"}, Auto: true,
			Impact:          incident.Impact{Assets: 343, Sites: 333, Customers: []string{"C1", "C2"}},
			ImpactStartedAt: start, DetectedAt: start.Add(70 * time.Second)}
		id, err := s.Create(ctx, &inc, incident.Event{At: start.Add(70 * time.Second), Type: incident.EventOpened, Text: "opened"})
		if err != nil {
			t.Fatal(err)
		}
		dup := inc
		if _, err := s.Create(ctx, &dup, incident.Event{Type: incident.EventOpened, Text: "again"}); !errors.Is(db.MapError(err), store.ErrConflict) {
			t.Fatalf("second open incident on hv03: %v", err)
		}
		got, err := s.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if got.Title != inc.Title || got.Impact.Sites != 333 || len(got.Impact.Customers) != 2 || got.TimeToDetect() != 70*time.Second {
			t.Fatalf("got %+v", got)
		}
		resolved := start.Add(time.Hour)
		got.Status, got.ResolvedAt = incident.Resolved, &resolved
		if err := s.Update(ctx, &got, incident.Event{At: resolved, Type: incident.EventStatus, Public: true, Text: "resolved"}); err != nil {
			t.Fatal(err)
		}
		again := inc
		if _, err := s.Create(ctx, &again, incident.Event{Type: incident.EventOpened, Text: "hv03 again"}); err != nil {
			t.Fatalf("a new incident on hv03 after the first resolved: %v", err)
		}
		open, err := s.List(ctx, "open", 0)
		if err != nil || len(open) != 1 || open[0].ID != again.ID {
			t.Fatalf("open: %+v %v", open, err)
		}
		all, _ := s.List(ctx, "all", 0)
		done, _ := s.List(ctx, "resolved", 0)
		if len(all) != 2 || len(done) != 1 || done[0].TimeToResolve() != time.Hour {
			t.Fatalf("all %d, resolved %+v", len(all), done)
		}
		events, err := s.Events(ctx, id)
		if err != nil || len(events) != 2 || events[1].Type != incident.EventStatus || !events[1].Public {
			t.Fatalf("events: %+v %v", events, err)
		}
		if _, err := s.List(ctx, "sideways", 0); err == nil {
			t.Fatal("unknown status filter accepted")
		}
		if _, err := s.Get(ctx, 999); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("missing incident: %v", err)
		}
	})
}

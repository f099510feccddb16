package incident_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// createIncident stores an incident on root with the given severity,
// resolved an hour after it started when resolved is set.
func createIncident(t *testing.T, s *incident.Store, root string, sev incident.Severity, resolved bool) incident.Incident {
	t.Helper()
	ctx := context.Background()
	start := time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC)
	inc := incident.Incident{Title: root + " down", Status: incident.Investigating, Severity: sev,
		Cause: incident.CauseOutage, RootAssets: []string{root}, Auto: true,
		Impact:          incident.Impact{Assets: 3, Sites: 2, Customers: []string{"C1"}},
		ImpactStartedAt: start, DetectedAt: start.Add(time.Minute)}
	if _, err := s.Create(ctx, &inc, incident.Event{At: start.Add(time.Minute), Type: incident.EventOpened, Text: "opened"}); err != nil {
		t.Fatal(err)
	}
	if resolved {
		end := start.Add(time.Hour)
		inc.Status, inc.ResolvedAt = incident.Resolved, &end
		if err := s.Update(ctx, &inc, incident.Event{At: end, Type: incident.EventStatus, Public: true, Text: "resolved"}); err != nil {
			t.Fatal(err)
		}
	}
	return inc
}

func TestPostMortemStoreDraftsOnFirstGet(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		incidents := incident.NewStore(db)
		pms := incident.NewPostMortemStore(db, incidents)
		paris, _ := time.LoadLocation("Europe/Paris")
		inc := createIncident(t, incidents, "hv03", incident.Critical, true)

		pm, err := pms.Get(ctx, inc.ID, paris)
		if err != nil {
			t.Fatal(err)
		}
		if pm.IncidentID != inc.ID || pm.State != incident.PMDraft || !strings.Contains(pm.Timeline, "10:31") {
			t.Fatalf("drafted %+v", pm)
		}
		if pm.UpdatedAt.Location() != paris || pm.UpdatedAt.IsZero() {
			t.Fatalf("updated_at %v", pm.UpdatedAt)
		}
		var rows int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM postmortems WHERE incident_id = $1`, inc.ID).Scan(&rows); err != nil || rows != 1 {
			t.Fatalf("stored rows %d, %v", rows, err)
		}
		// The stored draft is kept: the timeline stays as first drafted.
		again, err := pms.Get(ctx, inc.ID, time.UTC)
		if err != nil || again.Timeline != pm.Timeline {
			t.Fatalf("second get: %q %v", again.Timeline, err)
		}
		if _, err := pms.Get(ctx, inc.ID+100, paris); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown incident: %v", err)
		}
	})
}

func TestPostMortemStorePublishesOnlyWhenComplete(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		incidents := incident.NewStore(db)
		pms := incident.NewPostMortemStore(db, incidents)
		id := createIncident(t, incidents, "hv03", incident.Critical, true).ID
		pm, err := pms.Get(ctx, id, time.UTC)
		if err != nil {
			t.Fatal(err)
		}

		bad := pm
		bad.Actions = []incident.ActionItem{{Title: "", Type: "pray", Due: "soon", Status: incident.ActionOpen}}
		var invalid *incident.InvalidPostMortemError
		if err := pms.Save(ctx, bad); !errors.As(err, &invalid) || len(invalid.Fields) != 3 {
			t.Fatalf("invalid save: %v", err)
		}
		pm.Summary = "hv03 lost power."
		pm.Actions = []incident.ActionItem{{Title: "Dual PSU", Type: incident.ActionPrevent, Due: "2026-04-30", Status: incident.ActionOpen}}
		if err := pms.Save(ctx, pm); err != nil {
			t.Fatal(err)
		}
		if err := pms.SetPublic(ctx, id, true); !errors.Is(err, incident.ErrNotPublished) {
			t.Fatalf("public while draft: %v", err)
		}
		if err := pms.Transition(ctx, id, incident.PMPublished); !errors.Is(err, incident.ErrTransition) {
			t.Fatalf("draft to published: %v", err)
		}
		if err := pms.Transition(ctx, id, incident.PMInReview); err != nil {
			t.Fatal(err)
		}
		err = pms.Transition(ctx, id, incident.PMPublished)
		if !errors.Is(err, incident.ErrNotReady) || !errors.As(err, &invalid) || len(invalid.Fields) != 2 {
			t.Fatalf("publish without root cause and resolution: %v", err)
		}

		pm, _ = pms.Get(ctx, id, time.UTC)
		pm.RootCause, pm.Resolution = "A single power supply.", "Moved the VMs to hv04."
		if err := pms.Save(ctx, pm); err != nil {
			t.Fatal(err)
		}
		if err := pms.Transition(ctx, id, incident.PMPublished); err != nil {
			t.Fatal(err)
		}
		if err := pms.SetPublic(ctx, id, true); err != nil {
			t.Fatal(err)
		}
		got, _ := pms.Get(ctx, id, time.UTC)
		if got.State != incident.PMPublished || !got.Public || got.Actions[0].Title != "Dual PSU" || got.Summary != pm.Summary {
			t.Fatalf("published %+v", got)
		}

		edit := got
		edit.Summary = "Rewritten after the fact."
		if err := pms.Save(ctx, edit); !errors.Is(err, incident.ErrPublished) {
			t.Fatalf("edit published: %v", err)
		}
		hide := got
		hide.Public = false
		if err := pms.Save(ctx, hide); err != nil {
			t.Fatalf("hide published through save: %v", err)
		}
		if err := pms.Transition(ctx, id, incident.PMDraft); !errors.Is(err, incident.ErrTransition) {
			t.Fatalf("published back to draft: %v", err)
		}
	})
}

func TestPostMortemStoreListsPending(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		incidents := incident.NewStore(db)
		pms := incident.NewPostMortemStore(db, incidents)
		open := createIncident(t, incidents, "sw1", incident.Major, false)
		resolved := createIncident(t, incidents, "hv03", incident.Critical, true)
		createIncident(t, incidents, "web7", incident.Minor, true)

		ids := func() []int64 {
			t.Helper()
			list, err := pms.Pending(ctx)
			if err != nil {
				t.Fatal(err)
			}
			out := []int64{}
			for _, inc := range list {
				out = append(out, inc.ID)
			}
			return out
		}
		if got := ids(); len(got) != 2 || got[0] != resolved.ID || got[1] != open.ID {
			t.Fatalf("pending %v, want [%d %d]", got, resolved.ID, open.ID)
		}

		pm, err := pms.Get(ctx, resolved.ID, time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		pm.RootCause, pm.Resolution = "A single power supply.", "Moved the VMs."
		if err := pms.Save(ctx, pm); err != nil {
			t.Fatal(err)
		}
		if err := pms.Transition(ctx, resolved.ID, incident.PMInReview); err != nil {
			t.Fatal(err)
		}
		if got := ids(); len(got) != 2 {
			t.Fatalf("in review is still pending: %v", got)
		}
		if err := pms.Transition(ctx, resolved.ID, incident.PMPublished); err != nil {
			t.Fatal(err)
		}
		if got := ids(); len(got) != 1 || got[0] != open.ID {
			t.Fatalf("pending after publishing %d: %v", resolved.ID, got)
		}
	})
}

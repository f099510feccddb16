package incident_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// tableOutbox writes every trigger into the test_outbox table, in the
// transaction it is given, then returns fail.
type tableOutbox struct{ fail error }

func (o *tableOutbox) Enqueue(ctx context.Context, tx *sql.Tx, t incident.Trigger) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO test_outbox (type, incident_id, event_id, update_id, maintenance_id, seq, at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, t.Type, t.IncidentID, t.EventID, t.UpdateID, t.MaintenanceID, t.Sequence, t.At.UTC())
	if err != nil {
		return err
	}
	return o.fail
}

// withOutbox creates the test_outbox table and returns the incident and
// maintenance stores handing their triggers to o.
func withOutbox(t *testing.T, db *store.DB, o incident.Outbox, now time.Time) (*incident.Store, *incident.MaintenanceStore) {
	t.Helper()
	if _, err := db.ExecContext(context.Background(), `CREATE TABLE test_outbox (type TEXT NOT NULL,
		incident_id BIGINT NOT NULL, event_id BIGINT NOT NULL, update_id BIGINT NOT NULL, maintenance_id BIGINT NOT NULL,
		seq INTEGER NOT NULL, at TIMESTAMP NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	st := incident.NewStore(db)
	st.SetOutbox(o)
	ms := incident.NewMaintenanceStore(db)
	ms.Now = func() time.Time { return now }
	ms.SetOutbox(o)
	return st, ms
}

// recorded returns the rows of test_outbox as "type incident/event/update/
// maintenance/sequence", in the order written.
func recorded(t *testing.T, db *store.DB) []string {
	t.Helper()
	out := []string{}
	err := store.Each(context.Background(), db, "test outbox", `SELECT type, incident_id, event_id, update_id,
		maintenance_id, seq FROM test_outbox`, nil, func(rows *sql.Rows) error {
		var typ string
		var inc, ev, up, m int64
		var seq int
		if err := rows.Scan(&typ, &inc, &ev, &up, &m, &seq); err != nil {
			return err
		}
		out = append(out, fmt.Sprintf("%s %d/%d/%d/%d/%d", typ, inc, ev, up, m, seq))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// eventTriggers returns, for every event written, but notifications, the
// trigger it should have given, sorted.
func eventTriggers(t *testing.T, db *store.DB) []string {
	t.Helper()
	out := []string{}
	err := store.Each(context.Background(), db, "events", `SELECT type, incident_id, id FROM incident_events
		WHERE type <> 'notification-sent'`, nil, func(rows *sql.Rows) error {
		var typ string
		var inc, id int64
		if err := rows.Scan(&typ, &inc, &id); err != nil {
			return err
		}
		out = append(out, fmt.Sprintf("%s %d/%d/0/0/0", typ, inc, id))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// TestTheOutboxSeesEveryTrigger writes through every path that writes an
// event, a public update or a maintenance window, the engine's merges and
// re-targeting included, and finds each trigger in the outbox's table, in
// the same transaction, and no more.
func TestTheOutboxSeesEveryTrigger(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := &clock{time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)}
		st, ms := withOutbox(t, db, &tableOutbox{}, c.t)
		// The engine: s1, then s3, then hv1: one re-targeted, one merged, settled.
		inv := inventory.NewService(db, nil)
		if _, err := inv.ImportFiles(ctx, []inventory.File{{Name: "host.yaml", Data: []byte(engineHost)}}, inventory.ImportOptions{}); err != nil {
			t.Fatal(err)
		}
		e := incident.NewEngine(st, inv, incident.EngineOptions{Now: c.now})
		e.Observe(down(c.t, "s1"))
		tick(t, e, c, 0)
		e.Observe(down(c.t, "s3"))
		tick(t, e, c, 5*time.Second)
		e.Observe(down(c.t, "hv1", "vm1", "vm2", "s2", "s4"))
		tick(t, e, c, 5*time.Second)
		tick(t, e, c, incident.DefaultSettle)
		inc := openIncidents(t, st)[0]
		// Staff: a note, a delivery (no trigger), updates and an override.
		if err := st.AddEvent(ctx, &incident.Event{IncidentID: inc.ID, At: c.t, Type: incident.EventNote, Text: "on it"}); err != nil {
			t.Fatal(err)
		}
		if err := st.AddEvent(ctx, &incident.Event{IncidentID: inc.ID, At: c.t, Type: incident.EventNotification, Text: "mail sent"}); err != nil {
			t.Fatal(err)
		}
		opened := eventOf(t, timeline(t, st, inc.ID), incident.EventOpened)
		first := incident.PublicUpdate{IncidentID: inc.ID, Status: incident.Investigating, MessageEN: "We are on it.", ReplacesEvent: opened.ID}
		if err := st.AddPublicUpdate(ctx, &first, c.t); err != nil {
			t.Fatal(err)
		}
		moved := incident.PublicUpdate{IncidentID: inc.ID, Status: incident.Identified, MessageEN: "A power supply."}
		if err := st.AddPublicUpdate(ctx, &moved, c.t); err != nil {
			t.Fatal(err)
		}
		if _, err := st.EditPublicUpdate(ctx, inc.ID, first.ID, "", "We are on it, all of us.", c.t); err != nil {
			t.Fatal(err)
		}
		if _, err := st.EditPublicUpdate(ctx, inc.ID, first.ID, "", "We are on it, all of us.", c.t); err != nil {
			t.Fatal(err)
		}
		if err := st.SetComponentStatus(ctx, inc.ID, "shared-hosting", "major_outage", "ana", c.t); err != nil {
			t.Fatal(err)
		}
		// Maintenance: created, changed, given unchanged (no trigger), cancelled.
		w := incident.Window{Title: "hv1 firmware", Assets: []string{"hv1"}, Zone: "Europe/Paris", Start: "2026-12-01T02:00", End: "2026-12-01T03:00"}
		if err := ms.Create(ctx, &w, "ana"); err != nil {
			t.Fatal(err)
		}
		w.End = "2026-12-01T04:00"
		if err := ms.Update(ctx, &w); err != nil {
			t.Fatal(err)
		}
		if err := ms.Update(ctx, &w); err != nil {
			t.Fatal(err)
		}
		if err := ms.Delete(ctx, w.ID); err != nil {
			t.Fatal(err)
		}

		var events, others []string
		for _, r := range recorded(t, db) {
			if strings.HasPrefix(r, incident.TriggerPublicUpdate+" ") || strings.HasPrefix(r, incident.TriggerMaintenance+" ") {
				others = append(others, r)
			} else {
				events = append(events, r)
			}
		}
		slices.Sort(events)
		if want := eventTriggers(t, db); !slices.Equal(events, want) {
			t.Errorf("event triggers\n%q\nwant one per event but notifications\n%q", events, want)
		}
		for _, typ := range []incident.EventType{incident.EventOpened, incident.EventRetargeted, incident.EventMerged,
			incident.EventSettled, incident.EventSignal, incident.EventStatus, incident.EventNote} {
			if !slices.ContainsFunc(events, func(r string) bool { return strings.HasPrefix(r, string(typ)+" ") }) {
				t.Errorf("no %s trigger among %q", typ, events)
			}
		}
		status := eventOf(t, timeline(t, st, inc.ID), incident.EventStatus)
		id := w.ID
		want := []string{
			fmt.Sprintf("public-update %d/%d/%d/0/0", inc.ID, opened.ID, first.ID),
			fmt.Sprintf("public-update %d/%d/%d/0/0", inc.ID, status.ID, moved.ID),
			fmt.Sprintf("public-update %d/%d/%d/0/0", inc.ID, opened.ID, first.ID),
			"maintenance 0/0/0/" + id + "/0", "maintenance 0/0/0/" + id + "/1", "maintenance 0/0/0/" + id + "/2",
		}
		if !slices.Equal(others, want) {
			t.Errorf("update and maintenance triggers\n%q\nwant\n%q", others, want)
		}
	})
}

// TestAnOutboxErrorWritesNothing makes the outbox fail (after writing its
// own row): every write that would have triggered a notification is
// rolled back whole, the outbox's row with it.
func TestAnOutboxErrorWritesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)
		o := &tableOutbox{}
		st, ms := withOutbox(t, db, o, now)
		inc := incident.Incident{Title: "hv1 down", Status: incident.Investigating, Severity: incident.Major,
			Cause: incident.CauseOutage, RootAssets: []string{"hv1"}, ImpactStartedAt: now, DetectedAt: now}
		if _, err := st.Create(ctx, &inc, incident.Event{At: now, Type: incident.EventOpened, Text: "opened"}); err != nil {
			t.Fatal(err)
		}
		u := incident.PublicUpdate{IncidentID: inc.ID, Status: incident.Investigating, MessageEN: "We are on it."}
		if err := st.AddPublicUpdate(ctx, &u, now); err != nil {
			t.Fatal(err)
		}
		w := incident.Window{Title: "hv1 firmware", Assets: []string{"hv1"}, Zone: "Europe/Paris", Start: "2026-12-01T02:00", End: "2026-12-01T03:00"}
		if err := ms.Create(ctx, &w, "ana"); err != nil {
			t.Fatal(err)
		}
		before := recorded(t, db)

		boom := errors.New("outbox full")
		o.fail = boom
		writes := map[string]error{}
		other := incident.Incident{Title: "vm1 down", Status: incident.Investigating, Severity: incident.Major,
			Cause: incident.CauseOutage, RootAssets: []string{"vm1"}, ImpactStartedAt: now, DetectedAt: now}
		_, writes["create"] = st.Create(ctx, &other, incident.Event{At: now, Type: incident.EventOpened, Text: "opened"})
		changed := inc
		changed.Title = "hv1 down, all of it"
		writes["update"] = st.Update(ctx, &changed, incident.Event{At: now, Type: incident.EventNote, Text: "renamed"})
		writes["add event"] = st.AddEvent(ctx, &incident.Event{IncidentID: inc.ID, At: now, Type: incident.EventNote, Text: "on it"})
		writes["add update moving the status"] = st.AddPublicUpdate(ctx, &incident.PublicUpdate{IncidentID: inc.ID,
			Status: incident.Identified, MessageEN: "A power supply."}, now)
		_, writes["edit update"] = st.EditPublicUpdate(ctx, inc.ID, u.ID, "", "We are all on it.", now)
		writes["create window"] = ms.Create(ctx, &incident.Window{Title: "vm1", Assets: []string{"vm1"}, Zone: "Europe/Paris",
			Start: "2026-12-02T02:00", End: "2026-12-02T03:00"}, "ana")
		moved := w
		moved.End = "2026-12-01T05:00"
		writes["update window"] = ms.Update(ctx, &moved)
		writes["cancel window"] = ms.Delete(ctx, w.ID)
		for name, err := range writes {
			if !errors.Is(err, boom) {
				t.Errorf("%s: %v, want the outbox's error", name, err)
			}
		}

		all, err := st.List(ctx, "all", 0)
		if err != nil || len(all) != 1 || all[0].Title != "hv1 down" || all[0].Status != incident.Investigating {
			t.Errorf("incidents after the failed writes: %+v %v", all, err)
		}
		if events := timeline(t, st, inc.ID); len(events) != 1 {
			t.Errorf("timeline after the failed writes: %+v", events)
		}
		updates, err := st.PublicUpdates(ctx, []int64{inc.ID})
		if list := updates[inc.ID]; err != nil || len(list) != 1 || list[0].MessageEN != "We are on it." {
			t.Errorf("public updates after the failed writes: %+v %v", list, err)
		}
		windows, err := ms.ListAll(ctx)
		if err != nil || len(windows) != 1 || windows[0].End != w.End || windows[0].Cancelled || windows[0].Sequence != 0 {
			t.Errorf("windows after the failed writes: %+v %v", windows, err)
		}
		if after := recorded(t, db); !slices.Equal(after, before) {
			t.Errorf("outbox rows %q, want those before the failed writes %q", after, before)
		}
	})
}

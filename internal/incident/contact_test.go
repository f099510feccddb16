package incident_test

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// TestOutboxesHandEachTriggerToEveryOutbox: two outboxes both see every
// trigger, in the same transaction; one failing rolls the whole write back.
func TestOutboxesHandEachTriggerToEveryOutbox(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)
		second := &tableOutbox{}
		st, _ := withOutbox(t, db, incident.Outboxes{&tableOutbox{}, nil, second}, now)
		inc := incident.Incident{Title: "hv1 down", Status: incident.Investigating, Severity: incident.Major,
			Cause: incident.CauseOutage, RootAssets: []string{"hv1"}, ImpactStartedAt: now, DetectedAt: now}
		if _, err := st.Create(ctx, &inc, incident.Event{At: now, Type: incident.EventOpened, Text: "opened"}); err != nil {
			t.Fatal(err)
		}
		got := recorded(t, db)
		if len(got) != 2 || got[0] != got[1] {
			t.Fatalf("triggers %q, want the opening twice", got)
		}
		second.fail = errors.New("refused")
		if err := st.AddEvent(ctx, &incident.Event{IncidentID: inc.ID, At: now, Type: incident.EventNote, Text: "x"}); err == nil {
			t.Fatal("a failing second outbox did not fail the write")
		}
		if n := len(recorded(t, db)); n != 2 {
			t.Errorf("%d triggers after a refused write, want the 2 before", n)
		}
		if n := len(timeline(t, st, inc.ID)); n != 1 {
			t.Errorf("%d timeline entries, want the opening only", n)
		}
	})
}

// TestTheFirstCustomerContactIsTheEarliestAndStaysThrough: a contact
// recorded sets the first contact and notes it; a later one changes
// nothing, an earlier one wins; an update from a copy read before keeps
// it; one before detection makes the incident customer-first, which needs
// a post-mortem even when minor.
func TestTheFirstCustomerContactIsTheEarliestAndStaysThrough(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)
		st := incident.NewStore(db)
		inc := incident.Incident{Title: "s1 down", Status: incident.Investigating, Severity: incident.Minor,
			Cause: incident.CauseOutage, RootAssets: []string{"s1"}, ImpactStartedAt: now, DetectedAt: now}
		if _, err := st.Create(ctx, &inc, incident.Event{At: now, Type: incident.EventOpened, Text: "opened"}); err != nil {
			t.Fatal(err)
		}
		stale := inc
		record := func(at time.Time) bool {
			t.Helper()
			var changed bool
			err := db.InTx(ctx, func(tx *sql.Tx) error {
				var err error
				changed, err = st.RecordCustomerContact(ctx, tx, inc.ID, at, "ticket 7 from C1")
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			return changed
		}
		if !record(now.Add(10 * time.Minute)) {
			t.Fatal("the first contact was not recorded")
		}
		if record(now.Add(20 * time.Minute)) {
			t.Error("a later contact replaced the first")
		}
		got, err := st.Get(ctx, inc.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.FirstCustomerContactAt == nil || !got.FirstCustomerContactAt.Equal(now.Add(10*time.Minute)) || got.CustomerFirst() {
			t.Fatalf("first contact %v, customer first %v; want 02:10, not first", got.FirstCustomerContactAt, got.CustomerFirst())
		}
		if !record(now.Add(-30 * time.Minute)) {
			t.Fatal("an earlier contact did not become the first")
		}
		// The engine writes back the copy it read before the ticket.
		stale.Title = "s1 down: 1 site"
		if err := st.Update(ctx, &stale); err != nil {
			t.Fatal(err)
		}
		if got, err = st.Get(ctx, inc.ID); err != nil {
			t.Fatal(err)
		}
		if got.FirstCustomerContactAt == nil || !got.FirstCustomerContactAt.Equal(now.Add(-30*time.Minute)) {
			t.Fatalf("after a stale update the first contact is %v, want 01:30", got.FirstCustomerContactAt)
		}
		if !got.CustomerFirst() || !incident.Required(&got) {
			t.Errorf("contact before detection: customer first %v, post-mortem required %v; want both", got.CustomerFirst(), incident.Required(&got))
		}
		notes := slices.DeleteFunc(timeline(t, st, inc.ID), func(e incident.Event) bool { return e.Type != incident.EventNote })
		if len(notes) != 2 || notes[0].Public || notes[0].Text != "ticket 7 from C1" {
			t.Errorf("notes %+v, want two staff notes of the contacts that changed the first", notes)
		}
		pending, err := incident.NewPostMortemStore(db, st).Pending(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(pending) != 1 || pending[0].ID != inc.ID {
			t.Errorf("pending post-mortems %v, want the customer-first incident", pending)
		}
	})
}

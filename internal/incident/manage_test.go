package incident_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// manageGraph is dc1 ← hv1 ← vm1 ← s1 (C1), s2 (C2) and dc1 ← hv2 ← vm2 ← s3 (C2).
func manageGraph() *inventory.Graph {
	return inventory.NewGraph(&inventory.Inventory{
		Customers: []inventory.Customer{{ID: "C1"}, {ID: "C2"}},
		Assets: []inventory.Asset{
			{Name: "dc1", Kind: "datacenter"},
			{Name: "hv1", Kind: "hypervisor", DependsOn: []string{"dc1"}},
			{Name: "hv2", Kind: "hypervisor", DependsOn: []string{"dc1"}},
			{Name: "vm1", Kind: "vm", DependsOn: []string{"hv1"}},
			{Name: "vm2", Kind: "vm", DependsOn: []string{"hv2"}},
			{Name: "s1", Kind: "site", Owner: "C1", DependsOn: []string{"vm1"}},
			{Name: "s2", Kind: "site", Owner: "C2", DependsOn: []string{"vm1"}},
			{Name: "s3", Kind: "site", Owner: "C2", DependsOn: []string{"vm2"}},
		},
	}, 1)
}

var t0 = time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)

func ptrTo[T any](v T) *T { return &v }

func TestOpenManualSumsTheImpactOfItsRoots(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		st := incident.NewStore(db)
		inc, err := incident.OpenManual(ctx, st, manageGraph(), []string{"hv2", "hv1", "hv2"}, "", incident.Major, "ops@example.org", t0)
		if err != nil {
			t.Fatal(err)
		}
		want := incident.Impact{Assets: 5, Sites: 3, Customers: []string{"C1", "C2"}}
		if inc.Auto || inc.Status != incident.Investigating || inc.Severity != incident.Major ||
			!slices.Equal(inc.RootAssets, []string{"hv1", "hv2"}) || inc.Impact.Sites != want.Sites ||
			inc.Impact.Assets != want.Assets || !slices.Equal(inc.Impact.Customers, want.Customers) ||
			inc.Title != "hv1, hv2 down: 3 sites, 2 customers" || !inc.DetectedAt.Equal(t0) {
			t.Fatalf("opened %+v", inc)
		}
		got, err := st.Get(ctx, inc.ID)
		if err != nil || got.Title != inc.Title || got.Auto {
			t.Fatalf("stored %+v %v", got, err)
		}
		events, _ := st.Events(ctx, inc.ID)
		if len(events) != 1 || events[0].Type != incident.EventOpened || events[0].Author != "ops@example.org" {
			t.Fatalf("timeline %+v", events)
		}
		if _, err := incident.OpenManual(ctx, st, manageGraph(), []string{"hv1", "hv2"}, "again", "", "ops", t0); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("second open incident on the same roots: %v", err)
		}
		computed, err := incident.OpenManual(ctx, st, manageGraph(), []string{"s3"}, "s3 slow", "", "ops", t0)
		if err != nil || computed.Title != "s3 slow" || computed.Severity == "" {
			t.Fatalf("titled, computed severity: %+v %v", computed, err)
		}
	})
}

func TestOpenManualRefusesBadInput(t *testing.T) {
	st := incident.NewStore(storetest.Open(t, store.SQLite))
	for _, tc := range []struct {
		name  string
		roots []string
		sev   incident.Severity
		field string
	}{
		{"no roots", nil, "", "root_assets"},
		{"unknown root", []string{"hv1", "hv9"}, "", "root_assets"},
		{"unknown severity", []string{"hv1"}, "dire", "severity"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := incident.OpenManual(context.Background(), st, manageGraph(), tc.roots, "", tc.sev, "ops", t0)
			var edit *incident.EditError
			if !errors.As(err, &edit) || edit.Field != tc.field {
				t.Fatalf("got %v, want an error on %s", err, tc.field)
			}
		})
	}
	if all, _ := st.List(context.Background(), "all", 0); len(all) != 0 {
		t.Fatalf("refused opens stored %d incidents", len(all))
	}
}

func TestEditMovesStatusAndRecordsTheTimeline(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		st := incident.NewStore(db)
		inc, err := incident.OpenManual(ctx, st, manageGraph(), []string{"hv1"}, "", incident.Minor, "ops", t0)
		if err != nil {
			t.Fatal(err)
		}
		edit := func(at time.Duration, req incident.EditRequest) incident.Incident {
			t.Helper()
			got, err := incident.Edit(ctx, st, inc.ID, req, "alice@example.org", t0.Add(at))
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		got := edit(time.Minute, incident.EditRequest{Lead: ptrTo("alice"), Severity: ptrTo(incident.Critical)})
		if got.Lead != "alice" || got.Severity != incident.Critical || got.AcknowledgedAt == nil || !got.AcknowledgedAt.Equal(t0.Add(time.Minute)) {
			t.Fatalf("after taking the lead: %+v", got)
		}
		got = edit(2*time.Minute, incident.EditRequest{Acknowledge: true, Status: ptrTo(incident.Identified)})
		if !got.AcknowledgedAt.Equal(t0.Add(time.Minute)) || got.Status != incident.Identified {
			t.Fatalf("acknowledged again or not identified: %+v", got)
		}
		got = edit(3*time.Minute, incident.EditRequest{Status: ptrTo(incident.Monitoring), Hold: ptrTo(true)})
		if got.MitigatedAt == nil || !got.MitigatedAt.Equal(t0.Add(3*time.Minute)) || !got.Hold {
			t.Fatalf("monitoring: %+v", got)
		}
		got = edit(4*time.Minute, incident.EditRequest{Status: ptrTo(incident.Resolved)})
		if got.ResolvedAt == nil || !got.ResolvedAt.Equal(t0.Add(4*time.Minute)) || got.TimeToResolve() != 4*time.Minute {
			t.Fatalf("resolved: %+v", got)
		}
		got = edit(5*time.Minute, incident.EditRequest{Status: ptrTo(incident.Investigating)})
		if got.Status != incident.Investigating || got.ResolvedAt != nil || got.MitigatedAt != nil {
			t.Fatalf("reopened: %+v", got)
		}
		if again := edit(6*time.Minute, incident.EditRequest{Lead: ptrTo("alice")}); again.Status != incident.Investigating {
			t.Fatalf("no-op edit: %+v", again)
		}
		stored, err := st.Get(ctx, inc.ID)
		if err != nil || stored.Status != incident.Investigating || stored.Severity != incident.Critical || stored.Lead != "alice" ||
			!stored.Hold || !stored.AcknowledgedAt.Equal(t0.Add(time.Minute)) {
			t.Fatalf("stored %+v %v", stored, err)
		}
		events, err := st.Events(ctx, inc.ID)
		if err != nil {
			t.Fatal(err)
		}
		var types []incident.EventType
		for _, e := range events[1:] {
			if e.Author != "alice@example.org" {
				t.Errorf("event %+v: author", e)
			}
			types = append(types, e.Type)
		}
		want := []incident.EventType{incident.EventRole, incident.EventNote, incident.EventStatus,
			incident.EventStatus, incident.EventNote, incident.EventStatus, incident.EventStatus}
		if !slices.Equal(types, want) {
			t.Fatalf("timeline %v, want %v", types, want)
		}
		if events[2].Text != "acknowledged; severity: minor → critical, set by staff and kept over the computed one" {
			t.Fatalf("note %q", events[2].Text)
		}
	})
}

func TestEditRefusesAndChangesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		st := incident.NewStore(db)
		inc, err := incident.OpenManual(ctx, st, manageGraph(), []string{"hv1"}, "", incident.Minor, "ops", t0)
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name  string
			req   incident.EditRequest
			field string
		}{
			{"skip to monitoring", incident.EditRequest{Status: ptrTo(incident.Monitoring), Lead: ptrTo("bob")}, "status"},
			{"merge by hand", incident.EditRequest{Status: ptrTo(incident.Merged)}, "status"},
			{"unknown status", incident.EditRequest{Status: ptrTo(incident.Status("sleeping"))}, "status"},
			{"unknown severity", incident.EditRequest{Severity: ptrTo(incident.Severity("dire"))}, "severity"},
			{"empty title", incident.EditRequest{Title: ptrTo("  ")}, "title"},
		} {
			_, err := incident.Edit(ctx, st, inc.ID, tc.req, "bob", t0.Add(time.Minute))
			var edit *incident.EditError
			if !errors.As(err, &edit) || edit.Field != tc.field {
				t.Errorf("%s: got %v, want an error on %s", tc.name, err, tc.field)
			}
		}
		got, _ := st.Get(ctx, inc.ID)
		events, _ := st.Events(ctx, inc.ID)
		if got.Status != incident.Investigating || got.Lead != "" || got.AcknowledgedAt != nil || len(events) != 1 {
			t.Fatalf("refused edits changed %+v, timeline %+v", got, events)
		}
		if _, err := incident.Edit(ctx, st, 999, incident.EditRequest{Acknowledge: true}, "bob", t0); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("missing incident: %v", err)
		}
	})
}

func TestStatsFiguresOverThePeriodAndPerMonth(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		st := incident.NewStore(db)
		// detect, settle after detection (-1: not yet), acknowledge after
		// detection, resolve after the start (0: not yet).
		add := func(root string, detected time.Time, detect, settle, ack, resolve time.Duration, status incident.Status) {
			t.Helper()
			inc := incident.Incident{Title: root, Status: incident.Investigating, Severity: incident.Minor, Auto: true,
				Cause: incident.CauseOutage, RootAssets: []string{root}, ImpactStartedAt: detected.Add(-detect), DetectedAt: detected}
			if _, err := st.Create(ctx, &inc, incident.Event{At: detected, Type: incident.EventOpened, Text: "opened"}); err != nil {
				t.Fatal(err)
			}
			inc.Status = status
			if settle >= 0 {
				inc.SettledAt = ptrTo(detected.Add(settle))
			}
			if ack > 0 {
				inc.AcknowledgedAt = ptrTo(detected.Add(ack))
			}
			if resolve > 0 {
				inc.ResolvedAt = ptrTo(inc.ImpactStartedAt.Add(resolve))
			}
			if err := st.Update(ctx, &inc); err != nil {
				t.Fatal(err)
			}
		}
		oct := time.Date(2026, 10, 10, 0, 0, 0, 0, time.UTC)
		nov := time.Date(2026, 11, 10, 0, 0, 0, 0, time.UTC)
		add("a", oct, time.Minute, time.Minute, 2*time.Minute, time.Hour, incident.Resolved)
		add("b", oct.Add(time.Hour), 3*time.Minute, 3*time.Minute, 4*time.Minute, 3*time.Hour, incident.Resolved)
		add("c", nov, 2*time.Minute, -1, 0, 0, incident.Investigating)
		add("d", nov.Add(time.Hour), time.Minute, time.Minute, 0, 0, incident.Merged)
		add("e", oct.AddDate(0, -3, 0), time.Minute, time.Minute, 0, 0, incident.Investigating)
		// A customer wrote of b before its detection, of c after.
		all, err := st.List(ctx, "all", 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, inc := range all {
			if inc.Title == "b" || inc.Title == "c" {
				at := inc.DetectedAt.Add(map[string]time.Duration{"b": -time.Minute, "c": time.Minute}[inc.Title])
				inc.FirstCustomerContactAt = &at
				if err := st.Update(ctx, &inc); err != nil {
					t.Fatal(err)
				}
			}
		}

		s, err := incident.Stats(ctx, st, time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatal(err)
		}
		if s.Count != 3 || s.CustomerFirst != 1 || s.TimeToDetect != (incident.Figure{N: 3, Mean: 2 * time.Minute, Median: 2 * time.Minute}) ||
			s.TimeToAcknowledge != (incident.Figure{N: 2, Mean: 3 * time.Minute, Median: 3 * time.Minute}) ||
			s.TimeToResolve != (incident.Figure{N: 2, Mean: 2 * time.Hour, Median: 2 * time.Hour}) ||
			// To the public word: a's 1+1 min and b's 3+3 min; c has not settled.
			s.TimeToPublicWord != (incident.Figure{N: 2, Mean: 4 * time.Minute, Median: 4 * time.Minute}) {
			t.Fatalf("overall %+v", s.Period)
		}
		if len(s.Months) != 2 || s.Months[0].Month != "2026-10" || s.Months[0].Count != 2 || s.Months[0].CustomerFirst != 1 ||
			s.Months[0].TimeToPublicWord != (incident.Figure{N: 2, Mean: 4 * time.Minute, Median: 4 * time.Minute}) ||
			s.Months[1].Month != "2026-11" || s.Months[1].Count != 1 || s.Months[1].TimeToDetect.Median != 2*time.Minute ||
			s.Months[1].TimeToResolve.N != 0 || s.Months[1].TimeToPublicWord.N != 0 {
			t.Fatalf("months %+v", s.Months)
		}
		// The API serves both figures.
		body, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(body), `"time_to_detect":{"n":3,"mean_seconds":120,"median_seconds":120}`) ||
			!strings.Contains(string(body), `"time_to_public_word":{"n":2,"mean_seconds":240,"median_seconds":240}`) {
			t.Fatalf("stats as JSON: %s", body)
		}
		empty, err := incident.Stats(ctx, st, nov.AddDate(1, 0, 0), nov.AddDate(2, 0, 0))
		if err != nil || empty.Count != 0 || len(empty.Months) != 0 {
			t.Fatalf("empty period %+v %v", empty, err)
		}
	})
}

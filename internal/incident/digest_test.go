package incident_test

import (
	"context"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/detect"
	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// TestDigestReadsOnlyItsPeriod opens incidents before, during and across
// a Paris night and reads the night's digest from Montreal: only what
// happened in the period is told, in order, in the reader's zone, with
// the signals counted by kind.
func TestDigestReadsOnlyItsPeriod(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := incident.NewStore(db)
		since := time.Date(2026, 11, 26, 23, 0, 0, 0, time.UTC) // midnight in Paris
		until := since.Add(8 * time.Hour)
		open := func(root string, detected time.Time, resolved *time.Time) {
			t.Helper()
			inc := incident.Incident{Title: root + " down", Status: incident.Investigating, Severity: incident.Major,
				Cause: incident.CauseOutage, RootAssets: []string{root}, ImpactStartedAt: detected, DetectedAt: detected}
			if _, err := s.Create(ctx, &inc, incident.Event{At: detected, Type: incident.EventOpened, Text: "opened"}); err != nil {
				t.Fatal(err)
			}
			if resolved != nil {
				inc.Status, inc.ResolvedAt = incident.Resolved, resolved
				if err := s.Update(ctx, &inc); err != nil {
					t.Fatal(err)
				}
			}
		}
		before, late := since.Add(-3*time.Hour), since.Add(2*time.Hour)
		open("hv01", before, &before)           // all before: not told
		open("hv02", before, &late)             // resolved in the night
		open("hv03", since.Add(time.Hour), nil) // opened in the night
		open("hv04", until, nil)                // at the end: not in [since, until)
		st := detect.NewStore(db)
		down := detect.Signal{Kind: detect.CheckDown, Check: "hv03/ping", Asset: "hv03", Location: "local", At: since.Add(time.Hour),
			Source: detect.SourceProbe}
		outside := down
		outside.At = until.Add(time.Minute)
		if err := st.Append(ctx, []detect.Signal{down, down, outside}); err != nil {
			t.Fatal(err)
		}
		montreal, err := time.LoadLocation("America/Montreal")
		if err != nil {
			t.Fatal(err)
		}
		d, err := incident.DigestSources{Incidents: s, Signals: st}.Digest(ctx, since, until, montreal)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range d.Events {
			got = append(got, e.At.Format("15:04 MST")+" "+e.Kind+" "+e.Text)
		}
		want := []string{"19:00 EST incident-opened major: hv03 down", "20:00 EST incident-resolved hv02 down"}
		if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
			t.Fatalf("events %q, want %q", got, want)
		}
		if d.Signals[string(detect.CheckDown)] != 2 || d.Zone != "America/Montreal" {
			t.Fatalf("signals %v, zone %s", d.Signals, d.Zone)
		}
	})
}

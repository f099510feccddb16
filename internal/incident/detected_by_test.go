package incident_test

import (
	"context"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/detect"
	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// An incident records what opened it, and reads it back, on both engines:
// correlation of checks, of Alertmanager alerts (whichever fired first),
// or staff by hand.
func TestAnIncidentRecordsWhatDetectedIt(t *testing.T) {
	alert := func(at time.Time, asset string) detect.Signal {
		return detect.Signal{Kind: incident.AlertFiringSignal, Check: asset + "/HostDown", Asset: asset, At: at,
			Source: detect.SourceAlertmanager}
	}
	cases := []struct {
		name    string
		signals func(at time.Time) []detect.Signal
		want    incident.DetectedBy
	}{
		{"checks", func(at time.Time) []detect.Signal { return down(at, "hv1", "vm1", "vm2") }, incident.DetectedByProbe},
		{"an alert", func(at time.Time) []detect.Signal { return []detect.Signal{alert(at, "hv1")} }, incident.DetectedByAlert},
		{"an alert before the checks", func(at time.Time) []detect.Signal {
			return append([]detect.Signal{alert(at.Add(-time.Minute), "vm1")}, down(at, "hv1", "vm2")...)
		}, incident.DetectedByAlert},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, db *store.DB) {
				clk := &clock{time.Date(2026, 11, 27, 2, 13, 0, 0, time.UTC)}
				e, st := newEngine(t, db, clk, nil)
				e.Observe(c.signals(clk.t))
				tick(t, e, clk, time.Second)
				tick(t, e, clk, incident.DefaultSettle)
				got := openIncidents(t, st)
				if len(got) != 1 || got[0].DetectedBy != c.want || !got[0].Auto {
					t.Fatalf("incidents %+v, want one detected by %q", got, c.want)
				}
			})
		})
	}
	t.Run("staff", func(t *testing.T) {
		storetest.Each(t, func(t *testing.T, db *store.DB) {
			clk := &clock{time.Date(2026, 11, 27, 2, 13, 0, 0, time.UTC)}
			_, st := newEngine(t, db, clk, nil)
			inv := inventory.NewService(db, nil)
			if err := inv.LoadGraph(context.Background()); err != nil {
				t.Fatal(err)
			}
			inc, err := incident.OpenManual(context.Background(), st, inv.Graph(), []string{"vm1"}, "", "", "ana", clk.t)
			if err != nil {
				t.Fatal(err)
			}
			read, err := st.Get(context.Background(), inc.ID)
			if err != nil || read.DetectedBy != incident.DetectedByStaff || read.Auto {
				t.Fatalf("read back %+v, %v; want detected by staff", read, err)
			}
		})
	})
}

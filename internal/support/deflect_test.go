package support_test

import (
	"context"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
	"github.com/vigie/vigie/internal/support"
)

// TestTheFormKnowsIncidentsAndMaintenanceOnTheAsset: a settled incident
// above the asset and a maintenance in progress are known; an incident
// still settling, one elsewhere and a window to come are not.
func TestTheFormKnowsIncidentsAndMaintenanceOnTheAsset(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		hv := f.incidentOn(t, "hv01")
		f.incidentOn(t, "hv02")
		settling := incident.Incident{Title: "web-01 down", Status: incident.Investigating, Severity: incident.Major, Auto: true,
			Cause: incident.CauseOutage, RootAssets: []string{"web-01"}, ImpactStartedAt: f.now, DetectedAt: f.now}
		if _, err := f.inc.Create(ctx, &settling, incident.Event{At: f.now, Type: incident.EventOpened, Text: "opened"}); err != nil {
			t.Fatal(err)
		}
		paris, _ := time.LoadLocation("Europe/Paris")
		local := func(d time.Duration) string { return f.now.Add(d).In(paris).Format("2006-01-02T15:04") }
		f.maint.Now = f.clock
		now := incident.Window{Title: "web-01 disks", Assets: []string{"web-01"}, Zone: "Europe/Paris", Start: local(-time.Hour), End: local(time.Hour)}
		later := incident.Window{Title: "web-01 again", Assets: []string{"web-01"}, Zone: "Europe/Paris", Start: local(24 * time.Hour), End: local(25 * time.Hour)}
		for _, w := range []*incident.Window{&now, &later} {
			if err := f.maint.Create(ctx, w, "ana"); err != nil {
				t.Fatal(err)
			}
		}
		k, err := f.st.Known(ctx, "C1", "alice-blog")
		if err != nil {
			t.Fatal(err)
		}
		if len(k.Incidents) != 1 || k.Incidents[0].ID != hv.ID || len(k.Maintenance) != 1 || k.Maintenance[0].ID != now.ID {
			t.Errorf("known on alice-blog: %d incidents %v, %d windows", len(k.Incidents), k.Incidents, len(k.Maintenance))
		}
		if k, err := f.st.Known(ctx, "C3", "carla-cards"); err != nil || len(k.Incidents) != 1 || len(k.Maintenance) != 0 {
			t.Errorf("known on carla-cards: %+v %v", k, err)
		}
		if k, err := f.st.Known(ctx, "C1", ""); err != nil || !k.Empty() {
			t.Errorf("known on no asset: %+v %v", k, err)
		}
		if _, err := f.st.Known(ctx, "C2", "alice-blog"); invalidField(t, err) != "asset" {
			t.Errorf("known on another's asset: %v", err)
		}
	})
}

// TestDeflectionsAndTicketsSentAnywayAreCounted: following the known
// incident counts a deflection, writing anyway counts a ticket sent
// despite it; a ticket where nothing is known counts neither; the stats
// and the metrics tell them.
func TestDeflectionsAndTicketsSentAnywayAreCounted(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		if err := f.st.Followed(ctx, "C1", "alice-blog"); invalidField(t, err) != "asset" {
			t.Errorf("following where nothing is known: %v", err)
		}
		f.incidentOn(t, "hv01")
		for _, c := range []struct{ customer, asset string }{{"C1", "alice-blog"}, {"C2", "bob-bakery"}} {
			if err := f.st.Followed(ctx, c.customer, c.asset); err != nil {
				t.Fatal(err)
			}
		}
		f.open(t, "C1", alice, "alice-shop", "Still down for me")
		f.open(t, "C3", support.Actor{Kind: support.ByCustomer, Name: "Carla (panel)"}, "carla-cards", "Unrelated")
		s, err := f.st.Stats(ctx, f.now.Add(-time.Hour), f.now.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if s.Deflections != 2 || s.SentAnyway != 1 || s.Opened != 2 || s.Linked != 1 || s.ByStatus[support.Open] != 2 ||
			s.Unassigned != 2 || s.CustomerFirst != 0 {
			t.Errorf("stats %+v", s)
		}
		before, err := f.st.Stats(ctx, f.now.Add(-2*time.Hour), f.now.Add(-time.Hour))
		if err != nil || before.Deflections != 0 || before.Opened != 0 {
			t.Errorf("stats of the hour before: %+v %v", before, err)
		}
		if _, err := f.st.Stats(ctx, f.now, f.now); invalidField(t, err) != "to" {
			t.Errorf("an empty period: %v", err)
		}
		reg := prometheus.NewRegistry()
		reg.MustRegister(f.st.Collector())
		families, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]float64{}
		for _, fam := range families {
			got[fam.GetName()] = fam.GetMetric()[0].GetCounter().GetValue()
		}
		if got["vigie_support_deflections_total"] != 2 || got["vigie_support_sent_anyway_total"] != 1 || len(got) != 2 {
			t.Errorf("metrics %v", got)
		}
	})
}

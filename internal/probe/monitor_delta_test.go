package probe

import (
	"context"
	"maps"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// scheduled returns the checks the scheduler holds, by key.
func scheduled(s *Scheduler) map[string]check.Check {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]check.Check, s.entries.len())
	for e := range s.entries.all() {
		out[e.key] = *e.check
	}
	return out
}

func assigned(m *Monitor) map[string]check.Check {
	out := make(map[string]check.Check, m.checks.len())
	for key, c := range m.checks.all() {
		out[key] = *c
	}
	return out
}

// TestMonitorReloadTakesChangesAsADelta changes the inventory a step at a
// time and checks after each that the monitor, reloading from the
// change alone, schedules exactly what a monitor loading everything does,
// with parents run as often as their dependents.
func TestMonitorReloadTakesChangesAsADelta(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := inventory.NewService(db, nil)
		host := `assets:
  - {name: hv1, kind: hypervisor, address: "127.0.0.1:22"}
  - {name: vm1, kind: vm, depends_on: [hv1], address: "127.0.0.2:22"}
  - {name: site1, kind: site, depends_on: [vm1], url: "http://127.0.0.3/"}
  - {name: site2, kind: site, depends_on: [vm1], url: "http://127.0.0.4/"}
checks:
  - {asset: site2, kind: tcp, address: "127.0.0.4:80", locations: [paris]}
`
		if _, err := svc.ImportFiles(ctx, []inventory.File{{Name: "host.yaml", Data: []byte(host)}}, inventory.ImportOptions{}); err != nil {
			t.Fatal(err)
		}
		m := NewMonitor(svc, MonitorOptions{})
		if err := svc.LoadGraph(ctx); err != nil {
			t.Fatal(err)
		}
		if err := m.reload(ctx); err != nil {
			t.Fatal(err)
		}
		steps := []struct {
			name string
			do   func() error
		}{
			{"a site checked every 10 s lowers its vm's and hypervisor's interval", func() error {
				_, err := svc.SaveCheck(ctx, check.Check{Asset: "site1", Kind: check.HTTP, Interval: check.Duration(10 * time.Second)}, inventory.Create)
				return err
			}},
			{"a site's url changes", func() error {
				a, err := svc.Asset(ctx, "site2")
				if err != nil {
					return err
				}
				a.URL = "http://127.0.0.5/"
				_, err = svc.SaveAsset(ctx, a, inventory.Update)
				return err
			}},
			{"the fast check goes: the parents slow down again", func() error {
				return svc.DeleteCheck(ctx, "site1", "http")
			}},
			{"a new site under vm1 at 5 s", func() error {
				doc := "assets:\n  - {name: site3, kind: site, depends_on: [vm1], url: \"http://127.0.0.6/\"}\n" +
					"checks:\n  - {asset: site3, kind: http, interval: 5s}\n"
				_, err := svc.ImportFiles(ctx, []inventory.File{{Name: "more.yaml", Data: []byte(doc)}}, inventory.ImportOptions{})
				return err
			}},
			{"the 5 s site moves to a new vm: the old one slows down", func() error {
				doc := "assets:\n  - {name: vm2, kind: vm, depends_on: [hv1], address: \"127.0.0.7:22\"}\n" +
					"  - {name: site3, kind: site, depends_on: [vm2], url: \"http://127.0.0.6/\"}\n"
				_, err := svc.ImportFiles(ctx, []inventory.File{{Name: "move.yaml", Data: []byte(doc)}}, inventory.ImportOptions{})
				return err
			}},
			{"the default check of sites changes", func() error {
				doc := "check_defaults:\n  site: {kind: http, interval: 20s}\n"
				_, err := svc.ImportFiles(ctx, []inventory.File{{Name: "defaults.yaml", Data: []byte(doc)}}, inventory.ImportOptions{})
				return err
			}},
			{"the 5 s site goes", func() error { return svc.DeleteAsset(ctx, "site3") }},
		}
		for _, step := range steps {
			if err := step.do(); err != nil {
				t.Fatalf("%s: %v", step.name, err)
			}
			index := m.intervals
			if err := m.reload(ctx); err != nil {
				t.Fatal(err)
			}
			if m.intervals != index {
				t.Fatalf("%s: the monitor loaded everything again", step.name)
			}
			fresh := NewMonitor(svc, MonitorOptions{})
			if err := fresh.reload(ctx); err != nil {
				t.Fatal(err)
			}
			if got, want := scheduled(m.sched), scheduled(fresh.sched); !reflect.DeepEqual(got, want) {
				t.Fatalf("%s: scheduled %v\nwant %v", step.name, slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(want)))
			}
			if got, want := assigned(m), assigned(fresh); !reflect.DeepEqual(got, want) {
				t.Fatalf("%s: assigned %v\nwant %v", step.name, got, want)
			}
			if m.version != fresh.version {
				t.Fatalf("%s: version %d, want %d", step.name, m.version, fresh.version)
			}
		}
		// The parents ended at their own pace: nothing under them is faster.
		if iv := scheduled(m.sched)["hv1/tcp"].Interval; time.Duration(iv) != 20*time.Second {
			t.Fatalf("hv1/tcp runs every %s, want 20s (its sites' default)", time.Duration(iv))
		}
	})
}

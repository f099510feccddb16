package probe

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"

	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// pinnedHost has a check pinned to paris and one to tokyo, each with a
// secret header, a heartbeat, and a check every location runs.
const pinnedHost = `assets:
  - {name: web1, kind: vm, address: "127.0.0.1:9"}
checks:
  - {asset: web1, name: paris-api, kind: http, url: "http://127.0.0.1:9/", locations: [paris], headers: {Authorization: "Bearer paris-secret"}}
  - {asset: web1, name: tokyo-api, kind: http, url: "http://127.0.0.1:9/", locations: [tokyo], headers: {Authorization: "Bearer tokyo-secret"}}
  - {asset: web1, name: job, kind: heartbeat, period: 1h}
check_defaults:
  vm: {kind: tcp, interval: 1h}
`

// importHost imports yaml into db and returns the inventory service.
func importHost(t testing.TB, db *store.DB, yaml string) *inventory.Service {
	t.Helper()
	inv := inventory.NewService(db, nil)
	if _, err := inv.ImportFiles(context.Background(), []inventory.File{{Name: "h.yaml", Data: []byte(yaml)}}, inventory.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	return inv
}

func TestAssignmentsHoldOnlyTheLocationsChecks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		inv := importHost(t, db, pinnedHost)
		_, list, err := Assignments(context.Background(), inv, "paris")
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, c := range list {
			keys = append(keys, c.Key())
			for _, v := range c.Headers() {
				if strings.Contains(v, "tokyo") {
					t.Errorf("paris was given tokyo's header in %s", c.Key())
				}
			}
			if c.Key() == "web1/paris-api" && c.Headers()["Authorization"] != "Bearer paris-secret" {
				t.Errorf("paris's own check came with headers %v, want its secret to run it", c.Headers())
			}
		}
		slices.Sort(keys)
		if want := []string{"web1/paris-api", "web1/tcp"}; !slices.Equal(keys, want) {
			t.Errorf("paris is assigned %v, want %v", keys, want)
		}
	})
}

func TestResultsOfUnassignedChecksAreRefusedAndCounted(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		inv := importHost(t, db, pinnedHost)
		locs := NewLocationStore(db)
		for _, name := range []string{"paris", "tokyo"} {
			if _, err := locs.Add(ctx, name); err != nil {
				t.Fatal(err)
			}
		}
		var logged strings.Builder
		q := NewResultQueueWith(db, ResultQueueOptions{Inventory: inv,
			Logger: slog.New(slog.NewTextHandler(&logged, &slog.HandlerOptions{Level: slog.LevelWarn}))})
		batch := []Record{
			{Seq: 1, Key: "web1/paris-api", Result: check.Result{OK: true}},
			{Seq: 2, Key: "web1/tokyo-api", Result: check.Result{OK: true}}, // tokyo's
			{Seq: 3, Key: "web1/job", Result: check.Result{OK: true}},       // a heartbeat
			{Seq: 4, Key: "web1/nothing", Result: check.Result{OK: true}},   // no such check
			{Seq: 5, Key: "web1/tcp", Result: check.Result{OK: true}},
		}
		got, err := q.TakeBatch(ctx, "paris", "e1", batch, queueT0)
		if err != nil {
			t.Fatal(err)
		}
		if want := (Taken{Ack: 5, Queued: 2, Refused: 3}); got != want {
			t.Errorf("took %+v, want %+v: refused records are acknowledged too", got, want)
		}
		if keys := keysOf(drain(t, q)); !slices.Equal(keys, []string{"web1/paris-api", "web1/tcp"}) {
			t.Errorf("queued %v, want only paris's checks", keys)
		}
		// A replay is skipped, not refused a second time.
		if again, err := q.TakeBatch(ctx, "paris", "e1", batch, queueT0); err != nil || again != (Taken{Ack: 5}) {
			t.Errorf("replay took %+v (%v), want nothing new", again, err)
		}
		// tokyo may send its own.
		if got, err := q.TakeBatch(ctx, "tokyo", "t1", batch[1:2], queueT0); err != nil || got.Refused != 0 || got.Queued != 1 {
			t.Errorf("tokyo's own result: %+v (%v), want queued", got, err)
		}
		list, err := locs.List(ctx)
		if err != nil {
			t.Fatal(err)
		}
		refused := map[string]int64{}
		for _, l := range list {
			refused[l.Name] = l.RefusedResults
		}
		if refused["paris"] != 3 || refused["tokyo"] != 0 {
			t.Errorf("refused results by location %v, want paris 3, tokyo 0", refused)
		}
		var m dto.Metric
		if err := q.refused.WithLabelValues("paris").Write(&m); err != nil {
			t.Fatal(err)
		}
		if n := m.GetCounter().GetValue(); n != 3 {
			t.Errorf("vigie_probe_results_refused_total{location=paris} = %v, want 3", n)
		}
		if n := strings.Count(logged.String(), "probe results refused"); n != 1 || !strings.Contains(logged.String(), "location=paris refused=3") {
			t.Errorf("logged %q, want one warning for paris's batch with its count", logged.String())
		}
	})
}

func TestAChangedAssignmentTakesEffectAtTheNextBatch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		inv := importHost(t, db, pinnedHost)
		if _, err := NewLocationStore(db).Add(ctx, "paris"); err != nil {
			t.Fatal(err)
		}
		q := NewResultQueue(db) // reads the inventory itself
		rec := func(seq uint64) []Record {
			return []Record{{Seq: seq, Key: "web1/tokyo-api", Result: check.Result{OK: true}}}
		}
		if got, err := q.TakeBatch(ctx, "paris", "e1", rec(1), queueT0); err != nil || got.Refused != 1 {
			t.Fatalf("tokyo's check from paris: %+v (%v), want refused", got, err)
		}
		c := check.Check{
			Asset:       "web1",
			Name:        "tokyo-api",
			Kind:        check.HTTP,
			URL:         "http://127.0.0.1:9/",
			Locations:   []string{"tokyo", "paris"},
			HTTPOptions: &check.HTTPOptions{Headers: map[string]string{"Authorization": "Bearer tokyo-secret"}},
		}
		if _, err := inv.SaveCheck(ctx, c, inventory.Update); err != nil {
			t.Fatal(err)
		}
		if got, err := q.TakeBatch(ctx, "paris", "e1", rec(2), queueT0); err != nil || got.Refused != 0 || got.Queued != 1 {
			t.Fatalf("after paris was added to the check: %+v (%v), want queued", got, err)
		}
	})
}

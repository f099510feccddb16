package web_test

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/detect"
	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/simulate"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// pagedBenchSites is the size of the host the paged lists are measured on.
const pagedBenchSites = 1_000_000

// BenchmarkPagedLists1M measures the first page (1,000 rows, as the API
// answers it by default) of the effective checks and of the states of a
// generated 1,000,000-site host on each engine, against the full lists of
// before paging (Checks loading the whole inventory, States reading every
// row), measured in the same run. The host is built once per engine; it
// takes minutes and gigabytes, so -short skips it.
//
//	go test ./internal/web -run '^$' -bench PagedLists1M -benchtime 20x -timeout 60m
func BenchmarkPagedLists1M(b *testing.B) {
	if testing.Short() {
		b.Skip("the 1,000,000-site host takes minutes and gigabytes to build")
	}
	inv := simulate.Generate(simulate.Params{Sites: pagedBenchSites})
	dir := b.TempDir()
	if err := simulate.WriteFile(dir, inv); err != nil {
		b.Fatal(err)
	}
	effective := inventory.EffectiveChecks(inv)
	states := make([]detect.StateRow, 0, 2*len(effective))
	since := time.Date(2026, 12, 7, 3, 0, 0, 0, time.UTC)
	for i, c := range effective {
		st := detect.Up
		if i%97 == 0 {
			st = detect.Down
		}
		key := c.Key()
		states = append(states, detect.StateRow{Check: key, State: st, Since: since},
			detect.StateRow{Check: key, Location: "paris", State: st, Since: since})
	}
	b.Logf("%d sites: %d effective checks, %d states", pagedBenchSites, len(effective), len(states))
	for _, e := range storetest.Engines {
		b.Run(string(e), func(b *testing.B) {
			benchPagedLists(b, e, dir, states)
		})
	}
}

func benchPagedLists(b *testing.B, e store.Engine, dir string, states []detect.StateRow) {
	ctx := context.Background()
	db := storetest.Open(b, e)
	svc := inventory.NewService(db, nil)
	t0 := time.Now()
	importHost(b, svc, dir)
	det := detect.NewStore(db)
	for from := 0; from < len(states); from += 100_000 {
		if err := det.SaveStates(ctx, states[from:min(from+100_000, len(states))]); err != nil {
			b.Fatal(err)
		}
	}
	// What autovacuum (PostgreSQL) would have done a while after such an
	// import, and what SQLite's planner may use: statistics.
	if _, err := db.ExecContext(ctx, `ANALYZE`); err != nil {
		b.Fatal(err)
	}
	b.Logf("%s: imported, states written and analyzed in %s", e, time.Since(t0).Round(time.Second))

	// The baselines: the full lists as the API answered them before paging.
	checksFull := timeOnce(b, func() int {
		list, err := svc.Checks(ctx, inventory.CheckFilter{Effective: true})
		if err != nil {
			b.Fatal(err)
		}
		encode(b, list)
		return len(list)
	})
	statesFull := timeOnce(b, func() int {
		rows, err := det.States(ctx)
		if err != nil {
			b.Fatal(err)
		}
		encode(b, rows)
		return len(rows)
	})

	const limit = 1000
	down := detect.Down
	pages := []struct {
		name     string
		baseline time.Duration
		page     func() int
	}{
		{"checks-effective-first-page", checksFull, func() int {
			list, _, err := svc.ChecksPage(ctx, inventory.CheckPage{Effective: true, Limit: limit})
			if err != nil {
				b.Fatal(err)
			}
			encode(b, list)
			return len(list)
		}},
		{"checks-effective-middle-page", checksFull, func() int {
			list, _, err := svc.ChecksPage(ctx, inventory.CheckPage{Effective: true, Limit: limit, After: check.Key{Asset: "s0500000"}})
			if err != nil {
				b.Fatal(err)
			}
			encode(b, list)
			return len(list)
		}},
		{"checks-effective-first-page-kind-tcp", checksFull, func() int {
			list, _, err := svc.ChecksPage(ctx, inventory.CheckPage{Effective: true, Kind: "tcp", Limit: limit})
			if err != nil {
				b.Fatal(err)
			}
			encode(b, list)
			return len(list)
		}},
		{"states-first-page", statesFull, func() int {
			rows, _, err := det.StatesPage(ctx, detect.StatePage{Limit: limit})
			if err != nil {
				b.Fatal(err)
			}
			encode(b, rows)
			return len(rows)
		}},
		{"states-first-page-down", statesFull, func() int {
			rows, _, err := det.StatesPage(ctx, detect.StatePage{State: &down, Limit: limit})
			if err != nil {
				b.Fatal(err)
			}
			encode(b, rows)
			return len(rows)
		}},
		{"states-first-page-paris", statesFull, func() int {
			rows, _, err := det.StatesPage(ctx, detect.StatePage{Location: "paris", Limit: limit})
			if err != nil {
				b.Fatal(err)
			}
			encode(b, rows)
			return len(rows)
		}},
	}
	for _, p := range pages {
		b.Run(p.name, func(b *testing.B) {
			if n := p.page(); n != limit {
				b.Fatalf("a page of %d, want %d", n, limit)
			}
			b.ReportAllocs()
			t0 := time.Now()
			for b.Loop() {
				p.page()
			}
			per := time.Since(t0) / time.Duration(b.N)
			b.ReportMetric(float64(p.baseline.Milliseconds()), "full-list-ms")
			b.ReportMetric(float64(p.baseline)/float64(per), "full/page")
		})
	}
}

// importHost imports the host simulate.WriteFile wrote in dir, as vigie
// import would.
func importHost(b *testing.B, svc *inventory.Service, dir string) {
	b.Helper()
	var files []inventory.File
	for _, name := range []string{simulate.CustomersCSV, simulate.AssetsCSV, simulate.ChecksYAML} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			b.Fatal(err)
		}
		files = append(files, inventory.File{Name: name, Data: data})
	}
	if _, err := svc.ImportFiles(context.Background(), files, inventory.ImportOptions{}); err != nil {
		b.Fatal(err)
	}
}

// timeOnce runs fn once, logs how long it took and how many rows it
// gave, and returns the time.
func timeOnce(b *testing.B, fn func() int) time.Duration {
	b.Helper()
	t0 := time.Now()
	n := fn()
	d := time.Since(t0)
	b.Logf("%s: full list of %d rows in %s", b.Name(), n, d.Round(time.Millisecond))
	return d
}

// encode writes v as the API would, to nowhere.
func encode(b *testing.B, v any) {
	if err := json.NewEncoder(io.Discard).Encode(v); err != nil {
		b.Fatal(err)
	}
}

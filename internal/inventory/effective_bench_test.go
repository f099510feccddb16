//go:build unix

package inventory_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/simulate"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// cpuTime is the CPU time this process used so far, user and system.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// storedHost imports the generated host of sites into a fresh SQLite
// database, as `vigie import` would, and returns it with the names of a
// thousand of its sites.
func storedHost(b *testing.B, sites int) (*store.DB, []string) {
	b.Helper()
	ctx := context.Background()
	db := storetest.Open(b, store.SQLite)
	inv := simulate.Generate(simulate.Params{Sites: sites})
	var names []string
	for i := range inv.Assets {
		if inv.Assets[i].Kind == inventory.KindSite && len(names) < 1000 {
			names = append(names, inv.Assets[i].Name)
		}
	}
	dir := b.TempDir()
	if err := simulate.WriteFile(dir, inv); err != nil {
		b.Fatal(err)
	}
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
	if _, err := inventory.NewService(db, nil).ImportFiles(ctx, files, inventory.ImportOptions{}); err != nil {
		b.Fatal(err)
	}
	return db, names
}

// BenchmarkEffectiveChange1M changes one site of the stored
// 1,000,000-site host at a time, and measures the CPU time the server
// spends on it: in the process that writes it (the write, and the
// effective set and graph following it), and in another process bringing
// its set and graph forward from the change log. The baselines, measured
// once in the same run, are what the same change cost before: the writer
// and every reader of the effective checks loaded the whole inventory
// again (ChecksWithSecrets with Effective), and another process reloaded
// its graph (LoadGraph from scratch).
func BenchmarkEffectiveChange1M(b *testing.B) {
	if testing.Short() {
		b.Skip("storing the 1,000,000-site host takes a minute")
	}
	ctx := context.Background()
	db, sites := storedHost(b, benchSites)
	runtime.GC()
	writer := inventory.NewService(db, nil)
	other := inventory.NewService(db, nil)
	if err := writer.LoadGraph(ctx); err != nil {
		b.Fatal(err)
	}
	// The heap the writer's set keeps, its graph being loaded before.
	before := heapAfterGC()
	var setBytes int64
	for _, s := range []*inventory.Service{writer, other} {
		if _, err := s.Effective(ctx); err != nil {
			b.Fatal(err)
		}
		if s == writer {
			setBytes = heapAfterGC() - before
		}
	}
	measure := func(fn func()) time.Duration {
		runtime.GC()
		start := cpuTime(b)
		fn()
		return cpuTime(b) - start
	}
	fullChecks := measure(func() {
		list, err := writer.ChecksWithSecrets(ctx, inventory.CheckFilter{Effective: true})
		if err != nil || len(list) < benchSites {
			b.Fatalf("baseline: %d checks, %v", len(list), err)
		}
	})
	fullGraph := measure(func() {
		if err := inventory.NewService(db, nil).LoadGraph(ctx); err != nil {
			b.Fatal(err)
		}
	})
	n := 0
	change := func(b *testing.B) {
		a, err := writer.Asset(ctx, sites[n%len(sites)])
		if err != nil {
			b.Fatal(err)
		}
		n++
		a.URL = fmt.Sprintf("https://changed-%d.example/", n)
		if _, err := writer.SaveAsset(ctx, a, inventory.Update); err != nil {
			b.Fatal(err)
		}
	}
	report := func(b *testing.B, spent time.Duration, ops int, baseline time.Duration) {
		per := spent / time.Duration(ops)
		b.ReportMetric(float64(per)/1e6, "cpu-ms/op")
		b.ReportMetric(float64(baseline)/1e6, "baseline-cpu-ms")
		b.ReportMetric(float64(baseline)/float64(per), "x-less-than-baseline")
	}
	b.Run("writer", func(b *testing.B) {
		var spent time.Duration
		ops := 0
		for b.Loop() {
			start := cpuTime(b)
			change(b)
			set, err := writer.Effective(ctx)
			if err != nil {
				b.Fatal(err)
			}
			if ch, ok := set.Changes(set.Version() - 1); !ok || len(ch.Changed) != 1 {
				b.Fatalf("the change gave %d checks changed (ok %v)", len(ch.Changed), ok)
			}
			spent += cpuTime(b) - start
			ops++
		}
		// The writer used to reload every check (the monitor, then each
		// probe's poll): one full load is the least of it.
		report(b, spent, ops, fullChecks)
		b.ReportMetric(float64(setBytes)/(1<<20), "set-MiB")
	})
	b.Run("other-process", func(b *testing.B) {
		if err := other.Refresh(ctx); err != nil { // the writer's changes so far
			b.Fatal(err)
		}
		var spent time.Duration
		ops := 0
		for b.Loop() {
			b.StopTimer()
			change(b)
			b.StartTimer()
			start := cpuTime(b)
			if err := other.Refresh(ctx); err != nil {
				b.Fatal(err)
			}
			set, err := other.Effective(ctx)
			if err != nil {
				b.Fatal(err)
			}
			if ch, ok := set.Changes(set.Version() - 1); !ok || len(ch.Changed) != 1 {
				b.Fatalf("the refresh gave %d checks changed (ok %v)", len(ch.Changed), ok)
			}
			spent += cpuTime(b) - start
			ops++
		}
		report(b, spent, ops, fullGraph+fullChecks)
	})
}

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"time"

	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/inventory/naive"
	"github.com/vigie/vigie/internal/simulate"
)

// Calls timed for each impact; the median is reported.
const (
	hypervisorCalls = 200
	datacenterCalls = 10
)

// graphResult is what the graph child measured, for the graph index and for
// the naive baseline built from the same inventory.
type graphResult struct {
	Sites      int           `json:"sites"`
	Assets     int           `json:"assets"`
	Customers  int           `json:"customers"`
	InvHeap    int64         `json:"inventory_heap"`
	GraphHeap  int64         `json:"graph_heap"`
	NaiveHeap  int64         `json:"naive_heap"`
	GraphBuild time.Duration `json:"graph_build"`
	NaiveBuild time.Duration `json:"naive_build"`
	Hypervisor impactTimes   `json:"hypervisor"`
	Datacenter impactTimes   `json:"datacenter"`
	NaiveHV    impactTimes   `json:"naive_hypervisor"`
	NaiveDC    impactTimes   `json:"naive_datacenter"`
	RSSKiB     int64         `json:"-"`
}

// impactTimes is the timing of one kind of impact query over some assets.
type impactTimes struct {
	Calls  int           `json:"calls"`
	Median time.Duration `json:"median"`
	Max    time.Duration `json:"max"`
	// The impact of the first asset queried, to show the size of the answer.
	Example inventory.Impact `json:"-"`
	Assets  int              `json:"assets"`
	Sites   int              `json:"sites"`
	Owners  int              `json:"customers"`
}

// benchGraph runs the graph child for n sites.
func (w *workspace) benchGraph(ctx context.Context, n int) (*graphResult, error) {
	logf("graph index at %d sites (in a child process)", n)
	args := []string{"-child", "graph", "-n", strconv.Itoa(n)}
	if w.cfg.profile != "" {
		args = append(args, "-profile", filepath.Join(w.cfg.profile, fmt.Sprintf("graph-%d.pprof", n)))
	}
	out, _, rss, err := runMeasured(ctx, w.self, args...)
	if err != nil {
		return nil, fmt.Errorf("graph: %w", err)
	}
	var g graphResult
	if err := json.Unmarshal(out, &g); err != nil {
		return nil, fmt.Errorf("graph: %w: %s", err, out)
	}
	g.RSSKiB = rss
	logf("  graph heap %s (naive %s), impact hypervisor %s (naive %s), dc1 %s (naive %s)",
		mb(g.GraphHeap), mb(g.NaiveHeap), round(g.Hypervisor.Median), round(g.NaiveHV.Median),
		round(g.Datacenter.Median), round(g.NaiveDC.Median))
	return &g, nil
}

// runGraphChild measures the graph index of the host of n sites, then the
// naive baseline, each alone in the heap, and prints a graphResult as JSON.
func runGraphChild(n int) error {
	r := graphResult{Sites: n}
	hvs, err := measureGraph(n, &r)
	if err != nil {
		return err
	}
	if err := measureNaive(n, hvs, &r); err != nil {
		return err
	}
	if err := sameAnswers(r.Hypervisor, r.NaiveHV); err != nil {
		return fmt.Errorf("hypervisor: %w", err)
	}
	if err := sameAnswers(r.Datacenter, r.NaiveDC); err != nil {
		return fmt.Errorf("dc1: %w", err)
	}
	return json.NewEncoder(os.Stdout).Encode(r)
}

// measureGraph builds the graph, measures the heap it keeps once the
// inventory is gone, and times impacts. It returns the hypervisors queried.
func measureGraph(n int, r *graphResult) ([]string, error) {
	base := heapAfterGC()
	g, hvs := buildGraph(n, r, base)
	r.GraphHeap = heapAfterGC() - base
	var err error
	if r.Hypervisor, err = timeImpacts(g.Impact, hvs); err != nil {
		return nil, err
	}
	r.Datacenter, err = timeImpacts(g.Impact, slices.Repeat([]string{"dc1"}, datacenterCalls))
	return hvs, err
}

// buildGraph generates the host and indexes it; the inventory is
// unreachable once it returns.
func buildGraph(n int, r *graphResult, base int64) (*inventory.Graph, []string) {
	inv := simulate.Generate(simulate.Params{Sites: n})
	r.InvHeap = heapAfterGC() - base
	r.Assets, r.Customers = len(inv.Assets), len(inv.Customers)
	t0 := time.Now()
	g := inventory.NewGraph(inv, 1)
	r.GraphBuild = time.Since(t0)
	return g, hypervisorSample(inv)
}

// measureNaive does for the naive baseline what measureGraph does for the graph.
func measureNaive(n int, hvs []string, r *graphResult) error {
	base := heapAfterGC()
	naive := func() *naive.Graph {
		inv := simulate.Generate(simulate.Params{Sites: n})
		t0 := time.Now()
		g := naive.New(inv)
		r.NaiveBuild = time.Since(t0)
		return g
	}()
	r.NaiveHeap = heapAfterGC() - base
	var err error
	if r.NaiveHV, err = timeImpacts(naive.Impact, hvs); err != nil {
		return err
	}
	r.NaiveDC, err = timeImpacts(naive.Impact, slices.Repeat([]string{"dc1"}, datacenterCalls))
	return err
}

// hypervisorSample returns up to hypervisorCalls hypervisors spread over all of them.
func hypervisorSample(inv *inventory.Inventory) []string {
	var all []string
	for i := range inv.Assets {
		if inv.Assets[i].Kind == "hypervisor" {
			all = append(all, inv.Assets[i].Name)
		}
	}
	k := min(hypervisorCalls, len(all))
	out := make([]string, k)
	for i := range out {
		out[i] = all[i*len(all)/k]
	}
	return out
}

// timeImpacts calls impact once per name after one warm-up call.
func timeImpacts(impact func(string) (inventory.Impact, error), names []string) (impactTimes, error) {
	t := impactTimes{Calls: len(names)}
	first, err := impact(names[0])
	if err != nil {
		return t, err
	}
	t.Assets, t.Sites, t.Owners = first.Assets, first.Sites, len(first.Customers)
	t.Example = first
	times := make([]time.Duration, len(names))
	for i, name := range names {
		t0 := time.Now()
		if _, err := impact(name); err != nil {
			return t, err
		}
		times[i] = time.Since(t0)
	}
	slices.Sort(times)
	t.Median, t.Max = times[len(times)/2], times[len(times)-1]
	return t, nil
}

func sameAnswers(a, b impactTimes) error {
	if a.Assets != b.Assets || a.Sites != b.Sites || !slices.Equal(a.Example.Customers, b.Example.Customers) {
		return fmt.Errorf("graph says %d assets, %d sites, %d customers; baseline %d, %d, %d",
			a.Assets, a.Sites, a.Owners, b.Assets, b.Sites, b.Owners)
	}
	return nil
}

// heapAfterGC returns the bytes of live heap objects.
func heapAfterGC() int64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}

package probe

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/check"
)

// BenchmarkIntervalIndexBytes is the heap the monitor's interval index
// keeps per check, for sites with one check each and no dependencies (the
// common host): what a server holds for it between reloads.
//
//	go test -run XXX -bench BenchmarkIntervalIndexBytes ./internal/probe/
func BenchmarkIntervalIndexBytes(b *testing.B) {
	const n = 20_000
	checks := make([]*check.Check, n)
	for i := range checks {
		checks[i] = &check.Check{Asset: fmt.Sprintf("s%07d", i), Kind: check.HTTP, Interval: check.Duration(10 * time.Second)}
	}
	noParents := func(string) []string { return nil }
	kept := make([]*intervalIndex, b.N)
	before := inUse()
	for i := range b.N {
		kept[i] = buildIntervals(checks, noParents)
	}
	b.ReportMetric(float64(inUse()-before)/float64(b.N)/n, "B/check")
	runtime.KeepAlive(kept)
	runtime.KeepAlive(checks)
}

// An asset that depends on nothing has no entry among the parents kept,
// nor among the own intervals: a missing entry reads as none, and only an
// asset that depends on another bounds anything.
func TestIntervalIndexKeepsOnlyParentsThatExist(t *testing.T) {
	checks := []*check.Check{
		{Asset: "db", Kind: check.TCP, Interval: check.Duration(time.Minute)},
		{Asset: "www", Kind: check.HTTP, Interval: check.Duration(10 * time.Second)},
		{Asset: "api", Kind: check.HTTP, Interval: check.Duration(30 * time.Second)},
	}
	parents := map[string][]string{"www": {"db"}}
	x := buildIntervals(checks, func(a string) []string { return parents[a] })
	if len(x.parents) != 1 || len(x.parents["www"]) != 1 {
		t.Fatalf("parents kept = %v, want only www's", x.parents)
	}
	if len(x.own) != 1 || x.own["www"] != 10*time.Second {
		t.Fatalf("own intervals kept = %v, want only www's", x.own)
	}
	if got := time.Duration(x.lowered(checks[0]).Interval); got != 10*time.Second {
		t.Fatalf("db runs every %s, want 10s as www depends on it", got)
	}
}

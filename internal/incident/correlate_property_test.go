package incident

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/vigie/vigie/internal/inventory"
)

// randomHost builds an acyclic graph of n assets, each depending on up to
// three earlier ones, with some of them redundancy groups over their
// dependencies, and picks which assets have checks and which are down: a
// few real failures taking some of their dependents down, plus noise.
func randomHost(rng *rand.Rand, n int) (*inventory.Graph, map[string]bool, map[string]bool, CorrelateOptions) {
	kinds := []string{"hypervisor", "storage", "vm", "service", "site", "site"}
	inv := &inventory.Inventory{}
	opt := CorrelateOptions{Groups: map[string][]string{}, InferThreshold: rng.IntN(4) - 1}
	name := func(i int) string { return fmt.Sprintf("a%03d", i) }
	for i := range n {
		a := inventory.Asset{Name: name(i), Kind: kinds[rng.IntN(len(kinds))]}
		for range rng.IntN(4) {
			if i > 0 {
				if d := name(rng.IntN(i)); !slices.Contains(a.DependsOn, d) {
					a.DependsOn = append(a.DependsOn, d)
				}
			}
		}
		if len(a.DependsOn) >= 2 && rng.IntN(5) == 0 {
			a.Kind = "group"
			opt.Groups[a.Name] = slices.Clone(a.DependsOn)
		}
		inv.Assets = append(inv.Assets, a)
	}
	g := inventory.NewGraph(inv, 1)
	checked, down := map[string]bool{}, map[string]bool{}
	for _, a := range inv.Assets {
		if a.Kind != "group" && rng.IntN(10) < 7 {
			checked[a.Name] = true
		}
	}
	var fall func(string)
	fall = func(x string) {
		if checked[x] {
			down[x] = true
		}
		for _, d := range g.Dependents(x) {
			if rng.IntN(10) < 8 {
				fall(d)
			}
		}
	}
	for range rng.IntN(4) {
		fall(name(rng.IntN(n)))
	}
	for range rng.IntN(5) {
		down[name(rng.IntN(n))] = true
	}
	return g, checked, down, opt
}

func TestCorrelateRandomGraphs(t *testing.T) {
	for seed := range uint64(300) {
		rng := rand.New(rand.NewPCG(seed, 42))
		g, checked, down, opt := randomHost(rng, 10+rng.IntN(80))
		res := Correlate(g, checked, down, opt)
		ok := t.Run(fmt.Sprintf("seed %d", seed), func(t *testing.T) {
			checkInvariants(t, g, checked, down, opt, res)
			if again := Correlate(g, checked, down, opt); !reflect.DeepEqual(again, res) {
				t.Errorf("a second run gave another result")
			}
		})
		if !ok {
			t.Logf("down %v\nroots:\n%s", down, rootsText(res.Roots))
		}
	}
}

// checkInvariants checks res against the rules by brute force: every down
// asset is a symptom of exactly one root, which is itself or above it;
// roots are exactly the failed assets with no failed ancestor; inferred
// and group failures follow their rules.
func checkInvariants(t *testing.T, g *inventory.Graph, checked, down map[string]bool, opt CorrelateOptions, res Correlation) {
	t.Helper()
	parents := func(x string) []string {
		if members, group := opt.Groups[x]; group {
			if res.Failed[x] != FailedGroup {
				return nil
			}
			return members
		}
		return g.DependsOn(x)
	}
	ancestors := func(x string) map[string]bool {
		seen := map[string]bool{}
		stack := slices.Clone(parents(x))
		for len(stack) > 0 {
			p := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if !seen[p] {
				seen[p] = true
				stack = append(stack, parents(p)...)
			}
		}
		return seen
	}
	failedAbove := func(x string) bool {
		for a := range ancestors(x) {
			if _, failed := res.Failed[a]; failed {
				return true
			}
		}
		return false
	}

	owner := map[string]string{}
	isRoot := map[string]bool{}
	for i, r := range res.Roots {
		if i > 0 && res.Roots[i-1].Asset >= r.Asset {
			t.Errorf("roots not sorted: %s before %s", res.Roots[i-1].Asset, r.Asset)
		}
		isRoot[r.Asset] = true
		if _, failed := res.Failed[r.Asset]; !failed {
			t.Errorf("root %s is not failed", r.Asset)
		}
		if failedAbove(r.Asset) {
			t.Errorf("root %s has a failed ancestor", r.Asset)
		}
		if len(r.Symptoms) == 0 {
			t.Errorf("root %s explains nothing", r.Asset)
		}
		if !slices.IsSorted(r.Symptoms) {
			t.Errorf("symptoms of %s not sorted: %v", r.Asset, r.Symptoms)
		}
		for _, s := range r.Symptoms {
			if prev, dup := owner[s]; dup {
				t.Errorf("%s is a symptom of both %s and %s", s, prev, r.Asset)
			}
			owner[s] = r.Asset
			if s != r.Asset && !ancestors(s)[r.Asset] {
				t.Errorf("%s is a symptom of %s, which is not above it", s, r.Asset)
			}
			if res.Scope[s] != r.Asset {
				t.Errorf("scope of %s is %q, want %s", s, res.Scope[s], r.Asset)
			}
		}
	}
	for d := range down {
		if res.Failed[d] != FailedOwn {
			t.Errorf("down %s failed as %q", d, res.Failed[d])
		}
		if _, ok := owner[d]; !ok {
			t.Errorf("down %s is a symptom of no root", d)
		}
	}
	for x, cause := range res.Failed {
		if !failedAbove(x) && !isRoot[x] && cause != FailedInferred {
			t.Errorf("%s failed with nothing failed above it but is no root", x)
		}
		if _, ok := res.Scope[x]; !ok {
			t.Errorf("failed %s has no scope", x)
		}
		switch cause {
		case FailedInferred:
			checkInferred(t, g, checked, down, opt, res, x)
		case FailedGroup:
			members := opt.Groups[x]
			if len(members) == 0 {
				t.Errorf("%s failed as a group but is none", x)
			}
			for _, m := range members {
				if _, failed := res.Failed[m]; !failed {
					t.Errorf("group %s failed with member %s up", x, m)
				}
			}
		}
	}
}

func checkInferred(t *testing.T, g *inventory.Graph, checked, down map[string]bool, opt CorrelateOptions, res Correlation, x string) {
	t.Helper()
	if down[x] {
		t.Errorf("%s is down but counted inferred", x)
	}
	if _, group := opt.Groups[x]; group {
		t.Errorf("group %s was inferred", x)
	}
	n := 0
	for _, d := range g.Dependents(x) {
		cause, failed := res.Failed[d]
		if failed && cause != FailedGroup {
			n++
		} else if !failed && checked[d] {
			t.Errorf("%s inferred failed while its checked dependent %s is up", x, d)
		}
	}
	if n < opt.threshold() || opt.threshold() < 0 {
		t.Errorf("%s inferred from %d failed dependents, threshold %d", x, n, opt.threshold())
	}
}

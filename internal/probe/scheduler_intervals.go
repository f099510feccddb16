package probe

import (
	"cmp"
	"slices"
	"time"

	"github.com/vigie/vigie/internal/check"
)

// EffectiveIntervals returns, for each check's key, how often it should run
// so that an asset is checked at least as often as anything depending on
// it: its own interval, lowered to the shortest interval of the checks of
// the assets that depend on its asset, transitively. parentsOf returns an
// asset's direct dependencies. Feed the result to SetMinInterval.
func EffectiveIntervals(checks []*check.Check, parentsOf func(asset string) []string) map[string]time.Duration {
	own := map[string]time.Duration{} // the shortest interval of each asset's checks
	for _, c := range checks {
		iv := baseInterval(c)
		if cur, ok := own[c.Asset]; !ok || iv < cur {
			own[c.Asset] = iv
		}
	}
	assets := make([]string, 0, len(own))
	for a := range own {
		assets = append(assets, a)
	}
	// Walking from the shortest intervals up lets a walk stop at an asset
	// already bounded as low: the walk that bounded it went on above it.
	slices.SortFunc(assets, func(a, b string) int {
		return cmp.Or(cmp.Compare(own[a], own[b]), cmp.Compare(a, b))
	})
	bound := map[string]time.Duration{} // the shortest interval among an asset's dependents
	var stack []string
	for _, a := range assets {
		iv := own[a]
		stack = append(stack[:0], parentsOf(a)...)
		for len(stack) > 0 {
			p := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if b, ok := bound[p]; ok && b <= iv {
				continue
			}
			bound[p] = iv
			stack = append(stack, parentsOf(p)...)
		}
	}
	out := make(map[string]time.Duration, len(checks))
	for _, c := range checks {
		iv := baseInterval(c)
		if b, ok := bound[c.Asset]; ok && b < iv {
			iv = b
		}
		out[c.Key()] = iv
	}
	return out
}

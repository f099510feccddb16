package incident

import (
	"time"

	"github.com/vigie/vigie/internal/inventory"
)

// DefaultAftermath is how long after a root recovers what is still down
// below it is given to come back: rechecked at once, a site needs its
// confirming attempts, a VM its boot.
const DefaultAftermath = 2 * time.Minute

// aftermath drops from res the root candidates that are the aftermath of
// an incident that recovered less than Aftermath ago: assets below its
// root that went down before it recovered and are not back yet (a VM
// still booting after its hypervisor, a site whose check has not run
// again). Without this, a recovery with hundreds of sites would open
// hundreds of "site problems" for the seconds their checks take to pass.
// A failure that starts after the recovery, or one still there once
// Aftermath has passed, is a root again and opens its own incident.
func (e *Engine) aftermath(g *inventory.Graph, res *Correlation, now time.Time) {
	if len(res.Roots) == 0 && len(e.recovered) == 0 {
		return
	}
	recovered := map[string]time.Time{} // roots recovered within Aftermath, and when
	for root, inc := range e.open {
		_, failing := res.Failed[root]
		switch {
		case inc.Status == Monitoring && inc.MitigatedAt != nil && now.Sub(*inc.MitigatedAt) < e.opts.Aftermath:
			recovered[root] = *inc.MitigatedAt
		case inc.Auto && !failing && inc.Status != Monitoring:
			// It recovers now: this tick moves its incident to monitoring
			// after new roots open, and they open at once.
			recovered[root] = now
		}
	}
	for root, at := range e.recovered {
		switch {
		case now.Sub(at) >= e.opts.Aftermath:
			delete(e.recovered, root)
		case recovered[root].IsZero() || at.After(recovered[root]):
			recovered[root] = at
		}
	}
	if len(recovered) == 0 {
		return
	}
	// since is when each asset went down: its earliest down entry.
	since := map[string]time.Time{}
	for k, d := range e.state {
		if t, ok := since[k.asset]; !ok || d.since.Before(t) {
			since[k.asset] = d.since
		}
	}
	kept := res.Roots[:0]
	for _, r := range res.Roots {
		if _, own := e.open[r.Asset]; own || !e.belowRecovered(g, r, recovered, since) {
			kept = append(kept, r)
		}
	}
	res.Roots = kept
}

// belowRecovered reports whether every symptom of r went down before the
// recovery of a monitoring root that r depends on.
func (e *Engine) belowRecovered(g *inventory.Graph, r RootCause, recovered, since map[string]time.Time) bool {
	for root, at := range recovered {
		if !dependsOn(g, r.Asset, root) {
			continue
		}
		all := true
		for _, s := range r.Symptoms {
			if t, ok := since[s]; !ok || !t.Before(at) {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return false
}

// dependsOn reports whether asset depends, directly or not, on root.
func dependsOn(g *inventory.Graph, asset, root string) bool {
	seen := map[string]bool{asset: true}
	for queue := []string{asset}; len(queue) > 0; queue = queue[1:] {
		for _, up := range g.DependsOn(queue[0]) {
			if up == root {
				return true
			}
			if !seen[up] {
				seen[up] = true
				queue = append(queue, up)
			}
		}
	}
	return false
}

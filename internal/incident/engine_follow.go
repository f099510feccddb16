package incident

import (
	"context"
	"fmt"
	"time"

	"github.com/vigie/vigie/internal/inventory"
)

// followOpen moves open auto incidents: to monitoring when their root
// recovered, back to investigating when it fails again, and to resolved
// after a quiet period unless held. An unsettled one follows its root's
// scope while its settle window runs and settles once it elapsed.
func (e *Engine) followOpen(ctx context.Context, g *inventory.Graph, res Correlation, now time.Time) error {
	for _, root := range sortedNames(e.open) {
		inc, ok, err := e.current(ctx, root)
		if err != nil {
			return err
		}
		if !ok || !inc.Auto {
			continue
		}
		_, failing := res.Failed[root]
		if err := e.follow(ctx, g, root, inc, failing, now); err != nil {
			return err
		}
		if inc.Status == Resolved {
			delete(e.open, root)
			continue
		}
		if inc.SettledAt == nil && failing {
			if err := e.settleOrWiden(ctx, g, root, inc, res.Failed, now); err != nil {
				return err
			}
		}
	}
	return nil
}

// follow moves an open auto incident along its root's state.
func (e *Engine) follow(ctx context.Context, g *inventory.Graph, root string, inc *Incident, failing bool, now time.Time) error {
	switch {
	case failing && inc.Status == Monitoring:
		inc.Status, inc.MitigatedAt = Investigating, nil
		return e.store.Update(ctx, inc, Event{At: now, Type: EventStatus, Text: root + " failed again: investigating"})
	case !failing && inc.Status != Monitoring:
		e.recheckBelow(g, root)
		if e.recovered == nil {
			e.recovered = map[string]time.Time{}
		}
		e.recovered[root] = now
		at := now
		inc.Status, inc.MitigatedAt = Monitoring, &at
		return e.store.Update(ctx, inc, Event{At: now, Type: EventStatus, Public: true, Text: root + " recovered: monitoring"})
	case !failing && !inc.Hold && inc.MitigatedAt != nil && now.Sub(*inc.MitigatedAt) >= e.opts.Quiet:
		at := now
		inc.Status, inc.ResolvedAt = Resolved, &at
		text := "resolved after a quiet period"
		if inc.SettledAt == nil {
			// Its root recovered within the settle window and stayed up:
			// what staff saw was a blip, never told to customers.
			text += ", never settled: customers and public channels were not told"
		}
		return e.store.Update(ctx, inc, Event{At: now, Type: EventStatus, Public: true, Text: text})
	}
	return nil
}

// settleOrWiden follows, while its settle window runs, the scope of an
// unsettled incident whose root is failing, and settles it once the window
// elapsed: from then on customers and public channels hear of it. One
// whose root recovered within the window does not settle while it stays
// up: a blip over before anyone outside was told is not told afterwards.
func (e *Engine) settleOrWiden(ctx context.Context, g *inventory.Graph, root string, inc *Incident, failed map[string]Failure, now time.Time) error {
	if now.Sub(inc.DetectedAt) < e.opts.Settle {
		impact, err := e.impactWithin(g, root, failed)
		if err != nil {
			return err
		}
		return e.widen(ctx, inc, impact, now)
	}
	at := now
	inc.SettledAt = &at
	return e.store.Update(ctx, inc, Event{At: now, Type: EventSettled, Text: settledText(root, inc)})
}

// settledText is the timeline entry of an incident settling.
func settledText(root string, inc *Incident) string {
	if inc.Cause == CauseSiteProblem {
		return fmt.Sprintf("settled on %s, a site problem: its owner is told now", root)
	}
	return fmt.Sprintf("settled on %s: %d sites, %d customers; customers and public channels are told now",
		root, inc.Impact.Sites, len(inc.Impact.Customers))
}

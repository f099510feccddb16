package incident

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/store"
)

// openOrWiden opens the incident of a settled root, merging the open
// incidents of roots now below it, or widens the one already open.
func (e *Engine) openOrWiden(ctx context.Context, g *inventory.Graph, root SettledRoot, failed map[string]Failure, now time.Time) error {
	impact, err := e.impactWithin(g, root.Asset, failed)
	if err != nil {
		return err
	}
	if inc, ok, err := e.current(ctx, root.Asset); err != nil {
		return err
	} else if ok {
		return e.widen(ctx, inc, impact, now)
	}
	// Staff may have opened an incident with this root among others: the
	// failure is theirs, not a second incident.
	if open, err := e.store.OpenWithRoot(ctx, root.Asset); err == nil {
		return e.attach(ctx, &open, root, impact, now)
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	inc := &Incident{
		Status: Investigating, Cause: CauseOutage, RootAssets: []string{root.Asset}, Auto: true,
		Impact: impact, Peak: impact, ImpactStartedAt: e.started(root), DetectedAt: now,
		DetectedBy: e.detectedBy(root),
	}
	if root.SiteProblem {
		inc.Cause = CauseSiteProblem
	}
	inc.Severity = e.opts.Severity.Of(root.Kind, inc.Cause, impact, g)
	inc.Title = title(root.Asset, inc.Cause, impact)
	text := fmt.Sprintf("opened by correlation: %s, %d down symptoms", root.Asset, len(root.Symptoms))
	if _, err := e.store.Create(ctx, inc, Event{At: now, Type: EventOpened, Text: text}, e.rootSignals(root.Asset)...); err != nil {
		if !errors.Is(err, store.ErrConflict) {
			return err
		}
		// Staff (or another engine) opened an incident on this root
		// meanwhile: what correlation found attaches to it.
		open, gerr := e.store.OpenWithRoot(ctx, root.Asset)
		if gerr != nil {
			return fmt.Errorf("%w; and reading the open one: %w", err, gerr)
		}
		return e.attach(ctx, &open, root, impact, now)
	}
	e.open[root.Asset] = inc
	// Lower incidents whose root is now in this one's scope merge into it.
	for _, lower := range sortedNames(e.open) {
		if lower == root.Asset || !slices.Contains(root.Symptoms, lower) && g.PathTo([]string{lower}, root.Asset) == nil {
			continue
		}
		other, ok, err := e.current(ctx, lower)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		other.Status, other.MergedInto = Merged, inc.ID
		ev := Event{At: now, Type: EventMerged, Text: fmt.Sprintf("merged into incident %d (%s)", inc.ID, root.Asset)}
		if err := e.store.Update(ctx, other, ev); err != nil {
			return err
		}
		note := Event{IncidentID: inc.ID, At: now, Type: EventMerged,
			Text: fmt.Sprintf("incident %d (%s) merged into this one", other.ID, lower)}
		if err := e.store.AddEvent(ctx, &note); err != nil {
			return err
		}
		delete(e.open, lower)
	}
	return nil
}

// attach follows an incident staff opened on the root: correlation's
// finding goes into its timeline and widens its scope.
func (e *Engine) attach(ctx context.Context, open *Incident, root SettledRoot, impact Impact, now time.Time) error {
	e.open[root.Asset] = open
	note := Event{IncidentID: open.ID, At: now, Type: EventNote,
		Text: fmt.Sprintf("correlation found %s down with %d down symptoms: attached to this incident", root.Asset, len(root.Symptoms))}
	if err := e.store.AddEvent(ctx, &note); err != nil {
		return err
	}
	return e.widen(ctx, open, impact, now)
}

// widen updates the scope of an open incident and its peak.
func (e *Engine) widen(ctx context.Context, inc *Incident, impact Impact, now time.Time) error {
	if impact.Assets == inc.Impact.Assets && impact.Sites == inc.Impact.Sites && slices.Equal(impact.Customers, inc.Impact.Customers) {
		return nil
	}
	inc.Impact = impact
	if impact.Sites > inc.Peak.Sites || impact.Assets > inc.Peak.Assets {
		inc.Peak = impact
	}
	return e.store.Update(ctx, inc, Event{At: now, Type: EventScopeChanged,
		Text: fmt.Sprintf("scope: %d assets, %d sites, %d customers", impact.Assets, impact.Sites, len(impact.Customers))})
}

// followOpen moves open auto incidents: to monitoring when their root
// recovered, back to investigating when it fails again, and to resolved
// after a quiet period unless held.
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
		switch {
		case failing && inc.Status == Monitoring:
			inc.Status, inc.MitigatedAt = Investigating, nil
			if err := e.store.Update(ctx, inc, Event{At: now, Type: EventStatus, Text: root + " failed again: investigating"}); err != nil {
				return err
			}
		case !failing && inc.Status != Monitoring:
			e.recheckBelow(g, root)
			if e.recovered == nil {
				e.recovered = map[string]time.Time{}
			}
			e.recovered[root] = now
			at := now
			inc.Status, inc.MitigatedAt = Monitoring, &at
			if err := e.store.Update(ctx, inc, Event{At: now, Type: EventStatus, Public: true,
				Text: root + " recovered: monitoring"}); err != nil {
				return err
			}
		case !failing && !inc.Hold && inc.MitigatedAt != nil && now.Sub(*inc.MitigatedAt) >= e.opts.Quiet:
			at := now
			inc.Status, inc.ResolvedAt = Resolved, &at
			if err := e.store.Update(ctx, inc, Event{At: now, Type: EventStatus, Public: true,
				Text: "resolved after a quiet period"}); err != nil {
				return err
			}
			delete(e.open, root)
		}
	}
	return nil
}

// impactOf is the impact of a root asset from the graph.
func impactOf(g *inventory.Graph, root string) (Impact, error) {
	imp, err := g.Impact(root)
	if err != nil {
		return Impact{}, fmt.Errorf("impact of %s: %w", root, err)
	}
	return Impact{Assets: imp.Assets, Sites: imp.Sites, Customers: imp.Customers}, nil
}

func title(root string, cause Cause, imp Impact) string {
	if cause == CauseSiteProblem {
		return root + ": site problem"
	}
	return fmt.Sprintf("%s down: %d sites, %d customers", root, imp.Sites, len(imp.Customers))
}

// current reloads the open incident of a root, so that staff edits made
// through the API since are kept; an incident staff resolved or that was
// merged is no longer followed.
func (e *Engine) current(ctx context.Context, root string) (*Incident, bool, error) {
	inc, ok := e.open[root]
	if !ok {
		return nil, false, nil
	}
	fresh, err := e.store.Get(ctx, inc.ID)
	if err != nil {
		return nil, false, err
	}
	if fresh.Status == Resolved || fresh.Status == Merged {
		delete(e.open, root)
		return nil, false, nil
	}
	*inc = fresh
	return inc, true, nil
}

// impactWithin is the impact of a root, stopping at redundancy groups that
// still hold: behind a group whose other members are up, nothing is lost.
func (e *Engine) impactWithin(g *inventory.Graph, root string, failed map[string]Failure) (Impact, error) {
	if len(e.groups(g)) == 0 {
		return impactOf(g, root)
	}
	if g.Kind(root) == "" {
		return Impact{}, fmt.Errorf("impact of %s: unknown asset", root)
	}
	seen := map[string]bool{root: true}
	owners := map[string]bool{}
	if o := g.Owner(root); o != "" {
		owners[o] = true
	}
	imp := Impact{}
	queue := []string{root}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		for _, d := range g.Dependents(n) {
			if seen[d] {
				continue
			}
			seen[d] = true
			if g.Kind(d) == KindGroup && failed[d] == "" {
				continue
			}
			imp.Assets++
			if g.Kind(d) == inventory.KindSite {
				imp.Sites++
			}
			if o := g.Owner(d); o != "" {
				owners[o] = true
			}
			queue = append(queue, d)
		}
	}
	imp.Customers = sortedNames(owners)
	return imp, nil
}

// recheckBelow asks for fresh results of the assets still down that
// depend on a recovered root.
func (e *Engine) recheckBelow(g *inventory.Graph, root string) {
	if e.opts.Recheck == nil {
		return
	}
	var below []string
	for asset := range e.downAssets() {
		if asset != root && g.PathTo([]string{asset}, root) != nil {
			below = append(below, asset)
		}
	}
	if len(below) > 0 {
		slices.Sort(below)
		e.opts.Recheck(below)
	}
}

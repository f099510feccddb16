package incident

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/store"
)

// openOrWiden brings the incident of a confirmed root in line: it widens
// the one open on the root, attaches to one staff opened with it, re-targets
// to it the oldest unsettled incident below it, or opens a new one; then the
// open incidents whose roots are now in its scope merge into it.
func (e *Engine) openOrWiden(ctx context.Context, g *inventory.Graph, root ConfirmedRoot, failed map[string]Failure, now time.Time) error {
	impact, err := e.impactWithin(g, root.Asset, failed)
	if err != nil {
		return err
	}
	if inc, ok, err := e.current(ctx, root.Asset); err != nil {
		return err
	} else if ok {
		if err := e.widen(ctx, inc, impact, now); err != nil {
			return err
		}
		return e.mergeBelow(ctx, g, inc, root, now)
	}
	// Staff may have opened an incident with this root among others: the
	// failure is theirs, not a second incident.
	if open, err := e.store.OpenWithRoot(ctx, root.Asset); err == nil {
		return e.attach(ctx, g, &open, root, impact, now)
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	lower, err := e.below(ctx, g, root, 0)
	if err != nil {
		return err
	}
	for _, l := range lower {
		if e.unsettled(l.inc, now) {
			if err := e.retarget(ctx, g, l, root, impact, now); err != nil {
				return err
			}
			return e.mergeBelow(ctx, g, l.inc, root, now)
		}
	}
	return e.openNew(ctx, g, root, impact, now)
}

// openNew opens a new incident on a root and merges the lower ones into it.
func (e *Engine) openNew(ctx context.Context, g *inventory.Graph, root ConfirmedRoot, impact Impact, now time.Time) error {
	inc := &Incident{
		Status: Investigating, Cause: causeOf(root), RootAssets: []string{root.Asset}, Auto: true,
		Impact: impact, Peak: impact, ImpactStartedAt: e.started(root), DetectedAt: now,
		DetectedBy: e.detectedBy(root),
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
		return e.attach(ctx, g, &open, root, impact, now)
	}
	e.open[root.Asset] = inc
	return e.mergeBelow(ctx, g, inc, root, now)
}

func causeOf(root ConfirmedRoot) Cause {
	if root.SiteProblem {
		return CauseSiteProblem
	}
	return CauseOutage
}

// unsettled reports whether inc is an incident of correlation still in
// its settle window at now.
func (e *Engine) unsettled(inc *Incident, now time.Time) bool {
	return inc.Auto && inc.SettledAt == nil && now.Sub(inc.DetectedAt) < e.opts.Settle
}

// lowerIncident is an open incident below a root, by the root it is kept
// under.
type lowerIncident struct {
	root string
	inc  *Incident
}

// below returns the open incidents, but the one with id except, whose
// root is in the scope of root: oldest first, each once.
func (e *Engine) below(ctx context.Context, g *inventory.Graph, root ConfirmedRoot, except int64) ([]lowerIncident, error) {
	var out []lowerIncident
	seen := map[int64]bool{except: true}
	for _, name := range sortedNames(e.open) {
		if name == root.Asset || !slices.Contains(root.Symptoms, name) && g.PathTo([]string{name}, root.Asset) == nil {
			continue
		}
		inc, ok, err := e.current(ctx, name)
		if err != nil {
			return nil, err
		}
		if !ok || seen[inc.ID] {
			continue
		}
		seen[inc.ID] = true
		out = append(out, lowerIncident{root: name, inc: inc})
	}
	slices.SortStableFunc(out, func(a, b lowerIncident) int {
		if c := a.inc.DetectedAt.Compare(b.inc.DetectedAt); c != 0 {
			return c
		}
		return cmp.Compare(a.inc.ID, b.inc.ID)
	})
	return out, nil
}

// retarget moves an unsettled incident to a higher root found within its
// settle window: the same incident, its root, title, scope and severity
// those of the new root, its impact starting at the earliest failure.
func (e *Engine) retarget(ctx context.Context, g *inventory.Graph, l lowerIncident, root ConfirmedRoot, impact Impact, now time.Time) error {
	inc := l.inc
	from := strings.Join(inc.RootAssets, ", ")
	inc.RootAssets, inc.Cause, inc.Impact = []string{root.Asset}, causeOf(root), impact
	if impact.Sites > inc.Peak.Sites || impact.Assets > inc.Peak.Assets {
		inc.Peak = impact
	}
	inc.Severity = e.opts.Severity.Of(root.Kind, inc.Cause, impact, g)
	inc.Title = title(root.Asset, inc.Cause, impact)
	if started := e.started(root); started.Before(inc.ImpactStartedAt) {
		inc.ImpactStartedAt = started
	}
	// The lower root may have recovered meanwhile; the new one is failing.
	inc.Status, inc.MitigatedAt = Investigating, nil
	ev := Event{At: now, Type: EventRetargeted, Text: fmt.Sprintf("re-targeted from %s to %s: %d sites, %d customers",
		from, root.Asset, impact.Sites, len(impact.Customers))}
	if err := e.store.Update(ctx, inc, append([]Event{ev}, e.rootSignals(root.Asset)...)...); err != nil {
		return err
	}
	delete(e.open, l.root)
	e.open[root.Asset] = inc
	return nil
}

// mergeBelow merges into inc the open incidents whose roots are now in
// the scope of root.
func (e *Engine) mergeBelow(ctx context.Context, g *inventory.Graph, inc *Incident, root ConfirmedRoot, now time.Time) error {
	lower, err := e.below(ctx, g, root, inc.ID)
	if err != nil {
		return err
	}
	for _, l := range lower {
		other := l.inc
		other.Status, other.MergedInto = Merged, inc.ID
		ev := Event{At: now, Type: EventMerged, Text: fmt.Sprintf("merged into incident %d (%s)", inc.ID, root.Asset)}
		if err := e.store.Update(ctx, other, ev); err != nil {
			return err
		}
		note := Event{IncidentID: inc.ID, At: now, Type: EventMerged,
			Text: fmt.Sprintf("incident %d (%s) merged into this one", other.ID, l.root)}
		if err := e.store.AddEvent(ctx, &note); err != nil {
			return err
		}
		delete(e.open, l.root)
	}
	return nil
}

// attach follows an incident staff opened on the root: correlation's
// finding goes into its timeline and widens its scope, and the incidents
// below the root merge into it.
func (e *Engine) attach(ctx context.Context, g *inventory.Graph, open *Incident, root ConfirmedRoot, impact Impact, now time.Time) error {
	e.open[root.Asset] = open
	note := Event{IncidentID: open.ID, At: now, Type: EventNote,
		Text: fmt.Sprintf("correlation found %s down with %d down symptoms: attached to this incident", root.Asset, len(root.Symptoms))}
	if err := e.store.AddEvent(ctx, &note); err != nil {
		return err
	}
	if err := e.widen(ctx, open, impact, now); err != nil {
		return err
	}
	return e.mergeBelow(ctx, g, open, root, now)
}

// widen updates the scope of an open incident and its peak; the title of
// an incident of correlation follows, unless staff wrote their own.
func (e *Engine) widen(ctx context.Context, inc *Incident, impact Impact, now time.Time) error {
	if impact.Assets == inc.Impact.Assets && impact.Sites == inc.Impact.Sites && slices.Equal(impact.Customers, inc.Impact.Customers) {
		return nil
	}
	if inc.Auto && len(inc.RootAssets) == 1 && inc.Title == title(inc.RootAssets[0], inc.Cause, inc.Impact) {
		inc.Title = title(inc.RootAssets[0], inc.Cause, impact)
	}
	inc.Impact = impact
	if impact.Sites > inc.Peak.Sites || impact.Assets > inc.Peak.Assets {
		inc.Peak = impact
	}
	return e.store.Update(ctx, inc, Event{At: now, Type: EventScopeChanged,
		Text: fmt.Sprintf("scope: %d assets, %d sites, %d customers", impact.Assets, impact.Sites, len(impact.Customers))})
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

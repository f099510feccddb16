package incident

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vigie/vigie/internal/inventory"
)

// DefaultQuiet is how long an auto-opened incident stays in monitoring
// after its root recovered before it resolves by itself.
const DefaultQuiet = 10 * time.Minute

// EngineOptions tune the incident engine; the zero value is the default.
type EngineOptions struct {
	// Settle is how long an incident opened by correlation stays
	// unsettled, from its detection (default DefaultSettle).
	Settle time.Duration
	Quiet  time.Duration // default DefaultQuiet
	// Aftermath is how long, after a root recovers, what went down below
	// it and is not back yet is taken for that incident's aftermath rather
	// than a new root (default DefaultAftermath).
	Aftermath   time.Duration
	Correlation CorrelateOptions
	Severity    SeverityRules
	// Mutes, when set, keeps muted assets (maintenance, silences) out of
	// correlation: they open no incident while muted. MutesFrom, when set,
	// is asked at every tick instead (windows change while the engine runs).
	Mutes     Mutes
	MutesFrom func(ctx context.Context) (Mutes, error)
	// Recheck, when set, is asked to run again at once the checks of the
	// assets still down below a root that recovered, so that what is said
	// about them next rests on fresh results.
	Recheck func(assets []string)
	// Windows, when set, is asked at every tick for the settle window and
	// the quiet period (a zero keeps the one in use), so that staff can
	// change them while the engine runs.
	Windows func(ctx context.Context) (settle, quiet time.Duration)
	Now     func() time.Time
}

// Engine turns confirmed check states into incidents: it keeps what is
// down, correlates it over the graph, opens an incident at the first
// confirmed root, re-targets and widens it during its settle window, then
// settles it, and merges and resolves incidents. One goroutine owns it.
type Engine struct {
	store *Store
	inv   *inventory.Service
	opts  EngineOptions
	// state is the down set: every check, alert or violation down, since
	// when and the signal that said so; Consume keeps it equal to the
	// incident_down table.
	state map[downKey]downEntry
	// checked is the inventory's effective checks as last read: which
	// assets have checks. The set is shared and kept current by the
	// inventory, a change costing what it changed.
	checked        *inventory.EffectiveSet
	checkedVersion int64
	groupsCache    map[string][]string
	pending        Pending
	// open holds the open incidents by root asset.
	open map[string]*Incident
	// recovered remembers when roots recovered, for their aftermath, also
	// once their incident resolved (a quiet period shorter than it).
	recovered map[string]time.Time
}

// NewEngine returns an incident engine over the store and the inventory.
func NewEngine(store *Store, inv *inventory.Service, opts EngineOptions) *Engine {
	if opts.Settle <= 0 {
		opts.Settle = DefaultSettle
	}
	if opts.Aftermath <= 0 {
		opts.Aftermath = DefaultAftermath
	}
	if opts.Quiet <= 0 {
		opts.Quiet = DefaultQuiet
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Engine{store: store, inv: inv, opts: opts, state: map[downKey]downEntry{},
		open: map[string]*Incident{}, checkedVersion: -1}
}

// Load reads the open incidents, so that a restart continues them instead
// of opening new ones; an unsettled one settles once its window, counted
// from its detection, has elapsed.
func (e *Engine) Load(ctx context.Context) error {
	list, err := e.store.List(ctx, "open", 0)
	if err != nil {
		return err
	}
	for i := range list {
		inc := list[i]
		for _, r := range inc.RootAssets {
			e.open[r] = &inc
		}
	}
	return nil
}

// Tick correlates what is down now and brings the incidents in line.
func (e *Engine) Tick(ctx context.Context) error {
	if err := e.inv.LoadGraph(ctx); err != nil {
		return err
	}
	g := e.inv.Graph()
	if err := e.refreshChecked(ctx, g.Version()); err != nil {
		return err
	}
	if e.opts.Windows != nil {
		settle, quiet := e.opts.Windows(ctx)
		if settle > 0 {
			e.opts.Settle = settle
		}
		if quiet > 0 {
			e.opts.Quiet = quiet
		}
	}
	now := e.opts.Now()
	mutes := e.opts.Mutes
	if e.opts.MutesFrom != nil {
		m, err := e.opts.MutesFrom(ctx)
		if err != nil {
			return fmt.Errorf("incident engine: mutes: %w", err)
		}
		mutes = m
	}
	down := map[string]bool{}
	for asset := range e.downAssets() {
		if mutes != nil {
			if muted, _ := mutes.Muted(asset, now); muted {
				continue
			}
		}
		down[asset] = true
	}
	opts := e.opts.Correlation
	if opts.Groups == nil {
		opts.Groups = e.groups(g)
	}
	res := CorrelateWith(g, e.checked.HasAsset, down, opts)
	e.aftermath(g, &res, now)
	e.pending.Observe(res, now)
	// One root's failed write must not keep the others from opening: each
	// is tried, and one that failed stays pending for the next tick.
	var errs []error
	for _, root := range e.pending.Ready() {
		if err := e.openOrWiden(ctx, g, root, res.Failed, now); err != nil {
			errs = append(errs, fmt.Errorf("incident on %s: %w", root.Asset, err))
			continue
		}
		e.pending.Opened(root.Asset)
	}
	if err := e.followOpen(ctx, g, res, now); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func (e *Engine) refreshChecked(ctx context.Context, version int64) error {
	if version == e.checkedVersion && e.checked != nil {
		return nil
	}
	set, err := e.inv.Effective(ctx)
	if err != nil {
		return fmt.Errorf("incident engine: checks: %w", err)
	}
	e.checked = set
	e.checkedVersion = version
	e.groupsCache = nil
	return nil
}

// KindGroup is the kind of an asset standing for redundant ones: it
// depends on its members, and fails only when all of them fail (two name
// servers behind "dns").
const KindGroup = "group"

// groups returns the redundancy groups of the inventory: every asset of
// kind group, with the assets it depends on as members.
func (e *Engine) groups(g *inventory.Graph) map[string][]string {
	if e.groupsCache != nil {
		return e.groupsCache
	}
	e.groupsCache = map[string][]string{}
	for _, name := range g.Names(KindGroup) {
		e.groupsCache[name] = g.DependsOn(name)
	}
	return e.groupsCache
}

// started is when the first failure in a root's scope began.
func (e *Engine) started(root ConfirmedRoot) time.Time {
	start := root.FirstSeen
	down := e.downAssets()
	for _, s := range append([]string{root.Asset}, root.Symptoms...) {
		for _, k := range down[s] {
			if at := e.state[k].since; at.Before(start) {
				start = at
			}
		}
	}
	return start
}

// detectedBy says which producer saw the root's failure first: the
// earliest of the down entries of the root and its symptoms, a check's on
// a tie.
func (e *Engine) detectedBy(root ConfirmedRoot) DetectedBy {
	by, first := DetectedByProbe, time.Time{}
	down := e.downAssets()
	for _, s := range append([]string{root.Asset}, root.Symptoms...) {
		for _, k := range down[s] {
			d := e.state[k]
			kind := DetectedByProbe
			if d.kind == downAlert {
				kind = DetectedByAlert
			}
			if first.IsZero() || d.since.Before(first) || d.since.Equal(first) && kind == DetectedByProbe {
				by, first = kind, d.since
			}
		}
	}
	return by
}

// rootSignals returns timeline entries for the signals that took the
// root's own checks down.
func (e *Engine) rootSignals(root string) []Event {
	var out []Event
	keys := e.downAssets()[root]
	slices.SortFunc(keys, func(a, b downKey) int { return strings.Compare(a.check, b.check) })
	for _, k := range keys {
		d := e.state[k]
		text := k.check + " down"
		if d.kind == downAlert {
			text = k.check + " firing"
		}
		if d.reason != "" {
			text += " (" + d.reason + ")"
		}
		if d.message != "" {
			text += ": " + d.message
		}
		out = append(out, Event{At: d.since, Type: EventSignal, Text: text})
	}
	return out
}

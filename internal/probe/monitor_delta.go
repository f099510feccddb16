package probe

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/inventory"
)

// reloadAll takes every check of set: what the monitor does at start, and
// when the set cannot tell what changed (a big import, a location added).
// The checks stay shared with the set; one whose interval is lowered to its
// dependents' is copied first. Each check's key is one string, shared by
// the monitor, its scheduler and its detector.
func (m *Monitor) reloadAll(ctx context.Context, set *inventory.EffectiveSet) error {
	g := m.inv.Graph()
	if m.opts.Locations != nil {
		var err error
		if m.remote, err = m.opts.Locations.Active(ctx); err != nil {
			return fmt.Errorf("monitor: locations: %w", err)
		}
		for _, l := range m.remote {
			m.det.SetLocation(l.Name, l.PollInterval, 0)
		}
	}
	ptrs := make([]*check.Check, 0, set.Len())
	keys := make([]string, 0, set.Len()) // of ptrs
	all := newMonitorChecks(set.Len())
	var err error
	set.Each(func(c *check.Check) bool {
		if c.Kind == check.Heartbeat && m.opts.Heartbeats == nil {
			return true
		}
		key := m.sched.key(c.Key())
		if locs := m.locationsOf(c); len(locs) > 0 {
			all.put(key, c)
			m.det.SetAssignment(key, locs, c.Quorum)
			m.det.SetInterval(key, time.Duration(c.Interval))
		}
		if !m.runsLocally(c) {
			return true
		}
		if c.Kind == check.Heartbeat {
			// The token is created with the check, so that "never received"
			// counts from then; staff get it with the API's token call.
			if _, _, err = m.opts.Heartbeats.Ensure(ctx, key); err != nil {
				err = fmt.Errorf("monitor: heartbeat token of %s: %w", key, err)
				return false
			}
		}
		ptrs = append(ptrs, c)
		keys = append(keys, key)
		return true
	})
	if err != nil {
		return err
	}
	m.intervals = buildIntervals(ptrs, g.DependsOn)
	for i, c := range ptrs {
		c = m.intervals.lowered(c)
		ptrs[i] = c
		key := keys[i]
		if _, ok := all.get(key); ok {
			all.put(key, c)
		}
		m.det.SetInterval(key, time.Duration(c.Interval))
	}
	for key := range m.checks.all() {
		if _, ok := all.get(key); !ok {
			m.det.Remove(key)
		}
	}
	m.checks = all
	m.sched.set(ptrs, keys)
	m.version = set.Version()
	m.opts.Logger.Info("monitor: checks loaded", "checks", all.len(), "here", len(ptrs), "remote_locations", len(m.remote),
		"inventory_version", m.version)
	return nil
}

// reloadDelta takes what changed since the monitor's version: the
// detector and the scheduler hear of those checks only, and of the checks
// of the assets above them whose effective interval moved.
func (m *Monitor) reloadDelta(ctx context.Context, set *inventory.EffectiveSet, ch inventory.EffectiveChanges) error {
	changed, removed := ch.Changed, ch.Removed
	touched := map[string]bool{}
	for _, a := range ch.Assets {
		touched[a] = true // its dependencies may have moved
	}
	// A check's key is made once: the string the scheduler holds, else the
	// first made here.
	made := map[string]string{}
	keyOf := func(c *check.Check) string {
		key := c.Key()
		if k, ok := made[key]; ok {
			return k
		}
		key = m.sched.key(key)
		made[key] = key
		return key
	}
	var gone []string
	drop := func(key string) {
		if c, ok := m.checks.get(key); ok {
			touched[c.Asset] = true
			m.det.Remove(key)
			m.checks.remove(key)
		}
		gone = append(gone, key)
	}
	for _, key := range removed {
		drop(key)
	}
	for _, c := range changed {
		key := keyOf(c)
		if c.Kind == check.Heartbeat && m.opts.Heartbeats == nil {
			drop(key)
			continue
		}
		touched[c.Asset] = true
		if locs := m.locationsOf(c); len(locs) > 0 {
			m.checks.put(key, c)
			m.det.SetAssignment(key, locs, c.Quorum)
			m.det.SetInterval(key, time.Duration(c.Interval))
		} else if _, ok := m.checks.get(key); ok {
			m.det.Remove(key)
			m.checks.remove(key)
		}
		if !m.runsLocally(c) {
			gone = append(gone, key)
			continue
		}
		if c.Kind == check.Heartbeat {
			if _, _, err := m.opts.Heartbeats.Ensure(ctx, key); err != nil {
				return fmt.Errorf("monitor: heartbeat token of %s: %w", key, err)
			}
		}
	}
	g := m.inv.Graph()
	local := func(asset string) []*check.Check {
		var out []*check.Check
		for _, c := range set.OfAsset(asset) {
			if (c.Kind != check.Heartbeat || m.opts.Heartbeats != nil) && m.runsLocally(c) {
				out = append(out, c)
			}
		}
		return out
	}
	var upsert, edited []*check.Check
	var keys []string // of upsert
	for _, c := range changed {
		if m.runsLocally(c) && (c.Kind != check.Heartbeat || m.opts.Heartbeats != nil) {
			edited = append(edited, c)
		}
	}
	for asset := range m.intervals.update(touched, local, g.DependsOn, g.Dependents) {
		for _, c := range local(asset) {
			c = m.intervals.lowered(c)
			key := keyOf(c)
			if _, ok := m.checks.get(key); ok {
				m.checks.put(key, c)
			}
			m.det.SetInterval(key, time.Duration(c.Interval))
			upsert = append(upsert, c)
			keys = append(keys, key)
		}
	}
	m.sched.update(upsert, keys, gone)
	runSoon(m.sched, edited)
	m.version = set.Version()
	m.opts.Logger.Debug("monitor: checks changed", "changed", len(changed), "removed", len(removed), "scheduled", len(upsert),
		"inventory_version", m.version)
	return nil
}

// intervalIndex keeps, between reloads, what EffectiveIntervals computes
// from scratch: the shortest interval of each asset's checks run here, and
// the shortest among the assets depending on it, transitively, so that a
// change walks up from the assets it touches only.
type intervalIndex struct {
	// own is the shortest interval of the checks run here of each asset
	// that depends on another: only those bound others. Most assets
	// depend on nothing, and an entry each was 43 bytes a check.
	own   map[string]time.Duration
	bound map[string]time.Duration
	// parents are the dependencies of the assets in own when last seen,
	// for a change that removes the asset or moves it elsewhere: the graph
	// no longer tells where it was.
	parents map[string][]string
}

// buildIntervals indexes checks as EffectiveIntervals does.
func buildIntervals(checks []*check.Check, parentsOf func(asset string) []string) *intervalIndex {
	x := &intervalIndex{own: map[string]time.Duration{}, bound: map[string]time.Duration{}, parents: map[string][]string{}}
	for _, c := range checks {
		iv := baseInterval(c)
		if cur, ok := x.own[c.Asset]; ok {
			x.own[c.Asset] = min(cur, iv)
			continue
		}
		if parents := parentsOf(c.Asset); len(parents) > 0 {
			x.own[c.Asset] = iv
			x.keepParents(c.Asset, parents)
		}
	}
	assets := make([]string, 0, len(x.own))
	for a := range x.own {
		assets = append(assets, a)
	}
	slices.SortFunc(assets, func(a, b string) int {
		return cmp.Or(cmp.Compare(x.own[a], x.own[b]), cmp.Compare(a, b))
	})
	var stack []string
	for _, a := range assets {
		iv := x.own[a]
		stack = append(stack[:0], parentsOf(a)...)
		for len(stack) > 0 {
			p := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			b, ok := x.bound[p]
			if ok && b <= iv {
				continue
			}
			x.bound[p] = iv
			if _, known := x.parents[p]; !known {
				x.keepParents(p, parentsOf(p))
			}
			stack = append(stack, parentsOf(p)...)
		}
	}
	return x
}

// lowered returns c, or a copy of it running as often as its asset's
// dependents.
func (x *intervalIndex) lowered(c *check.Check) *check.Check {
	if b, ok := x.bound[c.Asset]; ok && b > 0 && b < time.Duration(c.Interval) {
		cp := *c
		cp.Interval = check.Duration(b)
		return &cp
	}
	return c
}

// update takes the touched assets' checks run here again (from localOf),
// and the bounds above those whose shortest interval moved; it returns the
// assets whose checks may now run at another pace.
func (x *intervalIndex) update(touched map[string]bool, localOf func(asset string) []*check.Check,
	parentsOf, dependentsOf func(asset string) []string) map[string]bool {
	out := make(map[string]bool, len(touched))
	var stack []string
	for a := range touched {
		out[a] = true
		old, had := x.own[a]
		var now time.Duration
		has := false
		for _, c := range localOf(a) {
			if iv := baseInterval(c); !has || iv < now {
				now, has = iv, true
			}
		}
		before, after := x.parents[a], parentsOf(a)
		if has && len(after) > 0 {
			x.own[a] = now
		} else {
			delete(x.own, a)
			now, has = 0, false
		}
		x.keepParents(a, after)
		if had != has || old != now || !slices.Equal(before, after) {
			stack = append(append(stack, before...), after...)
		}
	}
	for len(stack) > 0 {
		p := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		var b time.Duration
		ok := false
		for _, d := range dependentsOf(p) {
			for _, m := range []map[string]time.Duration{x.own, x.bound} {
				if v, has := m[d]; has && (!ok || v < b) {
					b, ok = v, true
				}
			}
		}
		if cur, had := x.bound[p]; had == ok && cur == b {
			continue
		}
		if ok {
			x.bound[p] = b
		} else {
			delete(x.bound, p)
		}
		x.keepParents(p, parentsOf(p))
		out[p] = true
		stack = append(stack, parentsOf(p)...)
	}
	return out
}

// keepParents remembers the parents of an asset that has a pace of its own
// or bounded by its dependents, and forgets those of others. An asset
// without parents has no entry (a missing one reads as none): most assets
// depend on nothing, and an entry each was 80 bytes a check.
func (x *intervalIndex) keepParents(asset string, parents []string) {
	_, own := x.own[asset]
	_, bound := x.bound[asset]
	if (own || bound) && len(parents) > 0 {
		x.parents[asset] = parents
	} else {
		delete(x.parents, asset)
	}
}

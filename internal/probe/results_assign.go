package probe

import (
	"context"

	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/inventory"
)

// assignmentCache answers which checks a location runs from the shared
// effective set, so that the intake of a batch costs one small query (the
// stored version) and sees a change from any process at once: a set
// behind the stored version is brought forward from the change log first.
type assignmentCache struct {
	inv *inventory.Service
}

// of returns which check keys location is assigned now.
func (a *assignmentCache) of(ctx context.Context, location string) (func(key string) bool, error) {
	version, err := a.inv.Version(ctx)
	if err != nil {
		return nil, err
	}
	set, err := a.inv.Effective(ctx)
	if err != nil {
		return nil, err
	}
	if set.Version() < version {
		if err := a.inv.Refresh(ctx); err != nil {
			return nil, err
		}
		if set, err = a.inv.Effective(ctx); err != nil {
			return nil, err
		}
	}
	return func(key string) bool {
		c := set.Get(key)
		return c != nil && assignedTo(c, location)
	}, nil
}

// AssignmentsDelta returns what changed for location since version, from
// the set: the checks it runs that were added or changed, and the keys it
// no longer runs (removed, or now pinned elsewhere; a key it never ran may
// be among them). ok is false when the set cannot tell: the caller sends
// the whole list.
func AssignmentsDelta(set *inventory.EffectiveSet, location string, since int64) (changed []check.Check, removed []string, ok bool) {
	ch, ok := set.Changes(since)
	if !ok {
		return nil, nil, false
	}
	changed, removed = []check.Check{}, []string{}
	for _, c := range ch.Changed {
		if assignedTo(c, location) {
			changed = append(changed, *c)
		} else {
			removed = append(removed, c.Key())
		}
	}
	return changed, append(removed, ch.Removed...), true
}

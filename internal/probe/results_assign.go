package probe

import (
	"context"
	"sync"

	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/inventory"
)

// assignmentCache keeps the effective checks of the inventory version last
// read, so that the intake of a batch costs one small query while the
// inventory does not change, and sees a change (from any process) at once.
type assignmentCache struct {
	inv *inventory.Service

	mu      sync.Mutex
	version int64
	loaded  bool
	checks  []check.Check
	// byLocation holds, per location, the keys of the checks it runs.
	byLocation map[string]map[string]bool
}

// of returns which check keys location is assigned now.
func (a *assignmentCache) of(ctx context.Context, location string) (func(key string) bool, error) {
	version, err := a.inv.Version(ctx)
	if err != nil {
		return nil, err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.loaded || version != a.version {
		list, err := a.inv.ChecksWithSecrets(ctx, inventory.CheckFilter{Effective: true})
		if err != nil {
			return nil, err
		}
		// The list may be newer than version; it is then read again at
		// the next batch, which costs time, never a wrong refusal.
		a.checks, a.version, a.loaded = list, version, true
		a.byLocation = map[string]map[string]bool{}
	}
	keys, ok := a.byLocation[location]
	if !ok {
		keys = map[string]bool{}
		for i := range a.checks {
			if assignedTo(&a.checks[i], location) {
				keys[a.checks[i].Key()] = true
			}
		}
		a.byLocation[location] = keys
	}
	return func(key string) bool { return keys[key] }, nil
}

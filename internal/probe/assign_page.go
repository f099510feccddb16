package probe

import (
	"slices"

	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/inventory"
)

// AssignmentsPage returns, in key order, up to limit of the checks location
// runs whose key comes after after ("" from the first), cut to member's
// share among alive as ShareOf cuts it, and whether more follow: the
// pages of one set, one after another, make the list Assignments and
// ShareOf give.
func AssignmentsPage(set *inventory.EffectiveSet, location, after string, limit int, alive []string, member string) ([]check.Check, bool) {
	keep := func(_ string, c *check.Check) bool { return assignedTo(c, location) }
	if self := slices.Index(alive, member); self >= 0 && len(alive) > 1 {
		hashes := memberHashes(alive)
		keep = func(key string, c *check.Check) bool {
			return assignedTo(c, location) && ownerIndex(key, hashes) == self
		}
	}
	return set.Page(after, limit, keep)
}

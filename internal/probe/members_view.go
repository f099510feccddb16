package probe

import (
	"context"
	"fmt"

	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/inventory"
)

// MemberShare is a member with its share of its location's checks now.
type MemberShare struct {
	Member
	Alive bool
	// Checks is how many of the location's checks it runs, Share that
	// count over the location's checks (0 for a dead member).
	Checks int
	Share  float64
}

// MemberShares returns, by location, the members of each of locations and
// their shares of the effective checks: what the staff see of them.
func MemberShares(ctx context.Context, inv *inventory.Service, members *MemberStore, locations []string) (map[string][]MemberShare, error) {
	out := make(map[string][]MemberShare, len(locations))
	if len(locations) == 0 || members == nil || inv == nil {
		return out, nil
	}
	// The shared effective set is read in place: nothing is loaded or
	// copied, whatever the size of the inventory.
	set, err := inv.Effective(ctx)
	if err != nil {
		return nil, fmt.Errorf("members' shares: %w", err)
	}
	for _, loc := range locations {
		view, err := members.View(ctx, loc)
		if err != nil {
			return nil, fmt.Errorf("members of %s: %w", loc, err)
		}
		counts := make(map[string]int, len(view.Alive))
		total := 0
		hashes := memberHashes(view.Alive)
		set.Each(func(c *check.Check) bool {
			if assignedTo(c, loc) {
				total++
				if len(hashes) > 0 {
					counts[view.Alive[ownerIndex(c.Key(), hashes)]]++
				}
			}
			return true
		})
		out[loc] = sharesOf(view, counts, total)
	}
	return out, nil
}

// sharesOf tells each member of view its count of the location's total
// checks.
func sharesOf(view Members, counts map[string]int, total int) []MemberShare {
	alive := make(map[string]bool, len(view.Alive))
	for _, id := range view.Alive {
		alive[id] = true
	}
	out := make([]MemberShare, 0, len(view.All))
	for _, m := range view.All {
		s := MemberShare{Member: m, Alive: alive[m.ID], Checks: counts[m.ID]}
		if total > 0 {
			s.Share = float64(s.Checks) / float64(total)
		}
		out = append(out, s)
	}
	return out
}

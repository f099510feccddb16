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
	list, err := inv.Checks(ctx, inventory.CheckFilter{Effective: true})
	if err != nil {
		return nil, fmt.Errorf("members' shares: %w", err)
	}
	for _, loc := range locations {
		view, err := members.View(ctx, loc)
		if err != nil {
			return nil, fmt.Errorf("members of %s: %w", loc, err)
		}
		out[loc] = sharesOf(view, locationChecks(list, loc))
	}
	return out, nil
}

// sharesOf counts the checks of list each member of view runs.
func sharesOf(view Members, list []check.Check) []MemberShare {
	counts := Shares(list, view.Alive)
	alive := make(map[string]bool, len(view.Alive))
	for _, id := range view.Alive {
		alive[id] = true
	}
	out := make([]MemberShare, 0, len(view.All))
	for _, m := range view.All {
		s := MemberShare{Member: m, Alive: alive[m.ID], Checks: counts[m.ID]}
		if len(list) > 0 {
			s.Share = float64(s.Checks) / float64(len(list))
		}
		out = append(out, s)
	}
	return out
}

// locationChecks are the checks of list a location runs.
func locationChecks(list []check.Check, location string) []check.Check {
	out := make([]check.Check, 0, len(list))
	for i := range list {
		if assignedTo(&list[i], location) {
			out = append(out, list[i])
		}
	}
	return out
}

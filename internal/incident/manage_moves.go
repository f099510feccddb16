package incident

import (
	"context"
	"slices"
)

// NextStatuses lists the statuses staff may move an incident in status s
// to (see Edit), for the forms that offer them.
func NextStatuses(s Status) []Status { return slices.Clone(statusMoves[s]) }

// MergedInto returns the incidents merged into incident id, oldest first.
func (s *Store) MergedInto(ctx context.Context, id int64) ([]Incident, error) {
	return s.query(ctx, `SELECT `+incidentColumns+` FROM incidents WHERE merged_into = $1 ORDER BY id`, id)
}

// Check refuses a public update AddPublicUpdate would refuse before
// reading its incident: a status to announce, a message in one language at
// least, each of bounded length. A preview checks the same.
func (u *PublicUpdate) Check() error { return checkUpdate(u) }

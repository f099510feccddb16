package detect

import (
	"context"
	"fmt"
	"strconv"
)

// StateKey is where a state row stands in the order of StatesPage: its
// check, then its location.
type StateKey struct {
	Check    string
	Location string
}

// StatePage selects one page of stored states, by check then location.
type StatePage struct {
	// Asset keeps the states of this asset's checks.
	Asset string
	// Location keeps the states from this location; "" keeps every row,
	// the checks' overall states included.
	Location string
	// State keeps the rows in this state; nil keeps every state.
	State *State
	// After is the last row of the previous page; zero starts at the
	// beginning.
	After StateKey
	// Limit is the most rows of the page, at least 1.
	Limit int
}

// StatesPage returns up to f.Limit stored states after f.After and whether
// more follow, reading only the page's rows by the table's key (and the
// state index when f.State is set): the first page is as cheap at a
// million checks as at ten.
func (s *Store) StatesPage(ctx context.Context, f StatePage) ([]StateRow, bool, error) {
	if f.Limit < 1 {
		return nil, false, fmt.Errorf("states page: limit %d, want at least 1", f.Limit)
	}
	args := []any{f.After.Check, f.After.Location}
	where := ` WHERE (check_key, location) > ($1, $2)`
	add := func(cond string, v any) {
		args = append(args, v)
		where += " AND " + cond + " $" + strconv.Itoa(len(args))
	}
	if f.Asset != "" {
		// The keys of an asset's checks are asset/name: the range from
		// "asset/" to "asset0" ('0' follows '/'), in the key's byte order.
		add("check_key >=", f.Asset+"/")
		add("check_key <", f.Asset+"0")
	}
	if f.Location != "" {
		add("location =", f.Location)
	}
	if f.State != nil {
		add("state =", f.State.String())
	}
	rows, err := s.readStates(ctx, where, args, f.Limit+1)
	if err != nil {
		return nil, false, err
	}
	if len(rows) > f.Limit {
		return rows[:f.Limit], true, nil
	}
	return rows, false, nil
}

// ParseState reads a state's name as String writes it: up, down or unknown.
func ParseState(s string) (State, bool) {
	switch s {
	case "up", "down", "unknown":
		return parseState(s), true
	}
	return Unknown, false
}

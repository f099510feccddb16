package detect

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/vigie/vigie/internal/check"
)

// StateRow is the last hard state of a check, as a whole (Location "") or
// from one location, kept so that a restart restores it (Detector.Restore)
// without emitting signals again.
type StateRow struct {
	Check    string
	Location string
	State    State
	Since    time.Time
	Reason   check.Reason
	Message  string
}

// SaveStates writes states in one transaction, replacing the stored state
// of the same check and location. When rows repeat a check and location,
// the last one wins.
func (s *Store) SaveStates(ctx context.Context, rows []StateRow) error {
	if len(rows) == 0 {
		return nil
	}
	// One statement may not upsert a row twice on PostgreSQL: keep the last.
	type key struct{ check, location string }
	last := make(map[key]int, len(rows))
	for i := range rows {
		last[key{rows[i].Check, rows[i].Location}] = i
	}
	uniq := make([]*StateRow, 0, len(last))
	for i := range rows {
		if last[key{rows[i].Check, rows[i].Location}] == i {
			uniq = append(uniq, &rows[i])
		}
	}
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		return insertChunks(ctx, tx, s.db.Engine,
			`INSERT INTO check_states (check_key, location, state, since, reason, message) VALUES `,
			` ON CONFLICT (check_key, location) DO UPDATE SET state = excluded.state, since = excluded.since,
				reason = excluded.reason, message = excluded.message`,
			6, len(uniq),
			func(dst []any, from, to int) []any {
				for _, r := range uniq[from:to] {
					dst = append(dst, r.Check, r.Location, r.State.String(), r.Since.UTC(), string(r.Reason), r.Message)
				}
				return dst
			})
	})
	if err != nil {
		return fmt.Errorf("save states: %w", err)
	}
	return nil
}

// States returns every stored state, ordered by check then location.
func (s *Store) States(ctx context.Context) ([]StateRow, error) {
	return s.readStates(ctx, "", nil, 0)
}

// statesChunk bounds the keys of one IN list.
const statesChunk = 500

// StatesOf returns the stored states of the checks keyed, at every
// location, ordered by check then location: what one customer's pages
// need without reading every state of the host.
func (s *Store) StatesOf(ctx context.Context, keys []string) ([]StateRow, error) {
	out := []StateRow{}
	sorted := slices.Sorted(slices.Values(keys))
	for chunk := range slices.Chunk(slices.Compact(sorted), statesChunk) {
		args := make([]any, len(chunk))
		for i, k := range chunk {
			args[i] = k
		}
		rows, err := s.readStates(ctx, ` WHERE check_key IN `+s.db.Engine.List(len(chunk)), args, 0)
		if err != nil {
			return nil, err
		}
		out = append(out, rows...)
	}
	return out, nil
}

// readStates reads the states matching where (with its args), the first
// limit of them when limit is positive.
func (s *Store) readStates(ctx context.Context, where string, args []any, limit int) ([]StateRow, error) {
	out := []StateRow{}
	q := `SELECT check_key, location, state, since, reason, message FROM check_states` + where + ` ORDER BY check_key, location`
	if limit > 0 {
		q += ` LIMIT ` + strconv.Itoa(limit)
	}
	err := queryEach(ctx, s.db, "read states", q, args,
		func(rows *sql.Rows) error {
			var r StateRow
			var st, reason string
			if err := rows.Scan(&r.Check, &r.Location, &st, &r.Since, &reason, &r.Message); err != nil {
				return err
			}
			r.State, r.Reason, r.Since = parseState(st), check.Reason(reason), r.Since.UTC()
			out = append(out, r)
			return nil
		})
	if err != nil {
		return nil, s.db.MapError(err)
	}
	return out, nil
}

package detect

import (
	"context"
	"database/sql"
	"slices"
	"strconv"
	"strings"
	"time"
)

// StoredSignal is a Signal as stored, with the id that orders signals and
// pages through them.
type StoredSignal struct {
	ID int64
	Signal
}

// SignalFilter selects signals; its zero value selects the latest
// DefaultSignalLimit of all.
type SignalFilter struct {
	Asset string
	Check string
	Kind  SignalKind
	// Location keeps the signals seen from this location.
	Location string
	// Since and Until bound At: Since ≤ At < Until; zero means unbounded.
	Since, Until time.Time
	// Limit is the most signals returned (DefaultSignalLimit when ≤ 0,
	// at most MaxSignalLimit).
	Limit int
	// Before, when positive, returns only signals with a smaller ID: pass
	// the ID of the last signal of a page to get the next one.
	Before int64
}

// Limits of the signals returned by one call of Signals.
const (
	DefaultSignalLimit = 100
	MaxSignalLimit     = 1000
)

// signalColumns are the columns of signals written by AppendTx, in order.
const signalColumns = `kind, check_key, asset, location, at, from_state, to_state, reason, message, results, source`

// Signals returns the signals matching f, newest (highest ID) first.
func (s *Store) Signals(ctx context.Context, f SignalFilter) ([]StoredSignal, error) {
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, strings.ReplaceAll(cond, "?", "$"+strconv.Itoa(len(args))))
	}
	if f.Asset != "" {
		add("asset = ?", f.Asset)
	}
	if f.Check != "" {
		add("check_key = ?", f.Check)
	}
	if f.Kind != "" {
		add("kind = ?", string(f.Kind))
	}
	if f.Location != "" {
		add("location = ?", f.Location)
	}
	if !f.Since.IsZero() {
		add("at >= ?", f.Since.UTC())
	}
	if !f.Until.IsZero() {
		add("at < ?", f.Until.UTC())
	}
	if f.Before > 0 {
		add("id < ?", f.Before)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = DefaultSignalLimit
	}
	limit = min(limit, MaxSignalLimit)
	q := `SELECT id, ` + signalColumns + ` FROM signals`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	q += ` ORDER BY id DESC LIMIT ` + strconv.Itoa(limit)
	return s.readSignals(ctx, "read signals", q, args, []StoredSignal{})
}

// readSignals appends to out the signals query selects.
func (s *Store) readSignals(ctx context.Context, what, query string, args []any, out []StoredSignal) ([]StoredSignal, error) {
	err := queryEach(ctx, s.db, what, query, args, func(rows *sql.Rows) error {
		sg, err := scanSignal(rows)
		if err != nil {
			return err
		}
		out = append(out, sg)
		return nil
	})
	if err != nil {
		return nil, s.db.MapError(err)
	}
	return out, nil
}

// CheckChanges returns the check-up and check-down signals of the named
// assets' checks in [from, to), and for each check and each of the two
// kinds the newest one before from (what the state was when the period
// began), in no particular order: the history of many assets in two
// queries per few hundred assets, where Signals would take four per
// check.
func (s *Store) CheckChanges(ctx context.Context, assets []string, from, to time.Time) ([]StoredSignal, error) {
	out := []StoredSignal{}
	for chunk := range slices.Chunk(assets, statesChunk) {
		args := make([]any, 0, len(chunk)+4)
		for _, a := range chunk {
			args = append(args, a)
		}
		k := len(chunk)
		args = append(args, string(CheckUp), string(CheckDown), from.UTC(), to.UTC())
		p := func(i int) string { return "$" + strconv.Itoa(k+i) }
		// Numbered in the order they appear: SQLite binds them so.
		match := `asset IN ` + s.db.Engine.List(k) + ` AND kind IN (` + p(1) + `, ` + p(2) + `)`
		queries := []struct {
			what, sql string
			args      []any
		}{
			{"read changes", `SELECT id, ` + signalColumns + ` FROM signals WHERE ` + match + ` AND at >= ` + p(3) + ` AND at < ` + p(4), args},
			{"read states before", `SELECT id, ` + signalColumns + ` FROM signals WHERE id IN (SELECT MAX(id) FROM signals WHERE ` + match +
				` AND at < ` + p(3) + ` GROUP BY asset, check_key, kind)`, args[:k+3]},
		}
		for _, q := range queries {
			var err error
			if out, err = s.readSignals(ctx, q.what, q.sql, q.args, out); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// CountSignals counts the signals of [since, until) by kind.
func (s *Store) CountSignals(ctx context.Context, since, until time.Time) (map[SignalKind]int, error) {
	out := map[SignalKind]int{}
	err := queryEach(ctx, s.db, "count signals", `SELECT kind, COUNT(*) FROM signals WHERE at >= $1 AND at < $2 GROUP BY kind`,
		[]any{since.UTC(), until.UTC()}, func(rows *sql.Rows) error {
			var (
				kind string
				n    int
			)
			if err := rows.Scan(&kind, &n); err != nil {
				return err
			}
			out[SignalKind(kind)] = n
			return nil
		})
	if err != nil {
		return nil, err
	}
	return out, nil
}

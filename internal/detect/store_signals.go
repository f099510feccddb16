package detect

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/vigie/vigie/internal/check"
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

// signalColumns are the columns of signals written by SaveSignals, in order.
const signalColumns = `kind, check_key, asset, location, at, from_state, to_state, reason, message, results`

// SaveSignals stores signals in one transaction.
func (s *Store) SaveSignals(ctx context.Context, signals []Signal) error {
	if len(signals) == 0 {
		return nil
	}
	results := make([]string, len(signals))
	for i := range signals {
		b := []byte("[]")
		if len(signals[i].Results) > 0 {
			var err error
			if b, err = json.Marshal(signals[i].Results); err != nil {
				return fmt.Errorf("save signals: %w", err)
			}
		}
		results[i] = string(b)
	}
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		return insertChunks(ctx, tx, s.db.Engine, `INSERT INTO signals (`+signalColumns+`) VALUES `, ``, 10, len(signals),
			func(dst []any, from, to int) []any {
				for i := from; i < to; i++ {
					sg := &signals[i]
					dst = append(dst, string(sg.Kind), sg.Check, sg.Asset, sg.Location, sg.At.UTC(),
						sg.From.String(), sg.To.String(), string(sg.Reason), sg.Message, results[i])
				}
				return dst
			})
	})
	if err != nil {
		return fmt.Errorf("save signals: %w", err)
	}
	return nil
}

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
	out := []StoredSignal{}
	err := queryEach(ctx, s.db, "read signals", q, args, func(rows *sql.Rows) error {
		var sg StoredSignal
		var kind, from, to, reason, results string
		err := rows.Scan(&sg.ID, &kind, &sg.Check, &sg.Asset, &sg.Location, &sg.At,
			&from, &to, &reason, &sg.Message, &results)
		if err != nil {
			return err
		}
		sg.Kind, sg.Reason = SignalKind(kind), check.Reason(reason)
		sg.From, sg.To = parseState(from), parseState(to)
		sg.At = sg.At.UTC()
		if results != "[]" {
			if err := json.Unmarshal([]byte(results), &sg.Results); err != nil {
				return fmt.Errorf("signal %d results: %w", sg.ID, err)
			}
		}
		out = append(out, sg)
		return nil
	})
	if err != nil {
		return nil, s.db.MapError(err)
	}
	return out, nil
}

package detect

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/store"
)

// Source names the producer of a signal.
type Source string

// The producers of signals.
const (
	SourceProbe        Source = "probe"        // the detector, from the results of every location
	SourceHeartbeat    Source = "heartbeat"    // the detector, from jobs' heartbeats
	SourceAlertmanager Source = "alertmanager" // Alertmanager's webhook
	SourceCompliance   Source = "compliance"   // host agents' facts against the rules
)

// Append adds signals to the log in one transaction and wakes the
// consumers; it returns once they are committed.
func (s *Store) Append(ctx context.Context, signals []Signal) error {
	if len(signals) == 0 {
		return nil
	}
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		return AppendTx(ctx, s.db, tx, signals)
	})
	if err != nil {
		return fmt.Errorf("append signals: %w", err)
	}
	Committed(s.db, signals)
	return nil
}

// Committed tells this process that signals were appended and committed:
// they are counted by source and the log's consumers are woken.
func Committed(db *store.DB, signals []Signal) {
	sources := make([]string, len(signals))
	for i := range signals {
		sources[i] = string(signals[i].Source)
	}
	db.Appended(sources)
}

// AppendTx adds signals to the log inside the caller's transaction, which
// must commit for them to count; the caller then calls Committed. It takes the
// log's lock first, so that call it before any other write of tx that
// another appender could also wait on.
func AppendTx(ctx context.Context, db *store.DB, tx *sql.Tx, signals []Signal) error {
	if len(signals) == 0 {
		return nil
	}
	if err := db.LockTx(ctx, tx, store.LockSignalLog); err != nil {
		return err
	}
	results := make([]string, len(signals))
	for i := range signals {
		b := []byte("[]")
		if len(signals[i].Results) > 0 {
			var err error
			if b, err = json.Marshal(signals[i].Results); err != nil {
				return fmt.Errorf("signal results: %w", err)
			}
		}
		results[i] = string(b)
	}
	err := insertChunks(ctx, tx, db.Engine, `INSERT INTO signals (`+signalColumns+`) VALUES `, ``, 11, len(signals),
		func(dst []any, from, to int) []any {
			for i := from; i < to; i++ {
				sg := &signals[i]
				dst = append(dst, string(sg.Kind), sg.Check, sg.Asset, sg.Location, sg.At.UTC(),
					sg.From.String(), sg.To.String(), string(sg.Reason), sg.Message, results[i], string(sg.Source))
			}
			return dst
		})
	if err != nil {
		return err
	}
	return db.NotifyTx(ctx, tx, store.TopicSignals, "")
}

// After returns up to limit signals with an id above after, oldest first:
// what a consumer of the log takes next.
func After(ctx context.Context, q store.Querier, after int64, limit int) ([]StoredSignal, error) {
	out := []StoredSignal{}
	err := store.Each(ctx, q, "read signal log",
		`SELECT id, `+signalColumns+` FROM signals WHERE id > $1 ORDER BY id LIMIT `+strconv.Itoa(limit),
		[]any{after}, func(rows *sql.Rows) error {
			sg, err := scanSignal(rows)
			if err != nil {
				return err
			}
			out = append(out, sg)
			return nil
		})
	return out, err
}

// scanSignal reads one row of signalColumns preceded by the id.
func scanSignal(rows *sql.Rows) (StoredSignal, error) {
	var sg StoredSignal
	var kind, from, to, reason, results, source string
	err := rows.Scan(&sg.ID, &kind, &sg.Check, &sg.Asset, &sg.Location, &sg.At,
		&from, &to, &reason, &sg.Message, &results, &source)
	if err != nil {
		return sg, err
	}
	sg.Kind, sg.Reason, sg.Source = SignalKind(kind), check.Reason(reason), Source(source)
	sg.From, sg.To = parseState(from), parseState(to)
	sg.At = sg.At.UTC()
	if results != "[]" {
		if err := json.Unmarshal([]byte(results), &sg.Results); err != nil {
			return sg, fmt.Errorf("signal %d results: %w", sg.ID, err)
		}
	}
	return sg, nil
}

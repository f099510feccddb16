package probe

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/store"
)

// ResultQueue keeps the results remote probes send until the detector of
// the leader takes them: any server on the database accepts a batch, and
// acknowledges it only once it is committed.
type ResultQueue struct {
	db       *store.DB
	accepted atomic.Uint64
}

// NewResultQueue returns the queue over db.
func NewResultQueue(db *store.DB) *ResultQueue { return &ResultQueue{db: db} }

// resultsCursor names the detector's cursor in the queue.
const resultsCursor = "probe-results"

// Take queues a batch of a location, in order, skipping the records at or
// below the last sequence number taken in the same epoch (a batch replayed
// after a lost acknowledgement), and returns the last sequence number
// taken. It is one transaction: on error nothing is taken, and the probe
// sends the batch again.
func (q *ResultQueue) Take(ctx context.Context, location, epoch string, records []Record, now time.Time) (uint64, error) {
	var taken uint64
	var n int
	err := q.db.InTx(ctx, func(tx *sql.Tx) error {
		if err := q.db.LockTx(ctx, tx, store.LockProbeResults); err != nil {
			return err
		}
		var stored string
		var last int64
		err := tx.QueryRowContext(ctx, `SELECT seq_epoch, last_seq FROM probe_locations WHERE name = $1`, location).Scan(&stored, &last)
		if err != nil {
			return fmt.Errorf("last sequence of %s: %w", location, err)
		}
		taken = uint64(last)
		if stored != epoch {
			taken = 0 // a new buffer numbers from 1 again
		}
		type row struct {
			key    string
			result string
		}
		var rows []row
		for _, rec := range records {
			if rec.Seq <= taken {
				continue
			}
			b, err := json.Marshal(rec.Result)
			if err != nil {
				return fmt.Errorf("result %d: %w", rec.Seq, err)
			}
			rows = append(rows, row{rec.Key, string(b)})
			taken = rec.Seq
		}
		const cols = 4
		for from := 0; from < len(rows); from += 1000 {
			to := min(from+1000, len(rows))
			args := make([]any, 0, (to-from)*cols)
			for _, r := range rows[from:to] {
				args = append(args, location, r.key, r.result, now.UTC())
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO probe_results (location, check_key, result, received_at) VALUES `+
				q.db.Engine.Placeholders(to-from, cols), args...)
			if err != nil {
				return fmt.Errorf("queue results of %s: %w", location, err)
			}
		}
		_, err = tx.ExecContext(ctx, `UPDATE probe_locations SET seq_epoch = $1, last_seq = $2, last_seen_at = $3 WHERE name = $4`,
			epoch, int64(taken), now.UTC(), location)
		if err != nil {
			return fmt.Errorf("last sequence of %s: %w", location, err)
		}
		n = len(rows)
		// Even an empty batch is news: the location is alive.
		return q.db.NotifyTx(ctx, tx, store.TopicResults, location)
	})
	if err != nil {
		return 0, fmt.Errorf("take results of %s: %w", location, q.db.MapError(err))
	}
	q.db.Wake(store.TopicResults, location)
	q.accepted.Add(uint64(n))
	return taken, nil
}

// Accepted counts the results this process queued, each once.
func (q *ResultQueue) Accepted() uint64 { return q.accepted.Load() }

// Queued is a result waiting in the queue.
type Queued struct {
	ID       int64
	Location string
	Key      string
	Result   check.Result
	Received time.Time
}

// Next returns up to limit results after the detector's cursor, oldest
// first.
func (q *ResultQueue) Next(ctx context.Context, limit int) ([]Queued, error) {
	out := []Queued{}
	err := store.Each(ctx, q.db, "read queued results",
		`SELECT id, location, check_key, result, received_at FROM probe_results
		WHERE id > COALESCE((SELECT position FROM log_cursors WHERE name = $1), 0) ORDER BY id LIMIT `+strconv.Itoa(limit),
		[]any{resultsCursor}, func(rows *sql.Rows) error {
			var r Queued
			var res string
			if err := rows.Scan(&r.ID, &r.Location, &r.Key, &res, &r.Received); err != nil {
				return err
			}
			if err := json.Unmarshal([]byte(res), &r.Result); err != nil {
				return fmt.Errorf("queued result %d: %w", r.ID, err)
			}
			r.Received = r.Received.UTC()
			out = append(out, r)
			return nil
		})
	return out, err
}

// Done moves the detector's cursor to id and forgets the results up to
// it, in one transaction.
func (q *ResultQueue) Done(ctx context.Context, id int64) error {
	err := q.db.InTx(ctx, func(tx *sql.Tx) error {
		if err := store.SetCursor(ctx, tx, resultsCursor, id); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM probe_results WHERE id <= $1`, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("results taken: %w", err)
	}
	return nil
}

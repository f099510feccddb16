package probe

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/store"
)

// ResultQueue keeps the results remote probes send until the detector of
// the leader takes them: any server on the database accepts a batch, and
// acknowledges it only once it is committed. A result for a check the
// location is not assigned is refused: it never reaches the detector, and
// is counted against the location.
type ResultQueue struct {
	db       *store.DB
	log      *slog.Logger
	accepted atomic.Uint64
	refused  *prometheus.CounterVec
	// assigned returns which check keys a location runs now; tests replace it.
	assigned func(ctx context.Context, location string) (func(key string) bool, error)
	assign   assignmentCache
}

// ResultQueueOptions configure a ResultQueue.
type ResultQueueOptions struct {
	// Inventory says which checks each location runs (default: a service
	// over the queue's database, which reads it without loading a graph).
	Inventory *inventory.Service
	// Logger receives a warning for each batch with refused results.
	Logger *slog.Logger
}

// NewResultQueue returns the queue over db, with the default options.
func NewResultQueue(db *store.DB) *ResultQueue { return NewResultQueueWith(db, ResultQueueOptions{}) }

// NewResultQueueWith returns the queue over db. Its refusal counter,
// vigie_probe_results_refused_total{location}, is registered by the caller:
// reg.MustRegister(q.Collector()).
func NewResultQueueWith(db *store.DB, opts ResultQueueOptions) *ResultQueue {
	if opts.Inventory == nil {
		opts.Inventory = inventory.NewService(db, nil)
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	q := &ResultQueue{db: db, log: opts.Logger,
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigie_probe_results_refused_total",
			Help: "Results remote locations sent for checks they are not assigned, refused at intake, by location.",
		}, []string{"location"}),
	}
	q.assign.inv = opts.Inventory
	q.assigned = q.assign.of
	return q
}

// Collector returns the queue's Prometheus counter of refused results.
func (q *ResultQueue) Collector() prometheus.Collector { return q.refused }

// resultsCursor names the detector's cursor in the queue.
const resultsCursor = "probe-results"

// Taken says what TakeBatch did with a batch.
type Taken struct {
	// Ack is the last sequence number taken: the probe may forget every
	// record up to it, refused ones included.
	Ack uint64
	// Queued counts the new records queued for the detector.
	Queued int
	// Refused counts the new records dropped because their check is not
	// assigned to the location.
	Refused int
}

// TakeBatch queues a batch of a location, in order, skipping the records at
// or below the last sequence number taken from the same epoch, the member
// of the location that sent it (a batch
// replayed after a lost acknowledgement). A new record whose check the
// location is not assigned now is refused: it is not stored, yet it is
// acknowledged (or the probe would send it forever) and counted in the
// location's refused_results and in vigie_probe_results_refused_total. It
// is one transaction: on error nothing is taken, and the probe sends the
// batch again.
func (q *ResultQueue) TakeBatch(ctx context.Context, location, epoch string, records []Record, now time.Time) (Taken, error) {
	assigned, err := q.assigned(ctx, location)
	if err != nil {
		return Taken{}, fmt.Errorf("take results of %s: %w", location, err)
	}
	var t Taken
	err = q.db.InTx(ctx, func(tx *sql.Tx) error {
		t = Taken{}
		if err := q.db.LockTx(ctx, tx, store.LockProbeResults); err != nil {
			return err
		}
		// Each member (each probe buffer) numbers its results on its own;
		// a new buffer numbers from 1 again.
		last, err := memberLastSeq(ctx, tx, location, epoch)
		if err != nil {
			return err
		}
		t.Ack = last
		var kept []Record
		for _, rec := range records {
			if rec.Seq <= t.Ack {
				continue
			}
			t.Ack = rec.Seq
			if !assigned(rec.Key) {
				t.Refused++
				continue
			}
			kept = append(kept, rec)
		}
		if err := q.queue(ctx, tx, location, kept, now); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE probe_locations SET seq_epoch = $1, last_seq = $2, last_seen_at = $3,
			refused_results = refused_results + $4 WHERE name = $5`,
			epoch, int64(t.Ack), now.UTC(), t.Refused, location)
		if err := locationAffectedOne(q.db, res, err); errors.Is(err, store.ErrNotFound) {
			return store.NotFound("location", location)
		} else if err != nil {
			return fmt.Errorf("last sequence of %s: %w", location, err)
		}
		if err := setMemberLastSeq(ctx, tx, location, epoch, t.Ack); err != nil {
			return err
		}
		t.Queued = len(kept)
		// Even an empty batch is news: the location is alive.
		return q.db.NotifyTx(ctx, tx, store.TopicResults, location)
	})
	if err != nil {
		return Taken{}, fmt.Errorf("take results of %s: %w", location, q.db.MapError(err))
	}
	q.db.Wake(store.TopicResults, location)
	q.accepted.Add(uint64(t.Queued))
	if t.Refused > 0 {
		q.refused.WithLabelValues(location).Add(float64(t.Refused))
		q.log.Warn("probe results refused: their checks are not assigned to the location",
			"location", location, "refused", t.Refused, "queued", t.Queued)
	}
	return t, nil
}

// Accepted counts the results this process queued, each once.
func (q *ResultQueue) Accepted() uint64 { return q.accepted.Load() }

// Queued is a result waiting in the queue.
type Queued struct {
	ID       int64 // its position: its row's id × batchSpan + its index in the row
	Location string
	Key      string
	Result   check.Result
	Received time.Time
}

// queue stores the records of a batch: one row per maxBatchRow records.
func (q *ResultQueue) queue(ctx context.Context, tx *sql.Tx, location string, records []Record, now time.Time) error {
	for from := 0; from < len(records); from += maxBatchRow {
		part := records[from:min(from+maxBatchRow, len(records))]
		_, err := tx.ExecContext(ctx, `INSERT INTO probe_result_batches (location, results, n, received_at) VALUES ($1, $2, $3, $4)`,
			location, encodeBatch(part), len(part), now.UTC())
		if err != nil {
			return fmt.Errorf("queue results of %s: %w", location, err)
		}
	}
	return nil
}

// Next returns up to limit results after the detector's cursor, oldest
// first. Their IDs are positions in the queue (see batchSpan).
func (q *ResultQueue) Next(ctx context.Context, limit int) ([]Queued, error) {
	out := []Queued{}
	if limit <= 0 {
		return out, nil
	}
	var cursor int64
	err := q.db.QueryRowContext(ctx, `SELECT COALESCE((SELECT position FROM log_cursors WHERE name = $1), 0)`, resultsCursor).Scan(&cursor)
	if err != nil {
		return nil, fmt.Errorf("read queued results: %w", err)
	}
	// The rows that hold the next limit results: their counts first, so
	// that only those are read.
	first := cursor / batchSpan
	var last int64 = -1
	total := 0
	err = store.Each(ctx, q.db, "read queued results",
		`SELECT id, n FROM probe_result_batches WHERE id >= $1 ORDER BY id LIMIT `+strconv.Itoa(limit),
		[]any{first}, func(rows *sql.Rows) error {
			var id int64
			var n int
			if total >= limit {
				return nil
			}
			if err := rows.Scan(&id, &n); err != nil {
				return err
			}
			if id == first {
				n -= int(cursor%batchSpan) + 1
			}
			total += max(n, 0)
			last = id
			return nil
		})
	if err != nil || last < 0 {
		return out, err
	}
	out = make([]Queued, 0, min(total, limit))
	err = store.Each(ctx, q.db, "read queued results",
		`SELECT id, location, results, received_at FROM probe_result_batches WHERE id >= $1 AND id <= $2 ORDER BY id`,
		[]any{first, last}, func(rows *sql.Rows) error {
			var id int64
			var location string
			var results []byte
			var received time.Time
			if len(out) >= limit {
				return nil
			}
			if err := rows.Scan(&id, &location, &results, &received); err != nil {
				return err
			}
			received = received.UTC()
			from := 0
			if id == first {
				from = int(cursor%batchSpan) + 1
			}
			err := decodeBatch(results, from, func(i int, key string, r *check.Result) bool {
				out = append(out, Queued{ID: position(id, i), Location: location, Key: key, Result: *r, Received: received})
				return len(out) < limit
			})
			if err != nil {
				return fmt.Errorf("queued results %d: %w", id, err)
			}
			return nil
		})
	return out, err
}

// Done moves the detector's cursor to the position id and forgets the
// results up to it, in one transaction: the rows whose results are all
// taken.
func (q *ResultQueue) Done(ctx context.Context, id int64) error {
	err := q.db.InTx(ctx, func(tx *sql.Tx) error {
		if err := store.SetCursor(ctx, tx, resultsCursor, id); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM probe_result_batches WHERE id < $1 OR (id = $1 AND n <= $2)`,
			id/batchSpan, id%batchSpan+1)
		return err
	})
	if err != nil {
		return fmt.Errorf("results taken: %w", err)
	}
	return nil
}

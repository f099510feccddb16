package probe

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/vigie/vigie/internal/detect"
)

// rollupChunk is how many minute buckets one transaction writes: on
// SQLite the monitor's signals wait for the write lock at most one chunk,
// not a whole minute of 60,000 checks.
const rollupChunk = 5000

// rollupWriter writes the closed minute rollups from a goroutine of its
// own. With 60,000 checks a minute closes 60,000 buckets, and writing them
// on the monitor's loop kept it from taking results for seconds: the
// result channel filled and the scheduler's workers, then checks, waited.
//
// The loop hands buckets over with add, which never blocks; what the
// database cannot take waits here, bounded like the loop's own pending
// writes (the oldest dropped and counted), and is tried again at every
// wake-up.
type rollupWriter struct {
	save   func(context.Context, []detect.Bucket) error
	limit  int
	logger *slog.Logger
	wake   chan struct{} // one wake-up waits at most
	stop   chan struct{} // closed by finish
	done   chan struct{} // closed when the goroutine ends

	mu      sync.Mutex
	pending []detect.Bucket // oldest first, not taken by the goroutine yet
	writing int             // buckets of the chunk being written
	dropped int
	since   time.Time // when the database first refused, zero while it takes everything
	err     error     // the last refusal, nil once everything is written
}

func newRollupWriter(save func(context.Context, []detect.Bucket) error, limit int, logger *slog.Logger) *rollupWriter {
	return &rollupWriter{save: save, limit: limit, logger: logger,
		wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
}

// add queues closed buckets and wakes the goroutine. It keeps buckets,
// which the caller must not change: with nothing pending, a minute of a
// million buckets is taken as it is rather than copied.
func (w *rollupWriter) add(buckets []detect.Bucket) {
	if len(buckets) == 0 {
		return
	}
	w.mu.Lock()
	if len(w.pending) == 0 {
		w.pending = bound(buckets, w.limit, &w.dropped)
	} else {
		w.pending = bound(append(w.pending, buckets...), w.limit, &w.dropped)
	}
	w.mu.Unlock()
	w.kick()
}

// kick wakes the goroutine without waiting: a wake-up already queued
// covers this one.
func (w *rollupWriter) kick() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// run writes what is queued at each wake-up until finish closes stop, then
// writes what is left while ctx lasts.
func (w *rollupWriter) run(ctx context.Context) {
	defer close(w.done)
	for {
		select {
		case <-w.wake:
			w.writeAll(ctx)
		case <-w.stop:
			w.writeAll(ctx)
			return
		}
	}
}

// writeAll writes the queued buckets chunk by chunk, and stops at the
// first refusal: the chunk goes back at the head of the queue for the
// next try.
func (w *rollupWriter) writeAll(ctx context.Context) {
	for {
		chunk := w.take()
		if len(chunk) == 0 {
			return
		}
		wctx, cancel := context.WithTimeout(ctx, writeTimeout)
		err := w.save(wctx, chunk)
		cancel()
		if !w.written(chunk, err, ctx.Err() != nil) {
			return
		}
	}
}

func (w *rollupWriter) take() []detect.Bucket {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := min(len(w.pending), rollupChunk)
	chunk := w.pending[:n:n]
	w.pending = w.pending[n:]
	if len(w.pending) == 0 {
		// An empty slice at the end of a minute's array would keep the
		// whole array alive until the next minute.
		w.pending = nil
	}
	w.writing = n
	return chunk
}

// written records the outcome of a chunk's write, logs when the database
// starts refusing and when it takes everything again, and tells whether
// to go on.
func (w *rollupWriter) written(chunk []detect.Bucket, err error, stopping bool) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.writing = 0
	if err != nil {
		w.pending = bound(append(chunk, w.pending...), w.limit, &w.dropped)
		if w.since.IsZero() && !stopping {
			w.since = time.Now()
			w.logger.Warn("monitor: the database cannot take the rollups; kept in memory until it can", "err", err,
				"buckets", len(w.pending))
		}
		w.err = err
		return false
	}
	if len(w.pending) == 0 {
		if !w.since.IsZero() {
			w.logger.Info("monitor: database back, pending rollups written", "after", time.Since(w.since).Round(time.Second),
				"dropped", w.dropped)
		}
		w.since, w.err, w.dropped = time.Time{}, nil, 0
	}
	return true
}

// state returns how many buckets wait or are being written, since when
// the database refuses them and why (zero and nil while it takes them).
func (w *rollupWriter) state() (pending int, since time.Time, err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.pending) + w.writing, w.since, w.err
}

package probe

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// queueT0 is when the queue scenarios start.
var queueT0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// records returns records of seqs, each keyed "epoch/seq".
func records(epoch string, seqs ...uint64) []Record {
	out := make([]Record, len(seqs))
	for i, s := range seqs {
		out[i] = Record{Seq: s, Key: fmt.Sprintf("%s/%d", epoch, s),
			Result: check.Result{OK: s%2 == 0, Phase: check.PhaseDone, Started: queueT0.Add(time.Duration(s) * time.Second)}}
	}
	return out
}

// newQueue returns a queue over db with locations paris and tokyo, which
// are assigned every check key.
func newQueue(t *testing.T, db *store.DB) *ResultQueue {
	t.Helper()
	locs := NewLocationStore(db)
	for _, name := range []string{"paris", "tokyo"} {
		if _, err := locs.Add(context.Background(), name); err != nil {
			t.Fatal(err)
		}
	}
	q := NewResultQueue(db)
	q.assigned = func(context.Context, string) (func(string) bool, error) {
		return func(string) bool { return true }, nil
	}
	return q
}

// keysOf lists the keys of queued results.
func keysOf(list []Queued) []string {
	out := []string{}
	for _, q := range list {
		out = append(out, q.Key)
	}
	return out
}

// recordKeys lists the keys of records.
func recordKeys(rs []Record) []string {
	out := []string{}
	for _, r := range rs {
		out = append(out, r.Key)
	}
	return out
}

// drain takes everything queued and moves the cursor past it.
func drain(t *testing.T, q *ResultQueue) []Queued {
	t.Helper()
	ctx := context.Background()
	list, err := q.Next(ctx, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) > 0 {
		if err := q.Done(ctx, list[len(list)-1].ID); err != nil {
			t.Fatal(err)
		}
	}
	return list
}

func TestResultQueueTakesEachRecordOnce(t *testing.T) {
	steps := []struct {
		name      string
		location  string
		epoch     string
		seqs      []uint64
		wantTaken uint64
		wantNew   []string // keys queued by this batch
	}{
		{"a first batch", "paris", "e1", []uint64{1, 2, 3}, 3, []string{"e1/1", "e1/2", "e1/3"}},
		{"a batch replayed in part", "paris", "e1", []uint64{2, 3, 4}, 4, []string{"e1/4"}},
		{"a batch replayed whole", "paris", "e1", []uint64{1, 2}, 4, []string{}},
		{"another location counts apart", "tokyo", "t1", []uint64{1, 2}, 2, []string{"t1/1", "t1/2"}},
		{"a new epoch counts from 1", "paris", "e2", []uint64{1, 2}, 2, []string{"e2/1", "e2/2"}},
		{"an empty batch takes nothing", "paris", "e2", nil, 2, []string{}},
		{"each buffer (member) numbers apart: the first goes on", "paris", "e1", []uint64{3, 5}, 5, []string{"e1/5"}},
		{"records out of order are taken up to the highest", "paris", "e1", []uint64{6, 5, 7}, 7, []string{"e1/6", "e1/7"}},
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		q := newQueue(t, db)
		locs := NewLocationStore(db)
		total := 0
		for _, st := range steps {
			taken, err := take(ctx, q, st.location, st.epoch, records(st.epoch, st.seqs...), queueT0)
			if err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
			got := drain(t, q)
			if taken != st.wantTaken || !slices.Equal(keysOf(got), st.wantNew) {
				t.Errorf("%s: took up to %d, queued %v; want %d, %v", st.name, taken, keysOf(got), st.wantTaken, st.wantNew)
			}
			for _, r := range got {
				if r.Location != st.location || !r.Received.Equal(queueT0) {
					t.Errorf("%s: queued %+v, want from %s received at %v", st.name, r, st.location, queueT0)
				}
			}
			if epoch, seq, err := locs.LastSeq(ctx, st.location); err != nil || epoch != st.epoch || seq != st.wantTaken {
				t.Errorf("%s: last sequence %s %d (%v), want %s %d", st.name, epoch, seq, err, st.epoch, st.wantTaken)
			}
			total += len(st.wantNew)
		}
		if got := q.Accepted(); got != uint64(total) {
			t.Errorf("accepted %d results, want %d", got, total)
		}
		if _, err := take(ctx, q, "nowhere", "e1", records("e1", 1), queueT0); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("take from an unknown location: %v, want ErrNotFound", err)
		}
	})
}

func TestResultQueueKeepsResultsIntact(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		q := newQueue(t, db)
		want := records("e1", 1, 2)
		want[0].Result = check.Result{Phase: check.PhaseConnect, Reason: check.ReasonTimeout, Message: "connect timed out",
			Started: queueT0, Timings: check.Timings{Connect: 3 * time.Second, Total: 3 * time.Second}}
		if _, err := take(ctx, q, "paris", "e1", want, queueT0); err != nil {
			t.Fatal(err)
		}
		got := drain(t, q)
		if len(got) != len(want) {
			t.Fatalf("%d queued, want %d", len(got), len(want))
		}
		for i := range got {
			if got[i].Key != want[i].Key || !got[i].Result.Started.Equal(want[i].Result.Started) ||
				got[i].Result.Reason != want[i].Result.Reason || got[i].Result.Timings != want[i].Result.Timings ||
				got[i].Result.OK != want[i].Result.OK || got[i].Result.Message != want[i].Result.Message {
				t.Errorf("queued %d: %+v, want %+v", i, got[i], want[i])
			}
		}
	})
}

func TestResultQueueEmptyBatchMarksTheLocationSeen(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		q := newQueue(t, db)
		wake, stop := db.Subscribe(store.TopicResults)
		defer stop()
		at := queueT0.Add(42 * time.Minute)
		if taken, err := take(ctx, q, "tokyo", "t1", nil, at); err != nil || taken != 0 {
			t.Fatalf("empty batch: %d, %v", taken, err)
		}
		list, err := NewLocationStore(db).List(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range list {
			switch {
			case l.Name == "tokyo" && (l.LastSeenAt == nil || !l.LastSeenAt.Equal(at)):
				t.Errorf("tokyo last seen at %v, want %v", l.LastSeenAt, at)
			case l.Name == "paris" && l.LastSeenAt != nil:
				t.Errorf("paris last seen at %v, want never", l.LastSeenAt)
			}
		}
		select {
		case got := <-wake:
			if got != "tokyo" {
				t.Errorf("woken for %q, want tokyo", got)
			}
		default:
			t.Error("an empty batch woke no consumer of results")
		}
	})
}

func TestResultQueueDoneForgetsUpToTheCursorWhichPersists(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		q := newQueue(t, db)
		if _, err := take(ctx, q, "paris", "e1", records("e1", 1, 2, 3, 4, 5), queueT0); err != nil {
			t.Fatal(err)
		}
		first, err := q.Next(ctx, 3)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(keysOf(first), []string{"e1/1", "e1/2", "e1/3"}) {
			t.Fatalf("first page %v", keysOf(first))
		}
		// Not done yet: the same page again.
		if again, err := q.Next(ctx, 3); err != nil || !slices.Equal(keysOf(again), keysOf(first)) {
			t.Fatalf("page before Done %v (%v), want %v again", keysOf(again), err, keysOf(first))
		}
		if err := q.Done(ctx, first[2].ID); err != nil {
			t.Fatal(err)
		}
		var rows int
		// The batch stays, one row, until all its results are taken.
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM probe_result_batches`).Scan(&rows); err != nil || rows != 1 {
			t.Fatalf("%d rows kept after Done (%v), want the batch's", rows, err)
		}
		// A new queue on the database (a new leader) continues after it.
		rest, err := NewResultQueue(db).Next(ctx, 10)
		if err != nil || !slices.Equal(keysOf(rest), []string{"e1/4", "e1/5"}) {
			t.Fatalf("after Done, a new queue reads %v (%v), want e1/4 e1/5", keysOf(rest), err)
		}
		if pos, err := store.Cursor(ctx, db, resultsCursor); err != nil || pos != first[2].ID {
			t.Fatalf("cursor at %d (%v), want %d", pos, err, first[2].ID)
		}
	})
}

// TestResultQueueNeverReusesIDs empties the queue and takes more: the new
// rows must come after the cursor, which stays at the last id taken.
// SQLite reuses the ids of deleted rows unless the table is AUTOINCREMENT.
func TestResultQueueNeverReusesIDs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		q := newQueue(t, db)
		for round, seqs := range [][]uint64{{1, 2, 3}, {4, 5}, {6}} {
			if _, err := take(ctx, q, "paris", "e1", records("e1", seqs...), queueT0); err != nil {
				t.Fatal(err)
			}
			want := recordKeys(records("e1", seqs...))
			if got := keysOf(drain(t, q)); !slices.Equal(got, want) {
				t.Fatalf("round %d after emptying the queue: Next gave %v, want %v", round, got, want)
			}
		}
	})
}

// TestConcurrentTakesOfOneBatchQueueItOnce has several servers receive the
// same batch of a location at once (a probe retrying while its first
// request is still in flight): each record is queued once.
func TestConcurrentTakesOfOneBatchQueueItOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		q := newQueue(t, db)
		const batches, servers, size = 8, 5, 4
		var want []string
		for b := range batches {
			seqs := make([]uint64, size)
			for i := range seqs {
				seqs[i] = uint64(b*size + i + 1)
			}
			batch := records("e1", seqs...)
			want = append(want, recordKeys(batch)...)
			start := make(chan struct{})
			errs := make(chan error, servers)
			var wg sync.WaitGroup
			for range servers {
				wg.Go(func() {
					<-start
					if _, err := take(ctx, q, "paris", "e1", batch, queueT0); err != nil {
						errs <- err
					}
				})
			}
			close(start)
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatal(err)
			}
		}
		if got := keysOf(drain(t, q)); !slices.Equal(got, want) {
			t.Fatalf("queued %v, want each record once: %v", got, want)
		}
	})
}

// take queues a batch and returns the acknowledgement only.
func take(ctx context.Context, q *ResultQueue, location, epoch string, records []Record, now time.Time) (uint64, error) {
	t, err := q.TakeBatch(ctx, location, epoch, records, now)
	return t.Ack, err
}

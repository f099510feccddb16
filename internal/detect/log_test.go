package detect_test

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/detect"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

func TestLogKeepsEverySignalFieldThroughAppendAndAfter(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		want := storeSignals()
		sources := []detect.Source{detect.SourceProbe, detect.SourceHeartbeat, detect.SourceAlertmanager, detect.SourceCompliance, ""}
		for i := range want {
			want[i].Source = sources[i%len(sources)]
		}
		if err := detect.NewStore(db).Append(ctx, want); err != nil {
			t.Fatal(err)
		}
		got, err := detect.After(ctx, db, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Fatalf("%d signals after 0, want %d", len(got), len(want))
		}
		for i := range got {
			if !reflect.DeepEqual(got[i].Signal, want[i]) {
				t.Errorf("signal %d:\n got %+v\nwant %+v", i, got[i].Signal, want[i])
			}
		}
	})
}

func TestLogAfterPagesInIDOrder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := detect.NewStore(db)
		// Appends of several sizes: ids run on across transactions.
		const n = 25
		next := 0
		for _, size := range []int{1, 2, 3, 4, 5, 10} {
			batch := make([]detect.Signal, size)
			for i := range batch {
				batch[i] = numbered(next)
				next++
			}
			if err := s.Append(ctx, batch); err != nil {
				t.Fatal(err)
			}
		}
		var pages []int
		var seen []string
		var cursor int64
		for range n {
			page, err := detect.After(ctx, db, cursor, 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(page) == 0 {
				break
			}
			pages = append(pages, len(page))
			for _, sg := range page {
				if sg.ID <= cursor {
					t.Fatalf("id %d after cursor %d", sg.ID, cursor)
				}
				cursor = sg.ID
				seen = append(seen, sg.Message)
			}
		}
		if fmt.Sprint(pages) != "[10 10 5]" {
			t.Errorf("pages of %v, want [10 10 5]", pages)
		}
		for i, m := range seen {
			if m != strconv.Itoa(i) {
				t.Fatalf("signals in order %v, want 0 to %d", seen, n-1)
			}
		}
		if len(seen) != n {
			t.Fatalf("%d signals seen, want %d", len(seen), n)
		}
	})
}

// numbered is a signal whose message is i.
func numbered(i int) detect.Signal {
	return detect.Signal{Kind: detect.CheckDown, Check: "web/http", Asset: "web", At: storeT0.Add(time.Duration(i) * time.Second),
		From: detect.Up, To: detect.Down, Reason: check.ReasonTimeout, Message: strconv.Itoa(i), Source: detect.SourceProbe}
}

// TestLogConsumerSeesEverySignalOnceWhileAppendersRace has appenders race,
// some holding their transaction open a little after inserting, while a
// consumer keeps reading after its cursor. On PostgreSQL ids are given at
// insert but become visible at commit: without the log's lock a late
// commit of a smaller id would land behind the cursor and be skipped.
func TestLogConsumerSeesEverySignalOnceWhileAppendersRace(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		s := detect.NewStore(db)
		const writers, each = 8, 50
		var wg sync.WaitGroup
		errs := make(chan error, writers)
		for w := range writers {
			wg.Go(func() {
				for i := range each {
					sg := numbered(w*each + i)
					var err error
					if w%2 == 0 {
						err = s.Append(ctx, []detect.Signal{sg})
					} else {
						err = db.InTx(ctx, func(tx *sql.Tx) error {
							if err := detect.AppendTx(ctx, db, tx, []detect.Signal{sg}); err != nil {
								return err
							}
							// Commit late, as a producer with more to write does.
							time.Sleep(time.Duration(i%3) * time.Millisecond)
							return nil
						})
						if err == nil {
							detect.Committed(db, []detect.Signal{sg})
						}
					}
					if err != nil {
						errs <- fmt.Errorf("writer %d append %d: %w", w, i, err)
						return
					}
				}
			})
		}
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()

		seen := map[string]int{}
		var cursor int64
		read := func() int {
			list, err := detect.After(ctx, db, cursor, 7)
			if err != nil {
				t.Fatal(err)
			}
			for _, sg := range list {
				seen[sg.Message]++
				cursor = sg.ID
			}
			return len(list)
		}
		for running := true; running; {
			select {
			case <-done:
				running = false
			case <-ctx.Done():
				t.Fatal("appenders did not finish in time")
			default:
				read()
			}
		}
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		for read() > 0 {
		}
		missed := 0
		for i := range writers * each {
			switch n := seen[strconv.Itoa(i)]; n {
			case 1:
			case 0:
				missed++
			default:
				t.Errorf("signal %d seen %d times", i, n)
			}
		}
		if missed > 0 || len(seen) != writers*each {
			t.Fatalf("consumer missed %d of %d signals (saw %d distinct)", missed, writers*each, len(seen))
		}
	})
}

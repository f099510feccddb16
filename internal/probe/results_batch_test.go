package probe

import (
	"context"
	"database/sql"
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// variedRecords covers every field of a result: known and other phases
// and reasons, messages, negative and large timings, no start time.
func variedRecords() []Record {
	return []Record{
		{Seq: 1, Key: "site1/http", Result: check.Result{OK: true, Phase: check.PhaseDone,
			Timings: check.Timings{DNS: 1, Connect: 2 * time.Millisecond, TLS: 3 * time.Millisecond, FirstByte: 40 * time.Millisecond, Total: 120 * time.Millisecond},
			Started: queueT0.Add(123456789)}},
		{Seq: 2, Key: "site2/tls", Result: check.Result{Phase: check.PhaseConnect, Reason: check.ReasonTimeout, Message: "connect timed out",
			Timings: check.Timings{Total: 10 * time.Second}, Started: queueT0}},
		{Seq: 3, Key: "", Result: check.Result{Phase: "a-phase-of-tomorrow", Reason: "a-reason-of-tomorrow", Message: "ünïcode ✓",
			Timings: check.Timings{Total: -5}}},
		{Seq: 4, Key: "site4/http", Result: check.Result{OK: true, Timings: check.Timings{Total: 1<<62 + 1}, Started: time.Unix(0, 1).UTC()}},
	}
}

func TestResultBatchRoundTrips(t *testing.T) {
	records := variedRecords()
	b := encodeBatch(records)
	for from := range len(records) + 1 {
		var got []Record
		err := decodeBatch(b, from, func(i int, key string, r *check.Result) bool {
			got = append(got, Record{Seq: uint64(i + 1), Key: key, Result: *r})
			return true
		})
		if err != nil {
			t.Fatal(err)
		}
		if want := records[from:]; !reflect.DeepEqual(got, want) && len(want) > 0 {
			t.Fatalf("from %d: decoded\n%+v\nwant\n%+v", from, got, want)
		}
	}
	// Stopping early reads no further.
	calls := 0
	if err := decodeBatch(b, 0, func(int, string, *check.Result) bool { calls++; return calls < 2 }); err != nil || calls != 2 {
		t.Fatalf("stopped after %d calls (%v), want 2", calls, err)
	}
}

func TestAMalformedResultBatchIsAnError(t *testing.T) {
	b := encodeBatch(variedRecords())
	for n := range len(b) {
		err := decodeBatch(b[:n], 0, func(int, string, *check.Result) bool { return true })
		if !errors.Is(err, errBatch) {
			t.Fatalf("batch cut at %d of %d bytes: %v, want errBatch", n, len(b), err)
		}
	}
	for _, bad := range []string{"X", "J[", "B\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"} {
		if err := decodeBatch([]byte(bad), 0, func(int, string, *check.Result) bool { return true }); !errors.Is(err, errBatch) {
			t.Fatalf("%q: %v, want errBatch", bad, err)
		}
	}
}

// TestABatchOfAThousandIsOneRow: the point of the layout.
func TestABatchOfAThousandIsOneRow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		q := newQueue(t, db)
		seqs := make([]uint64, 1000)
		for i := range seqs {
			seqs[i] = uint64(i + 1)
		}
		if _, err := take(ctx, q, "paris", "e1", records("e1", seqs...), queueT0); err != nil {
			t.Fatal(err)
		}
		var rows int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM probe_result_batches`).Scan(&rows); err != nil || rows != 1 {
			t.Fatalf("%d rows (%v), want 1", rows, err)
		}
		// Taken in pages that cut the batch: every result once, in order.
		var keys []string
		for {
			list, err := q.Next(ctx, 300)
			if err != nil {
				t.Fatal(err)
			}
			if len(list) == 0 {
				break
			}
			keys = append(keys, keysOf(list)...)
			if err := q.Done(ctx, list[len(list)-1].ID); err != nil {
				t.Fatal(err)
			}
		}
		if want := recordKeys(records("e1", seqs...)); !slices.Equal(keys, want) {
			t.Fatalf("took %d results, want the %d in order", len(keys), len(want))
		}
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM probe_result_batches`).Scan(&rows); err != nil || rows != 0 {
			t.Fatalf("%d rows after taking all (%v), want 0", rows, err)
		}
	})
}

// TestTheUpgradeKeepsTheResultsQueuedOnePerRow goes back to the schema
// before migration 00038, queues results the old way, some of them taken,
// and upgrades: the rest come out in order, then the new batches.
func TestTheUpgradeKeepsTheResultsQueuedOnePerRow(t *testing.T) {
	for _, allTaken := range []bool{false, true} {
		t.Run(map[bool]string{false: "some-taken", true: "all-taken"}[allTaken], func(t *testing.T) { upgradeQueue(t, allTaken) })
	}
}

func upgradeQueue(t *testing.T, allTaken bool) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		q := newQueue(t, db)
		if err := db.MigrateDownTo(ctx, 37); err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for i, rec := range records("old", 1, 2, 3) {
			res := `{"ok":` + map[bool]string{true: "true", false: "false"}[rec.Result.OK] +
				`,"phase":"done","timings":{"dns":0,"connect":0,"tls":0,"first_byte":0,"total":0},"started":"` +
				rec.Result.Started.Format(time.RFC3339Nano) + `"}`
			var id int64
			err := db.QueryRowContext(ctx, `INSERT INTO probe_results (location, check_key, result, received_at)
				VALUES ($1, $2, $3, $4) RETURNING id`, "paris", rec.Key, res, queueT0.Add(time.Duration(i)*time.Second)).Scan(&id)
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
		}
		taken := ids[0]
		if allTaken {
			taken = ids[2]
		}
		if err := db.InTx(ctx, func(tx *sql.Tx) error { return store.SetCursor(ctx, tx, resultsCursor, taken) }); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, `DELETE FROM probe_results WHERE id <= $1`, taken); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Migrate(ctx, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := take(ctx, q, "paris", "e2", records("e2", 1, 2), queueT0.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		list := drain(t, q)
		want := []string{"old/2", "old/3", "e2/1", "e2/2"}
		if allTaken {
			want = want[2:]
		}
		if !slices.Equal(keysOf(list), want) {
			t.Fatalf("after the upgrade the queue gives %v, want %v", keysOf(list), want)
		}
		if !allTaken {
			if r := list[0].Result; !r.OK || r.Phase != check.PhaseDone || !r.Started.Equal(queueT0.Add(2*time.Second)) ||
				!list[0].Received.Equal(queueT0.Add(time.Second)) || list[0].Location != "paris" {
				t.Fatalf("old result read back as %+v", list[0])
			}
		}
		if again := drain(t, q); len(again) != 0 {
			t.Fatalf("drained twice: %v", keysOf(again))
		}
	})
}

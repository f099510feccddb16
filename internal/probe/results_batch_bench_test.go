package probe

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// BenchmarkResultQueue measures the queue alone on PostgreSQL, per result:
// TakeBatch of batches of 1000, then Next and Done by pages of 5000 as
// the leader takes them; the baseline is the former layout's one INSERTed
// row per result, the same JSON, 1000 rows a statement.
func BenchmarkResultQueue(b *testing.B) {
	db := storetest.Open(b, store.Postgres)
	ctx := context.Background()
	q := NewResultQueue(db)
	q.assigned = func(context.Context, string) (func(string) bool, error) {
		return func(string) bool { return true }, nil
	}
	if _, err := NewLocationStore(db).Add(ctx, "paris"); err != nil {
		b.Fatal(err)
	}
	const batch, batches = 1000, 20
	records := make([]Record, batch)
	for i := range records {
		records[i] = Record{Seq: uint64(i + 1), Key: fmt.Sprintf("site%07d.example/http", i),
			Result: check.Result{OK: true, Phase: check.PhaseDone, Started: queueT0,
				Timings: check.Timings{DNS: 2e6, Connect: 21e6, TLS: 43e6, FirstByte: 97e6, Total: 130e6}}}
	}
	b.Run("take", func(b *testing.B) {
		n := 0
		for b.Loop() {
			if _, err := q.TakeBatch(ctx, "paris", fmt.Sprintf("e%d", n), records, queueT0); err != nil {
				b.Fatal(err)
			}
			n++
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n*batch), "ns/result")
	})
	b.Run("next-done", func(b *testing.B) {
		n := 0
		for b.Loop() {
			b.StopTimer()
			for i := range batches {
				if _, err := q.TakeBatch(ctx, "paris", fmt.Sprintf("f%d-%d", n, i), records, queueT0); err != nil {
					b.Fatal(err)
				}
			}
			b.StartTimer()
			for {
				list, err := q.Next(ctx, 5000)
				if err != nil {
					b.Fatal(err)
				}
				if len(list) == 0 {
					break
				}
				if err := q.Done(ctx, list[len(list)-1].ID); err != nil {
					b.Fatal(err)
				}
			}
			n++
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n*batch*batches), "ns/result")
	})
	b.Run("baseline-per-row", func(b *testing.B) {
		if _, err := db.ExecContext(ctx, `CREATE TABLE bench_per_row (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
			location TEXT NOT NULL, check_key TEXT NOT NULL, result TEXT NOT NULL, received_at TIMESTAMPTZ NOT NULL)`); err != nil {
			b.Fatal(err)
		}
		n := 0
		for b.Loop() {
			args := make([]any, 0, batch*4)
			for _, r := range records {
				res := `{"ok":true,"phase":"done","timings":{"dns":2000000,"connect":21000000,"tls":43000000,"first_byte":97000000,"total":130000000},"started":"` +
					r.Result.Started.Format(time.RFC3339Nano) + `"}`
				args = append(args, "paris", r.Key, res, queueT0)
			}
			if _, err := db.ExecContext(ctx, `INSERT INTO bench_per_row (location, check_key, result, received_at) VALUES `+
				db.Engine.Placeholders(batch, 4), args...); err != nil {
				b.Fatal(err)
			}
			n++
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n*batch), "ns/result")
	})
}

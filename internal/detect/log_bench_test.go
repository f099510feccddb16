package detect_test

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/detect"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// BenchmarkSignalLogAppend measures appending one signal per transaction
// from 8 writers at once — the shape of an outage, when every producer
// appends its state changes — through the log (its ordering lock on
// PostgreSQL) against a plain insert of the same row without it: the
// price of ids that commit in order.
func BenchmarkSignalLogAppend(b *testing.B) {
	for _, engine := range []store.Engine{store.SQLite, store.Postgres} {
		for _, path := range []string{"log", "plain-insert"} {
			b.Run(string(engine)+"/"+path, func(b *testing.B) {
				db := storetest.Open(b, engine)
				s := detect.NewStore(db)
				ctx := context.Background()
				sig := detect.Signal{Kind: detect.CheckDown, Check: "web-001/tcp", Asset: "web-001", At: time.Unix(1_800_000_000, 0),
					To: detect.Down, Reason: "refused", Message: "connection refused", Source: detect.SourceProbe}
				plain := func() error {
					return db.InTx(ctx, func(tx *sql.Tx) error {
						_, err := tx.ExecContext(ctx, `INSERT INTO signals (kind, check_key, asset, location, at, from_state, to_state,
							reason, message, results, source) VALUES ($1, $2, $3, '', $4, 'up', 'down', $5, $6, '[]', $7)`,
							string(sig.Kind), sig.Check, sig.Asset, sig.At, string(sig.Reason), sig.Message, string(sig.Source))
						return err
					})
				}
				appendOne := func() error { return s.Append(ctx, []detect.Signal{sig}) }
				if path == "plain-insert" {
					appendOne = plain
				}
				const writers = 8
				b.ResetTimer()
				var wg sync.WaitGroup
				errs := make(chan error, writers)
				per := b.N/writers + 1
				for range writers {
					wg.Go(func() {
						for range per {
							if err := appendOne(); err != nil {
								errs <- fmt.Errorf("%s: %w", path, err)
								return
							}
						}
					})
				}
				wg.Wait()
				close(errs)
				for err := range errs {
					b.Fatal(err)
				}
				b.ReportMetric(float64(per*writers)/b.Elapsed().Seconds(), "signals/s")
			})
		}
	}
}

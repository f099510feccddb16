package leader_test

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/leader"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// TestInstallationsInTwoSchemasEachElectALeader runs the election of two
// installations sharing one PostgreSQL database, each in a schema of its
// own: advisory locks belong to the whole database, yet each must have a
// leader.
func TestInstallationsInTwoSchemasEachElectALeader(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	var mu sync.Mutex
	leading := map[int]bool{}
	for i := range 2 {
		db := storetest.Open(t, store.Postgres)
		wg.Go(func() {
			leader.Run(ctx, db, slog.New(slog.DiscardHandler), leader.Options{
				Retry: 50 * time.Millisecond,
				OnChange: func(on bool) {
					mu.Lock()
					leading[i] = on
					mu.Unlock()
				},
			}, func(ctx context.Context) { <-ctx.Done() })
		})
	}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		mu.Lock()
		first, second := leading[0], leading[1]
		mu.Unlock()
		if first && second {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 5 s, first leads: %v, second leads: %v; want both to lead", first, second)
		}
	}
}

package store_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// TestLockTxKeepsApartTheServersOfOneSchemaOnly holds LockTx in one
// transaction and tries it from others: one on the same schema waits for
// it, one on another schema (another Vigie) does not.
func TestLockTxKeepsApartTheServersOfOneSchemaOnly(t *testing.T) {
	dsn := storetest.DSN(t, store.Postgres)
	db, sibling, stranger := open(t, dsn), open(t, dsn), open(t, storetest.DSN(t, store.Postgres))
	if db.LockKey(store.LockSignalLog) != sibling.LockKey(store.LockSignalLog) {
		t.Fatal("two servers on one schema have different keys")
	}
	for _, k := range []int64{store.LockSignalLog, store.LockProbeResults, store.LockLeader, store.LockEngine} {
		if a, b := db.LockKey(k), stranger.LockKey(k); a == b || a>>32 != k>>32 {
			t.Errorf("key %x: %x here, %x on another schema; want them apart, keeping the high 32 bits", k, a, b)
		}
	}

	ctx := context.Background()
	held := make(chan struct{})
	release := make(chan struct{})
	holderDone := make(chan error, 1)
	go func() {
		holderDone <- db.InTx(ctx, func(tx *sql.Tx) error {
			if err := db.LockTx(ctx, tx, store.LockSignalLog); err != nil {
				return err
			}
			close(held)
			<-release
			return nil
		})
	}()
	select {
	case <-held:
	case err := <-holderDone:
		t.Fatalf("holder: %v", err)
	}
	try := func(other *store.DB) error {
		tctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
		defer cancel()
		return other.InTx(tctx, func(tx *sql.Tx) error { return other.LockTx(tctx, tx, store.LockSignalLog) })
	}
	if err := try(stranger); err != nil {
		t.Errorf("another schema waited on this one's lock: %v", err)
	}
	if err := try(sibling); err == nil {
		t.Error("a server of the same schema took the lock while it was held")
	} else if !store.IsUnavailable(err) && !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("waiting for the lock: %v, want the deadline", err)
	}
	close(release)
	if err := <-holderDone; err != nil {
		t.Fatal(err)
	}
	if err := try(sibling); err != nil {
		t.Errorf("the lock once released: %v", err)
	}
}

package notify

import (
	"testing"
	"time"

	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

func TestEnqueueMergesIntoTheEarliestWaitingMessage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		st, _ := newTestStore(t, db)
		addChannel(t, st, "mail", KindEmail, AudienceCustomers)
		const window = 5 * time.Minute
		early := msg("early", "mail", "C1", item(1, "opened", t0))
		early.NotBefore = t0
		earlyID, _ := enqueue(t, st, early, window)
		late := msg("late", "mail", "C1", item(2, "opened", t0.Add(time.Hour)))
		late.NotBefore = t0.Add(time.Hour)
		if lateID, merged := enqueue(t, st, late, window); merged || lateID == earlyID {
			t.Fatalf("a message an hour later: id %d merged %v, want a message of its own", lateID, merged)
		}
		next := msg("next", "mail", "C1", item(1, "identified", t0.Add(time.Minute)))
		next.NotBefore = t0.Add(time.Minute)
		if id, merged := enqueue(t, st, next, window); !merged || id != earlyID {
			t.Fatalf("a message within the first one's window: id %d merged %v, want merged into %d", id, merged, earlyID)
		}
	})
}

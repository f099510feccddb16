package notify

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

func TestEnqueueIsIdempotentOnItsKey(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		st, _ := newTestStore(t, db)
		addChannel(t, st, "mail", KindEmail, AudienceCustomers)
		first, merged := enqueue(t, st, msg("k1", "mail", "C1", item(1, "opened", t0)), 5*time.Minute)
		if first == 0 || merged {
			t.Fatalf("first enqueue: id %d merged %v", first, merged)
		}
		again, merged := enqueue(t, st, msg("k1", "mail", "C1", item(1, "opened", t0)), 5*time.Minute)
		if again != first || merged {
			t.Fatalf("the same key again: id %d merged %v, want %d and no merge", again, merged, first)
		}
		list, err := st.Messages(context.Background(), ListFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 1 || len(list[0].Items) != 1 || list[0].Key != "k1" {
			t.Fatalf("messages %+v", list)
		}
	})
}

func TestEnqueueCoalescesIntoTheWaitingMessageAndKeepsTheWindow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		st, _ := newTestStore(t, db)
		addChannel(t, st, "mail", KindEmail, AudienceCustomers)
		const window = 5 * time.Minute
		id, _ := enqueue(t, st, msg("a", "mail", "C1", item(1, "opened", t0)), window)
		if id2, merged := enqueue(t, st, msg("b", "mail", "C1", item(1, "identified", t0.Add(time.Minute))), window); !merged || id2 != id {
			t.Fatalf("an update of the same incident: id %d merged %v, want merged into %d", id2, merged, id)
		}
		if m := get(t, st, id); len(m.Items) != 2 || m.Thread != "incident/1" || m.Key != "a" || !m.NotBefore.Equal(t0) {
			t.Fatalf("after one merge: %+v", m)
		}
		enqueue(t, st, msg("c", "mail", "C1", item(2, "opened", t0.Add(time.Minute))), window)
		// The same item under another key is not told twice.
		enqueue(t, st, msg("d", "mail", "C1", item(1, "opened", t0)), window)
		m := get(t, st, id)
		if len(m.Items) != 3 || m.Thread != "" || !m.Summary() {
			t.Fatalf("after a second incident: %d items, thread %q, summary %v", len(m.Items), m.Thread, m.Summary())
		}
		// Another recipient gets a message of their own.
		if other, merged := enqueue(t, st, msg("e", "mail", "C2", item(1, "opened", t0)), window); merged || other == id {
			t.Fatalf("another recipient: id %d merged %v", other, merged)
		}
		sentAt := t0.Add(2 * time.Minute)
		for _, c := range claimIDs(t, st, sentAt, 10) {
			if err := st.Sent(ctx, c, "", sentAt, nil); err != nil {
				t.Fatal(err)
			}
		}
		next, merged := enqueue(t, st, msg("f", "mail", "C1", item(1, "resolved", t0.Add(3*time.Minute))), window)
		if merged {
			t.Fatal("merged into a message already sent")
		}
		if m := get(t, st, next); !m.NotBefore.Equal(sentAt.Add(window)) {
			t.Fatalf("a message after one sent at %v leaves at %v, want a window later", sentAt, m.NotBefore)
		}
		if again, merged := enqueue(t, st, msg("g", "mail", "C1", item(2, "resolved", t0.Add(4*time.Minute))), window); !merged || again != next {
			t.Fatalf("within the window: id %d merged %v, want merged into %d", again, merged, next)
		}
		if ids := claimIDs(t, st, sentAt.Add(window-time.Second), 10); len(ids) != 0 {
			t.Fatalf("claimed %v before the window ended", ids)
		}
		if ids := claimIDs(t, st, sentAt.Add(window), 10); !slices.Equal(ids, []int64{next}) {
			t.Fatalf("claimed %v at the window's end, want [%d]", ids, next)
		}
	})
}

func TestAnExpiredLeaseIsClaimedAgainWithTheSameKey(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		st, _ := newTestStore(t, db)
		addChannel(t, st, "mail", KindEmail, AudienceCustomers)
		id, _ := enqueue(t, st, msg("k1", "mail", "C1", item(1, "opened", t0)), 0)
		first, err := st.Claim(ctx, t0, 10, 2*time.Minute)
		if err != nil || len(first) != 1 || first[0].Message.Attempts != 1 {
			t.Fatalf("first claim %+v %v", first, err)
		}
		if m := get(t, st, id); m.State != StateSending {
			t.Fatalf("state %s after claim", m.State)
		}
		if ids := claimIDs(t, st, t0.Add(time.Minute), 10); len(ids) != 0 {
			t.Fatalf("claimed %v under a live lease", ids)
		}
		// The worker died mid-send: the lease runs out and the message goes again.
		again, err := st.Claim(ctx, t0.Add(2*time.Minute+time.Second), 10, 2*time.Minute)
		if err != nil || len(again) != 1 || again[0].Message.ID != id || again[0].Message.Key != "k1" || again[0].Message.Attempts != 2 {
			t.Fatalf("claim after the lease: %+v %v", again, err)
		}
		if err := st.Sent(ctx, id, "<k1@vigie>", t0.Add(3*time.Minute), nil); err != nil {
			t.Fatal(err)
		}
		if err := st.Sent(ctx, id, "<k1@vigie>", t0.Add(3*time.Minute), nil); !errors.Is(err, ErrNotClaimed) {
			t.Fatalf("sent twice: %v, want ErrNotClaimed", err)
		}
	})
}

func TestTwoClaimersNeverTakeTheSameMessage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		st, _ := newTestStore(t, db)
		addChannel(t, st, "hook", KindWebhook)
		const n = 120
		for i := range n {
			enqueue(t, st, msg("", "hook", "R"+string(rune('A'+i%26))+string(rune('a'+i/26)), item(int64(i+1), "opened", t0)), 0)
		}
		var mu sync.Mutex
		seen := map[int64]int{}
		var wg sync.WaitGroup
		errs := make(chan error, 4)
		for range 4 {
			wg.Go(func() {
				for {
					list, err := st.Claim(context.Background(), t0, 7, time.Minute)
					if err != nil {
						errs <- err
						return
					}
					if len(list) == 0 {
						return
					}
					if len(list) > 7 {
						errs <- fmt.Errorf("claimed %d messages, limit 7", len(list))
						return
					}
					mu.Lock()
					for _, c := range list {
						seen[c.Message.ID]++
					}
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if len(seen) != n {
			t.Fatalf("%d messages claimed, want %d", len(seen), n)
		}
		for id, times := range seen {
			if times != 1 {
				t.Errorf("message %d claimed %d times", id, times)
			}
		}
	})
}

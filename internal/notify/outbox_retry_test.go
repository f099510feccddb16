package notify

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

func TestThreadedChannelsClaimTheMessagesOfAThreadInOrder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		st, _ := newTestStore(t, db)
		addChannel(t, st, "social", KindMastodon)
		addChannel(t, st, "hook", KindWebhook)
		public := func(key, channel string, it Item) *Message {
			m := msg(key, channel, channel, it)
			m.Recipient = Recipient{Kind: "channel", ID: channel}
			return m
		}
		var social, hook []int64
		for i, ev := range []string{"opened", "identified", "resolved"} {
			at := t0.Add(time.Duration(i) * time.Second)
			id, _ := enqueue(t, st, public("s"+ev, "social", item(1, ev, at)), 0)
			social = append(social, id)
			id, _ = enqueue(t, st, public("h"+ev, "hook", item(1, ev, at)), 0)
			hook = append(hook, id)
		}
		other, _ := enqueue(t, st, public("other", "social", item(2, "opened", t0.Add(30*time.Second))), 0)
		now := t0.Add(time.Minute)
		claimed, err := st.Claim(ctx, now, 10, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, c := range claimed {
			ids = append(ids, c.Message.ID)
			if c.Thread.Key != c.Message.Thread || c.Thread.RemoteID != "" {
				t.Errorf("first of its thread, thread %+v", c.Thread)
			}
		}
		want := append([]int64{social[0], other}, hook...)
		slices.Sort(ids)
		slices.Sort(want)
		if !slices.Equal(ids, want) {
			t.Fatalf("claimed %v, want %v: the first of each Mastodon thread and every webhook message", ids, want)
		}
		if err := st.Sent(ctx, social[0], "109876", now, nil); err != nil {
			t.Fatal(err)
		}
		next, err := st.Claim(ctx, now, 10, time.Minute)
		if err != nil || len(next) != 1 || next[0].Message.ID != social[1] || next[0].Thread.RemoteID != "109876" {
			t.Fatalf("after the first was sent: %+v %v, want message %d replying to 109876", next, err, social[1])
		}
		// A failed reply waits for its retry, and the next waits for it.
		if err := st.Failed(ctx, social[1], errors.New("503"), now, nil); err != nil {
			t.Fatal(err)
		}
		if ids := claimIDs(t, st, now, 10); len(ids) != 0 {
			t.Fatalf("claimed %v while the thread's earlier message waits for its retry", ids)
		}
		if ids := claimIDs(t, st, now.Add(BackoffBase), 10); !slices.Equal(ids, []int64{social[1]}) {
			t.Fatalf("claimed %v after the backoff, want [%d]", ids, social[1])
		}
	})
}

func TestBackoffDoublesToItsCapWithJitterInItsUpperHalf(t *testing.T) {
	for attempt := 1; attempt <= 12; attempt++ {
		d := min(BackoffBase<<(attempt-1), BackoffCap)
		if lo := backoff(attempt, 0); lo != d/2 {
			t.Errorf("attempt %d: lowest %v, want %v", attempt, lo, d/2)
		}
		if hi := backoff(attempt, 0.999999); hi > d || hi < d-d/1000 {
			t.Errorf("attempt %d: highest %v, want just under %v", attempt, hi, d)
		}
		for range 50 {
			if got := Backoff(attempt); got < d/2 || got > d {
				t.Fatalf("attempt %d: %v outside [%v, %v]", attempt, got, d/2, d)
			}
		}
	}
	if backoff(3, 0.5) != 45*time.Second {
		t.Fatalf("attempt 3, jitter 0.5: %v, want 45s (between 30s and 60s)", backoff(3, 0.5))
	}
}

// retryLater is an error asking to wait, as a 429 with Retry-After does.
type retryLater time.Duration

func (r retryLater) Error() string             { return "429 too many requests" }
func (r retryLater) RetryAfter() time.Duration { return time.Duration(r) }

func TestFailuresWaitTheirBackoffThenGoDead(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		st, _ := newTestStore(t, db)
		st.MaxAttempts = 3
		addChannel(t, st, "hook", KindWebhook)
		id, _ := enqueue(t, st, msg("k", "hook", "R", item(1, "opened", t0)), 0)
		now := t0
		for attempt := 1; attempt <= 3; attempt++ {
			if ids := claimIDs(t, st, now, 5); !slices.Equal(ids, []int64{id}) {
				t.Fatalf("attempt %d: claimed %v", attempt, ids)
			}
			cause := error(fmt.Errorf("connection refused (try %d)", attempt))
			if attempt == 2 {
				cause = retryLater(2 * time.Hour)
			}
			if err := st.Failed(ctx, id, cause, now, recorder{}.record); err != nil {
				t.Fatal(err)
			}
			m := get(t, st, id)
			if attempt == 3 {
				if m.State != StateDead || m.LastError != "connection refused (try 3)" {
					t.Fatalf("after the last try: %s %q", m.State, m.LastError)
				}
				break
			}
			d := min(BackoffBase<<(attempt-1), BackoffCap)
			lo, hi := now.Add(d/2), now.Add(d)
			if attempt == 2 {
				lo, hi = now.Add(2*time.Hour), now.Add(2*time.Hour)
			}
			if m.State != StatePending || m.NotBefore.Before(lo) || m.NotBefore.After(hi) || m.Attempts != attempt {
				t.Fatalf("after try %d: %s, attempts %d, next %v, want pending between %v and %v",
					attempt, m.State, m.Attempts, m.NotBefore, lo, hi)
			}
			if ids := claimIDs(t, st, m.NotBefore.Add(-time.Second), 5); len(ids) != 0 {
				t.Fatalf("claimed during the backoff: %v", ids)
			}
			now = m.NotBefore
		}
		if got := records(t, db, id); len(got) != 1 || got["dead"] != 1 {
			t.Fatalf("records %v, want dead once", got)
		}
	})
}

func TestAPermanentErrorGoesDeadAtOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		st, _ := newTestStore(t, db)
		addChannel(t, st, "mail", KindEmail, AudienceCustomers)
		id, _ := enqueue(t, st, msg("k", "mail", "C1", item(1, "opened", t0)), 0)
		claimIDs(t, st, t0, 1)
		err := st.Failed(ctx, id, Permanent(errors.New("550 no such mailbox")), t0, recorder{}.record)
		if err != nil {
			t.Fatal(err)
		}
		if m := get(t, st, id); m.State != StateDead || m.Attempts != 1 || m.LastError != "550 no such mailbox" {
			t.Fatalf("after a permanent error: %s, %d attempts, %q", m.State, m.Attempts, m.LastError)
		}
		if got := records(t, db, id); got["dead"] != 1 {
			t.Fatalf("records %v", got)
		}
	})
}

func TestTheRecordRunsInTheOutcomesTransactionOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		st, _ := newTestStore(t, db)
		addChannel(t, st, "mail", KindEmail, AudienceCustomers)
		id, _ := enqueue(t, st, msg("k", "mail", "C1", item(1, "opened", t0)), 0)
		claimIDs(t, st, t0, 1)
		refused := errors.New("timeline refused")
		err := st.Sent(ctx, id, "r1", t0, func(context.Context, *sql.Tx, *Message, string) error { return refused })
		if !errors.Is(err, refused) {
			t.Fatalf("a failing record: %v", err)
		}
		if m := get(t, st, id); m.State != StateSending || m.RemoteID != "" {
			t.Fatalf("a failing record left the message %s (remote %q), want it still sending", m.State, m.RemoteID)
		}
		for range 2 {
			err = st.Sent(ctx, id, "r1", t0, recorder{}.record)
		}
		if !errors.Is(err, ErrNotClaimed) {
			t.Fatalf("second Sent: %v", err)
		}
		if got := records(t, db, id); len(got) != 1 || got["sent"] != 1 {
			t.Fatalf("records %v, want sent once", got)
		}
		if m := get(t, st, id); m.State != StateSent || m.RemoteID != "r1" || m.SentAt == nil || !m.SentAt.Equal(t0) {
			t.Fatalf("after Sent: %+v", m)
		}
	})
}

func TestDeadAndSentMessagesAreResent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		st, clk := newTestStore(t, db)
		addChannel(t, st, "mail", KindEmail, AudienceCustomers)
		addChannel(t, st, "hook", KindWebhook)
		var dead []int64
		for i, ch := range []string{"mail", "mail", "hook"} {
			id, _ := enqueue(t, st, msg(fmt.Sprint("k", i), ch, fmt.Sprint("R", i), item(1, "opened", t0)), 0)
			dead = append(dead, id)
		}
		for _, id := range claimIDs(t, st, t0, 10) {
			if err := st.Failed(ctx, id, Permanent(errors.New("refused")), t0, nil); err != nil {
				t.Fatal(err)
			}
		}
		pending, _ := enqueue(t, st, msg("p", "mail", "R9", item(2, "opened", t0.Add(time.Hour))), 0)
		if _, err := st.Resend(ctx, pending); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("resend a pending message: %v, want a conflict", err)
		}
		if _, err := st.Resend(ctx, 999999); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("resend a missing message: %v", err)
		}
		clk.Set(t0.Add(10 * time.Minute))
		m, err := st.Resend(ctx, dead[2])
		if err != nil {
			t.Fatal(err)
		}
		if m.State != StatePending || m.Attempts != 0 || !m.NotBefore.Equal(t0.Add(10*time.Minute)) || m.LastError != "refused" || m.Key != "k2" {
			t.Fatalf("resent: %+v", m)
		}
		if _, err := st.ResendAll(ctx, ListFilter{State: StateSent}); err == nil {
			t.Fatal("bulk resend of sent messages accepted")
		}
		n, err := st.ResendAll(ctx, ListFilter{Channel: "mail"})
		if err != nil || n != 2 {
			t.Fatalf("resend the dead of mail: %d %v, want 2", n, err)
		}
		left, err := st.Messages(ctx, ListFilter{State: StateDead})
		if err != nil || len(left) != 0 {
			t.Fatalf("dead left: %+v %v", left, err)
		}
		if ids := claimIDs(t, st, t0.Add(10*time.Minute), 10); len(ids) != 3 {
			t.Fatalf("claimed %v after resending, want the three", ids)
		}
	})
}

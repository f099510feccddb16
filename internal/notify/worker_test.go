package notify

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// flakySender fails its first failures sends, then delivers; it keeps
// the key of every message it was handed and when.
type flakySender struct {
	mu       sync.Mutex
	failures int
	now      func() time.Time
	keys     []string
	at       []time.Time
	secrets  []string
}

func (s *flakySender) Send(_ context.Context, ch *Channel, out *Outgoing) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys = append(s.keys, out.Message.Key)
	s.secrets = append(s.secrets, ch.Secret)
	if s.now != nil {
		s.at = append(s.at, s.now())
	}
	if len(s.keys) <= s.failures {
		return "", fmt.Errorf("try %d: connection refused", len(s.keys))
	}
	return "remote-" + out.Message.Key, nil
}

func (s *flakySender) sends() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.keys...)
}

func renderPlain(m *Message) (Rendered, error) {
	return Rendered{Lang: m.Recipient.Lang, Subject: m.Items[0].Title.In(m.Recipient.Lang), Text: "text"}, nil
}

// testWorker returns a worker on a fake clock whose sleeps move the clock.
func testWorker(st *Store, clk *clock, senders map[Kind]Sender, o WorkerOptions) *Worker {
	o.Now = clk.Now
	o.Sleep = func(ctx context.Context, d time.Duration) error {
		clk.Add(d)
		return ctx.Err()
	}
	if o.Record == nil {
		o.Record = recorder{}.record
	}
	return NewWorker(st, senders, renderPlain, o)
}

func TestTheWorkerRetriesUntilTheSenderTakesTheMessage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		st, clk := newTestStore(t, db)
		addChannel(t, st, "hook", KindWebhook)
		sender := &flakySender{failures: 3}
		w := testWorker(st, clk, map[Kind]Sender{KindWebhook: sender}, WorkerOptions{})
		id, _ := enqueue(t, st, msg("k1", "hook", "R", item(1, "opened", t0)), 0)
		for try := 1; try <= 4; try++ {
			n, err := w.RunOnce(ctx)
			if err != nil || n != 1 {
				t.Fatalf("try %d: %d claimed, %v", try, n, err)
			}
			if n, _ := w.RunOnce(ctx); n != 0 {
				t.Fatalf("try %d: claimed again during the backoff", try)
			}
			clk.Add(BackoffCap)
		}
		m := get(t, st, id)
		if m.State != StateSent || m.Attempts != 4 || m.RemoteID != "remote-k1" || m.LastError != "send on hook: try 3: connection refused" {
			t.Fatalf("after three failures and a success: %+v", m)
		}
		for i, k := range sender.sends() {
			if k != "k1" || sender.secrets[i] != "s3cret-hook" {
				t.Fatalf("send %d carried key %q and secret %q", i, k, sender.secrets[i])
			}
		}
		if s := w.Stats(); s.Sent != 1 || s.Failed != 3 || s.Dead != 0 {
			t.Fatalf("stats %+v", s)
		}
		if got := records(t, db, id); len(got) != 1 || got["sent"] != 1 {
			t.Fatalf("records %v", got)
		}
	})
}

func TestTheWorkerKeepsToTheChannelsRate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		st, clk := newTestStore(t, db)
		ch := Channel{ID: "hook", Kind: KindWebhook, Audiences: []Audience{AudienceStaff}, Enabled: true, RatePerMinute: 60}
		if err := st.AddChannel(ctx, &ch); err != nil {
			t.Fatal(err)
		}
		sender := &flakySender{now: clk.Now}
		w := testWorker(st, clk, map[Kind]Sender{KindWebhook: sender}, WorkerOptions{Concurrency: 1})
		const n = 25
		for i := range n {
			enqueue(t, st, msg(fmt.Sprint("k", i), "hook", fmt.Sprint("R", i), item(1, "opened", t0)), 0)
		}
		for range n {
			if got, err := w.RunOnce(ctx); err != nil || got != 1 {
				t.Fatalf("run: %d %v", got, err)
			}
		}
		// 60 a minute in bursts of 10: ten at once, then one a second.
		if len(sender.at) != n {
			t.Fatalf("%d sends, want %d", len(sender.at), n)
		}
		for i, at := range sender.at {
			want := t0
			if i >= 10 {
				want = t0.Add(time.Duration(i-9) * time.Second)
			}
			if d := at.Sub(want); d < -10*time.Millisecond || d > 10*time.Millisecond {
				t.Errorf("send %d at +%v, want +%v", i, at.Sub(t0), want.Sub(t0))
			}
		}
	})
}

func TestAMessageWhoseOutcomeWasLostIsSentAgainAfterItsLease(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		st, clk := newTestStore(t, db)
		addChannel(t, st, "mail", KindEmail, AudienceCustomers)
		sender := &flakySender{}
		w := testWorker(st, clk, map[Kind]Sender{KindEmail: sender}, WorkerOptions{Lease: time.Minute})
		id, _ := enqueue(t, st, msg("k1", "mail", "C1", item(1, "opened", t0)), 0)
		// The database refuses to record the delivery, as if the server
		// died right after sending.
		lift := storetest.RefuseWrites(t, db, "notify_messages", "NEW.state = 'sent'")
		if n, err := w.RunOnce(ctx); err != nil || n != 1 {
			t.Fatalf("run: %d %v", n, err)
		}
		lift()
		if m := get(t, st, id); m.State != StateSending {
			t.Fatalf("state %s after a lost outcome, want still sending", m.State)
		}
		clk.Set(t0.Add(30 * time.Second))
		if n, _ := w.RunOnce(ctx); n != 0 {
			t.Fatal("claimed again under its lease")
		}
		clk.Set(t0.Add(2 * time.Minute))
		if n, err := w.RunOnce(ctx); err != nil || n != 1 {
			t.Fatalf("run after the lease: %d %v", n, err)
		}
		if got := sender.sends(); len(got) != 2 || got[0] != "k1" || got[1] != "k1" {
			t.Fatalf("sends %v, want k1 twice: a duplicate within its key", got)
		}
		if m := get(t, st, id); m.State != StateSent {
			t.Fatalf("state %s", m.State)
		}
	})
}

func TestDisabledChannelsWaitAndDeletedOnesDeadLetter(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		st, clk := newTestStore(t, db)
		addChannel(t, st, "hook", KindWebhook)
		addChannel(t, st, "chat", KindSlack)
		sender := &flakySender{}
		w := testWorker(st, clk, map[Kind]Sender{KindWebhook: sender, KindSlack: sender}, WorkerOptions{})
		waiting, _ := enqueue(t, st, msg("w", "hook", "R", item(1, "opened", t0)), 0)
		orphan, _ := enqueue(t, st, msg("o", "chat", "R", item(1, "opened", t0)), 0)
		ch, _ := st.Channel(ctx, "hook")
		ch.Enabled = false
		if err := st.UpdateChannel(ctx, &ch); err != nil {
			t.Fatal(err)
		}
		if err := st.DeleteChannel(ctx, "chat"); err != nil {
			t.Fatal(err)
		}
		if n, err := w.RunOnce(ctx); err != nil || n != 1 {
			t.Fatalf("run: %d %v", n, err)
		}
		if m := get(t, st, orphan); m.State != StateDead || m.LastError != "channel deleted" {
			t.Fatalf("a deleted channel's message: %s %q", m.State, m.LastError)
		}
		if m := get(t, st, waiting); m.State != StatePending || m.Attempts != 0 {
			t.Fatalf("a disabled channel's message: %s, %d attempts", m.State, m.Attempts)
		}
		if len(sender.sends()) != 0 {
			t.Fatalf("sent %v", sender.sends())
		}
		ch.Enabled = true
		if err := st.UpdateChannel(ctx, &ch); err != nil {
			t.Fatal(err)
		}
		if n, _ := w.RunOnce(ctx); n != 1 || get(t, st, waiting).State != StateSent {
			t.Fatal("the message of the enabled channel was not sent")
		}
	})
}

func TestRunDeliversThroughADatabaseOutage(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	st, _ := newTestStore(t, db)
	st.Now = time.Now
	addChannel(t, st, "hook", KindWebhook)
	sender := &flakySender{}
	wake := make(chan struct{}, 1)
	var warnings countingHandler
	w := NewWorker(st, map[Kind]Sender{KindWebhook: sender}, renderPlain,
		WorkerOptions{Poll: 5 * time.Millisecond, PollMax: 20 * time.Millisecond, Wake: wake, Logger: slog.New(&warnings)})
	// Claims fail until the outage ends.
	lift := storetest.RefuseWrites(t, db, "notify_messages", "NEW.state = 'sending'")
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { w.Run(ctx); close(stopped) }()
	id, _ := enqueue(t, st, msg("k1", "hook", "R", item(1, "opened", time.Now())), 0)
	wake <- struct{}{}
	deadline := time.Now().Add(10 * time.Second)
	for warnings.count.Load() < 3 {
		if time.Now().After(deadline) {
			t.Fatal("the worker did not report the outage")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if len(sender.sends()) != 0 || get(t, st, id).State != StatePending {
		t.Fatal("sent during the outage")
	}
	lift()
	for get(t, st, id).State != StateSent {
		if time.Now().After(deadline) {
			t.Fatalf("not sent after the outage: %+v", get(t, st, id))
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	select {
	case <-stopped:
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not stop")
	}
	if len(sender.sends()) != 1 {
		t.Fatalf("sends %v", sender.sends())
	}
}

// countingHandler counts the warnings logged.
type countingHandler struct{ count atomic.Int64 }

func (h *countingHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *countingHandler) Handle(_ context.Context, r slog.Record) error {
	if r.Level >= slog.LevelWarn {
		h.count.Add(1)
	}
	return nil
}
func (h *countingHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *countingHandler) WithGroup(string) slog.Handler      { return h }

func TestTheWorkerCountsItsOutcomesForMetrics(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	st, clk := newTestStore(t, db)
	addChannel(t, st, "hook", KindWebhook)
	reg := prometheus.NewRegistry()
	w := testWorker(st, clk, map[Kind]Sender{KindWebhook: &flakySender{}}, WorkerOptions{Registerer: reg})
	enqueue(t, st, msg("k1", "hook", "R1", item(1, "opened", t0)), 0)
	enqueue(t, st, msg("k2", "hook", "R2", item(1, "opened", t0.Add(time.Hour))), 0)
	if n, err := w.RunOnce(context.Background()); err != nil || n != 1 {
		t.Fatalf("run: %d %v", n, err)
	}
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			v := m.GetGauge().GetValue() + m.GetCounter().GetValue()
			got[f.GetName()+"/"+m.GetLabel()[0].GetValue()] = v
		}
	}
	want := map[string]float64{"vigie_notify_sends_total/sent": 1, "vigie_notify_sends_total/failed": 0, "vigie_notify_sends_total/dead": 0,
		"vigie_notify_messages/sent": 1, "vigie_notify_messages/pending": 1, "vigie_notify_messages/sending": 0, "vigie_notify_messages/dead": 0}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("metrics %v, want %v", got, want)
	}
}

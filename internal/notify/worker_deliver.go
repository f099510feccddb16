package notify

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/vigie/vigie/internal/store"
)

// bookkeepingTimeout bounds the recording of an outcome, which goes on
// when the worker is stopping: a message sent is recorded as sent.
const bookkeepingTimeout = 10 * time.Second

// deliver sends one claimed message and records the outcome. What it
// cannot record stays claimed until the lease runs out, then is taken
// again: delivered at least once.
func (w *Worker) deliver(ctx context.Context, c *Claimed) {
	m := &c.Message
	ch, err := w.st.channelWithSecret(ctx, m.Channel)
	switch {
	case errors.Is(err, store.ErrNotFound):
		w.fail(ctx, m, Permanent(errChannelDeleted))
		return
	case err != nil:
		w.o.Logger.Warn("notifications: read channel; the message waits for its lease to run out",
			"message", m.ID, "channel", m.Channel, "err", err)
		return
	case !ch.Enabled:
		w.release(ctx, m, w.o.Now())
		return
	case m.Attempts > w.o.MaxAttempts:
		w.fail(ctx, m, fmt.Errorf("gave up after %d tries that ran out of time", m.Attempts-1))
		return
	}
	sender := w.senders[ch.Kind]
	if sender == nil {
		w.fail(ctx, m, Permanent(fmt.Errorf("no sender for %s channels", ch.Kind)))
		return
	}
	rendered, err := w.render(m)
	if err != nil {
		w.fail(ctx, m, Permanent(fmt.Errorf("render: %w", err)))
		return
	}
	if !w.wait(ctx, &ch, m) {
		return
	}
	// A send under way finishes when the worker stops, within its timeout.
	sendCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), w.o.SendTimeout)
	remote, err := sender.Send(sendCtx, &ch, &Outgoing{Message: m, Rendered: rendered, Thread: c.Thread, Host: w.o.Host})
	cancel()
	if err != nil {
		w.fail(ctx, m, fmt.Errorf("send on %s: %w", ch.ID, err))
		return
	}
	err = w.record(ctx, m, "sent", func(ctx context.Context) error {
		return w.st.Sent(ctx, m.ID, remote, w.o.Now(), w.o.Record)
	})
	if err == nil {
		w.stats.sent.Add(1)
	}
}

// wait waits for the channel's rate limit. A wait longer than half the
// lease gives the message back, to leave when the limit allows.
func (w *Worker) wait(ctx context.Context, ch *Channel, m *Message) bool {
	now := w.o.Now()
	r := w.limits.of(ch, now).ReserveN(now, 1)
	d := r.DelayFrom(now)
	if d <= 0 {
		return true
	}
	if d > w.o.Lease/2 {
		r.CancelAt(now)
		w.release(ctx, m, now.Add(d))
		return false
	}
	if err := w.o.Sleep(ctx, d); err != nil {
		r.CancelAt(w.o.Now())
		w.release(ctx, m, now)
		return false
	}
	return true
}

// fail records a failed try: a retry later, or the dead letters.
func (w *Worker) fail(ctx context.Context, m *Message, cause error) {
	dead := IsPermanent(cause) || m.Attempts >= w.o.MaxAttempts
	err := w.record(ctx, m, "failure", func(ctx context.Context) error {
		return w.st.failed(ctx, m.ID, cause, w.o.Now(), w.o.MaxAttempts, w.o.Record)
	})
	if err != nil {
		return
	}
	if dead {
		w.stats.dead.Add(1)
		w.o.Logger.Warn("notifications: message dead", "message", m.ID, "channel", m.Channel, "attempts", m.Attempts,
			"err", lastError(cause))
		return
	}
	w.stats.failed.Add(1)
	w.o.Logger.Info("notifications: send failed; trying again later", "message", m.ID, "channel", m.Channel,
		"attempts", m.Attempts, "err", lastError(cause))
}

// record writes an outcome, trying a few times through a short outage;
// what it cannot write waits for the lease to run out.
func (w *Worker) record(ctx context.Context, m *Message, what string, write func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), bookkeepingTimeout)
	defer cancel()
	var err error
	for try := range 3 {
		if try > 0 && w.o.Sleep(ctx, time.Duration(try)*w.o.Poll) != nil {
			break
		}
		if err = write(ctx); err == nil || errors.Is(err, ErrNotClaimed) {
			break
		}
	}
	switch {
	case errors.Is(err, ErrNotClaimed):
		w.o.Logger.Info("notifications: outcome not recorded: another delivery took the message", "message", m.ID,
			"outcome", what)
	case err != nil:
		w.o.Logger.Error("notifications: outcome not recorded; the message will be tried again when its lease runs out",
			"message", m.ID, "outcome", what, "err", err)
	}
	return err
}

// release gives a claimed message back untried.
func (w *Worker) release(ctx context.Context, m *Message, at time.Time) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), bookkeepingTimeout)
	defer cancel()
	if err := w.st.release(ctx, m.ID, at); err != nil {
		w.o.Logger.Warn("notifications: release message", "message", m.ID, "err", err)
	}
}

package notify

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// WorkerOptions tune a Worker; zero fields take their defaults.
type WorkerOptions struct {
	// Concurrency is how many messages are sent at once (default 8).
	Concurrency int
	// Lease is how long a claimed message is the worker's before another
	// may take it (default 2 min).
	Lease time.Duration
	// MaxAttempts is how many tries a message gets (default the store's).
	MaxAttempts int
	// SendTimeout bounds one send (default 30 s).
	SendTimeout time.Duration
	// Poll is the shortest wait between two looks at an idle outbox
	// (default 1 s); PollMax the longest, for messages written without a
	// wake-up (default 30 s).
	Poll, PollMax time.Duration
	// Host is the server's public host name, for Message-IDs.
	Host string
	// Now is the clock (default time.Now); Sleep waits d or until ctx
	// ends (default a timer): tests replace both.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
	// Logger gets the failures (default: discarded).
	Logger *slog.Logger
	// Record is told of each message's final outcome, in its transaction.
	Record RecordFunc
	// Wake, when it receives, makes the worker look at once.
	Wake <-chan struct{}
	// Registerer, when set, gets the worker's counters.
	Registerer prometheus.Registerer
}

// Worker delivers the outbox's messages: it claims those due, renders
// them, waits for their channel's rate limit, sends them and records the
// outcome. Several workers (replicas) may run on one database.
type Worker struct {
	st      *Store
	senders map[Kind]Sender
	render  func(*Message) (Rendered, error)
	o       WorkerOptions
	limits  limiters
	stats   *workerStats
	// done is told of each delivery finishing, for the loop to claim
	// what it may have unblocked (the next message of a thread).
	done chan struct{}
}

// NewWorker returns a worker delivering st's messages with senders, one
// per kind, and render.
func NewWorker(st *Store, senders map[Kind]Sender, render func(*Message) (Rendered, error), o WorkerOptions) *Worker {
	if o.Concurrency <= 0 {
		o.Concurrency = 8
	}
	if o.Lease <= 0 {
		o.Lease = 2 * time.Minute
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = st.MaxAttempts
	}
	if o.SendTimeout <= 0 {
		o.SendTimeout = 30 * time.Second
	}
	if o.Poll <= 0 {
		o.Poll = time.Second
	}
	if o.PollMax < o.Poll {
		o.PollMax = max(o.Poll, 30*time.Second)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Sleep == nil {
		o.Sleep = sleep
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	w := &Worker{st: st, senders: senders, render: render, o: o, limits: limiters{m: map[string]*channelLimiter{}},
		stats: newWorkerStats(), done: make(chan struct{}, 1)}
	if o.Registerer != nil {
		w.stats.register(o.Registerer, st)
	}
	return w
}

// sleep waits d, or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Run delivers until ctx ends, then waits for the sends in flight. A
// database outage delays delivery: it is logged and retried, never given
// up.
func (w *Worker) Run(ctx context.Context) {
	slots := make(chan struct{}, w.o.Concurrency)
	var wg sync.WaitGroup
	defer wg.Wait()
	outage := time.Duration(0)
	backlog := false // the last claim took all it asked for
	for ctx.Err() == nil {
		// With messages waiting, claim when half the slots are free
		// rather than at each one: a claim is a write transaction whose
		// cost hardly depends on how many it takes.
		free := cap(slots) - len(slots)
		if free == 0 || (backlog && free < (cap(slots)+1)/2) {
			w.waitFor(ctx, w.o.PollMax)
			continue
		}
		claimed, err := w.claim(ctx, free)
		if err != nil {
			outage = min(max(2*outage, w.o.Poll), w.o.PollMax)
			w.o.Logger.Warn("notifications: claim failed; trying again", "in", outage, "err", err)
			w.waitFor(ctx, outage)
			continue
		}
		outage, backlog = 0, len(claimed) == free
		for _, c := range claimed {
			slots <- struct{}{}
			wg.Go(func() {
				defer func() { <-slots; w.finished() }()
				w.deliver(ctx, &c)
			})
		}
		if len(claimed) == free {
			continue
		}
		w.waitFor(ctx, w.idle(ctx))
	}
}

// RunOnce claims what is due and delivers it, waiting for every send; it
// returns how many messages it took. Tests and tools drive the worker
// with it.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	claimed, err := w.claim(ctx, w.o.Concurrency)
	if err != nil {
		return 0, err
	}
	var wg sync.WaitGroup
	for _, c := range claimed {
		wg.Go(func() { w.deliver(ctx, &c) })
	}
	wg.Wait()
	return len(claimed), nil
}

func (w *Worker) claim(ctx context.Context, n int) ([]Claimed, error) {
	return w.st.Claim(ctx, w.o.Now(), n, w.o.Lease)
}

// idle returns how long to wait before looking again: until the next
// message is due, within [Poll, PollMax].
func (w *Worker) idle(ctx context.Context) time.Duration {
	next, ok, err := w.st.NextDue(ctx)
	if err != nil || !ok {
		return w.o.PollMax
	}
	return min(max(next.Sub(w.o.Now()), w.o.Poll), w.o.PollMax)
}

// waitFor waits d, or less when woken or a delivery finished.
func (w *Worker) waitFor(ctx context.Context, d time.Duration) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-w.o.Wake:
		case <-w.done:
		case <-ctx.Done():
		}
		cancel()
	}()
	_ = w.o.Sleep(ctx, d)
}

func (w *Worker) finished() {
	select {
	case w.done <- struct{}{}:
	default:
	}
}

// errChannelDeleted is the fate of the messages of a deleted channel.
var errChannelDeleted = errors.New("channel deleted")

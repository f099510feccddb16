package notify

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/time/rate"
)

// DefaultRates are the messages per minute a channel of each kind sends
// when its RatePerMinute is 0: what the services behind them accept.
var DefaultRates = map[Kind]int{
	KindEmail:     30000,
	KindWebhook:   60,
	KindSlack:     60,
	KindDiscord:   60,
	KindMastodon:  30,
	KindDiscourse: 30,
}

// RateOf returns the messages per minute ch may send.
func RateOf(ch *Channel) int {
	if ch.RatePerMinute > 0 {
		return ch.RatePerMinute
	}
	if r := DefaultRates[ch.Kind]; r > 0 {
		return r
	}
	return 60
}

// limiters hold one rate limiter per channel, following changes of its
// rate.
type limiters struct {
	mu sync.Mutex
	m  map[string]*channelLimiter
}

type channelLimiter struct {
	perMinute int
	lim       *rate.Limiter
}

// of returns the limiter of ch: its rate per minute, in bursts of a
// sixth of it (ten seconds' worth), at least one.
func (l *limiters) of(ch *Channel, now time.Time) *rate.Limiter {
	per := RateOf(ch)
	limit, burst := rate.Limit(float64(per)/60), max(1, per/6)
	l.mu.Lock()
	defer l.mu.Unlock()
	cl := l.m[ch.ID]
	switch {
	case cl == nil:
		cl = &channelLimiter{perMinute: per, lim: rate.NewLimiter(limit, burst)}
		l.m[ch.ID] = cl
	case cl.perMinute != per:
		cl.perMinute = per
		cl.lim.SetLimitAt(now, limit)
		cl.lim.SetBurstAt(now, burst)
	}
	return cl.lim
}

// workerStats count the outcomes of a worker's sends.
type workerStats struct {
	sent, failed, dead atomic.Int64
}

func newWorkerStats() *workerStats { return &workerStats{} }

// Stats are a worker's counts since it started.
type Stats struct {
	// Sent were delivered; Failed failed and wait for another try; Dead
	// went to the dead letters.
	Sent, Failed, Dead int64
}

// Stats returns what the worker did since it started.
func (w *Worker) Stats() Stats {
	return Stats{Sent: w.stats.sent.Load(), Failed: w.stats.failed.Load(), Dead: w.stats.dead.Load()}
}

// register adds the worker's counters, and the outbox's messages by
// state, to reg.
func (s *workerStats) register(reg prometheus.Registerer, st *Store) {
	for outcome, c := range map[string]*atomic.Int64{"sent": &s.sent, "failed": &s.failed, "dead": &s.dead} {
		reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name:        "vigie_notify_sends_total",
			Help:        "Notification sends by outcome: sent, failed (to be tried again) or dead.",
			ConstLabels: prometheus.Labels{"outcome": outcome},
		}, func() float64 { return float64(c.Load()) }))
	}
	reg.MustRegister(&outboxCollector{st: st, desc: prometheus.NewDesc("vigie_notify_messages",
		"Notification messages in the outbox by state.", []string{"state"}, nil)})
}

// outboxCollector counts the outbox's messages by state when scraped.
type outboxCollector struct {
	st   *Store
	desc *prometheus.Desc
}

// Describe implements prometheus.Collector.
func (c *outboxCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

// Collect implements prometheus.Collector.
func (c *outboxCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	counts, err := c.st.Counts(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.desc, err)
		return
	}
	for _, s := range States {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(counts[s]), string(s))
	}
}

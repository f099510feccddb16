package main

import (
	"context"
	"os"
	"runtime"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigie/vigie/bench/internal/stats"
	"github.com/vigie/vigie/bench/internal/usage"
	"github.com/vigie/vigie/internal/notify"
)

// sampler reads, every period, the Go heap in use, the RSS and the
// outbox's counts, and the probe's lateness when the first mail arrives.
type sampler struct {
	mu        sync.Mutex
	heapPeak  uint64
	rssPeak   int64
	samples   int
	firstRow  time.Time       // a message row was seen
	allRows   time.Time       // every message row was seen
	firstMail time.Time       // first mail accepted, as the sampler saw it
	atFirst   stats.Histogram // the probe's lateness then
	err       error
}

func startSampler(ctx context.Context, st *notify.Store, reg prometheus.Gatherer, p *peers, want int,
	period time.Duration) (*sampler, func()) {
	s := &sampler{}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		var ms runtime.MemStats
		for ctx.Err() == nil {
			runtime.ReadMemStats(&ms)
			rss := rssKiB()
			counts, err := st.Counts(ctx)
			rows := int64(0)
			for _, n := range counts {
				rows += n
			}
			now := time.Now()
			s.mu.Lock()
			s.samples++
			s.heapPeak, s.rssPeak = max(s.heapPeak, ms.HeapInuse), max(s.rssPeak, rss)
			if err != nil && ctx.Err() == nil {
				s.err = err
			}
			if rows > 0 && s.firstRow.IsZero() {
				s.firstRow = now
			}
			if rows >= int64(want) && s.allRows.IsZero() {
				s.allRows = now
			}
			if n, _ := p.count(); n > 0 && s.firstMail.IsZero() {
				s.firstMail = now
				s.atFirst, _ = readLateness(reg)
			}
			s.mu.Unlock()
			select {
			case <-ctx.Done():
			case <-time.After(period):
			}
		}
	}()
	return s, func() { cancel(); <-done }
}

// rssKiB is this process's resident set, from /proc, or -1.
func rssKiB() int64 {
	return usage.Status(0, "VmRSS")
}

// hwmKiB is this process's peak resident set since it started or since
// resetPeakRSS, from /proc, or -1.
func hwmKiB() int64 {
	return usage.Status(0, "VmHWM")
}

// resetPeakRSS resets the peak RSS (VmHWM) Linux keeps, so that the next
// reading is the peak of what follows; it does nothing elsewhere.
func resetPeakRSS() {
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

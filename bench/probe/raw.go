package main

import (
	"cmp"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/vigie/vigie/bench/internal/usage"
)

// rawWorkers are the raw loop's workers when -concurrency leaves Vigie's
// cap to its scheduler: the scheduler's fixed cap before it followed the
// checks.
const rawWorkers = 256

// job is one planned request of the raw loop.
type job struct {
	site    int
	planned time.Time
}

// runRawChild is the baseline: a minimal net/http loop making the same
// requests as the Vigie child, each on a new connection, at the same
// planned rate (site i at i/N of each interval), with as many workers as
// Vigie's concurrency, or rawWorkers.
func runRawChild(ctx context.Context, a childArgs) (measure, error) {
	s, err := readSites(a.sitesFile, a.n)
	if err != nil {
		return measure{}, err
	}
	var pool *x509.CertPool
	if a.scheme == "https" {
		if pool, err = readCA(a.caFile); err != nil {
			return measure{}, err
		}
	}
	client := &http.Client{
		Transport: &http.Transport{DialContext: s.dial, DisableKeepAlives: true, TLSClientConfig: &tls.Config{RootCAs: pool}},
		Timeout:   cmp.Or(a.runTimeout, 10*time.Second),
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
	urls := make([]string, a.n)
	for i := range urls {
		urls[i] = s.url(i, a.scheme)
	}
	m := measure{Kind: "raw", Checks: a.n, Scheme: a.scheme, Planned: float64(a.n) / a.interval.Seconds()}
	var results counter
	jobs := make(chan job)
	workers := a.concurrency
	if workers == 0 {
		workers = rawWorkers
	}
	lateness := make([][]time.Duration, workers)
	var wg sync.WaitGroup
	cpu0, _ := usage.Self()
	begin := time.Now()
	for w := range workers {
		wg.Go(func() {
			for j := range jobs {
				lateness[w] = append(lateness[w], time.Since(j.planned))
				err := get(ctx, client, urls[j.site])
				results.add(err == nil, func() string { return fmt.Sprintf("%s: %v", urls[j.site], err) })
			}
		})
	}
	dispatch(ctx, jobs, begin, a)
	close(jobs)
	wg.Wait()
	m.Window = time.Since(begin)
	cpu1, rss := usage.Self()
	m.CPU, m.MaxRSSKiB = cpu1-cpu0, rss
	m.Runs, m.Failures, m.FirstFailure = results.runs, results.failures, results.first
	m.Achieved = float64(m.Runs) / a.duration.Seconds()
	var all []time.Duration
	for _, l := range lateness {
		all = append(all, l...)
	}
	sortDurations(all)
	m.P50, m.P99 = quantile(all, 0.50), quantile(all, 0.99)
	m.WorstP99 = m.P99
	return m, ctx.Err()
}

// dispatch hands each site's request to the workers at its planned time,
// every interval, until the duration has passed since begin.
func dispatch(ctx context.Context, jobs chan<- job, begin time.Time, a childArgs) {
	end := begin.Add(a.duration)
	step := a.interval / time.Duration(a.n)
	for k := 0; ; k++ {
		start := begin.Add(time.Duration(k) * a.interval)
		for i := range a.n {
			planned := start.Add(time.Duration(i) * step)
			if !planned.Before(end) {
				return
			}
			if d := time.Until(planned); d > 0 {
				time.Sleep(d)
			}
			select {
			case jobs <- job{site: i, planned: planned}:
			case <-ctx.Done():
				return
			}
		}
	}
}

// errStatus reports an answer other than 200.
type errStatus int

func (e errStatus) Error() string { return fmt.Sprintf("status %d", int(e)) }

// get fetches url and reads its body, which must come with status 200.
func get(ctx context.Context, client *http.Client, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("User-Agent", "Vigie")
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer func() { _ = resp.Body.Close() }()
	if _, err := io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20)); err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return errStatus(resp.StatusCode)
	}
	return nil
}

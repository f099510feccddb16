package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/vigie/vigie/bench/internal/stats"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Headers of every request of the load generator: what a browser sends
// that the server reads. Accept-Encoding is a current browser's, so the
// status page answers its precomputed gzip; the static file ignores it.
const (
	acceptEncoding = "gzip, deflate, br, zstd"
	acceptLanguage = "fr-FR,fr;q=0.9,en-US;q=0.8,en;q=0.7"
)

// loadResult is what a load child measured over its recorded window.
type loadResult struct {
	// Requests started in the window and answered 200 with their whole
	// body; Errors are the others (transport errors, other statuses).
	Requests, Errors int64
	FirstError       string
	// Bytes is the body bytes of Requests as sent on the wire (gzip when
	// gzip was answered); Gzip how many of them were gzip.
	Bytes, Gzip int64
	// Warmup is the requests of the warm-up, not recorded.
	Warmup int64
	// Window is the recorded window, warm-up excluded.
	Window time.Duration
	// Latencies of Requests, from sending to the last byte of the body.
	P50, P90, P99, P999, Max time.Duration
	// CPU is the load generator's own CPU time over the window, seconds.
	CPU float64
}

// rate is the requests per second of the window.
func (r loadResult) rate() float64 {
	if r.Window <= 0 {
		return 0
	}
	return float64(r.Requests) / r.Window.Seconds()
}

// runLoadChild loads a.url, or each URL of a.urlsFile in turn, with
// a.clients keep-alive clients, each sending its next request as soon as
// the previous answer is read, for a.warmup and then a.duration,
// recording every latency of the second part; it writes a loadResult as
// JSON on stdout.
func runLoadChild(ctx context.Context, a childArgs) error {
	urls := []string{a.url}
	if a.urlsFile != "" {
		b, err := os.ReadFile(a.urlsFile)
		if err != nil {
			return err
		}
		urls = strings.Fields(string(b))
	}
	for _, raw := range urls {
		u, err := url.Parse(raw)
		if err != nil {
			return err
		}
		if ip, err := netip.ParseAddr(u.Hostname()); err != nil || !ip.IsLoopback() {
			return fmt.Errorf("%w: the load generator only targets loopback addresses, not %q", errUsage, u.Host)
		}
	}
	res, err := generateLoad(ctx, urls, a.clients, a.warmup, a.duration)
	if err != nil {
		return err
	}
	return json.NewEncoder(os.Stdout).Encode(res)
}

// generateLoad is the load generator. Client i starts at the i-th share
// of urls and takes them in turn.
func generateLoad(ctx context.Context, urls []string, clients int, warmup, duration time.Duration) (loadResult, error) {
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConns:        clients,
		MaxIdleConnsPerHost: clients,
		MaxConnsPerHost:     clients,
		IdleConnTimeout:     time.Minute,
		// Bodies are counted as sent; nothing is decompressed.
		DisableCompression: true,
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	start := time.Now()
	from, until := start.Add(warmup), start.Add(warmup+duration)
	ctx, cancel := context.WithDeadline(ctx, until.Add(30*time.Second))
	defer cancel()
	workers := make([]worker, clients)
	var wg sync.WaitGroup
	var cpuFrom float64
	var once sync.Once
	for i := range workers {
		w := &workers[i]
		w.latencies = make([]time.Duration, 0, 1<<14)
		next := i * len(urls) / clients
		wg.Go(func() {
			for {
				t0 := time.Now()
				if !t0.Before(until) || ctx.Err() != nil {
					return
				}
				record := !t0.Before(from)
				if record {
					once.Do(func() { cpuFrom = selfCPU() })
				}
				w.one(ctx, client, urls[next], t0, record)
				next = (next + 1) % len(urls)
			}
		})
	}
	wg.Wait()
	cpu := selfCPU() - cpuFrom
	if err := ctx.Err(); err != nil {
		return loadResult{}, err
	}
	res := loadResult{Window: duration, CPU: cpu}
	var all []time.Duration
	for i := range workers {
		w := &workers[i]
		res.Requests += int64(len(w.latencies))
		res.Errors += w.errors
		res.Warmup += w.warmup
		res.Bytes += w.bytes
		res.Gzip += w.gzip
		if res.FirstError == "" {
			res.FirstError = w.firstError
		}
		all = append(all, w.latencies...)
	}
	slices.Sort(all)
	res.P50, res.P90, res.P99 = stats.Percentile(all, 0.50), stats.Percentile(all, 0.90), stats.Percentile(all, 0.99)
	res.P999, res.Max = stats.Percentile(all, 0.999), stats.Percentile(all, 1)
	return res, nil
}

// worker is one client of the load generator; its figures are its own
// until they are added up.
type worker struct {
	latencies   []time.Duration
	errors      int64
	warmup      int64
	bytes, gzip int64
	firstError  string
}

// one makes one request and, when record is set, records its outcome.
func (w *worker) one(ctx context.Context, client *http.Client, target string, t0 time.Time, record bool) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		w.fail(record, err)
		return
	}
	req.Header.Set("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
	req.Header.Set("Accept-Encoding", acceptEncoding)
	req.Header.Set("Accept-Language", acceptLanguage)
	req.Header.Set("User-Agent", "vigie-bench-status")
	resp, err := client.Do(req)
	if err != nil {
		w.fail(record, err)
		return
	}
	n, err := io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	took := time.Since(t0)
	switch {
	case err != nil:
		w.fail(record, err)
	case resp.StatusCode != http.StatusOK:
		w.fail(record, fmt.Errorf("status %d", resp.StatusCode))
	case !record:
		w.warmup++
	default:
		w.latencies = append(w.latencies, took)
		w.bytes += n
		if resp.Header.Get("Content-Encoding") == "gzip" {
			w.gzip++
		}
	}
}

func (w *worker) fail(record bool, err error) {
	if !record {
		return
	}
	w.errors++
	if w.firstError == "" {
		w.firstError = err.Error()
	}
}

// runLoad runs a load child against target, a URL or, with a leading @,
// a file of URLs, and returns what it measured.
func runLoad(ctx context.Context, cfg config, target string) (loadResult, error) {
	self, err := os.Executable()
	if err != nil {
		return loadResult{}, err
	}
	where := []string{"-url", target}
	if file, ok := strings.CutPrefix(target, "@"); ok {
		where = []string{"-urls", file}
	}
	args := append([]string{"-child", "load", "-clients", strconv.Itoa(cfg.clients),
		"-duration", cfg.duration.String(), "-warmup", cfg.warmup.String()}, where...)
	cmd := exec.CommandContext(ctx, self, args...)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return loadResult{}, fmt.Errorf("load %s: %w", target, err)
	}
	var res loadResult
	if err := json.Unmarshal(out, &res); err != nil {
		return loadResult{}, fmt.Errorf("load %s: %w in %q", target, err, out)
	}
	if res.Requests == 0 {
		return res, errors.New("load " + target + ": no request answered: " + res.FirstError)
	}
	return res, nil
}

package probe_test

import (
	"context"
	"fmt"
	"net"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/probe"
	"github.com/vigie/vigie/internal/simulate"
)

// BenchmarkEngineRunsInFlightMemory measures what an http check run by
// check.Engine under the scheduler costs while its target hangs, in bytes
// of heap and stack per run (the scheduler's share included): with the
// connection left unanswered by a hypervisor gone dark (the farm's
// hang-hypervisor fault: about 1,080 sites), and with connections accepted
// but never answered, over http and https (2,000 checks; the listener's
// side of each connection is counted too, a few hundred bytes).
func BenchmarkEngineRunsInFlightMemory(b *testing.B) {
	b.Run("http-connect-hangs", func(b *testing.B) {
		inv := simulate.Generate(simulate.Params{Sites: 1300})
		f, err := simulate.NewFarm(inv, simulate.FarmOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if err := f.Start(b.Context()); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { _ = f.Close() })
		var urls []string
		for _, a := range inv.Assets {
			if !slices.Contains(a.DependsOn, "hv01") {
				continue
			}
			sites, err := f.Sites(a.Name)
			if err != nil {
				continue // not a VM serving sites
			}
			for _, s := range sites {
				urls = append(urls, strings.Replace(s.URL, "https://", "http://", 1))
			}
		}
		if err := f.HangHypervisor("hv01"); err != nil {
			b.Fatal(err)
		}
		measureInFlight(b, check.NewEngine(check.Options{Dial: f.Dial}), urls)
	})
	for _, scheme := range []string{"http", "https"} {
		b.Run(scheme+"-answer-hangs", func(b *testing.B) {
			addr := silentListener(b)
			dial := func(ctx context.Context, network, _ string) (net.Conn, error) {
				var d net.Dialer
				return d.DialContext(ctx, network, addr)
			}
			urls := make([]string, 2000)
			for i := range urls {
				urls[i] = fmt.Sprintf("%s://www.s%07d.example/", scheme, i)
			}
			measureInFlight(b, check.NewEngine(check.Options{Dial: dial}), urls)
		})
	}
}

// measureInFlight runs an http check of each URL, every hour with an hour
// of timeout, all at once, and reports the memory per run in flight.
func measureInFlight(b *testing.B, engine *check.Engine, urls []string) {
	checks := make([]*check.Check, len(urls))
	for i, u := range urls {
		checks[i] = &check.Check{Asset: fmt.Sprintf("site-%d", i), Kind: check.HTTP, URL: u,
			Interval: check.Duration(time.Hour), Timeout: check.Duration(time.Hour)}
	}
	n := len(checks)
	var perRun float64
	for range b.N {
		s := probe.NewScheduler(probe.SchedulerOptions{Run: engine.Run})
		s.Set(checks)
		before := inUse()
		s.Start(context.Background())
		for _, c := range checks {
			s.Retry(c.Key(), 0)
		}
		deadline := time.Now().Add(time.Minute)
		for s.Stats().InFlight < n {
			if time.Now().After(deadline) {
				b.Fatalf("%d runs in flight after a minute, want %d", s.Stats().InFlight, n)
			}
			time.Sleep(10 * time.Millisecond)
		}
		time.Sleep(200 * time.Millisecond) // every dial and request under way
		perRun += float64(inUse()-before) / float64(n)
		s.Set(nil) // cancels the runs
		s.Stop()
	}
	b.ReportMetric(perRun/float64(b.N), "B/run-in-flight")
	b.ReportMetric(float64(n), "runs")
}

// silentListener accepts connections on loopback and never answers; it
// holds them until the benchmark ends.
func silentListener(b *testing.B) string {
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	var mu sync.Mutex
	var held []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			held = append(held, c)
			mu.Unlock()
		}
	}()
	b.Cleanup(func() {
		_ = l.Close()
		<-done
		mu.Lock()
		defer mu.Unlock()
		for _, c := range held {
			_ = c.Close()
		}
	})
	return l.Addr().String()
}

// inUse is the heap and goroutine stacks in use after a collection.
func inUse() int64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc + ms.StackInuse)
}

package simulate

import (
	"context"
	"crypto/tls"
	"net/http"
	"runtime"
	"strconv"
	"testing"
)

// BenchmarkFarmStart measures starting a farm for the reference host and
// for a large one: indexing, the CA and binding every listener. heap-MB is
// the memory the started farm holds, stack-MB that of its goroutines (two
// per VM, one per machine).
func BenchmarkFarmStart(b *testing.B) {
	for _, sites := range []int{11_000, 100_000} {
		b.Run(strconv.Itoa(sites), func(b *testing.B) {
			inv := Generate(Params{Sites: sites})
			var heap, stacks uint64
			var listeners int
			for b.Loop() {
				var before, after runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&before)
				f, err := NewFarm(inv, FarmOptions{})
				if err != nil {
					b.Fatal(err)
				}
				if err := f.Start(context.Background()); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				runtime.GC()
				runtime.ReadMemStats(&after)
				heap = after.HeapAlloc - before.HeapAlloc
				stacks = after.StackInuse - before.StackInuse
				listeners = 2*len(f.x.vms) + len(f.x.machines)
				if err := f.Close(); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
			b.ReportMetric(float64(heap)/(1<<20), "heap-MB")
			b.ReportMetric(float64(stacks)/(1<<20), "stack-MB")
			b.ReportMetric(float64(listeners), "listeners")
		})
	}
}

// BenchmarkFarmFirstHandshake measures an HTTPS request to a site never
// asked before, which issues and caches its certificate.
func BenchmarkFarmFirstHandshake(b *testing.B) {
	const sites = 100_000
	f, err := NewFarm(Generate(Params{Sites: sites}), FarmOptions{})
	if err != nil {
		b.Fatal(err)
	}
	if err := f.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	tr := &http.Transport{DialContext: f.Dial, TLSClientConfig: &tls.Config{RootCAs: f.CAPool()}, DisableKeepAlives: true}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr}
	i := 0
	for b.Loop() {
		i = i%sites + 1
		resp, err := c.Get("https://www.s" + string(appendPadded(nil, i, 7)) + ".example/")
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
}

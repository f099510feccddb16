package main

import (
	"io"
	"math"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParsePromAndQuantile(t *testing.T) {
	page := `# HELP vigie_probe_runs_total Check runs.
# TYPE vigie_probe_runs_total counter
vigie_probe_runs_total{kind="http",result="ok"} 90
vigie_probe_runs_total{kind="http",result="fail"} 10
vigie_probe_lateness_seconds_bucket{le="0.001"} 50
vigie_probe_lateness_seconds_bucket{le="0.002"} 90
vigie_probe_lateness_seconds_bucket{le="4"} 100
vigie_probe_lateness_seconds_bucket{le="+Inf"} 100
vigie_probe_lateness_seconds_count 100
`
	m, err := parseProm(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	if got := m.sums["vigie_probe_runs_total"]; got != 100 {
		t.Errorf("runs = %v, want 100", got)
	}
	h := hist(m.buckets["vigie_probe_lateness_seconds"])
	if h.count() != 100 {
		t.Errorf("count = %v, want 100", h.count())
	}
	// the 50th observation is the last of the first bucket
	if q := h.quantile(0.5); math.Abs(q-0.001) > 1e-9 {
		t.Errorf("p50 = %v, want 0.001", q)
	}
	// the 99th of 100 is 9/10 into the (0.002, 4] bucket
	if q := h.quantile(0.99); math.Abs(q-(0.002+3.998*0.9)) > 1e-9 {
		t.Errorf("p99 = %v, want %v", q, 0.002+3.998*0.9)
	}
	if a := h.above(0.002); a != 10 {
		t.Errorf("above 2 ms = %v, want 10", a)
	}
	old := hist{0.001: 40, 0.002: 80, 4: 80, math.Inf(1): 80}
	if w := h.sub(old); w.count() != 20 || w[0.001] != 10 {
		t.Errorf("window = %v, want 20 observations, 10 in the first bucket", w)
	}
	if q := (hist{}).quantile(0.99); !math.IsNaN(q) {
		t.Errorf("quantile of nothing = %v, want NaN", q)
	}
}

func TestParseFlagsRefusesBadInput(t *testing.T) {
	for _, args := range [][]string{
		{"-sites", "0"},
		{"-interval", "500ms"},
		{"-probes", "-1"},
		{"-duration", "5s", "-interval", "10s"},
		{"-duration", "60s", "-warmup", "60s"},
		{"extra"},
	} {
		if _, err := parseFlags(args); err == nil {
			t.Errorf("%q: no error", args)
		}
	}
	c, err := parseFlags([]string{"-sites", "200000", "-interval", "60s", "-duration", "10m"})
	if err != nil {
		t.Fatal(err)
	}
	if c.warmup != 2*time.Minute || c.probes != 2 || c.timeout != 30*time.Minute {
		t.Errorf("defaults: warmup %s, probes %d, timeout %s", c.warmup, c.probes, c.timeout)
	}
	if _, err := createDB(t.Context(), "postgres://postgres@db.example.org:5432/postgres", "vigie_bench_scale"); err == nil {
		t.Error("a PostgreSQL server off loopback was accepted")
	}
	if _, err := createDB(t.Context(), "postgres://postgres@127.0.0.1:5432/postgres", "bench; DROP"); err == nil {
		t.Error("a database name that is no identifier was accepted")
	}
}

// TestProxyPassesOverADeadReplica: the first backend refuses connections,
// every connection reaches the live one, and the bytes are counted as
// they go.
func TestProxyPassesOverADeadReplica(t *testing.T) {
	dead, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	deadAddr := dead.Addr().String()
	_ = dead.Close()
	live, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = live.Close() }()
	go func() {
		for {
			c, err := live.Accept()
			if err != nil {
				return
			}
			go func() { _, _ = io.Copy(c, c); _ = c.Close() }() // echo
		}
	}()
	px, err := newProxy([]string{deadAddr, live.Addr().String()})
	if err != nil {
		t.Fatal(err)
	}
	defer px.close(t.Context())
	for i := range 4 {
		c, err := net.Dial("tcp", px.addr())
		if err != nil {
			t.Fatal(err)
		}
		_ = c.SetDeadline(time.Now().Add(10 * time.Second))
		if _, err := c.Write([]byte("ping")); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 4)
		if _, err := io.ReadFull(c, buf); err != nil || string(buf) != "ping" {
			t.Fatalf("connection %d: %q %v", i, buf, err)
		}
		// counted while the connection is still open
		want := int64(8 * (i + 1))
		deadline := time.Now().Add(10 * time.Second)
		for px.bytes.Load() != want && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		if got := px.bytes.Load(); got != want {
			t.Errorf("after connection %d: %d bytes counted, want %d", i, got, want)
		}
		_ = c.Close()
	}
}

func TestWriteInventory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "host.yaml")
	if err := writeInventory(path, 101, time.Minute); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, want := range []string{
		`  - {name: s0000000, kind: site, url: "http://127.0.0.1:30000/s/0"}`,
		`  - {name: s0000100, kind: site, url: "http://127.0.0.1:30000/s/100"}`,
		`  - {name: s0000099, kind: site, url: "http://127.0.0.1:30099/s/99"}`,
		"check_defaults:\n  site: {kind: http, interval: \"1m0s\"}\n",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("inventory lacks %q", want)
		}
	}
	if n := strings.Count(s, "kind: site"); n != 101 {
		t.Errorf("%d sites, want 101", n)
	}
}

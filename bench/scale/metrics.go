package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// promText is what the harness reads of a /metrics page: the sum of every
// series of a name (counters), and the cumulative buckets of histograms.
type promText struct {
	sums    map[string]float64
	buckets map[string]map[float64]float64 // name (without _bucket) → le → count
}

func parseProm(r io.Reader) (promText, error) {
	t := promText{sums: map[string]float64{}, buckets: map[string]map[float64]float64{}}
	s := bufio.NewScanner(r)
	s.Buffer(make([]byte, 64<<10), 1<<20)
	for s.Scan() {
		l := s.Text()
		if l == "" || l[0] == '#' {
			continue
		}
		i := strings.LastIndexByte(l, ' ')
		if i < 0 {
			continue
		}
		v, err := strconv.ParseFloat(l[i+1:], 64)
		if err != nil {
			continue
		}
		series := l[:i]
		name, labels, _ := strings.Cut(series, "{")
		t.sums[name] += v
		if base, ok := strings.CutSuffix(name, "_bucket"); ok {
			le := labelValue(labels, "le")
			b, err := strconv.ParseFloat(le, 64)
			if le == "+Inf" {
				b, err = math.Inf(1), nil
			}
			if err != nil {
				continue
			}
			if t.buckets[base] == nil {
				t.buckets[base] = map[float64]float64{}
			}
			t.buckets[base][b] += v
		}
	}
	return t, s.Err()
}

func labelValue(labels, key string) string {
	_, rest, ok := strings.Cut(labels, key+`="`)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(rest, `"`)
	return v
}

// fetchProm reads the /metrics page of a server.
func fetchProm(ctx context.Context, c *http.Client, addr string) (promText, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/metrics", nil)
	if err != nil {
		return promText{}, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return promText{}, fmt.Errorf("metrics of %s: %w", addr, err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return promText{}, fmt.Errorf("metrics of %s: %s", addr, resp.Status)
	}
	return parseProm(resp.Body)
}

// hist is a cumulative histogram: upper bounds and counts.
type hist map[float64]float64

// sub returns h minus old (a window's observations).
func (h hist) sub(old hist) hist {
	out := hist{}
	for le, c := range h {
		out[le] = c - old[le]
	}
	return out
}

func (h hist) add(o hist) hist {
	out := hist{}
	for le, c := range h {
		out[le] = c
	}
	for le, c := range o {
		out[le] += c
	}
	return out
}

// quantile estimates the q-th quantile as Prometheus's histogram_quantile
// does, linearly within its bucket; NaN without observations, +Inf past
// the last finite bucket.
func (h hist) quantile(q float64) float64 {
	les := make([]float64, 0, len(h))
	for le := range h {
		les = append(les, le)
	}
	sort.Float64s(les)
	if len(les) == 0 {
		return math.NaN()
	}
	total := h[les[len(les)-1]]
	if total <= 0 {
		return math.NaN()
	}
	rank := q * total
	lo, below := 0.0, 0.0
	for _, le := range les {
		if h[le] >= rank {
			if math.IsInf(le, 1) {
				return le
			}
			in := h[le] - below
			if in <= 0 {
				return le
			}
			return lo + (le-lo)*(rank-below)/in
		}
		lo, below = le, h[le]
	}
	return math.Inf(1)
}

func (h hist) count() float64 {
	var m float64
	for _, c := range h {
		m = max(m, c)
	}
	return m
}

// above is how many observations were over x (x a bucket bound).
func (h hist) above(x float64) float64 {
	return h.count() - h[x]
}

package detect

import (
	"cmp"
	"slices"
	"time"

	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/keyindex"
)

// Bucket is the counters of one check over one period: a minute from
// Rollup.Flush, an hour or a day from MergeBuckets.
type Bucket struct {
	Check string
	// Minute is the start of the period, in UTC.
	Minute   time.Time
	Count    int // results
	Failures int // failed results
	// LatencySum, Min and Max are over the successful results only
	// (Count − Failures of them; zero when there are none): a refused
	// connection is not a fast response, nor a timeout a slow one.
	LatencySum time.Duration
	Min, Max   time.Duration
}

// merge adds the counters of o.
func (b *Bucket) merge(o *Bucket) {
	had := b.Count - b.Failures
	b.Count += o.Count
	b.Failures += o.Failures
	if o.Count > o.Failures {
		b.addLatency(had, o.LatencySum, o.Min, o.Max)
	}
}

// addLatency adds the latencies of successes to a bucket that had had
// successes before.
func (b *Bucket) addLatency(had int, sum, lo, hi time.Duration) {
	addLatency(&b.LatencySum, &b.Min, &b.Max, had > 0, sum, lo, hi)
}

// addLatency adds a sum of latencies and its extremes to counters that
// had successes before (had) or not.
func addLatency(sum, lo, hi *time.Duration, had bool, s, l, h time.Duration) {
	*sum += s
	if !had {
		*lo, *hi = l, h
		return
	}
	*lo = min(*lo, l)
	*hi = max(*hi, h)
}

// bucketKey identifies a bucket being merged.
type bucketKey struct {
	check  string
	minute int64 // Unix seconds of the start of the period
}

// counts are the counters of an open bucket, without pointers: with a
// million checks a minute holds a million of them, which the collector
// then need not scan.
type counts struct {
	count, failures int32
	sum, lo, hi     time.Duration // over successes only
}

func (c *counts) add(r check.Result) {
	had := c.count - c.failures
	c.count++
	if !r.OK {
		c.failures++
		return
	}
	d := r.Timings.Total
	addLatency(&c.sum, &c.lo, &c.hi, had > 0, d, d, d)
}

// bucket returns the counters as the bucket of check for the minute at.
func (c *counts) bucket(check string, at time.Time) Bucket {
	return Bucket{Check: check, Minute: at, Count: int(c.count), Failures: int(c.failures),
		LatencySum: c.sum, Min: c.lo, Max: c.hi}
}

// openMinute is the buckets of one minute: its checks in the order they
// first reported in it, and their counters beside them.
type openMinute struct {
	start  int64                       // Unix seconds
	index  *keyindex.Positions[string] // of checks
	checks []string
	counts []counts
}

func stringKey(s *string) string { return *s }

// Rollup accumulates per-check counters per minute until they are
// flushed to storage. Results are counted in the minute they started.
// Each minute keeps its own index, so that flushing it drops the index
// whole instead of deleting a million keys one by one on the monitor's
// loop.
//
// A Rollup is not safe for concurrent use.
type Rollup struct {
	minutes []*openMinute // ordered by start; usually the current one and the last
	open    int
}

// NewRollup returns an empty Rollup.
func NewRollup() *Rollup {
	return &Rollup{}
}

// Add counts the result r of the check checkKey in the minute it started.
func (ru *Rollup) Add(checkKey string, r check.Result) {
	m := ru.minute(r.Started.Truncate(time.Minute).Unix())
	i, ok := m.index.Get(checkKey)
	if !ok {
		i = int32(len(m.checks))
		m.checks = append(m.checks, checkKey)
		m.counts = append(m.counts, counts{})
		m.index.Add(i)
		ru.open++
	}
	m.counts[i].add(r)
}

// minute returns the open minute that starts at start, opened if need be.
func (ru *Rollup) minute(start int64) *openMinute {
	// The newest minutes are last, and results mostly fall in them.
	at := len(ru.minutes)
	for at > 0 && ru.minutes[at-1].start >= start {
		if ru.minutes[at-1].start == start {
			return ru.minutes[at-1]
		}
		at--
	}
	n := ru.sizeHint()
	m := &openMinute{start: start, checks: make([]string, 0, n), counts: make([]counts, 0, n)}
	m.index = keyindex.NewPositions(&m.checks, stringKey, n)
	ru.minutes = slices.Insert(ru.minutes, at, m)
	return m
}

// sizeHint is the size of the newest minute: the next one will likely
// hold as many checks.
func (ru *Rollup) sizeHint() int {
	if len(ru.minutes) == 0 {
		return 0
	}
	return len(ru.minutes[len(ru.minutes)-1].checks)
}

// Open is the number of minute buckets not flushed yet.
func (ru *Rollup) Open() int { return ru.open }

// Flush removes and returns the buckets of the minutes that ended at or
// before before, ordered by minute, and within a minute by the first
// result of each check in it. A result that arrives after its minute was
// flushed opens the bucket again: storage adds buckets to what it holds
// rather than replacing them.
func (ru *Rollup) Flush(before time.Time) []Bucket {
	n, closed := 0, 0
	for closed < len(ru.minutes) && !time.Unix(ru.minutes[closed].start, 0).Add(time.Minute).After(before) {
		n += len(ru.minutes[closed].checks)
		closed++
	}
	if closed == 0 {
		return nil
	}
	out := make([]Bucket, 0, n)
	for _, m := range ru.minutes[:closed] {
		at := time.Unix(m.start, 0).UTC()
		for i, key := range m.checks {
			out = append(out, m.counts[i].bucket(key, at))
		}
	}
	clear(ru.minutes[:closed])
	ru.minutes = slices.Delete(ru.minutes, 0, closed)
	ru.open -= n
	return out
}

// MergeBuckets adds buckets up per check and per period (time.Hour,
// 24 * time.Hour), periods aligned on UTC, and returns them ordered by
// period start then check.
func MergeBuckets(bs []Bucket, period time.Duration) []Bucket {
	index := make(map[bucketKey]int)
	var out []Bucket
	for i := range bs {
		start := bs[i].Minute.UTC().Truncate(period)
		k := bucketKey{check: bs[i].Check, minute: start.Unix()}
		j, ok := index[k]
		if !ok {
			j = len(out)
			index[k] = j
			out = append(out, Bucket{Check: bs[i].Check, Minute: start})
		}
		out[j].merge(&bs[i])
	}
	sortBuckets(out)
	return out
}

func sortBuckets(bs []Bucket) {
	slices.SortFunc(bs, func(a, b Bucket) int {
		if c := a.Minute.Compare(b.Minute); c != 0 {
			return c
		}
		return cmp.Compare(a.Check, b.Check)
	})
}

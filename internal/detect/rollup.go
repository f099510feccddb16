package detect

import (
	"cmp"
	"slices"
	"time"

	"github.com/vigie/vigie/internal/check"
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

// add counts one result.
func (b *Bucket) add(r check.Result) {
	had := b.Count - b.Failures
	b.Count++
	if !r.OK {
		b.Failures++
		return
	}
	d := r.Timings.Total
	b.addLatency(had, d, d, d)
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
	b.LatencySum += sum
	if had == 0 {
		b.Min, b.Max = lo, hi
		return
	}
	b.Min = min(b.Min, lo)
	b.Max = max(b.Max, hi)
}

// bucketKey identifies an open bucket.
type bucketKey struct {
	check  string
	minute int64 // Unix seconds of the start of the minute
}

// Rollup accumulates per-check counters per minute until they are
// flushed to storage. Results are counted in the minute they started.
//
// A Rollup is not safe for concurrent use.
type Rollup struct {
	index   map[bucketKey]int
	buckets []Bucket
}

// NewRollup returns an empty Rollup.
func NewRollup() *Rollup {
	return &Rollup{index: make(map[bucketKey]int)}
}

// Add counts the result r of the check checkKey in the minute it started.
func (ru *Rollup) Add(checkKey string, r check.Result) {
	minute := r.Started.Truncate(time.Minute).Unix()
	k := bucketKey{check: checkKey, minute: minute}
	i, ok := ru.index[k]
	if !ok {
		i = len(ru.buckets)
		ru.index[k] = i
		ru.buckets = append(ru.buckets, Bucket{Check: checkKey, Minute: time.Unix(minute, 0).UTC()})
	}
	ru.buckets[i].add(r)
}

// Open is the number of minute buckets not flushed yet.
func (ru *Rollup) Open() int { return len(ru.buckets) }

// Flush removes and returns the buckets of the minutes that ended at or
// before before, ordered by minute then check. A result that arrives after
// its minute was flushed opens the bucket again: storage adds buckets to
// what it holds rather than replacing them.
func (ru *Rollup) Flush(before time.Time) []Bucket {
	var out []Bucket
	kept := ru.buckets[:0]
	for _, b := range ru.buckets {
		if !b.Minute.Add(time.Minute).After(before) {
			out = append(out, b)
			delete(ru.index, bucketKey{check: b.Check, minute: b.Minute.Unix()})
			continue
		}
		ru.index[bucketKey{check: b.Check, minute: b.Minute.Unix()}] = len(kept)
		kept = append(kept, b)
	}
	clear(ru.buckets[len(kept):])
	ru.buckets = kept
	sortBuckets(out)
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

package detect

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/check"
)

func latencyResult(ok bool, at time.Time, latency time.Duration) check.Result {
	r := okResult(at)
	if !ok {
		r = failResult(at)
	}
	r.Timings.Total = latency
	return r
}

func TestRollupFlushesClosedMinutes(t *testing.T) {
	ru := NewRollup()
	ru.Add("a/http", latencyResult(true, t0.Add(5*time.Second), 100*time.Millisecond))
	ru.Add("a/http", latencyResult(true, t0.Add(30*time.Second), 300*time.Millisecond))
	ru.Add("a/http", latencyResult(false, t0.Add(50*time.Second), 10*time.Second))
	ru.Add("b/tcp", latencyResult(false, t0.Add(10*time.Second), time.Second))
	ru.Add("a/http", latencyResult(true, t0.Add(70*time.Second), 200*time.Millisecond))

	if got := ru.Flush(t0.Add(59 * time.Second)); len(got) != 0 {
		t.Fatalf("flushed an open minute: %+v", got)
	}
	got := ru.Flush(t0.Add(time.Minute))
	want := []Bucket{
		{Check: "a/http", Minute: t0, Count: 3, Failures: 1, LatencySum: 400 * time.Millisecond, Min: 100 * time.Millisecond, Max: 300 * time.Millisecond},
		{Check: "b/tcp", Minute: t0, Count: 1, Failures: 1},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("flushed\n%+v\nwant\n%+v", got, want)
	}
	if ru.Open() != 1 {
		t.Fatalf("%d buckets open, want the next minute's", ru.Open())
	}
	// A late result reopens its minute; the rest stays.
	ru.Add("b/tcp", latencyResult(true, t0.Add(20*time.Second), 50*time.Millisecond))
	got = ru.Flush(t0.Add(time.Minute))
	if len(got) != 1 || got[0].Check != "b/tcp" || got[0].Count != 1 || got[0].Min != 50*time.Millisecond {
		t.Fatalf("late result flushed as %+v", got)
	}
	got = ru.Flush(t0.Add(time.Hour))
	if len(got) != 1 || !got[0].Minute.Equal(t0.Add(time.Minute)) || got[0].Count != 1 {
		t.Fatalf("last minute flushed as %+v", got)
	}
}

// totals adds every bucket of bs up per check.
func totals(bs []Bucket) map[string]Bucket {
	out := map[string]Bucket{}
	for i := range bs {
		t := out[bs[i].Check]
		t.Check = bs[i].Check
		t.merge(&bs[i])
		out[bs[i].Check] = t
	}
	return out
}

func TestRollupSumsAndMergesRandomResults(t *testing.T) {
	for seed := range uint64(20) {
		rng := rand.New(rand.NewPCG(seed, 42))
		ru := NewRollup()
		want := map[string]Bucket{}
		var minutes []Bucket
		start := t0.Add(-time.Duration(rng.IntN(3600)) * time.Second)
		for i := range 5000 {
			key := fmt.Sprintf("site%d/http", rng.IntN(7))
			at := start.Add(time.Duration(i)*time.Duration(rng.IntN(60))*time.Second + time.Duration(rng.IntN(1000))*time.Millisecond)
			r := latencyResult(rng.IntN(5) > 0, at, time.Duration(1+rng.IntN(2000))*time.Millisecond)
			ru.Add(key, r)
			var one counts
			one.add(r)
			w := want[key]
			w.Check = key
			w.merge(new(one.bucket(key, at)))
			want[key] = w
			if rng.IntN(200) == 0 {
				minutes = append(minutes, ru.Flush(at)...)
			}
		}
		minutes = append(minutes, ru.Flush(start.Add(1000*time.Hour))...)
		hours := MergeBuckets(minutes, time.Hour)
		days := MergeBuckets(hours, 24*time.Hour)
		direct := MergeBuckets(minutes, 24*time.Hour)

		for name, bs := range map[string][]Bucket{"minutes": minutes, "hours": hours, "days": days} {
			if got := totals(bs); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("seed %d: %s add up to\n%v\nwant\n%v", seed, name, got, want)
			}
		}
		if fmt.Sprint(days) != fmt.Sprint(direct) {
			t.Fatalf("seed %d: minutes→hours→days differs from minutes→days", seed)
		}
		for _, h := range hours {
			if !h.Minute.Equal(h.Minute.Truncate(time.Hour)) || h.Minute.Location() != time.UTC {
				t.Fatalf("seed %d: hour bucket starts at %v", seed, h.Minute)
			}
		}
		for i := 1; i < len(hours); i++ {
			a, b := hours[i-1], hours[i]
			if a.Minute.After(b.Minute) || a.Minute.Equal(b.Minute) && a.Check >= b.Check {
				t.Fatalf("seed %d: hours out of order at %d: %v %s, %v %s", seed, i, a.Minute, a.Check, b.Minute, b.Check)
			}
		}
	}
}

func TestMergeBucketsKeepsLatencyOfSuccessesOnly(t *testing.T) {
	bs := []Bucket{
		{Check: "a", Minute: t0, Count: 2, Failures: 2},
		{Check: "a", Minute: t0.Add(time.Minute), Count: 2, Failures: 0, LatencySum: 5 * time.Second, Min: 2 * time.Second, Max: 3 * time.Second},
		{Check: "a", Minute: t0.Add(2 * time.Minute), Count: 1, Failures: 0, LatencySum: time.Second, Min: time.Second, Max: time.Second},
		{Check: "a", Minute: t0.Add(3 * time.Minute), Count: 1, Failures: 1},
	}
	got := MergeBuckets(bs, time.Hour)
	want := []Bucket{{Check: "a", Minute: t0, Count: 6, Failures: 3, LatencySum: 6 * time.Second, Min: time.Second, Max: 3 * time.Second}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("merged %+v, want %+v", got, want)
	}
}

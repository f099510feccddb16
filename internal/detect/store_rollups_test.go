package detect_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/detect"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// bucket builds a bucket with latencies in milliseconds.
func bucket(checkKey string, start time.Time, count, failures int, sum, lo, hi int64) detect.Bucket {
	ms := func(v int64) time.Duration { return time.Duration(v) * time.Millisecond }
	return detect.Bucket{Check: checkKey, Minute: start, Count: count, Failures: failures, LatencySum: ms(sum), Min: ms(lo), Max: ms(hi)}
}

func TestStoreFoldsBucketsIntoHoursAndDays(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := detect.NewStore(db)
		day1 := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
		day2 := day1.Add(24 * time.Hour)
		m := func(hhmm string) time.Time {
			var h, mi int
			_, _ = fmt.Sscanf(hhmm, "%d:%d", &h, &mi)
			return day1.Add(time.Duration(h)*time.Hour + time.Duration(mi)*time.Minute)
		}
		calls := [][]detect.Bucket{{
			bucket("a", m("23:58"), 2, 0, 300, 100, 200),
			bucket("a", m("23:59"), 1, 1, 0, 0, 0), // only failures
			bucket("a", m("24:00"), 3, 1, 150, 50, 100),
			bucket("b", m("10:00"), 2, 2, 0, 0, 0), // only failures
		}, {
			bucket("a", m("23:59"), 2, 0, 80, 30, 50), // onto a row without successes
			bucket("a", m("24:00"), 1, 1, 0, 0, 0),    // only failures onto a row with successes
			bucket("a", m("24:01"), 1, 0, 500, 500, 500),
			bucket("a", m("24:01"), 1, 0, 10, 10, 10), // the same minute twice in one call
			bucket("b", m("10:30"), 1, 0, 40, 40, 40),
		}}
		for _, c := range calls {
			if err := s.SaveBuckets(ctx, c); err != nil {
				t.Fatal(err)
			}
		}
		for _, tc := range []struct {
			check, period string
			want          []detect.Bucket
		}{
			{"a", detect.PeriodMinute, []detect.Bucket{
				bucket("a", m("23:58"), 2, 0, 300, 100, 200),
				bucket("a", m("23:59"), 3, 1, 80, 30, 50),
				bucket("a", m("24:00"), 4, 2, 150, 50, 100),
				bucket("a", m("24:01"), 2, 0, 510, 10, 500),
			}},
			{"a", detect.PeriodHour, []detect.Bucket{
				bucket("a", m("23:00"), 5, 1, 380, 30, 200),
				bucket("a", m("24:00"), 6, 2, 660, 10, 500),
			}},
			{"a", detect.PeriodDay, []detect.Bucket{
				bucket("a", day1, 5, 1, 380, 30, 200),
				bucket("a", day2, 6, 2, 660, 10, 500),
			}},
			{"b", detect.PeriodHour, []detect.Bucket{bucket("b", m("10:00"), 3, 2, 40, 40, 40)}},
			{"b", detect.PeriodDay, []detect.Bucket{bucket("b", day1, 3, 2, 40, 40, 40)}},
		} {
			got, err := s.Latency(ctx, tc.check, tc.period, day1, day2.Add(24*time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("%s per %s:\n got %+v\nwant %+v", tc.check, tc.period, got, tc.want)
			}
		}
		if got, err := s.Latency(ctx, "a", detect.PeriodMinute, m("23:59"), m("24:01")); err != nil || len(got) != 2 {
			t.Errorf("minutes in [23:59, 24:01): %d rows, %v; want 2", len(got), err)
		}
		if _, err := s.Latency(ctx, "a", "week", day1, day2); err == nil {
			t.Error("Latency accepted an unknown period")
		}
	})
}

func TestStoreSavesTenThousandBucketsInOneCall(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := detect.NewStore(db)
		if err := s.SaveBuckets(context.Background(), minuteBuckets(10_000, storeT0)); err != nil {
			t.Fatal(err)
		}
		for what, q := range map[string]string{
			"check ids":    `SELECT COUNT(*) FROM check_ids`,
			"packed hours": `SELECT COUNT(*) FROM rollup_minutes`,
			"hour rows":    `SELECT COUNT(*) FROM rollups WHERE period = 1`,
			"day rows":     `SELECT COUNT(*) FROM rollups WHERE period = 2`,
		} {
			if n := countRows(t, db, q); n != 10_000 {
				t.Errorf("%d %s, want 10000", n, what)
			}
		}
		got, err := s.Latency(context.Background(), "site9999/http", detect.PeriodMinute, storeT0, storeT0.Add(time.Hour))
		if want := minuteBuckets(10_000, storeT0)[9999:]; err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("minutes of the last check: %+v, %v; want %+v", got, err, want)
		}
	})
}

// minuteBuckets returns one bucket per check for the minute at start, with
// three results (one per location) and latencies varying by check.
func minuteBuckets(checks int, start time.Time) []detect.Bucket {
	bs := make([]detect.Bucket, checks)
	for i := range bs {
		lat := time.Duration(40+i%400) * time.Millisecond
		bs[i] = detect.Bucket{Check: fmt.Sprintf("site%d/http", i), Minute: start, Count: 3,
			LatencySum: 3*lat + 3*time.Millisecond, Min: lat, Max: lat + 2*time.Millisecond}
		if i%97 == 0 {
			bs[i].Failures, bs[i].LatencySum, bs[i].Max = 1, 2*lat+time.Millisecond, lat+time.Millisecond
		}
	}
	return bs
}

func TestStoreRetainRemovesOnlyOldRows(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := detect.NewStore(db)
		now := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
		var bs []detect.Bucket
		for _, age := range []time.Duration{47 * time.Hour, 49 * time.Hour, 100 * 24 * time.Hour, 800 * 24 * time.Hour} {
			bs = append(bs, bucket("a", now.Add(-age), 1, 0, 10, 10, 10))
		}
		if err := s.SaveBuckets(ctx, bs); err != nil {
			t.Fatal(err)
		}
		err := s.Append(ctx, []detect.Signal{
			{Kind: detect.CheckUp, Check: "a", At: now.Add(-401 * 24 * time.Hour)},
			{Kind: detect.CheckUp, Check: "a", At: now.Add(-399 * 24 * time.Hour)},
			{Kind: detect.CheckUp, Check: "a", At: now.Add(-time.Hour)},
		})
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Retain(ctx, now)
		if err != nil {
			t.Fatal(err)
		}
		if want := (detect.Retained{Minutes: 3, Hours: 2, Days: 1, Signals: 1}); got != want {
			t.Errorf("retained %+v, want %+v", got, want)
		}
		for period, want := range map[string]int{detect.PeriodMinute: 1, detect.PeriodHour: 2, detect.PeriodDay: 3} {
			rows, err := s.Latency(ctx, "a", period, now.AddDate(-5, 0, 0), now)
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != want {
				t.Errorf("%d %s rows left, want %d", len(rows), period, want)
			}
		}
		if got, err = s.Retain(ctx, now); err != nil || got != (detect.Retained{}) {
			t.Errorf("second Retain: %+v, %v; want nothing deleted", got, err)
		}
		s.SignalRetention = 30 * 24 * time.Hour
		if got, err = s.Retain(ctx, now); err != nil || got != (detect.Retained{Signals: 1}) {
			t.Errorf("Retain keeping 30 days of signals: %+v, %v; want 1 signal deleted", got, err)
		}
	})
}

func TestStoreUptimeUsesTheFinestRowsOfEachWindow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := detect.NewStore(db)
		now := time.Date(2025, 6, 1, 12, 30, 0, 0, time.UTC)
		day := 24 * time.Hour
		err := s.SaveBuckets(ctx, []detect.Bucket{
			bucket("u", now.Add(-30*time.Minute), 10, 1, 1, 1, 1),
			// In the hour where the 24 h window starts, before its minute:
			// counted by hours, not by minutes.
			bucket("u", time.Date(2025, 5, 31, 12, 10, 0, 0, time.UTC), 5, 5, 0, 0, 0),
			bucket("u", now.Add(-3*day), 20, 4, 1, 1, 1),
			bucket("u", now.Add(-20*day), 30, 3, 1, 1, 1),
			bucket("u", now.Add(-60*day), 40, 0, 1, 1, 1),
			bucket("u", now.Add(-200*day), 100, 50, 1, 1, 1),
			bucket("other", now.Add(-time.Minute), 7, 7, 0, 0, 0),
		})
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Uptime(ctx, "u", now, day, 7*day, 30*day, 90*day, 365*day)
		if err != nil {
			t.Fatal(err)
		}
		want := []detect.Uptime{
			{Window: day, Count: 10, Failures: 1, Ratio: 9.0 / 10},
			{Window: 7 * day, Count: 35, Failures: 10, Ratio: 25.0 / 35},
			{Window: 30 * day, Count: 65, Failures: 13, Ratio: 52.0 / 65},
			{Window: 90 * day, Count: 105, Failures: 13, Ratio: 92.0 / 105},
			{Window: 365 * day, Count: 205, Failures: 63, Ratio: 142.0 / 205},
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("uptime:\n got %+v\nwant %+v", got, want)
		}
		got, err = s.Uptime(ctx, "none", now)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(detect.DefaultUptimeWindows) || got[0] != (detect.Uptime{Window: day}) {
			t.Errorf("uptime without data: %+v, want zero counts for each default window", got)
		}
	})
}

func TestStoreKeepsEveryMinuteOfAnHour(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := detect.NewStore(db)
		var want []detect.Bucket
		for m := range 60 {
			b := bucket("h", storeT0.Add(time.Duration(m)*time.Minute), 1+m%4, m%3, 0, 0, 0)
			if b.Count > b.Failures {
				lo := time.Duration(m*m*1000+1) * time.Microsecond
				b.Min, b.Max = lo, lo+time.Duration(m)*time.Second
				b.LatencySum = b.Max + lo*time.Duration(b.Count-b.Failures-1)
			}
			if m%7 == 5 {
				continue // minutes without results stay absent
			}
			want = append(want, b)
			// One call per minute: each rewrites the packed hour.
			if err := s.SaveBuckets(ctx, []detect.Bucket{b}); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.Latency(ctx, "h", detect.PeriodMinute, storeT0.Add(-time.Hour), storeT0.Add(2*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("minutes:\n got %+v\nwant %+v", got, want)
		}
		if n := countRows(t, db, `SELECT COUNT(*) FROM rollup_minutes`); n != 1 {
			t.Errorf("%d packed hours, want 1", n)
		}
	})
}

func TestStoreSavesConcurrentCallsForNewChecks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		const callers = 4
		errs := make(chan error, callers)
		for range callers {
			// A Store each, as separate processes would have.
			s := detect.NewStore(db)
			go func() { errs <- s.SaveBuckets(ctx, minuteBuckets(50, storeT0)) }()
		}
		for range callers {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		if n := countRows(t, db, `SELECT COUNT(*) FROM check_ids`); n != 50 {
			t.Errorf("%d check ids, want 50", n)
		}
		got, err := detect.NewStore(db).Uptime(ctx, "site0/http", storeT0.Add(time.Minute), time.Hour)
		if want := 3 * callers; err != nil || got[0].Count != want {
			t.Errorf("uptime of site0/http: %+v, %v; want %d results", got, err, want)
		}
	})
}

// Each call saves one minute of several checks: every check's packed hour
// is read back and added to, none rewritten from its new minute alone.
func TestStoreKeepsEveryMinuteOfChecksSavedTogether(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := detect.NewStore(db)
		const checks, minutes = 7, 10
		for m := range minutes {
			var call []detect.Bucket
			for c := range checks {
				call = append(call, bucket(fmt.Sprintf("c%d", c), storeT0.Add(time.Duration(m)*time.Minute), 1+c, 0, int64(10*(1+c)), 10, 10))
			}
			if err := s.SaveBuckets(ctx, call); err != nil {
				t.Fatal(err)
			}
		}
		for c := range checks {
			got, err := s.Latency(ctx, fmt.Sprintf("c%d", c), detect.PeriodMinute, storeT0, storeT0.Add(time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != minutes {
				t.Errorf("c%d: %d minutes kept, want %d: %+v", c, len(got), minutes, got)
			}
			hours, err := s.Latency(ctx, fmt.Sprintf("c%d", c), detect.PeriodHour, storeT0.Truncate(time.Hour), storeT0.Add(time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			if len(hours) != 1 || hours[0].Count != minutes*(1+c) {
				t.Errorf("c%d: hours %+v, want one of %d results", c, hours, minutes*(1+c))
			}
		}
	})
}

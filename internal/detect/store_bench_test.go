package detect_test

import (
	"context"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/detect"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// referenceChecks is the size of the reference installation: 11,000
// checks run every 60 s.
const referenceChecks = 11_000

// BenchmarkSaveBuckets measures storing one minute of buckets of
// referenceChecks checks on SQLite, with their hour and day rows, minute
// after minute.
//
// Measured (20 minutes): 42,000 rows/s with text-keyed rows, 71,000 with
// packed minutes (64,000 over a whole hour, as the packed hours grow).
func BenchmarkSaveBuckets(b *testing.B) {
	db := storetest.Open(b, store.SQLite)
	s := detect.NewStore(db)
	ctx := context.Background()
	bs := minuteBuckets(referenceChecks, storeT0)
	minute := storeT0
	b.ResetTimer()
	for b.Loop() {
		for i := range bs {
			bs[i].Minute = minute
		}
		if err := s.SaveBuckets(ctx, bs); err != nil {
			b.Fatal(err)
		}
		minute = minute.Add(time.Minute)
	}
	b.ReportMetric(float64(b.N*len(bs))/b.Elapsed().Seconds(), "rows/s")
}

// TestStoreRollupSizeEstimate measures on SQLite what the counters of
// the reference installation take, and fails past 1 GB a month. Once
// minutes older than 48 h are deleted, each check keeps 48 packed hours
// of minutes, 720 hour rows and 30 day rows a month.
//
// Measured: about 660 bytes per packed hour and 33 per hour or day row
// (table and indexes), 0.62 GB a month. Rows keyed by text with text
// timestamps and a (period, start) index took 130 bytes per row: 5.2 GB.
func TestStoreRollupSizeEstimate(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 60,000 minutes and 180,000 hours")
	}
	ctx := context.Background()

	// A full hour of minutes of 1,000 checks.
	const checks = 1_000
	db := storetest.Open(t, store.SQLite)
	s := detect.NewStore(db)
	before := dbBytes(t, db)
	bs := minuteBuckets(checks, storeT0)
	for m := range 60 {
		for i := range bs {
			bs[i].Minute = storeT0.Add(time.Duration(m) * time.Minute)
		}
		if err := s.SaveBuckets(ctx, bs); err != nil {
			t.Fatal(err)
		}
	}
	perMinute := float64(dbBytes(t, db)-before) / 60 * referenceChecks / checks
	packed := tableBytes(t, db, "rollup_minutes") / float64(countRows(t, db, `SELECT COUNT(*) FROM rollup_minutes`))

	// A month of hours of 500 checks, one minute each.
	const hourChecks, hours = 250, 30 * 24
	db = storetest.Open(t, store.SQLite)
	s = detect.NewStore(db)
	bs = minuteBuckets(hourChecks, storeT0)
	for h := range hours {
		for i := range bs {
			bs[i].Minute = storeT0.Add(time.Duration(h) * time.Hour)
		}
		if err := s.SaveBuckets(ctx, bs); err != nil {
			t.Fatal(err)
		}
	}
	row := tableBytes(t, db, "rollups") / float64(countRows(t, db, `SELECT COUNT(*) FROM rollups`))

	month := referenceChecks * (48*packed + (hours+30)*row)
	t.Logf("%.0f bytes per minute of %d checks; %.0f bytes per packed hour, %.0f per hour or day row: a month is %.2f GB",
		perMinute, referenceChecks, packed, row, month/1e9)
	if month > 1e9 {
		t.Errorf("a month of counters takes %.2f GB, want under 1 GB", month/1e9)
	}

	start := time.Now()
	r, err := s.Retain(ctx, storeT0.Add(91*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("retain over %d checks: %+v in %s", hourChecks, r, time.Since(start).Round(time.Millisecond))
}

// tableBytes is the size of a SQLite table and its indexes.
func tableBytes(t *testing.T, db *store.DB, table string) float64 {
	t.Helper()
	var n float64
	err := db.QueryRowContext(context.Background(),
		`SELECT SUM(d.pgsize) FROM dbstat d JOIN sqlite_master m ON m.name = d.name WHERE m.tbl_name = $1`, table).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// dbBytes is the size of a SQLite database, as pages in use.
func dbBytes(t *testing.T, db *store.DB) int64 {
	t.Helper()
	var pages, free, size int64
	ctx := context.Background()
	for q, v := range map[string]*int64{`PRAGMA page_count`: &pages, `PRAGMA freelist_count`: &free, `PRAGMA page_size`: &size} {
		if err := db.QueryRowContext(ctx, q).Scan(v); err != nil {
			t.Fatal(err)
		}
	}
	return (pages - free) * size
}

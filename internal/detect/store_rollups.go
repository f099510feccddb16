package detect

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/vigie/vigie/internal/store"
)

// The periods of the rows of counters.
const (
	PeriodMinute = "minute"
	PeriodHour   = "hour"
	PeriodDay    = "day"
)

// How long Retain keeps each kind of row.
const (
	MinuteRetention        = 48 * time.Hour
	HourRetention          = 90 * 24 * time.Hour
	DayRetention           = 2 * 365 * 24 * time.Hour
	DefaultSignalRetention = 400 * 24 * time.Hour
)

// periodLength is the duration of each period.
var periodLength = map[string]time.Duration{
	PeriodMinute: time.Minute,
	PeriodHour:   time.Hour,
	PeriodDay:    24 * time.Hour,
}

// periodCode is the value of rollups.period for the periods stored one
// row each; minutes are packed by hour in rollup_minutes.
var periodCode = map[string]int{
	PeriodHour: 1,
	PeriodDay:  2,
}

// upsertRollups adds counters to what is stored. Min and max are over
// successes only, so a side without successes keeps the other's.
const upsertRollups = ` ON CONFLICT (check_id, period, start) DO UPDATE SET
	count = rollups.count + excluded.count,
	failures = rollups.failures + excluded.failures,
	latency_sum_us = rollups.latency_sum_us + excluded.latency_sum_us,
	min_us = CASE
		WHEN rollups.count = rollups.failures THEN excluded.min_us
		WHEN excluded.count = excluded.failures THEN rollups.min_us
		WHEN excluded.min_us < rollups.min_us THEN excluded.min_us
		ELSE rollups.min_us END,
	max_us = CASE
		WHEN rollups.count = rollups.failures THEN excluded.max_us
		WHEN excluded.count = excluded.failures THEN rollups.max_us
		WHEN excluded.max_us > rollups.max_us THEN excluded.max_us
		ELSE rollups.max_us END`

// rollupsLock is the PostgreSQL advisory lock SaveBuckets holds while it
// reads and rewrites packed hours, which SQL alone cannot merge.
const rollupsLock = 0x76696769_65726f6c

// SaveBuckets adds minute buckets to the stored counters, and folds them
// into the hour and day rows, in one transaction. Buckets are added, not
// replaced: a minute flushed twice counts both parts.
func (s *Store) SaveBuckets(ctx context.Context, buckets []Bucket) error {
	if len(buckets) == 0 {
		return nil
	}
	// Merging makes each (check, start) appear once per statement, as
	// PostgreSQL requires of an upsert, and orders the rows the same way in
	// every transaction.
	minutes := MergeBuckets(buckets, time.Minute)
	var fresh map[string]int64
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		// SQLite transactions already take the write lock when they begin.
		if err := s.db.LockTx(ctx, tx, rollupsLock); err != nil {
			return err
		}
		var ids map[string]int64
		var err error
		if ids, fresh, err = s.checkIDs(ctx, tx, minutes); err != nil {
			return err
		}
		if err := s.addMinutes(ctx, tx, ids, minutes); err != nil {
			return fmt.Errorf("minute rows: %w", err)
		}
		for _, p := range []struct {
			name string
			bs   []Bucket
		}{
			{PeriodHour, MergeBuckets(minutes, time.Hour)},
			{PeriodDay, MergeBuckets(minutes, 24*time.Hour)},
		} {
			if err := s.addRollups(ctx, tx, ids, p.name, p.bs); err != nil {
				return fmt.Errorf("%s rows: %w", p.name, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("save buckets: %w", err)
	}
	s.remember(fresh)
	return nil
}

func (s *Store) addRollups(ctx context.Context, tx *sql.Tx, ids map[string]int64, period string, bs []Bucket) error {
	const head = `INSERT INTO rollups (check_id, period, start, count, failures, latency_sum_us, min_us, max_us) `
	if s.db.Engine == store.Postgres {
		// One statement of seven arrays, whatever the number of rows:
		// a thousand rows of eight parameters each cost more to encode
		// and plan than the write itself.
		cols := make([][]int64, 7)
		for i := range cols {
			cols[i] = make([]int64, len(bs))
		}
		for i := range bs {
			b := &bs[i]
			cols[0][i], cols[1][i], cols[2][i], cols[3][i] = ids[b.Check], b.Minute.Unix(), int64(b.Count), int64(b.Failures)
			cols[4][i], cols[5][i], cols[6][i] = b.LatencySum.Microseconds(), b.Min.Microseconds(), b.Max.Microseconds()
		}
		_, err := tx.ExecContext(ctx, head+`SELECT c, `+strconv.Itoa(periodCode[period])+`, s, n, f, l, lo, hi
			FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[])
			AS t (c, s, n, f, l, lo, hi)`+upsertRollups,
			cols[0], cols[1], cols[2], cols[3], cols[4], cols[5], cols[6])
		return err
	}
	return insertChunks(ctx, tx, s.db.Engine, head+`VALUES `, upsertRollups, 8, len(bs),
		func(dst []any, from, to int) []any {
			for i := from; i < to; i++ {
				b := &bs[i]
				dst = append(dst, ids[b.Check], periodCode[period], b.Minute.Unix(), b.Count, b.Failures,
					b.LatencySum.Microseconds(), b.Min.Microseconds(), b.Max.Microseconds())
			}
			return dst
		})
}

// hourKey identifies a row of rollup_minutes.
type hourKey struct {
	id, start int64 // start in Unix seconds
}

// addMinutes adds minute buckets to the packed hours that hold them:
// it reads the hours, merges the buckets in and writes them back.
func (s *Store) addMinutes(ctx context.Context, tx *sql.Tx, ids map[string]int64, minutes []Bucket) error {
	groups := make(map[hourKey][]int)
	for i := range minutes {
		k := hourKey{ids[minutes[i].Check], minutes[i].Minute.Truncate(time.Hour).Unix()}
		groups[k] = append(groups[k], i)
	}
	keys := slices.SortedFunc(maps.Keys(groups), func(a, b hourKey) int {
		return cmp.Or(cmp.Compare(a.start, b.start), cmp.Compare(a.id, b.id))
	})
	stored, err := s.loadHours(ctx, tx, keys)
	if err != nil {
		return err
	}
	packed := make([][]byte, len(keys))
	var h packedHour
	for i, k := range keys {
		if err := h.unpack(stored[k]); err != nil {
			return fmt.Errorf("check id %d at %d: %w", k.id, k.start, err)
		}
		for _, j := range groups[k] {
			h.add(&minutes[j])
		}
		packed[i] = h.pack(nil)
	}
	const head, tail = `INSERT INTO rollup_minutes (check_id, start, slots) `, ` ON CONFLICT (check_id, start) DO UPDATE SET slots = excluded.slots`
	if s.db.Engine == store.Postgres {
		idList, starts := make([]int64, len(keys)), make([]int64, len(keys))
		for i, k := range keys {
			idList[i], starts[i] = k.id, k.start
		}
		_, err := tx.ExecContext(ctx, head+`SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bytea[])`+tail,
			idList, starts, packed)
		return err
	}
	return insertChunks(ctx, tx, s.db.Engine, head+`VALUES `, tail, 3, len(keys),
		func(dst []any, from, to int) []any {
			for i := from; i < to; i++ {
				dst = append(dst, keys[i].id, keys[i].start, packed[i])
			}
			return dst
		})
}

// loadHours reads the stored packed hours among keys, which are ordered
// by start.
func (s *Store) loadHours(ctx context.Context, tx *sql.Tx, keys []hourKey) (map[hourKey][]byte, error) {
	out := make(map[hourKey][]byte, len(keys))
	e := s.db.Engine
	// PostgreSQL takes the ids of an hour as one array.
	most := maxParams - 1
	if e == store.Postgres {
		most = len(keys)
	}
	for from := 0; from < len(keys); {
		to := from
		for to < len(keys) && keys[to].start == keys[from].start && to-from < most {
			to++
		}
		start := keys[from].start
		q := `SELECT check_id, slots FROM rollup_minutes WHERE check_id = ANY($1) AND start = $2`
		var args []any
		if e == store.Postgres {
			ids := make([]int64, 0, to-from)
			for _, k := range keys[from:to] {
				ids = append(ids, k.id)
			}
			args = []any{ids, start}
		} else {
			for _, k := range keys[from:to] {
				args = append(args, k.id)
			}
			args = append(args, start)
			q = `SELECT check_id, slots FROM rollup_minutes WHERE check_id IN ` + e.List(to-from) + ` AND start = ?`
		}
		err := queryEach(ctx, tx, "load minutes", q, args,
			func(rows *sql.Rows) error {
				var k hourKey
				var p []byte
				if err := rows.Scan(&k.id, &p); err != nil {
					return err
				}
				k.start = start
				out[k] = p
				return nil
			})
		if err != nil {
			return nil, err
		}
		from = to
	}
	return out, nil
}

// Latency returns the counters of a check per period (PeriodMinute,
// PeriodHour or PeriodDay) for the periods starting in [since, until),
// oldest first; each Bucket's Minute is the start of its period.
func (s *Store) Latency(ctx context.Context, checkKey, period string, since, until time.Time) ([]Bucket, error) {
	if _, ok := periodLength[period]; !ok {
		return nil, fmt.Errorf("latency: unknown period %q", period)
	}
	out := []Bucket{}
	id, ok, err := s.checkID(ctx, checkKey)
	if err != nil {
		return nil, fmt.Errorf("latency: %w", err)
	}
	if !ok {
		return out, nil
	}
	if period == PeriodMinute {
		err := s.eachMinute(ctx, id, since, until, func(b *Bucket) {
			b.Check = checkKey
			out = append(out, *b)
		})
		if err != nil {
			return nil, err
		}
		return out, nil
	}
	err = queryEach(ctx, s.db, "latency",
		`SELECT start, count, failures, latency_sum_us, min_us, max_us FROM rollups
			WHERE check_id = $1 AND period = $2 AND start >= $3 AND start < $4 ORDER BY start`,
		[]any{id, periodCode[period], ceilUnix(since), ceilUnix(until)},
		func(rows *sql.Rows) error {
			b := Bucket{Check: checkKey}
			var start, sum, lo, hi int64
			if err := rows.Scan(&start, &b.Count, &b.Failures, &sum, &lo, &hi); err != nil {
				return err
			}
			b.Minute = time.Unix(start, 0).UTC()
			b.LatencySum = time.Duration(sum) * time.Microsecond
			b.Min = time.Duration(lo) * time.Microsecond
			b.Max = time.Duration(hi) * time.Microsecond
			out = append(out, b)
			return nil
		})
	if err != nil {
		return nil, s.db.MapError(err)
	}
	return out, nil
}

// ceilUnix is the first whole Unix second at or after t, so that
// comparing starts in seconds with it is comparing them with t.
func ceilUnix(t time.Time) int64 {
	if t.Nanosecond() > 0 {
		return t.Unix() + 1
	}
	return t.Unix()
}

// eachMinute calls fn on the stored minutes of a check starting in
// [since, until), oldest first. fn must not keep b.
func (s *Store) eachMinute(ctx context.Context, id int64, since, until time.Time, fn func(b *Bucket)) error {
	from, to := ceilUnix(since), ceilUnix(until)
	var h packedHour
	err := queryEach(ctx, s.db, "minutes",
		`SELECT start, slots FROM rollup_minutes WHERE check_id = $1 AND start >= $2 AND start < $3 ORDER BY start`,
		[]any{id, since.Truncate(time.Hour).Unix(), to},
		func(rows *sql.Rows) error {
			var start int64
			var p []byte
			if err := rows.Scan(&start, &p); err != nil {
				return err
			}
			if err := h.unpack(p); err != nil {
				return fmt.Errorf("check id %d at %d: %w", id, start, err)
			}
			for m := range minutesPerHour {
				at := start + int64(m)*60
				if h.present&(1<<m) == 0 || at < from || at >= to {
					continue
				}
				b := h.slots[m]
				b.Minute = time.Unix(at, 0).UTC()
				fn(&b)
			}
			return nil
		})
	return s.db.MapError(err)
}

// Retained counts the rows Retain deleted.
type Retained struct {
	// Minutes counts packed hours of minutes, one row each.
	Minutes, Hours, Days, Signals int64
}

// Retain deletes what is older than it is kept for at now: minutes after
// MinuteRetention (by whole hours, once the last minute of the hour is
// past it), hour rows after HourRetention, day rows after DayRetention,
// signals after SignalRetention.
func (s *Store) Retain(ctx context.Context, now time.Time) (Retained, error) {
	var r Retained
	signalAge := s.SignalRetention
	if signalAge <= 0 {
		signalAge = DefaultSignalRetention
	}
	now = now.UTC()
	// The IN over check_ids makes each DELETE a range of the primary key
	// per check, rather than a scan of the table.
	const byCheck = `DELETE FROM rollups WHERE check_id IN (SELECT id FROM check_ids) AND period = $1 AND start < $2`
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		for _, d := range []struct {
			n     *int64
			query string
			args  []any
		}{
			{&r.Minutes, `DELETE FROM rollup_minutes WHERE check_id IN (SELECT id FROM check_ids) AND start < $1`,
				[]any{ceilUnix(now.Add(-MinuteRetention)) - (minutesPerHour-1)*60}},
			{&r.Hours, byCheck, []any{periodCode[PeriodHour], ceilUnix(now.Add(-HourRetention))}},
			{&r.Days, byCheck, []any{periodCode[PeriodDay], ceilUnix(now.Add(-DayRetention))}},
			// The newest signal stays whatever its age: SQLite gives a new
			// row the highest id plus one, and an emptied log would hand
			// out ids that consumers' cursors are already past.
			{&r.Signals, `DELETE FROM signals WHERE at < $1 AND id < (SELECT MAX(id) FROM signals)`, []any{now.Add(-signalAge)}},
		} {
			res, err := tx.ExecContext(ctx, d.query, d.args...)
			if err != nil {
				return err
			}
			if *d.n, err = res.RowsAffected(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Retained{}, fmt.Errorf("retain: %w", err)
	}
	return r, nil
}

const minutesPerHour = 60

// packedHour is the minutes of one check in one hour, as rollup_minutes
// stores them.
type packedHour struct {
	present uint64 // bit m: minute m has counters
	slots   [minutesPerHour]Bucket
}

// slotsVersion is the first byte of a packed hour, naming its layout.
const slotsVersion = 1

var errBadSlots = errors.New("malformed packed minutes")

// add merges a minute bucket into its slot.
func (h *packedHour) add(b *Bucket) {
	m := b.Minute.UTC().Minute()
	h.present |= 1 << m
	h.slots[m].merge(b)
}

// pack appends the layout of h to dst: the version byte, the presence
// bitmap as a little-endian uint64, then for each present minute in order
// its count and failures as uvarints and, when it has successes, its
// minimum, maximum − minimum and sum − minimum × successes, in
// microseconds, as varints. Differences keep the numbers, and so the
// varints, small.
func (h *packedHour) pack(dst []byte) []byte {
	dst = append(dst, slotsVersion)
	dst = binary.LittleEndian.AppendUint64(dst, h.present)
	for m := range minutesPerHour {
		if h.present&(1<<m) == 0 {
			continue
		}
		b := &h.slots[m]
		dst = binary.AppendUvarint(dst, uint64(b.Count))
		dst = binary.AppendUvarint(dst, uint64(b.Failures))
		if ok := int64(b.Count - b.Failures); ok > 0 {
			lo := b.Min.Microseconds()
			dst = binary.AppendVarint(dst, lo)
			dst = binary.AppendVarint(dst, b.Max.Microseconds()-lo)
			dst = binary.AppendVarint(dst, b.LatencySum.Microseconds()-lo*ok)
		}
	}
	return dst
}

// unpack replaces h by the hour packed in p; an empty p is an empty hour.
func (h *packedHour) unpack(p []byte) error {
	*h = packedHour{}
	if len(p) == 0 {
		return nil
	}
	if len(p) < 9 || p[0] != slotsVersion {
		return errBadSlots
	}
	h.present = binary.LittleEndian.Uint64(p[1:9])
	r := slotReader{p: p[9:]}
	for m := range minutesPerHour {
		if h.present&(1<<m) == 0 {
			continue
		}
		b := &h.slots[m]
		b.Count, b.Failures = int(r.uvarint()), int(r.uvarint())
		if ok := int64(b.Count - b.Failures); ok > 0 {
			lo := r.varint()
			b.Min = time.Duration(lo) * time.Microsecond
			b.Max = time.Duration(lo+r.varint()) * time.Microsecond
			b.LatencySum = time.Duration(r.varint()+lo*ok) * time.Microsecond
		}
	}
	if r.bad || len(r.p) > 0 || h.present>>minutesPerHour != 0 {
		*h = packedHour{}
		return errBadSlots
	}
	return nil
}

// slotReader reads varints, remembering whether one was malformed.
type slotReader struct {
	p   []byte
	bad bool
}

func (r *slotReader) uvarint() uint64 {
	v, n := binary.Uvarint(r.p)
	if n <= 0 {
		r.bad, r.p = true, nil
		return 0
	}
	r.p = r.p[n:]
	return v
}

func (r *slotReader) varint() int64 {
	v, n := binary.Varint(r.p)
	if n <= 0 {
		r.bad, r.p = true, nil
		return 0
	}
	r.p = r.p[n:]
	return v
}

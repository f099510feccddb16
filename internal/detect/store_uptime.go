package detect

import (
	"context"
	"fmt"
	"time"
)

// Uptime is the share of successful results of a check over a window.
type Uptime struct {
	Window   time.Duration
	Count    int
	Failures int
	// Ratio is (Count − Failures) / Count, and 0 when Count is 0 (no data).
	Ratio float64
}

// DefaultUptimeWindows are the windows Uptime reports when given none.
var DefaultUptimeWindows = []time.Duration{24 * time.Hour, 7 * 24 * time.Hour, 30 * 24 * time.Hour, 90 * 24 * time.Hour}

// uptimePeriod is the finest period kept for the whole of a window.
func uptimePeriod(window time.Duration) string {
	switch {
	case window <= MinuteRetention:
		return PeriodMinute
	case window <= HourRetention:
		return PeriodHour
	default:
		return PeriodDay
	}
}

// Uptime returns the uptime of a check over each window ending at now
// (DefaultUptimeWindows when none), counted from the finest rows kept for
// the whole window: minutes up to 48 h, hours up to 90 days, days beyond.
// A window counts the whole of the period it starts in, and the periods
// that started before now.
func (s *Store) Uptime(ctx context.Context, checkKey string, now time.Time, windows ...time.Duration) ([]Uptime, error) {
	if len(windows) == 0 {
		windows = DefaultUptimeWindows
	}
	id, found, err := s.checkID(ctx, checkKey)
	if err != nil {
		return nil, fmt.Errorf("uptime %s: %w", checkKey, err)
	}
	out := make([]Uptime, 0, len(windows))
	for _, w := range windows {
		period := uptimePeriod(w)
		since := now.UTC().Add(-w).Truncate(periodLength[period])
		u := Uptime{Window: w}
		switch {
		case !found:
		case period == PeriodMinute:
			err = s.eachMinute(ctx, id, since, now, func(b *Bucket) {
				u.Count += b.Count
				u.Failures += b.Failures
			})
		default:
			err = s.db.QueryRowContext(ctx,
				`SELECT COALESCE(SUM(count), 0), COALESCE(SUM(failures), 0) FROM rollups
					WHERE check_id = $1 AND period = $2 AND start >= $3 AND start < $4`,
				id, periodCode[period], ceilUnix(since), ceilUnix(now)).Scan(&u.Count, &u.Failures)
		}
		if err != nil {
			return nil, fmt.Errorf("uptime %s over %s: %w", checkKey, w, s.db.MapError(err))
		}
		if u.Count > 0 {
			u.Ratio = float64(u.Count-u.Failures) / float64(u.Count)
		}
		out = append(out, u)
	}
	return out, nil
}

package notify

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Duty is when a staff member is on watch, every day, in their own time
// zone: from From to To minutes after midnight, across midnight when To is
// not after From ("18:00-02:00"). Always and Never are the two ends.
type Duty struct {
	From, To int // minutes after local midnight
	Always   bool
	Never    bool
}

// ParseDuty reads "HH:MM-HH:MM", "always" or "" (never on duty).
func ParseDuty(s string) (Duty, error) {
	s = strings.TrimSpace(s)
	switch strings.ToLower(s) {
	case "", "never", "off":
		return Duty{Never: true}, nil
	case "always", "24h":
		return Duty{Always: true}, nil
	}
	from, to, ok := strings.Cut(s, "-")
	if !ok {
		return Duty{}, fmt.Errorf("duty hours: want HH:MM-HH:MM (such as 08:00-23:00), always or never, got %q", s)
	}
	f, err := parseClock(from)
	if err != nil {
		return Duty{}, fmt.Errorf("duty hours %q: start: %w", s, err)
	}
	t, err := parseClock(to)
	if err != nil {
		return Duty{}, fmt.Errorf("duty hours %q: end: %w", s, err)
	}
	if f == t {
		return Duty{Always: true}, nil
	}
	return Duty{From: f, To: t}, nil
}

func parseClock(s string) (int, error) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || len(m) != 2 || hh < 0 || hh > 24 || mm < 0 || mm > 59 || hh == 24 && mm != 0 {
		return 0, fmt.Errorf("want a time of day such as 08:00, got %q", s)
	}
	return hh*60 + mm, nil
}

// String spells the duty as ParseDuty reads it.
func (d Duty) String() string {
	switch {
	case d.Always:
		return "always"
	case d.Never:
		return ""
	}
	return fmt.Sprintf("%02d:%02d-%02d:%02d", d.From/60, d.From%60, d.To/60, d.To%60)
}

// On reports whether the duty covers the instant at, read on the wall
// clock of loc: a Montreal watch of 12:00-20:00 is 18:00-02:00 in Paris
// most of the year and moves by an hour in the weeks the two countries
// change their clocks on different days.
func (d Duty) On(at time.Time, loc *time.Location) bool {
	switch {
	case d.Always:
		return true
	case d.Never:
		return false
	}
	local := at.In(loc)
	m := local.Hour()*60 + local.Minute()
	if d.From < d.To {
		return m >= d.From && m < d.To
	}
	return m >= d.From || m < d.To
}

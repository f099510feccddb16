package detect

import "time"

// DefaultSilentFactor is how many poll intervals a location may miss
// before it is silent.
const DefaultSilentFactor = 3

// place is what Locations knows of one probe location.
type place struct {
	name        string
	last        time.Time     // last contact; zero before the first
	silentAfter time.Duration // 0: the default; < 0: never silent
	silent      bool          // as last reported by Sweep
}

// Locations tracks when each probe location was last heard from. A
// location that stays quiet longer than its silent delay is silent: it
// leaves every quorum until it reports again. A location never heard from
// is not silent; it simply does not report.
//
// Locations is not safe for concurrent use.
type Locations struct {
	silentAfter time.Duration // for locations not configured
	index       map[string]int
	places      []place // in order of first mention, so Sweep is deterministic
}

// NewLocations returns the tracker of locations that are silent after
// silentAfter without contact unless configured otherwise.
func NewLocations(silentAfter time.Duration) *Locations {
	return &Locations{silentAfter: silentAfter, index: make(map[string]int)}
}

func (l *Locations) place(name string) *place {
	i, ok := l.index[name]
	if !ok {
		i = len(l.places)
		l.index[name] = i
		l.places = append(l.places, place{name: name})
	}
	return &l.places[i]
}

// Set configures a location: it is silent after silentAfter without
// contact, or after DefaultSilentFactor × pollInterval when silentAfter is
// zero, after the default delay when both are zero, and never when
// silentAfter is negative (a local probe that only runs checks).
func (l *Locations) Set(name string, pollInterval, silentAfter time.Duration) {
	if silentAfter == 0 {
		silentAfter = DefaultSilentFactor * max(pollInterval, 0)
	}
	l.place(name).silentAfter = silentAfter
}

// Contact records that the location was heard from at now.
func (l *Locations) Contact(name string, now time.Time) {
	p := l.place(name)
	if now.After(p.last) {
		p.last = now
	}
}

// LastContact is when the location was last heard from; zero if never.
func (l *Locations) LastContact(name string) time.Time {
	if i, ok := l.index[name]; ok {
		return l.places[i].last
	}
	return time.Time{}
}

// Silent tells whether the location has been quiet longer than its silent
// delay at now.
func (l *Locations) Silent(name string, now time.Time) bool {
	i, ok := l.index[name]
	return ok && l.silentAt(&l.places[i], now)
}

func (l *Locations) silentAt(p *place, now time.Time) bool {
	after := p.silentAfter
	if after == 0 {
		after = l.silentAfter
	}
	return after > 0 && !p.last.IsZero() && now.Sub(p.last) > after
}

// Sweep returns a location-silent signal for each location that has become
// silent since the last Sweep, and a location-back signal for each that
// reported again.
func (l *Locations) Sweep(now time.Time) []Signal {
	return l.sweep(nil, now)
}

func (l *Locations) sweep(dst []Signal, now time.Time) []Signal {
	for i := range l.places {
		p := &l.places[i]
		silent := l.silentAt(p, now)
		if silent == p.silent {
			continue
		}
		p.silent = silent
		s := Signal{Kind: LocationBack, Location: p.name, At: now}
		if silent {
			s.Kind = LocationSilent
			s.Message = "no contact since " + p.last.UTC().Format(time.RFC3339)
		}
		dst = append(dst, s)
	}
	return dst
}

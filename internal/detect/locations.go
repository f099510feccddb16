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
	known       bool          // configured or heard from: swept
}

// Locations tracks when each probe location was last heard from. A
// location that stays quiet longer than its silent delay is silent: it
// leaves every quorum until it reports again. A location never heard from
// is not silent; it simply does not report.
//
// Locations also numbers the locations a Detector's checks name, so that
// each check keeps a small number rather than the name.
//
// Locations is not safe for concurrent use.
type Locations struct {
	silentAfter time.Duration // for locations not configured
	index       map[string]uint16
	places      []place  // by number
	order       []uint16 // the known places in order of first mention, so Sweep is deterministic
}

// maxPlaces bounds the numbers of locations; past it, further names share
// the last number.
const maxPlaces = 1<<16 - 1

// NewLocations returns the tracker of locations that are silent after
// silentAfter without contact unless configured otherwise.
func NewLocations(silentAfter time.Duration) *Locations {
	return &Locations{silentAfter: silentAfter, index: make(map[string]uint16)}
}

// id returns the number of a location, numbering it on first mention.
func (l *Locations) id(name string) uint16 {
	if i, ok := l.index[name]; ok {
		return i
	}
	if len(l.places) >= maxPlaces {
		return maxPlaces - 1
	}
	i := uint16(len(l.places))
	l.index[name] = i
	l.places = append(l.places, place{name: name})
	return i
}

// name is the name of location number i.
func (l *Locations) name(i uint16) string { return l.places[i].name }

// place returns a location configured or heard from.
func (l *Locations) place(name string) *place { return l.known(l.id(name)) }

func (l *Locations) known(i uint16) *place {
	p := &l.places[i]
	if !p.known {
		p.known = true
		l.order = append(l.order, i)
	}
	return p
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
func (l *Locations) Contact(name string, now time.Time) { l.contact(l.id(name), now) }

func (l *Locations) contact(i uint16, now time.Time) {
	p := l.known(i)
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
	for _, i := range l.order {
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

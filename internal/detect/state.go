package detect

import (
	"math"
	"time"
)

// State is the hard (confirmed) state of a check, from one location or
// across all of them.
type State uint8

// The hard states. A check starts Unknown and leaves it on its first
// confirmed result; it never goes back to Unknown.
const (
	Unknown State = iota
	Up
	Down
)

// String names the state as stored and shown: "unknown", "up", "down".
func (s State) String() string {
	switch s {
	case Up:
		return "up"
	case Down:
		return "down"
	default:
		return "unknown"
	}
}

// MarshalText writes the state's name.
func (s State) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Window is the number of recent results per location that flapping is
// judged on.
const Window = 20

// Defaults of the state machine.
const (
	DefaultRecoveries = 2    // consecutive successes that bring a down check back up
	DefaultFlapStart  = 0.5  // share of the Window-1 possible transitions above which a location flaps
	DefaultFlapStop   = 0.25 // share below which it stops flapping
)

// Bounds of the retry interval used while a check is soft-failing.
const (
	MinRetryInterval = 5 * time.Second
	MaxRetryInterval = 60 * time.Second
)

// RetryInterval is how soon to run a check again while it is soft-failing
// or soft-recovering: a quarter of its interval, within MinRetryInterval and
// MaxRetryInterval, and never longer than the interval itself.
func RetryInterval(interval time.Duration) time.Duration {
	r := min(max(interval/4, MinRetryInterval), MaxRetryInterval)
	if interval > 0 && r > interval {
		return interval
	}
	return r
}

// Policy holds the thresholds of the state machine. Its zero value means
// the defaults.
type Policy struct {
	// Recoveries is how many consecutive successes bring a down check
	// back up (DefaultRecoveries when zero).
	Recoveries int
	// FlapStart is the share of state changes among the last Window
	// results above which a location is flapping (DefaultFlapStart when
	// zero).
	FlapStart float64
	// FlapStop is the share below which it stops flapping
	// (DefaultFlapStop when zero); it must be below FlapStart.
	FlapStop float64
}

// thresholds is a Policy compiled to the integers the hot path compares.
type thresholds struct {
	recoveries uint8 // successes from Down to Up
	flapStart  uint8 // transitions at or above which flapping starts
	flapStop   uint8 // transitions at or below which flapping stops
}

// compile applies the defaults and turns shares into transition counts over
// the Window-1 possible transitions.
func (p Policy) compile() thresholds {
	rec := p.Recoveries
	if rec <= 0 {
		rec = DefaultRecoveries
	}
	start, stop := p.FlapStart, p.FlapStop
	if start <= 0 {
		start = DefaultFlapStart
	}
	if stop <= 0 {
		stop = DefaultFlapStop
	}
	stop = min(stop, start)
	const pairs = Window - 1
	// "Above start" is the smallest count strictly greater than start×pairs;
	// "below stop" the largest count strictly smaller than stop×pairs.
	startN := int(math.Floor(start*pairs)) + 1
	stopN := int(math.Ceil(stop*pairs)) - 1
	return thresholds{
		recoveries: uint8(min(rec, math.MaxUint8)),
		flapStart:  uint8(min(max(startN, 1), pairs+1)),
		flapStop:   uint8(min(max(stopN, 0), pairs)),
	}
}

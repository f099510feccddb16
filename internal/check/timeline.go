package check

import (
	"context"
	"time"
)

// timer is one of the timed phases of Timings.
type timer int

const (
	timerDNS timer = iota
	timerConnect
	timerTLS
	timerFirstByte
	timerCount
	noTimer timer = -1
)

// timerOf maps a phase to the duration it adds to: resolving to DNS,
// connecting to Connect, the handshake to TLS, and waiting for the answer
// after the request was written to FirstByte.
func timerOf(p Phase) timer {
	switch p {
	case PhaseResolve:
		return timerDNS
	case PhaseConnect:
		return timerConnect
	case PhaseTLS:
		return timerTLS
	case PhaseResponse:
		return timerFirstByte
	}
	return noTimer
}

// timeline follows one run through its phases: which phase is under way, for
// the result of a failure, and how long each timed phase took, summed over
// every connection of the run (redirects make several). The dialer and the
// executor write to it, on the run's goroutine.
type timeline struct {
	start time.Time
	phase Phase
	began [timerCount]time.Time
	spent [timerCount]time.Duration
}

// newTimeline starts a timeline in the connect phase, where every kind
// begins unless it has a name to resolve.
func newTimeline() *timeline {
	return &timeline{start: time.Now(), phase: PhaseConnect}
}

// begin enters phase p and starts its timer, if it has one.
func (t *timeline) begin(p Phase) {
	t.phase = p
	if k := timerOf(p); k != noTimer {
		t.began[k] = time.Now()
	}
}

// end stops the timer of phase p, keeping p as the phase under way until
// another begins.
func (t *timeline) end(p Phase) {
	if k := timerOf(p); k != noTimer && !t.began[k].IsZero() {
		t.spent[k] += time.Since(t.began[k])
		t.began[k] = time.Time{}
	}
}

// mark sets the phase under way without timing it, for a phase another
// party went through, such as a name that Options.Dial could not resolve.
func (t *timeline) mark(p Phase) {
	t.phase = p
}

// current is the phase under way.
func (t *timeline) current() Phase {
	return t.phase
}

// result ends the run: timers still running count up to now, so a timeout
// shows how long the phase waited.
func (t *timeline) result(p Phase, r Reason, msg string) Result {
	now := time.Now()
	var d [timerCount]time.Duration
	for k := range d {
		d[k] = t.spent[k]
		if !t.began[k].IsZero() {
			d[k] += now.Sub(t.began[k])
		}
	}
	return Result{
		OK:      r == "",
		Phase:   p,
		Reason:  r,
		Message: msg,
		Timings: Timings{
			DNS:       d[timerDNS],
			Connect:   d[timerConnect],
			TLS:       d[timerTLS],
			FirstByte: d[timerFirstByte],
			Total:     now.Sub(t.start),
		},
	}
}

// done is the result of a run that passed every test.
func (t *timeline) done(msg string) Result { return t.result(PhaseDone, "", msg) }

// failWith is a failure of the given reason in the phase under way.
func (t *timeline) failWith(r Reason, msg string) Result { return t.result(t.current(), r, msg) }

// fail is the failure err caused in the phase under way.
func (t *timeline) fail(ctx context.Context, err error) Result {
	p := t.current()
	return t.result(p, reasonFor(ctx, p, err), errorMessage(err))
}

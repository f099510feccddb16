package probe

import (
	"context"
	"math"
	"time"

	"github.com/vigie/vigie/internal/check"
)

// runState is where a check's current run stands.
type runState uint8

const (
	idle    runState = iota
	waiting          // due, waiting for a slot of its target
	ready            // holds a target slot, waiting for a worker
	running
)

// entry is one scheduled check. There is one per check, so it is kept
// small (112 bytes): times are durations since the scheduler's epoch, what
// the check tells (its kind, its phase) is read from it when needed, and
// the fields are ordered so that none is padded.
type entry struct {
	key    string // shared with the monitor and the detector when it gives it
	check  *check.Check
	target string
	slot   *target // whose slot the run holds
	cancel context.CancelFunc

	interval time.Duration
	next     time.Duration // next regular run, since the epoch
	retry    time.Duration // early run asked by Retry, since the epoch; noRetry when none

	// The run queued or in flight, and the one deferred behind it, planned
	// at these times since the epoch.
	planned        time.Duration
	pendingPlanned time.Duration

	index        int32  // in the heap
	need         uint16 // its share of a worker, see needOf
	generation   uint8  // of the last Set that listed it, see Set
	state        runState
	removed      bool
	isRetry      bool
	pending      bool
	pendingRetry bool
}

// noRetry is the retry time of an entry with no early run asked: later
// than any, so that due is the least of retry and next.
const noRetry = time.Duration(math.MaxInt64)

// due is when the entry next fires, since the epoch.
func (e *entry) due() time.Duration { return min(e.retry, e.next) }

// target counts the runs in flight against one host and queues those
// waiting for a slot.
type target struct {
	name    string
	active  int
	waiting []*entry
}

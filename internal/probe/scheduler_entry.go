package probe

import (
	"context"
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

// entry is one scheduled check.
type entry struct {
	key        string
	check      *check.Check
	kind       string // the check's kind, as a metric label
	target     string
	interval   time.Duration
	offset     time.Duration // phase within the interval
	next       time.Time     // next regular run
	retry      time.Time     // early run asked by Retry; zero when none
	index      int           // in the heap
	generation uint64        // of the last Set that listed it
	need       int32         // its share of a worker, see needOf
	removed    bool

	// The run queued or in flight, and the one deferred behind it.
	state          runState
	planned        time.Time
	isRetry        bool
	pending        bool
	pendingPlanned time.Time
	pendingRetry   bool
	slot           *target // whose slot the run holds
	cancel         context.CancelFunc
}

// due is when the entry next fires.
func (e *entry) due() time.Time {
	if !e.retry.IsZero() && e.retry.Before(e.next) {
		return e.retry
	}
	return e.next
}

// target counts the runs in flight against one host and queues those
// waiting for a slot.
type target struct {
	name    string
	active  int
	waiting []*entry
}

package probe

import (
	"testing/synctest"
	"time"
)

// advance moves the fake clock of the synctest bubble the test runs in by
// d, then waits until every other goroutine of the bubble is blocked, so
// that everything due by then has run and nothing else is under way. No
// real time passes. It panics outside a bubble: call it only from a test
// run with synctest.Test.
func advance(d time.Duration) {
	time.Sleep(d)
	synctest.Wait()
}

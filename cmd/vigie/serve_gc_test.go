package main

import (
	"runtime/debug"
	"testing"
)

func TestServerCollectsAtHalfTheLiveHeapUnlessGOGCIsSet(t *testing.T) {
	before := debug.SetGCPercent(100)
	t.Cleanup(func() { debug.SetGCPercent(before) })

	tuneGC(envWith(map[string]string{"GOGC": "200"}))
	if got := debug.SetGCPercent(100); got != 100 {
		t.Fatalf("with GOGC set, the target became %d, want it left alone", got)
	}
	tuneGC(envWith(nil))
	if got := debug.SetGCPercent(100); got != serveGCPercent {
		t.Fatalf("without GOGC, the target is %d, want %d", got, serveGCPercent)
	}
}

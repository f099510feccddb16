package main

import "runtime/debug"

// serveGCPercent is the collector's target for `vigie serve` when GOGC is
// not set: the heap grows to 1.5 times what is live between collections,
// not twice. At 20,000 checks every 10 s that is 18 MiB less RSS (129 to
// 111) for about 2 % more of a core spent collecting (docs/benchmarks.md,
// "The whole server's memory at 20,000 checks"); GOGC=100 gives Go's
// default back.
const serveGCPercent = 50

// tuneGC sets the server's collector target unless GOGC says otherwise.
func tuneGC(getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(serveGCPercent)
	}
}

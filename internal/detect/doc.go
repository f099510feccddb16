// Package detect turns probe results into confirmed state changes: a
// soft/hard state machine per check and location (Tracker), a quorum across
// the locations of a check (Quorum), the liveness of the locations
// themselves (Locations), and per-minute counters (Rollup). It is pure
// logic: no database, no goroutines, and every method takes the current
// time, so the same inputs always give the same signals.
package detect

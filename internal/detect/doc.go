// Package detect turns probe results into confirmed state changes: a
// soft/hard state machine per check and location (Tracker), a quorum across
// the locations of a check (Quorum), the liveness of the locations
// themselves (Locations), and per-minute counters (Rollup). That logic has
// no database and no goroutines, and every method takes the current time,
// so the same inputs always give the same signals. Store keeps what it
// produces: signals, the last state of each check, and the rollups per
// minute, hour and day.
package detect

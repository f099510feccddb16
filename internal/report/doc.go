// Package report computes what a customer is shown about their own
// assets: their availability over a period, their recent latency as an
// SVG chart, their problems in plain words, and the monthly availability
// report (HTML data and PDF).
//
// # Availability
//
// The availability of an asset comes from the detector's confirmed states
// (the check-up and check-down signals of the log, and the last state of
// each check), not from the raw share of successful results: one failed
// probe that the detector did not confirm is not downtime.
//
// The asset's checks that say whether it answers (http, tcp, dns and tls;
// not heartbeats, which tell of backup jobs, nor host checks, which tell
// of a machine's settings) are folded into one state at every instant:
//
//   - Maintenance: the instant lies in an announced maintenance window
//     touching the asset (see below), whatever the checks say;
//   - Down: otherwise, one of the checks is down;
//   - Up: otherwise, at least one check is up;
//   - Unknown: otherwise, no check has a confirmed state yet (it was
//     not monitored yet, or its history is older than the log keeps).
//
// A tls check that fails only because its certificate expires soon
// (still valid, but within its min_days) is a warning, not an outage:
// the site still answers, so that time counts as up. An expired or
// invalid certificate is down.
//
// Availability is Up / (Up + Down). Maintenance and Unknown time are
// removed from both the numerator and the denominator; both are shown
// beside the figure, so that a month mostly unmonitored is visible. A
// period with no Up or Down time at all has no availability ("no data").
// A check keeps its last confirmed state while no results arrive: a gap
// in probing is not unknown time, since the detector confirms changes
// only from results.
//
// # Announced maintenance
//
// A maintenance window touches an asset when the asset is one of its
// assets or depends on one of them, transitively, in today's inventory.
// An occurrence of a window is announced when the window was created
// before the occurrence began and is not cancelled. When the window was
// changed while the occurrence was under way (extended during the work,
// say), only the time before that change counts: what came after was
// not announced in advance.
package report

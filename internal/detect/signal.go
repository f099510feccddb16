package detect

import (
	"time"

	"github.com/vigie/vigie/internal/check"
)

// SignalKind names what a Signal reports.
type SignalKind string

// The kinds of signals. Check signals concern a check across its
// locations (flapping is judged per location and names it); location
// signals concern a probe location, for one check or for all of them.
const (
	CheckDown         SignalKind = "check-down"         // a quorum of locations confirm the check is down
	CheckUp           SignalKind = "check-up"           // a majority of locations confirm it is up
	CheckFlapping     SignalKind = "check-flapping"     // one location sees the check change too often
	CheckStable       SignalKind = "check-stable"       // that location sees it settle again
	LocationProblem   SignalKind = "location-problem"   // one location sees the check down while the others see it up
	LocationRecovered SignalKind = "location-recovered" // that location sees it up again, or no longer probes it
	LocationSilent    SignalKind = "location-silent"    // a probe location stopped reporting
	LocationBack      SignalKind = "location-back"      // it reports again
	// A host's settings against the compliance rules, from its agent's facts.
	ComplianceViolation SignalKind = "compliance-violation" // the host breaks a rule
	ComplianceOK        SignalKind = "compliance-ok"        // it complies with every rule again
)

// Signal is a confirmed change that later stages store and act on.
type Signal struct {
	Kind     SignalKind
	Check    string // check key; empty for location-silent and location-back
	Asset    string
	Location string
	At       time.Time
	// From and To are the states of the check (check-down, check-up) or
	// of the check from Location (the other kinds about a check).
	From, To State
	Reason   check.Reason
	Message  string
	// Source is the producer that appended it to the log.
	Source Source
	// Results are the evidence, oldest first; shared and read only.
	Results []check.Result
}

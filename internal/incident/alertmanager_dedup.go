package incident

import "time"

// DedupEntry is what is remembered of one alert, by fingerprint, to make
// repeated Alertmanager deliveries idempotent (the alert_dedup table).
type DedupEntry struct {
	Fingerprint string
	Firing      bool
	StartsAt    time.Time
	EndsAt      time.Time
}

// freshness says whether a delivery of an alert is news against the last
// state seen of it, prev (nil for a first sighting), and whether it
// replaces prev: a first sighting, the resolution of a firing alert, or a
// new start (the alert fired again) are news. Deliveries about an earlier
// start than the one remembered, or firing for a start already seen
// resolved, are stale: Alertmanager replicas deliver independently and
// out of order. The end of a firing alert is ignored, since Prometheus
// moves it forward on every resend.
func freshness(prev *DedupEntry, a AlertSignal) (fresh, record bool) {
	switch {
	case prev == nil, a.StartsAt.After(prev.StartsAt):
		return true, true
	case a.StartsAt.Before(prev.StartsAt), a.Firing && !prev.Firing:
		return false, false
	default:
		return prev.Firing && !a.Firing, true
	}
}

package probe

import (
	"time"

	"github.com/vigie/vigie/internal/detect"
)

// SilentAt reports whether an active location that has reported before
// has been quiet at now for longer than the detector allows
// (detect.DefaultSilentFactor poll intervals, the default interval when
// the probe has not told its own), give or take the lag of LastSeenAt.
// A location never seen is not silent: it has simply not started.
func (l Location) SilentAt(now time.Time) bool {
	if l.Revoked() || l.LastSeenAt == nil {
		return false
	}
	poll := l.PollInterval
	if poll <= 0 {
		poll = detect.DefaultPollInterval
	}
	return now.Sub(*l.LastSeenAt) > detect.DefaultSilentFactor*poll+locationSeenInterval
}

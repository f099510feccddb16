package probe

import (
	"testing"
	"time"
)

// TestALocationIsSilentAfterThreePollsWithoutContact: never seen or
// revoked is not silent; seen within three poll intervals (and the lag of
// its sighting) is not; quiet longer is.
func TestALocationIsSilentAfterThreePollsWithoutContact(t *testing.T) {
	now := time.Date(2026, 12, 7, 2, 0, 0, 0, time.UTC)
	ago := func(d time.Duration) *time.Time { t := now.Add(-d); return &t }
	cases := []struct {
		name string
		l    Location
		want bool
	}{
		{"never seen", Location{Name: "a"}, false},
		{"revoked long ago", Location{Name: "a", LastSeenAt: ago(time.Hour), RevokedAt: ago(time.Hour)}, false},
		{"seen within three polls", Location{Name: "a", LastSeenAt: ago(40 * time.Second), PollInterval: 10 * time.Second}, false},
		{"quiet past three polls", Location{Name: "a", LastSeenAt: ago(41 * time.Second), PollInterval: 10 * time.Second}, true},
		{"default poll, seen 90 s ago", Location{Name: "a", LastSeenAt: ago(90 * time.Second)}, false},
		{"default poll, quiet 2 min", Location{Name: "a", LastSeenAt: ago(2 * time.Minute)}, true},
	}
	for _, c := range cases {
		if got := c.l.SilentAt(now); got != c.want {
			t.Errorf("%s: silent %v, want %v", c.name, got, c.want)
		}
	}
}

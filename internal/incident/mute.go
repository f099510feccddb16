package incident

import (
	"time"
)

// Mutes says whether signals on an asset are muted at a time, and why.
// Maintenance, manual silences (and, in correlation, a parent already
// down) answer the same question, asked in one place.
type Mutes interface {
	Muted(asset string, at time.Time) (bool, string)
}

// Ancestry tells whether an asset depends, transitively, on another;
// *inventory.Graph's PathTo gives it.
type Ancestry interface {
	PathTo(from []string, to string) []string
}

// Maintenances mutes the assets in the scope of the windows in progress:
// the windows' assets and everything that depends on them.
type Maintenances struct {
	Windows []Window
	Graph   Ancestry
}

// Muted implements Mutes.
func (m Maintenances) Muted(asset string, at time.Time) (bool, string) {
	for i := range m.Windows {
		w := &m.Windows[i]
		if !w.Active(at) {
			continue
		}
		for _, a := range w.Assets {
			if a == asset || (m.Graph != nil && m.Graph.PathTo([]string{asset}, a) != nil) {
				return true, "maintenance " + w.ID + ": " + w.Title
			}
		}
	}
	return false, ""
}

// Silence is a manual silence of one asset until a time.
type Silence struct {
	Asset  string
	Until  time.Time
	Reason string
}

// Silences mutes the assets silenced by hand.
type Silences []Silence

// Muted implements Mutes.
func (s Silences) Muted(asset string, at time.Time) (bool, string) {
	for _, sl := range s {
		if sl.Asset == asset && at.Before(sl.Until) {
			return true, "silenced: " + sl.Reason
		}
	}
	return false, ""
}

// AllMutes asks each Mutes in turn; the first that mutes gives the reason.
type AllMutes []Mutes

// Muted implements Mutes.
func (all AllMutes) Muted(asset string, at time.Time) (bool, string) {
	for _, m := range all {
		if ok, why := m.Muted(asset, at); ok {
			return true, why
		}
	}
	return false, ""
}

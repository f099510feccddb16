package status

import (
	"time"

	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/inventory"
)

// History is how far back a component's bars go.
const History = 90 * 24 * time.Hour

// Archive is how long a resolved incident or a past window keeps its page,
// its place in the month's history, the feeds and the documents, so that
// links given out (a feed entry, a Statuspage shortlink) keep working.
const Archive = 400 * 24 * time.Hour

// Input is what a Page is built from: the state of the stores at one
// moment, read by the caller (internal/app) so that Build is pure.
type Input struct {
	Now  time.Time
	Zone *time.Location
	// Name, URL and MirrorURL are copied to the page.
	Name, URL, MirrorURL string
	// Components in declaration order, and the assets each covers, by
	// component id (inventory.ComponentID).
	Components []inventory.Component
	Covered    map[string][]string
	// Graph gives the scope of incidents and windows and the owners of
	// assets.
	Graph *inventory.Graph
	// Incidents are the open ones and those resolved within Archive,
	// of every cause (Build keeps site problems off the public page),
	// settled ones only: an incident in its settle window is not public.
	Incidents []incident.Incident
	// Events, Updates and Overrides are by incident id.
	Events    map[int64][]incident.Event
	Updates   map[int64][]incident.PublicUpdate
	Overrides map[int64][]incident.ComponentOverride
	// PostMortems are the public post-mortems as HTML, by incident id.
	PostMortems map[int64]string
	// Windows are every maintenance window kept, cancelled ones included.
	Windows []incident.Window
}

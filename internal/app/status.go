package app

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/vigie/vigie/internal/i18n"
	"github.com/vigie/vigie/internal/status"
)

// statusSource reads the stores for the public page.
type statusSource struct {
	a    *App
	zone *time.Location
	now  func() time.Time
}

// Fingerprint changes whenever the incidents, maintenance, post-mortems
// or the inventory graph in memory (and with it components and their
// coverage) change.
func (s *statusSource) Fingerprint(ctx context.Context) (string, error) {
	fp, err := s.a.Incidents.Fingerprint(ctx)
	if err != nil {
		return "", err
	}
	// The version of the graph in memory, not the database's: the page is
	// built on that graph, and a change made by another process reaches
	// it only when the graph is reloaded. Keyed on the database's, the
	// page would be built once on the old graph and never again.
	g := s.a.Inventory.Graph()
	if g == nil {
		if err := s.a.Inventory.LoadGraph(ctx); err != nil {
			return "", fmt.Errorf("load inventory graph: %w", err)
		}
		g = s.a.Inventory.Graph()
	}
	return fp + "|" + strconv.FormatInt(g.Version(), 10), nil
}

// Load reads what the page shows: components and what they cover, the
// settled incidents of the history kept with their timelines, public
// updates, overrides and public post-mortems, and every maintenance
// window. An incident still in its settle window is staff's alone: it
// shows, on everyone's page and on its customers' own, once settled.
func (s *statusSource) Load(ctx context.Context) (*status.Input, error) {
	a := s.a
	if a.Inventory.Graph() == nil {
		if err := a.Inventory.LoadGraph(ctx); err != nil {
			return nil, fmt.Errorf("load inventory graph: %w", err)
		}
	}
	in := &status.Input{Zone: s.zone, Name: a.cfg.PublicName, URL: a.cfg.PublicURL, MirrorURL: a.cfg.MirrorURL,
		Graph: a.Inventory.Graph()}
	var err error
	if in.Components, err = a.Inventory.Components(ctx); err != nil {
		return nil, err
	}
	if in.Covered, err = a.Inventory.ComponentCoverage(ctx); err != nil {
		return nil, err
	}
	if in.Incidents, err = a.Incidents.PublicSince(ctx, s.now().Add(-status.Archive)); err != nil {
		return nil, err
	}
	ids := make([]int64, len(in.Incidents))
	for i := range in.Incidents {
		ids[i] = in.Incidents[i].ID
	}
	if in.Events, err = a.Incidents.EventsOf(ctx, ids); err != nil {
		return nil, err
	}
	if in.Updates, err = a.Incidents.PublicUpdates(ctx, ids); err != nil {
		return nil, err
	}
	if in.Overrides, err = a.Incidents.ComponentOverrides(ctx, ids); err != nil {
		return nil, err
	}
	if in.PostMortems, err = a.PostMortems.PublicHTML(ctx, ids); err != nil {
		return nil, err
	}
	if in.Windows, err = a.Maintenance.ListAll(ctx); err != nil {
		return nil, err
	}
	return in, nil
}

// newPublisher builds the public side's publisher from the configuration.
func newPublisher(a *App, cfg Config, bundle *i18n.Bundle) (*status.Publisher, error) {
	zone, err := time.LoadLocation(cfg.StatusZone)
	if err != nil {
		return nil, fmt.Errorf("status zone %q: %w", cfg.StatusZone, err)
	}
	renderer, err := status.NewRenderer(bundle)
	if err != nil {
		return nil, err
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	return status.NewPublisher(status.PublisherOptions{
		Source:     &statusSource{a: a, zone: zone, now: now},
		Tokens:     a.StatusTokens,
		Build:      func(in *status.Input, customer string) *status.Page { return status.Build(in, customer, bundle) },
		Render:     renderer.Render,
		RenderPart: renderer.RenderPart,
		Mirror:     cfg.Mirror,
		Now:        now,
		Logger:     cfg.Logger,
	}), nil
}

// ExportStatus writes the public status page as static files under dir
// and returns how many.
func (a *App) ExportStatus(ctx context.Context, dir string) (int, error) {
	if err := a.Inventory.LoadGraph(ctx); err != nil {
		return 0, fmt.Errorf("load inventory graph: %w", err)
	}
	if err := a.Status.Refresh(ctx); err != nil {
		return 0, err
	}
	site := a.Status.Site()
	if err := status.WriteDir(site, dir); err != nil {
		return 0, err
	}
	return len(site.Files), nil
}

package app

import (
	"context"
	"path/filepath"
	"strings"
	"time"

	"github.com/vigie/vigie/internal/health"
	"github.com/vigie/vigie/internal/i18n"
	"github.com/vigie/vigie/internal/support"
)

// componentSupport names the leader's support work on /readyz.
const componentSupport = "support"

// supportBatch is how many incident changes the follower takes per round.
const supportBatch = 100

// openSupport builds the ticket store; its outbox is handed to the
// incident store with the notifications' (openNotify).
func (a *App) openSupport(cfg Config, bundle *i18n.Bundle) {
	dir := cfg.Attachments
	if path, ok := strings.CutPrefix(cfg.DB, "sqlite:"); ok && dir == "" {
		dir = filepath.Join(filepath.Dir(path), "attachments")
	}
	a.Support = support.NewStore(a.DB, support.Options{Incidents: a.Incidents, Maintenance: a.Maintenance, Mailer: a.Notify,
		Inventory: a.Inventory, Auth: a.Auth, Texts: bundle, Attachments: dir, Window: cfg.TicketWindow,
		PublicURL: cfg.PublicURL, Now: cfg.Now, Logger: a.Log})
	a.Metrics.MustRegister(a.Support.Collector())
}

// runSupport follows incident changes for support while this process
// leads: tickets on an incident's scope are linked to it and told when it
// is resolved; woken by new triggers and at least every sweep.
func (a *App) runSupport(ctx context.Context, c *health.Component) {
	wake, stop := a.DB.Subscribe(support.TopicSupport)
	defer stop()
	health.Loop(ctx, c, a.Log, a.cfg.SweepEvery, wake, func(ctx context.Context) (time.Duration, bool, error) {
		n, err := a.Support.Follow(ctx, supportBatch)
		return 0, n == supportBatch, err
	})
}

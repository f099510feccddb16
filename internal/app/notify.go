package app

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/vigie/vigie/internal/health"
	"github.com/vigie/vigie/internal/i18n"
	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/notify"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/support"
)

// componentNotify names the leader's notification work on /readyz.
const componentNotify = "notifications"

// notifier holds what sends notifications: the renderer and one sender
// per channel kind.
type notifier struct {
	renderer *notify.Renderer
	email    *notify.EmailSender
	senders  map[notify.Kind]notify.Sender
	// worker delivers while this process leads, woken by wake; it is
	// built once, so that its metrics are registered once.
	worker *notify.Worker
	wake   chan struct{}
}

// openNotify builds the notification services: the outbox store, the
// preferences, the signed links, the senders, and the intake that makes
// every incident event, public update and window change a row of the
// outbox in its own transaction.
func (a *App) openNotify(ctx context.Context, cfg Config, bundle *i18n.Bundle) error {
	r, err := notify.NewRenderer(bundle, notify.RenderOptions{PublicName: cfg.PublicName, PublicURL: cfg.PublicURL})
	if err != nil {
		return fmt.Errorf("notifications: %w", err)
	}
	email := &notify.EmailSender{RootCAs: cfg.MailRootCAs}
	a.notifier = notifier{renderer: r, email: email, senders: map[notify.Kind]notify.Sender{
		notify.KindEmail:     email,
		notify.KindWebhook:   notify.NewWebhookSender(nil, nil),
		notify.KindSlack:     notify.NewSlackSender(nil, nil),
		notify.KindDiscord:   notify.NewDiscordSender(nil, nil),
		notify.KindMastodon:  notify.NewMastodonSender(nil, nil),
		notify.KindDiscourse: notify.NewDiscourseSender(nil, nil),
	}}
	a.Notify = notify.NewStore(a.DB)
	a.Notify.Validators = notify.ValidatorsOf(a.notifier.senders)
	a.NotifyPrefs = notify.NewPrefs(a.DB, nil)
	if a.NotifyLinks, err = notify.LoadLinks(ctx, a.DB); err != nil {
		return err
	}
	a.notifier.wake = make(chan struct{}, 1)
	// A send must end well within its lease, or the message would be
	// taken again, and sent twice, while still going out.
	send := 30 * time.Second
	if cfg.NotifyLease > 0 {
		send = min(send, cfg.NotifyLease/3)
	}
	a.notifier.worker = notify.NewWorker(a.Notify, a.notifier.senders, a.notifier.renderer.Render, notify.WorkerOptions{
		Host: a.publicHost(), Logger: a.Log, Record: a.recordNotification, Wake: a.notifier.wake, Now: cfg.Now,
		Lease: cfg.NotifyLease, SendTimeout: send, Poll: min(time.Second, cfg.SweepEvery), Registerer: a.Metrics})
	triggers := notify.NewTriggers(a.DB)
	a.Incidents.SetOutbox(incident.Outboxes{triggers, support.NewTriggers(a.DB)})
	a.Maintenance.SetOutbox(triggers)
	return nil
}

// publicHost is the host name of the public URL, for Message-IDs.
func (a *App) publicHost() string {
	if u, err := url.Parse(a.cfg.PublicURL); err == nil && u.Hostname() != "" {
		return u.Hostname()
	}
	return "vigie.invalid"
}

// SendTest sends a test message on a channel at once.
func (a *App) SendTest(ctx context.Context, channelID string, to notify.Recipient) error {
	return a.Notify.SendTest(ctx, a.notifier.senders, a.notifier.renderer.Render, a.publicHost(), channelID, to,
		func(ctx context.Context, id string) (notify.Recipient, error) {
			c, err := a.Inventory.Customer(ctx, id)
			if err != nil {
				return notify.Recipient{}, err
			}
			r, ok := notify.CustomerRecipient(c)
			if !ok {
				return r, fmt.Errorf("customer %s has no e-mail address", id)
			}
			return r, nil
		})
}

// Acknowledge takes the incident a signed acknowledgement link names.
func (a *App) Acknowledge(ctx context.Context, token string) (incident.Incident, notify.Ack, error) {
	inc, ack, err := a.Planner().Acknowledge(ctx, token)
	if err == nil {
		a.Status.Notify()
	}
	return inc, ack, err
}

// Planner returns a notification planner as configured (tests drive one
// by hand; the leader runs its own).
func (a *App) Planner() *notify.Planner {
	return notify.NewPlanner(notify.PlannerDeps{DB: a.DB, Queue: a.Notify, Channels: a.Notify.Channels, Prefs: a.NotifyPrefs,
		Links: a.NotifyLinks, Incidents: a.Incidents, Maintenance: a.Maintenance, Inventory: a.Inventory, Auth: a.Auth,
		Pages: a.Status}, notify.PlannerOptions{Window: a.cfg.NotifyWindow, Gather: a.cfg.NotifyGather,
		Ahead: a.cfg.MaintenanceNotice, Escalate: a.cfg.EscalateAfter, PublicURL: a.cfg.PublicURL, Now: a.cfg.Now,
		Logger: a.Log})
}

// Render renders a message as its channel would send it.
func (a *App) Render(m *notify.Message, lang string) (notify.Rendered, error) {
	return a.notifier.renderer.RenderIn(m, lang)
}

// PreviewUpdate renders what each channel would send for a public update.
func (a *App) PreviewUpdate(ctx context.Context, id int64, st incident.Status, fr, en string) ([]notify.Preview, error) {
	return a.Planner().PreviewUpdate(ctx, id, st, fr, en, a.Render)
}

// PreviewWindow renders what each channel would send to announce a
// maintenance window not saved yet.
func (a *App) PreviewWindow(ctx context.Context, w *incident.Window) ([]notify.Preview, error) {
	return a.Planner().PreviewWindow(ctx, w, a.Render)
}

// runNotify plans and delivers notifications while this process leads:
// the planner turns the outbox's triggers and the clock's notices into
// messages, woken by new triggers and at least every sweep; the worker
// delivers them.
func (a *App) runNotify(ctx context.Context, c *health.Component) {
	wakeTriggers, stopTriggers := a.DB.Subscribe(store.TopicOutbox)
	defer stopTriggers()
	wakeMessages, stopMessages := a.DB.Subscribe(store.TopicMessages)
	defer stopMessages()
	wake := a.notifier.wake
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-wakeMessages:
				select {
				case wake <- struct{}{}:
				default:
				}
			}
		}
	}()
	w := a.notifier.worker
	done := make(chan struct{})
	go func() {
		defer close(done)
		w.Run(ctx)
	}()
	p := a.Planner()
	health.Loop(ctx, c, a.Log, a.cfg.SweepEvery, wakeTriggers, func(ctx context.Context) (time.Duration, bool, error) {
		v := a.Settings.Current(ctx)
		p.Tune(v.MaintenanceNotice, v.EscalateAfter)
		_, err := p.Plan(ctx)
		return 0, false, err
	})
	<-done
}

// recordNotification writes a message's final outcome on the timeline of
// each incident it tells about, in the transaction that records it.
func (a *App) recordNotification(ctx context.Context, tx *sql.Tx, m *notify.Message, outcome string) error {
	var ids []int64
	for _, it := range m.Items {
		if it.IncidentID != 0 && !slices.Contains(ids, it.IncidentID) {
			ids = append(ids, it.IncidentID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	to := m.Recipient.ID
	if m.Recipient.Address != "" && m.Recipient.Address != to {
		to += " <" + m.Recipient.Address + ">"
	}
	text := fmt.Sprintf("%s on %s to %s: %s", m.Topic, m.Channel, to, outcome)
	if outcome != string(notify.StateSent) && m.LastError != "" {
		text += " (" + strings.TrimSpace(m.LastError) + ")"
	}
	now := time.Now()
	if a.cfg.Now != nil {
		now = a.cfg.Now()
	}
	for _, id := range ids {
		if err := a.Incidents.AddEventTx(ctx, tx, &incident.Event{IncidentID: id, At: now, Type: incident.EventNotification,
			Text: text}); err != nil {
			return err
		}
	}
	return nil
}

package notify

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/status"
	"github.com/vigie/vigie/internal/store"
)

// The defaults of PlannerOptions.
const (
	DefaultWindow     = 5 * time.Minute
	DefaultGather     = 20 * time.Second
	DefaultPageWindow = time.Minute
	DefaultAhead      = 72 * time.Hour
	DefaultEscalate   = 10 * time.Minute
	// ackValidity is how long an acknowledgement link works.
	ackValidity = 24 * time.Hour
	// lateNotice is how late a start or end notice may still go out (a
	// server down at the time sends it when back, not days later).
	lateNotice = time.Hour
)

// PlannerOptions tune who is told what, and when.
type PlannerOptions struct {
	// Window is the coalescing window: at most one message per recipient
	// and channel in it (default 5 min). Gather is how long a first
	// message to customers and public channels waits for others to join
	// it, so that a storm of incidents becomes one summary (default 20 s).
	Window, Gather time.Duration
	// PageWindow is Window for staff pages (default 1 min): the first page
	// goes at once, later ones are gathered.
	PageWindow time.Duration
	// Ahead is how long before a maintenance window its notice goes out
	// (default 3 days); Escalate how long a page may stay unacknowledged
	// before everyone is paged (default 10 min).
	Ahead, Escalate time.Duration
	// PublicURL is the root of the links in messages.
	PublicURL string
	Now       func() time.Time
	Logger    *slog.Logger
}

// Queue is where the planner puts messages, inside its transaction.
type Queue interface {
	Enqueue(ctx context.Context, tx *sql.Tx, m *Message, window time.Duration) (id int64, merged bool, err error)
}

// Pages gives the public side's view: the status page as everyone
// (customer "") or one customer sees it now, whose texts messages repeat.
type Pages interface {
	Page(ctx context.Context, customer string) (*status.Page, error)
}

// PlannerDeps are the planner's sources and its queue.
type PlannerDeps struct {
	DB          *store.DB
	Queue       Queue
	Channels    func(ctx context.Context) ([]Channel, error)
	Prefs       *Prefs
	Links       *Links
	Incidents   *incident.Store
	Maintenance *incident.MaintenanceStore
	Inventory   *inventory.Service
	Auth        *auth.Service
	Pages       Pages
}

// Planner turns the outbox's triggers into messages: who gets what, in
// which language, when. It runs on the leader; each trigger is planned in
// one transaction with the messages it causes, so a crash plans it again
// and the messages' idempotency keys keep it from being sent twice.
type Planner struct {
	d PlannerDeps
	o PlannerOptions
	// pages caches, for one round of Plan, the pages by customer: every
	// trigger of a round was committed before the round began.
	pages map[string]*status.Page
	aud   *audience
	// failures holds, by trigger, when planning it first failed: one that
	// keeps failing for setAsideAfter is set aside, so that it never holds
	// back the triggers after it for good. A passing fault (the database
	// away for a while) only delays it.
	failures map[int64]time.Time
}

// setAsideAfter is how long a trigger may keep failing to plan before it
// is set aside, logged as an error.
const setAsideAfter = 15 * time.Minute

// page returns the public page of customer ("" everyone's) for this round.
func (p *Planner) page(ctx context.Context, customer string) (*status.Page, error) {
	if pg, ok := p.pages[customer]; ok {
		return pg, nil
	}
	pg, err := p.d.Pages.Page(ctx, customer)
	if err != nil {
		return nil, fmt.Errorf("read the status page: %w", err)
	}
	if p.pages == nil {
		p.pages = map[string]*status.Page{}
	}
	p.pages[customer] = pg
	return pg, nil
}

// NewPlanner returns a planner.
func NewPlanner(d PlannerDeps, o PlannerOptions) *Planner {
	if o.Window <= 0 {
		o.Window = DefaultWindow
	}
	if o.Gather < 0 {
		o.Gather = 0
	} else if o.Gather == 0 {
		o.Gather = DefaultGather
	}
	if o.PageWindow <= 0 {
		o.PageWindow = DefaultPageWindow
	}
	if o.Ahead <= 0 {
		o.Ahead = DefaultAhead
	}
	if o.Escalate <= 0 {
		o.Escalate = DefaultEscalate
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	o.PublicURL = strings.TrimRight(o.PublicURL, "/")
	return &Planner{d: d, o: o}
}

// Tune changes how early maintenance notices go out and how long a page
// may stay unacknowledged (a zero keeps the one in use), for settings
// changed while the planner runs. The planner's own goroutine calls it,
// between rounds.
func (p *Planner) Tune(ahead, escalate time.Duration) {
	if ahead > 0 {
		p.o.Ahead = ahead
	}
	if escalate > 0 {
		p.o.Escalate = escalate
	}
}

// trigger is one row of the outbox.
type trigger struct {
	id int64
	incident.Trigger
}

// plan is what one trigger or one timed notice causes.
type plan struct {
	msgs []planned
	// told are the subjects ("i12", "m4/1767232800") and customers now
	// told about them; marks the timed notices done.
	told  map[string][]string
	marks []string
	// page records a page of an incident (0: none); escalated one that
	// was escalated.
	page, escalated int64
}

type planned struct {
	m      Message
	window time.Duration
}

func (pl *plan) add(m Message, window time.Duration) { pl.msgs = append(pl.msgs, planned{m, window}) }

func (pl *plan) tell(subject, customer string) {
	if pl.told == nil {
		pl.told = map[string][]string{}
	}
	pl.told[subject] = append(pl.told[subject], customer)
}

// Plan plans every pending trigger, then the timed notices (maintenance
// ahead, at start and at end) and the escalations due. It returns how
// many messages it queued.
func (p *Planner) Plan(ctx context.Context) (int, error) {
	p.pages, p.aud = nil, nil
	n := 0
	for {
		list, err := p.pending(ctx, 100)
		if err != nil {
			return n, err
		}
		for _, t := range list {
			pl, err := p.planTrigger(ctx, t.Trigger)
			switch {
			case errors.Is(err, store.ErrNotFound):
				// What the trigger names is gone: nothing to tell.
				pl = &plan{}
			case err != nil && ctx.Err() == nil && p.failingFor(t.id) >= setAsideAfter:
				p.o.Logger.Error("notifications: a trigger keeps failing; set aside, nothing will be sent for it",
					"trigger", t.id, "type", t.Type, "incident", t.IncidentID, "maintenance", t.MaintenanceID, "err", err)
				pl = &plan{}
			case err != nil:
				return n, fmt.Errorf("plan notifications of %s trigger %d: %w", t.Type, t.id, err)
			}
			if err := p.commit(ctx, pl, t.id); err != nil {
				return n, err
			}
			n += len(pl.msgs)
		}
		if len(list) < 100 {
			break
		}
		p.pages, p.aud = nil, nil
	}
	timed, err := p.planTimed(ctx)
	if err != nil {
		return n, err
	}
	for _, pl := range timed {
		if err := p.commit(ctx, pl, 0); err != nil {
			return n, err
		}
		n += len(pl.msgs)
	}
	return n, nil
}

// failingFor records a failed round on a trigger and returns how long it
// has been failing.
func (p *Planner) failingFor(id int64) time.Duration {
	if p.failures == nil {
		p.failures = map[int64]time.Time{}
	}
	now := p.o.Now()
	first, ok := p.failures[id]
	if !ok {
		p.failures[id] = now
		return 0
	}
	return now.Sub(first)
}

func (p *Planner) pending(ctx context.Context, limit int) ([]trigger, error) {
	var out []trigger
	err := store.Each(ctx, p.d.DB, "notification triggers", `SELECT id, type, incident_id, event_id, update_id,
		maintenance_id, sequence, at FROM notify_outbox WHERE NOT done ORDER BY id LIMIT $1`, []any{limit},
		func(rows *sql.Rows) error {
			var t trigger
			if err := rows.Scan(&t.id, &t.Type, &t.IncidentID, &t.EventID, &t.UpdateID, &t.MaintenanceID, &t.Sequence, &t.At); err != nil {
				return err
			}
			t.At = t.At.UTC()
			out = append(out, t)
			return nil
		})
	return out, err
}

// commit writes a plan in one transaction: its messages, who was told,
// the marks of timed notices, pages, and the trigger done.
func (p *Planner) commit(ctx context.Context, pl *plan, triggerID int64) error {
	now := p.o.Now().UTC()
	err := p.d.DB.InTx(ctx, func(tx *sql.Tx) error {
		for i := range pl.msgs {
			if _, _, err := p.d.Queue.Enqueue(ctx, tx, &pl.msgs[i].m, pl.msgs[i].window); err != nil {
				return err
			}
		}
		if err := insertTold(ctx, tx, pl.told); err != nil {
			return err
		}
		for _, m := range pl.marks {
			if _, err := tx.ExecContext(ctx, `INSERT INTO notify_marks (mark, at) VALUES ($1, $2)
				ON CONFLICT (mark) DO NOTHING`, m, now); err != nil {
				return fmt.Errorf("mark %s: %w", m, err)
			}
		}
		if err := p.recordPages(ctx, tx, pl, now); err != nil {
			return err
		}
		if triggerID != 0 {
			if _, err := tx.ExecContext(ctx, `UPDATE notify_outbox SET done = $2 WHERE id = $1`, triggerID, true); err != nil {
				return fmt.Errorf("trigger %d done: %w", triggerID, err)
			}
		}
		if len(pl.msgs) > 0 {
			return p.d.DB.NotifyTx(ctx, tx, store.TopicMessages, "")
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("queue notifications: %w", err)
	}
	return nil
}

func (p *Planner) recordPages(ctx context.Context, tx *sql.Tx, pl *plan, now time.Time) error {
	if pl.page != 0 {
		if _, err := tx.ExecContext(ctx, `INSERT INTO notify_pages (incident_id, paged_at) VALUES ($1, $2)
			ON CONFLICT (incident_id) DO NOTHING`, pl.page, now); err != nil {
			return fmt.Errorf("record the page of incident %d: %w", pl.page, err)
		}
	}
	if pl.escalated != 0 {
		if _, err := tx.ExecContext(ctx, `UPDATE notify_pages SET escalated_at = $2 WHERE incident_id = $1`,
			pl.escalated, now); err != nil {
			return fmt.Errorf("record the escalation of incident %d: %w", pl.escalated, err)
		}
	}
	return nil
}

// insertTold records who was told about what, many rows per statement.
func insertTold(ctx context.Context, tx *sql.Tx, told map[string][]string) error {
	const chunk = 200
	for subject, customers := range told {
		for len(customers) > 0 {
			n := min(chunk, len(customers))
			var b strings.Builder
			args := make([]any, 0, 2*n)
			b.WriteString(`INSERT INTO notify_told (subject, customer_id) VALUES `)
			for i, c := range customers[:n] {
				if i > 0 {
					b.WriteString(", ")
				}
				fmt.Fprintf(&b, "($%d, $%d)", 2*i+1, 2*i+2)
				args = append(args, subject, c)
			}
			b.WriteString(` ON CONFLICT (subject, customer_id) DO NOTHING`)
			if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
				return fmt.Errorf("record who was told about %s: %w", subject, err)
			}
			customers = customers[n:]
		}
	}
	return nil
}

// told returns the customers already told about a subject.
func (p *Planner) told(ctx context.Context, subject string) (map[string]bool, error) {
	out := map[string]bool{}
	err := store.Each(ctx, p.d.DB, "customers told about "+subject, `SELECT customer_id FROM notify_told WHERE subject = $1`,
		[]any{subject}, func(rows *sql.Rows) error {
			var c string
			if err := rows.Scan(&c); err != nil {
				return err
			}
			out[c] = true
			return nil
		})
	return out, err
}

func (p *Planner) marked(ctx context.Context, mark string) (bool, error) {
	var n int
	if err := p.d.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM notify_marks WHERE mark = $1`, mark).Scan(&n); err != nil {
		return false, fmt.Errorf("read mark %s: %w", mark, err)
	}
	return n > 0, nil
}

// planTrigger plans one trigger.
func (p *Planner) planTrigger(ctx context.Context, t incident.Trigger) (*plan, error) {
	switch t.Type {
	case "maintenance":
		return p.planWindowChange(ctx, t)
	case "public-update":
		return p.planPublicUpdate(ctx, t)
	}
	return p.planEvent(ctx, t)
}

package notify

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vigie/vigie/internal/store"
)

// Prefs keeps who wants what: customers' opt-outs and the staff's duty
// hours and paging.
type Prefs struct {
	db  *store.DB
	now func() time.Time
}

// NewPrefs returns the preferences over db.
func NewPrefs(db *store.DB, now func() time.Time) *Prefs {
	if now == nil {
		now = time.Now
	}
	return &Prefs{db: db, now: now}
}

// ValidOptOut checks an opt-out's channel kind and topic.
func ValidOptOut(o OptOut) error {
	if o.Channel != "*" && !slices.Contains(Kinds, Kind(o.Channel)) {
		return fmt.Errorf("channel: want * or one of the channel kinds, got %q", o.Channel)
	}
	switch Topic(o.Topic) {
	case "*", TopicIncident, TopicMaintenance, TopicSiteProblem:
		return nil
	}
	return fmt.Errorf("topic: want *, incident, maintenance or site-problem, got %q", o.Topic)
}

// SetOptOut stops (stop true) or lets again (stop false) a customer's
// messages of a topic on a kind of channel.
func (p *Prefs) SetOptOut(ctx context.Context, o OptOut, stop bool) error {
	if err := ValidOptOut(o); err != nil {
		return err
	}
	return p.db.InTx(ctx, func(tx *sql.Tx) error {
		var err error
		if stop {
			_, err = tx.ExecContext(ctx, `INSERT INTO notify_optouts (customer_id, channel_kind, topic, created_at)
				VALUES ($1, $2, $3, $4) ON CONFLICT (customer_id, channel_kind, topic) DO NOTHING`,
				o.Customer, o.Channel, o.Topic, p.now().UTC())
		} else {
			_, err = tx.ExecContext(ctx, `DELETE FROM notify_optouts WHERE customer_id = $1 AND channel_kind = $2 AND topic = $3`,
				o.Customer, o.Channel, o.Topic)
		}
		if err != nil {
			return fmt.Errorf("opt-out of customer %s: %w", o.Customer, p.db.MapError(err))
		}
		return nil
	})
}

// OptOuts returns a customer's opt-outs.
func (p *Prefs) OptOuts(ctx context.Context, customer string) ([]OptOut, error) {
	out := []OptOut{}
	err := store.Each(ctx, p.db, "opt-outs of "+customer, `SELECT customer_id, channel_kind, topic FROM notify_optouts
		WHERE customer_id = $1 ORDER BY channel_kind, topic`, []any{customer}, func(rows *sql.Rows) error {
		var o OptOut
		if err := rows.Scan(&o.Customer, &o.Channel, &o.Topic); err != nil {
			return err
		}
		out = append(out, o)
		return nil
	})
	return out, err
}

// optOutSet is every opt-out, by customer, for the planner.
type optOutSet map[string][]OptOut

func (p *Prefs) allOptOuts(ctx context.Context) (optOutSet, error) {
	out := optOutSet{}
	err := store.Each(ctx, p.db, "opt-outs", `SELECT customer_id, channel_kind, topic FROM notify_optouts`, nil,
		func(rows *sql.Rows) error {
			var o OptOut
			if err := rows.Scan(&o.Customer, &o.Channel, &o.Topic); err != nil {
				return err
			}
			out[o.Customer] = append(out[o.Customer], o)
			return nil
		})
	return out, err
}

// stops reports whether the customer opted out of topic on kind.
func (s optOutSet) stops(customer string, kind Kind, topic Topic) bool {
	for _, o := range s[customer] {
		if (o.Channel == "*" || o.Channel == string(kind)) && (o.Topic == "*" || o.Topic == string(topic)) {
			return true
		}
	}
	return false
}

// Staff is a staff member as paging sees them.
type Staff struct {
	Email string `json:"email"`
	Role  string `json:"role"`
	Zone  string `json:"timezone"`
	// Duty is when they are on watch, in Zone ("08:00-23:00", "always", or
	// "" for never); Page false keeps them out of every page.
	Duty string `json:"duty"`
	Page bool   `json:"page"`
}

// Pageable reports whether pages may reach the staff member: they take
// pages and may act on an incident (viewers only read).
func (s Staff) Pageable() bool { return s.Page && s.Role != "viewer" }

// On reports whether the staff member is on duty at at.
func (s Staff) On(at time.Time) bool {
	d, err := ParseDuty(s.Duty)
	if err != nil {
		return false
	}
	loc, err := time.LoadLocation(s.Zone)
	if err != nil {
		loc = time.UTC
	}
	return d.On(at, loc)
}

// ErrNoSuchStaff is a duty set for an e-mail no enabled user has.
var ErrNoSuchStaff = errors.New("no such staff user")

// StaffList returns the enabled staff users with their duty hours.
func (p *Prefs) StaffList(ctx context.Context) ([]Staff, error) {
	out := []Staff{}
	err := store.Each(ctx, p.db, "staff duty", `SELECT u.email, u.role, u.timezone, COALESCE(s.duty, ''), COALESCE(s.page, $1)
		FROM users u LEFT JOIN notify_staff s ON s.user_id = u.id WHERE u.disabled_at IS NULL ORDER BY u.email`,
		[]any{true}, func(rows *sql.Rows) error {
			var s Staff
			if err := rows.Scan(&s.Email, &s.Role, &s.Zone, &s.Duty, &s.Page); err != nil {
				return err
			}
			out = append(out, s)
			return nil
		})
	return out, err
}

// SetDuty sets a staff member's duty hours and whether they are paged.
func (p *Prefs) SetDuty(ctx context.Context, email, duty string, page bool) error {
	d, err := ParseDuty(duty)
	if err != nil {
		return err
	}
	return p.db.InTx(ctx, func(tx *sql.Tx) error {
		var id int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM users WHERE email = $1`, email).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("duty of %s: %w", email, ErrNoSuchStaff)
		}
		if err != nil {
			return fmt.Errorf("duty of %s: %w", email, err)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO notify_staff (user_id, duty, page) VALUES ($1, $2, $3)
			ON CONFLICT (user_id) DO UPDATE SET duty = excluded.duty, page = excluded.page`, id, d.String(), page)
		if err != nil {
			return fmt.Errorf("duty of %s: %w", email, err)
		}
		return nil
	})
}

// ChangeDuty changes what is given of a staff member's watch, their duty
// hours or whether they are paged; nil keeps what is stored.
func (p *Prefs) ChangeDuty(ctx context.Context, email string, duty *string, page *bool) error {
	if duty == nil && page == nil {
		return nil
	}
	list, err := p.StaffList(ctx)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(list, func(s Staff) bool { return strings.EqualFold(s.Email, strings.TrimSpace(email)) })
	if i < 0 {
		return fmt.Errorf("duty of %s: %w", email, ErrNoSuchStaff)
	}
	d, pg := list[i].Duty, list[i].Page
	if duty != nil {
		d = *duty
	}
	if page != nil {
		pg = *page
	}
	return p.SetDuty(ctx, list[i].Email, d, pg)
}

// Paged returns whom a new page goes to at at: the staff on duty who take
// pages, or, when none is, every staff member who takes pages.
func Paged(staff []Staff, at time.Time) (list []Staff, everyone bool) {
	var on, all []Staff
	for _, s := range staff {
		if !s.Pageable() {
			continue
		}
		all = append(all, s)
		if s.On(at) {
			on = append(on, s)
		}
	}
	if len(on) == 0 {
		return all, true
	}
	return on, false
}

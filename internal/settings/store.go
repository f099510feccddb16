package settings

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/vigie/vigie/internal/store"
)

// DefaultFresh is how long Current trusts what it read: another replica's
// change takes effect here within it.
const DefaultFresh = 5 * time.Second

// Store keeps the settings in the database over their defaults.
type Store struct {
	db       *store.DB
	defaults Values
	log      *slog.Logger
	// Now is the clock of Current's cache and of the rows' times.
	Now func() time.Time
	// Fresh is how long Current trusts what it read (DefaultFresh).
	Fresh time.Duration

	mu     sync.Mutex
	cached Values
	readAt time.Time
	have   bool
}

// New returns the settings over db with defaults (the flags of vigie
// serve; a zero field takes Builtin's). Defaults that do not validate are
// an error naming the flag's setting.
func New(db *store.DB, defaults Values, logger *slog.Logger) (*Store, error) {
	fill(&defaults)
	if err := defaults.validate(nil); err != nil {
		return nil, fmt.Errorf("default settings: %w", err)
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Store{db: db, defaults: defaults, log: logger, Now: time.Now, Fresh: DefaultFresh}, nil
}

// fill gives every zero field of v Builtin's value.
func fill(v *Values) {
	if v.NightStart == "" {
		v.NightStart = Builtin.NightStart
	}
	if v.NightEnd == "" {
		v.NightEnd = Builtin.NightEnd
	}
	if v.NightZone == "" {
		v.NightZone = Builtin.NightZone
	}
	for _, name := range durationNames {
		if *v.duration(name) <= 0 {
			*v.duration(name) = *Builtin.duration(name)
		}
	}
}

// Defaults returns the values in force when nothing is stored.
func (s *Store) Defaults() Values { return s.defaults }

// Stored is one setting set from the console: who set it, when.
type Stored struct {
	Value     string
	UpdatedAt time.Time
	UpdatedBy string
}

// Get reads the settings in force: the stored ones over the defaults.
func (s *Store) Get(ctx context.Context) (Values, error) {
	v, _, err := s.Read(ctx)
	return v, err
}

// Read returns the settings in force and the stored rows by name.
func (s *Store) Read(ctx context.Context) (Values, map[string]Stored, error) {
	rows := map[string]Stored{}
	err := store.Each(ctx, s.db, "read settings", `SELECT name, value, updated_at, updated_by FROM settings`, nil,
		func(r *sql.Rows) error {
			var name string
			var st Stored
			if err := r.Scan(&name, &st.Value, &st.UpdatedAt, &st.UpdatedBy); err != nil {
				return err
			}
			rows[name] = st
			return nil
		})
	if err != nil {
		return Values{}, nil, err
	}
	text := map[string]string{}
	for name, st := range rows {
		text[name] = st.Value
	}
	v, err := Parse(s.defaults, text)
	if err == nil {
		err = v.validate(storedDurations(text))
	}
	if err != nil {
		// Rows written by a newer or older version: the defaults hold
		// rather than a broken value.
		s.log.WarnContext(ctx, "stored settings refused, the defaults hold", "err", err)
		return s.defaults, rows, nil
	}
	return v, rows, nil
}

// Save validates text (settings by name, as typed) over the settings in
// force and stores the ones that changed, by whom. On any refused setting
// it returns an *InvalidError naming each and changes nothing. It returns
// the settings now in force.
func (s *Store) Save(ctx context.Context, text map[string]string, by string) (Values, error) {
	cur, err := s.Get(ctx)
	if err != nil {
		return Values{}, err
	}
	v, err := Parse(cur, text)
	if err != nil {
		return cur, err
	}
	// Only the durations changed are held to the bounds: a flag's value
	// outside them (a demo's short settle window) may stay as it is
	// while other settings change.
	before, after := cur.Text(), v.Text()
	var changed []string
	for _, name := range durationNames {
		if before[name] != after[name] {
			changed = append(changed, name)
		}
	}
	if err := v.validate(changed); err != nil {
		return cur, err
	}
	now := s.Now().UTC().Truncate(time.Microsecond)
	err = s.db.InTx(ctx, func(tx *sql.Tx) error {
		for _, name := range Names {
			if before[name] == after[name] {
				continue
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO settings (name, value, updated_at, updated_by) VALUES ($1, $2, $3, $4)
				ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
				name, after[name], now, by)
			if err != nil {
				return fmt.Errorf("save setting %s: %w", name, err)
			}
		}
		return nil
	})
	if err != nil {
		return cur, err
	}
	s.remember(v)
	return v, nil
}

// Reset forgets the stored value of the named settings: their defaults
// hold again.
func (s *Store) Reset(ctx context.Context, names ...string) (Values, error) {
	for _, name := range names {
		if !slices.Contains(Names, name) {
			return Values{}, &InvalidError{Fields: []FieldError{{name, "no such setting"}}}
		}
	}
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		for _, name := range names {
			if _, err := tx.ExecContext(ctx, `DELETE FROM settings WHERE name = $1`, name); err != nil {
				return fmt.Errorf("reset setting %s: %w", name, err)
			}
		}
		return nil
	})
	if err != nil {
		return Values{}, err
	}
	v, err := s.Get(ctx)
	if err == nil {
		s.remember(v)
	}
	return v, err
}

// storedDurations are the duration settings text names.
func storedDurations(text map[string]string) []string {
	var out []string
	for _, name := range durationNames {
		if _, ok := text[name]; ok {
			out = append(out, name)
		}
	}
	return out
}

func (s *Store) remember(v Values) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cached, s.readAt, s.have = v, s.Now(), true
}

// Current returns the settings in force, read again from the database at
// most every Fresh: it is cheap enough for every sweep of the background
// work. When the database cannot be read it keeps the last values read
// (the defaults at first) and logs why.
func (s *Store) Current(ctx context.Context) Values {
	s.mu.Lock()
	fresh := s.have && s.Now().Sub(s.readAt) < s.Fresh
	cached, have := s.cached, s.have
	s.mu.Unlock()
	if fresh {
		return cached
	}
	v, err := s.Get(ctx)
	if err != nil {
		s.log.WarnContext(ctx, "read settings: the last ones read hold", "err", err)
		if have {
			return cached
		}
		return s.defaults
	}
	s.remember(v)
	return v
}

// NightWindow returns the maintenance night window: its start and end as
// times of day (HH:MM) in zone.
func (s *Store) NightWindow(ctx context.Context) (start, end string, zone *time.Location) {
	v := s.Current(ctx)
	loc, err := Zone(v.NightZone)
	if err != nil {
		loc, _ = Zone(Builtin.NightZone)
	}
	return v.NightStart, v.NightEnd, loc
}

// Settle returns the settle window of new incidents in force.
func (s *Store) Settle(ctx context.Context) time.Duration { return s.Current(ctx).Settle }

// Quiet returns how long a recovered incident stays in monitoring.
func (s *Store) Quiet(ctx context.Context) time.Duration { return s.Current(ctx).Quiet }

// EscalateAfter returns how long a page may stay unacknowledged.
func (s *Store) EscalateAfter(ctx context.Context) time.Duration { return s.Current(ctx).EscalateAfter }

// MaintenanceNotice returns how long before a window its notice goes out.
func (s *Store) MaintenanceNotice(ctx context.Context) time.Duration {
	return s.Current(ctx).MaintenanceNotice
}

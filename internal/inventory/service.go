package inventory

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vigie/vigie/internal/store"
)

// Service is the inventory as the rest of Vigie sees it: reads and writes go
// through it so that the in-memory graph always follows the database.
type Service struct {
	db    *store.DB
	log   *slog.Logger
	graph atomic.Pointer[Graph]
	// eff is the effective checks at the graph's version, built on first
	// use (Effective) and then kept in step with the graph.
	eff atomic.Pointer[EffectiveSet]
	// withEffective makes every full load build the effective set from
	// what it read, rather than the set loading everything again on its
	// first use (see WithEffective).
	withEffective atomic.Bool
	// writes serialises this process's writers so that the graph is updated
	// in commit order.
	writes sync.Mutex
}

// NewService returns the inventory service over db. The graph is loaded on
// first use (LoadGraph), so that commands which only write do not pay for it.
func NewService(db *store.DB, logger *slog.Logger) *Service {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Service{db: db, log: logger}
}

// WithEffective makes the service derive the effective set whenever it
// loads the whole inventory, the graph's first load included: a server,
// which uses both, then reads the inventory once at start-up, not twice.
func (s *Service) WithEffective() *Service {
	s.withEffective.Store(true)
	return s
}

// LoadGraph loads the in-memory graph unless it is already loaded.
func (s *Service) LoadGraph(ctx context.Context) error {
	if s.graph.Load() != nil {
		return nil
	}
	s.writes.Lock()
	defer s.writes.Unlock()
	if s.graph.Load() != nil {
		return nil
	}
	return s.reload(ctx)
}

// Graph returns the current in-memory graph, or nil before LoadGraph.
func (s *Service) Graph() *Graph { return s.graph.Load() }

// Impact returns the impact of the named asset from the in-memory graph.
func (s *Service) Impact(ctx context.Context, name string) (Impact, error) {
	if err := s.LoadGraph(ctx); err != nil {
		return Impact{}, err
	}
	return s.Graph().Impact(name)
}

// reload loads the whole inventory into the graph, and into the effective
// set when there is one.
func (s *Service) reload(ctx context.Context) error {
	inv, version, err := loadAll(ctx, s.db)
	if err != nil {
		return err
	}
	if set := s.eff.Load(); set != nil {
		s.eff.Store(set.reset(inv, version))
	} else if s.withEffective.Load() {
		s.eff.Store(newEffectiveSet(inv, version))
	}
	s.graph.Store(NewGraph(inv, version))
	return nil
}

// Refresh brings the graph (and the effective set) to the stored version
// when another process changed the inventory: from the change log, reading
// only the assets changed, or by reloading everything when the log cannot
// tell (pruned, or an import too big to list).
func (s *Service) Refresh(ctx context.Context) error {
	g := s.Graph()
	if g == nil {
		return s.LoadGraph(ctx)
	}
	version, err := readVersion(ctx, s.db)
	if err != nil {
		return err
	}
	if version == g.Version() {
		return nil
	}
	s.writes.Lock()
	defer s.writes.Unlock()
	return s.catchUp(ctx)
}

// Watch refreshes the graph every interval until ctx ends, so that imports
// run by another process (vigie import, another replica) show up.
func (s *Service) Watch(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := s.Refresh(ctx); err != nil && ctx.Err() == nil {
				s.log.Warn("inventory refresh failed", "err", err)
			}
		}
	}
}

// write runs fn in a locked transaction, bumps the inventory version when
// fn returns a non-empty plan, and updates the graph after the commit.
func (s *Service) write(ctx context.Context, fn func(tx *sql.Tx) (*Plan, error)) (*Plan, error) {
	s.writes.Lock()
	defer s.writes.Unlock()
	var plan *Plan
	var before, after int64
	var change invChange
	var inputs *Inventory
	set := s.eff.Load()
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		if err := lockInventory(ctx, s.db, tx); err != nil {
			return err
		}
		var err error
		if before, err = readVersion(ctx, tx); err != nil {
			return err
		}
		if plan, err = fn(tx); err != nil {
			return err
		}
		if plan == nil || plan.Empty() {
			return errNothing
		}
		if plan.touchesChecks() {
			if err := dropOrphanHeartbeats(ctx, tx); err != nil {
				return err
			}
		}
		if after, err = bumpVersion(ctx, tx); err != nil {
			return err
		}
		change = changeOf(plan)
		if err := logChange(ctx, tx, after, change); err != nil {
			return err
		}
		// What the effective set needs is read here, at exactly this
		// version.
		if set != nil && set.version == before && !change.All {
			inputs, err = loadChanged(ctx, tx, s.db.Engine, change)
		}
		return err
	})
	if errors.Is(err, errNothing) {
		return plan, nil
	}
	if err != nil {
		return nil, err
	}
	g := s.Graph()
	if g == nil {
		return plan, nil
	}
	if g.Version() == before {
		// The set first: whoever sees the graph's new version (a probe's
		// poll) then finds the set there too.
		s.advanceSet(set, after, inputs, change)
		g.apply(plan, after)
		return plan, nil
	}
	// Someone else wrote in between: the increment would not be enough.
	if err := s.catchUp(ctx); err != nil {
		return nil, fmt.Errorf("refresh graph after write: %w", err)
	}
	return plan, nil
}

// errNothing rolls back a transaction that has nothing to commit.
var errNothing = errors.New("nothing to write")

// InvalidError lists what is wrong with an entity sent through the API.
type InvalidError struct {
	Fields []FieldError
}

func (e *InvalidError) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Field.String() + ": " + f.Message
	}
	return "invalid: " + strings.Join(parts, "; ")
}

// InUseError refuses to delete something others still refer to.
type InUseError struct {
	What string
	// By names the referrers (at most a few hundred).
	By []string
}

func (e *InUseError) Error() string {
	return fmt.Sprintf("%s is still used by %s", e.What, strings.Join(e.By, ", "))
}

// Unwrap makes an InUseError a conflict.
func (e *InUseError) Unwrap() error { return store.ErrConflict }

// Version returns the inventory's version as stored, which every write
// bumps; unlike Graph().Version() it sees another process's writes at once.
func (s *Service) Version(ctx context.Context) (int64, error) { return readVersion(ctx, s.db) }

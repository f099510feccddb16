package auth

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"time"
)

// How revocations reach every server sharing the database:
//
// Every change that may take rights away (a token revoked, a user disabled,
// enabled, removed or given another role) adds one to the single row of
// auth_generation in the same transaction as the change. Each cached token
// remembers the generation it was read at. On a cache hit the Service reads
// the current generation, at most once per generationCheck of its clock, all
// concurrent requests sharing that one read. An entry older than the current
// generation is read again by token id, joined with its user, without
// argon2 (its secret was verified already): a token still there is refreshed
// with the current roles, a gone one or a disabled user's is refused.
//
// So another server's revocation is seen here within generationCheck (plus a
// query), while a burst of requests costs one small read a second. Changes
// made through this Service are seen at once: they force the next read.
// cacheTTL still bounds how long an entry lives without argon2.
const (
	// generationCheck is the least time between two reads of the auth
	// generation, measured on the Service's clock.
	generationCheck = time.Second
	// staleGrace is how long after the database last confirmed a cached
	// token the token is still accepted while the generation cannot be read:
	// a database blip must not refuse every API call, nor may an outage keep
	// a token revoked from another server working for long.
	staleGrace = 5 * time.Second
)

// genState is this Service's knowledge of the auth generation.
type genState struct {
	mu sync.Mutex
	// value is the last generation read, and okAt when it was read.
	value int64
	okAt  time.Time
	// triedAt is when the last read was tried, and err its failure.
	triedAt time.Time
	err     error
	// stale forces the next call to read, after a change made here.
	stale bool
}

// generation returns the auth generation, read from the database unless it was
// read less than generationCheck ago, and when it was last read successfully.
// A failed read returns the last known value with the error; the failure is
// remembered for generationCheck too, so that an outage costs one attempt a
// second, not one per request.
func (s *Service) generation(ctx context.Context, now time.Time) (value int64, okAt time.Time, err error) {
	g := &s.gen
	g.mu.Lock()
	defer g.mu.Unlock()
	// Requests arriving while one reads wait on the mutex, then use its result.
	if !g.stale && !g.triedAt.IsZero() && !now.Before(g.triedAt) && now.Sub(g.triedAt) < generationCheck {
		return g.value, g.okAt, g.err
	}
	var v int64
	err = s.db.QueryRowContext(ctx, `SELECT generation FROM auth_generation WHERE id = 1`).Scan(&v)
	if err != nil {
		err = fmt.Errorf("read auth generation: %w", s.db.MapError(err))
		if ctx.Err() == nil {
			// A caller giving up is not the database failing: let the next one try.
			g.triedAt, g.err, g.stale = now, err, false
		}
		return g.value, g.okAt, err
	}
	g.triedAt, g.err, g.stale = now, nil, false
	g.value, g.okAt = max(g.value, v), now
	return g.value, g.okAt, nil
}

// observeGeneration records a generation read at now along with a token, so
// that it counts as this second's read.
func (s *Service) observeGeneration(v int64, now time.Time) {
	g := &s.gen
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.stale || now.Before(g.triedAt) {
		return
	}
	g.triedAt, g.err = now, nil
	g.value, g.okAt = max(g.value, v), now
}

// generationChanged makes the next check read the generation, after a change
// made through this Service, so that it shows here at once.
func (s *Service) generationChanged() {
	s.gen.mu.Lock()
	defer s.gen.mu.Unlock()
	s.gen.stale = true
}

// bumpGeneration adds one to the auth generation in tx. Callers do it first
// in their transaction: on PostgreSQL the row lock it takes serializes every
// change of rights, so that checks such as "another enabled admin remains"
// cannot race (SQLite transactions already take the write lock at BEGIN).
func bumpGeneration(ctx context.Context, tx *sql.Tx) error {
	res, err := tx.ExecContext(ctx, `UPDATE auth_generation SET generation = generation + 1 WHERE id = 1`)
	if err != nil {
		return fmt.Errorf("bump auth generation: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("bump auth generation: %w", err)
	}
	if n != 1 {
		return fmt.Errorf("bump auth generation: %d rows, want 1", n)
	}
	return nil
}

// lockGeneration takes the auth generation's row lock in tx without changing
// it, for writes that grant rather than take away (a new token) yet must not
// interleave with a change of rights.
func lockGeneration(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, `UPDATE auth_generation SET generation = generation WHERE id = 1`); err != nil {
		return fmt.Errorf("lock auth generation: %w", err)
	}
	return nil
}

package probe

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/vigie/vigie/internal/secret"
	"github.com/vigie/vigie/internal/store"
)

// ErrBadAgentToken is returned by AgentStore.Authenticate for a token that
// is malformed, unknown, replaced by a rotation or removed; it never says
// which.
var ErrBadAgentToken = errors.New("bad agent token")

// agentTokens is the format of host agent tokens: vagt_<lookup>_<secret>.
var agentTokens = secret.NewFormat("vagt_")

// Agent is a host agent's credential, bound to one asset: it reports that
// host's facts and no other's. Its token is shown once, when it is added or
// rotated.
type Agent struct {
	Asset     string
	CreatedAt time.Time
	// LastSeenAt is the last successful authentication, to within ten
	// seconds.
	LastSeenAt *time.Time
}

// AgentStore keeps the credentials of host agents. Like LocationStore it
// holds no cache: a removal or rotation takes effect at once everywhere.
// Deleting an asset deletes its agent.
type AgentStore struct {
	db *store.DB
	// now dates writes; tests replace it.
	now func() time.Time
}

// NewAgentStore returns an AgentStore keeping agents in db.
func NewAgentStore(db *store.DB) *AgentStore { return &AgentStore{db: db, now: time.Now} }

func (s *AgentStore) timestamp() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// Add creates the agent of an inventory asset and returns its token, which
// is not stored and cannot be shown again. An asset missing from the
// inventory gives an error wrapping store.ErrNotFound; an asset that
// already has an agent one wrapping store.ErrConflict (rotate it instead).
func (s *AgentStore) Add(ctx context.Context, asset string) (string, error) {
	token, lookup, hash := agentTokens.New()
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM assets WHERE name = $1`, asset).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return store.NotFound("asset", asset)
		}
		if err != nil {
			return err
		}
		err = tx.QueryRowContext(ctx, `SELECT 1 FROM host_agents WHERE asset = $1`, asset).Scan(&one)
		if err == nil {
			return fmt.Errorf("it already has an agent (rotate its token instead): %w", store.ErrConflict)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO host_agents (asset, token_lookup, token_hash, created_at) VALUES ($1, $2, $3, $4)`,
			asset, lookup, hash, s.timestamp())
		return err
	})
	if err != nil {
		return "", fmt.Errorf("add agent of %q: %w", asset, s.db.MapError(err))
	}
	return token, nil
}

// Rotate gives an agent a new token and returns it; the old one stops
// working at once. An asset without an agent gives an error wrapping
// store.ErrNotFound.
func (s *AgentStore) Rotate(ctx context.Context, asset string) (string, error) {
	token, lookup, hash := agentTokens.New()
	res, err := s.db.ExecContext(ctx, `UPDATE host_agents SET token_lookup = $1, token_hash = $2 WHERE asset = $3`,
		lookup, hash, asset)
	if err := locationAffectedOne(s.db, res, err); errors.Is(err, store.ErrNotFound) {
		return "", fmt.Errorf("rotate agent: %w", store.NotFound("agent of asset", asset))
	} else if err != nil {
		return "", fmt.Errorf("rotate agent of %q: %w", asset, err)
	}
	return token, nil
}

// Remove deletes an agent: its token stops working at once. An asset
// without an agent gives an error wrapping store.ErrNotFound.
func (s *AgentStore) Remove(ctx context.Context, asset string) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM host_agents WHERE asset = $1`, asset)
	if err := locationAffectedOne(s.db, res, err); errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("remove agent: %w", store.NotFound("agent of asset", asset))
	} else if err != nil {
		return fmt.Errorf("remove agent of %q: %w", asset, err)
	}
	return nil
}

// List returns every agent, by asset.
func (s *AgentStore) List(ctx context.Context) ([]Agent, error) {
	out := []Agent{}
	err := store.Each(ctx, s.db, "list agents", `SELECT asset, created_at, last_seen_at FROM host_agents ORDER BY asset`, nil,
		func(rows *sql.Rows) error {
			var a Agent
			var seen sql.NullTime
			if err := rows.Scan(&a.Asset, &a.CreatedAt, &seen); err != nil {
				return err
			}
			a.CreatedAt = a.CreatedAt.UTC()
			a.LastSeenAt = locationTime(seen)
			out = append(out, a)
			return nil
		})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Authenticate returns the asset whose agent token is given, or an error
// wrapping ErrBadAgentToken. The secret is compared in constant time; the
// agent's last sighting is written when the stored one is ten seconds old
// or more.
func (s *AgentStore) Authenticate(ctx context.Context, token string) (string, error) {
	lookup, sec, ok := agentTokens.Parse(token)
	if !ok {
		return "", fmt.Errorf("authenticate agent: %w", ErrBadAgentToken)
	}
	var (
		asset, hash string
		seen        sql.NullTime
	)
	err := s.db.QueryRowContext(ctx, `SELECT asset, token_hash, last_seen_at FROM host_agents WHERE token_lookup = $1`, lookup).
		Scan(&asset, &hash, &seen)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("authenticate agent: %w", ErrBadAgentToken)
	}
	if err != nil {
		return "", fmt.Errorf("authenticate agent: %w", s.db.MapError(err))
	}
	if !secret.Matches(sec, hash) {
		return "", fmt.Errorf("authenticate agent: %w", ErrBadAgentToken)
	}
	now := s.timestamp()
	if !seen.Valid || now.Sub(seen.Time) >= locationSeenInterval {
		// The hash in the condition keeps a rotation or removal between the
		// read and this write from being ignored.
		res, err := s.db.ExecContext(ctx, `UPDATE host_agents SET last_seen_at = $1 WHERE asset = $2 AND token_hash = $3`,
			now, asset, hash)
		switch err := locationAffectedOne(s.db, res, err); {
		case errors.Is(err, store.ErrNotFound):
			return "", fmt.Errorf("authenticate agent: %w", ErrBadAgentToken)
		case err != nil:
			return "", fmt.Errorf("authenticate agent of %q: %w", asset, err)
		}
	}
	return asset, nil
}

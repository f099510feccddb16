package probe

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/detect"
	"github.com/vigie/vigie/internal/facts"
	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/store"
)

// Compliance takes the facts host agents report, checks them against the
// compliance rules, and signals when a host's violations change.
type Compliance struct {
	db  *store.DB
	inv *inventory.Service
	now func() time.Time
}

// NewCompliance returns the compliance service; a change of a host's
// violations is appended to the signal log with its facts. Rules are the
// built-in ones with the inventory's over them.
func NewCompliance(db *store.DB, inv *inventory.Service) *Compliance {
	return &Compliance{db: db, inv: inv, now: time.Now}
}

// HostCompliance is what the compliance API shows of one host.
type HostCompliance struct {
	Asset      string            `json:"asset"`
	Kind       string            `json:"kind"`
	Location   string            `json:"location"`
	ReportedAt time.Time         `json:"reported_at"`
	Facts      map[string]string `json:"facts"`
	Violations []facts.Violation `json:"violations"`
}

// AgentLocation is the location host_facts and compliance signals name for
// facts an agent sent with its own token, straight to the server.
const AgentLocation = "agent"

// ErrOtherAsset is returned by ReportAgent when the body names an asset
// other than the agent's own: an agent reports for its host only.
var ErrOtherAsset = errors.New("an agent reports the facts of its own asset only")

// AgentFacts is the body an agent posts to /api/v1/agent/facts.
type AgentFacts struct {
	// Asset may repeat the agent's asset; any other is refused. The asset
	// comes from the token.
	Asset string      `json:"asset,omitempty"`
	Facts facts.Facts `json:"facts"`
}

// ReportAgent records the facts the agent of asset (as AgentStore.Authenticate
// returned it) sent, and returns the violations found. A body naming
// another asset gives an error wrapping ErrOtherAsset and records nothing.
func (c *Compliance) ReportAgent(ctx context.Context, asset string, body AgentFacts) ([]facts.Violation, error) {
	if body.Asset != "" && body.Asset != asset {
		return nil, fmt.Errorf("facts for %q from the agent of %q: %w", body.Asset, asset, ErrOtherAsset)
	}
	return c.report(ctx, AgentLocation, asset, body.Facts)
}

func (c *Compliance) report(ctx context.Context, location, asset string, f facts.Facts) ([]facts.Violation, error) {
	a, err := c.inv.Asset(ctx, asset)
	if err != nil {
		return nil, err
	}
	rules, err := c.inv.ComplianceRules(ctx)
	if err != nil {
		return nil, err
	}
	violations := facts.Evaluate(rules, a.Kind, a.Labels, f)
	if violations == nil {
		violations = []facts.Violation{}
	}
	factsJSON, err := json.Marshal(f)
	if err != nil {
		return nil, fmt.Errorf("encode facts: %w", err)
	}
	violJSON, err := json.Marshal(violations)
	if err != nil {
		return nil, fmt.Errorf("encode violations: %w", err)
	}
	now := c.now().UTC().Truncate(time.Microsecond)
	var appended []detect.Signal
	err = c.db.InTx(ctx, func(tx *sql.Tx) error {
		// The log's lock first: this transaction may append to it.
		if err := c.db.LockTx(ctx, tx, store.LockSignalLog); err != nil {
			return err
		}
		var before string
		err := tx.QueryRowContext(ctx, `SELECT violations FROM host_facts WHERE asset = $1`, asset).Scan(&before)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("read facts of %s: %w", asset, err)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO host_facts (asset, location, facts, violations, reported_at)
			VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (asset) DO UPDATE SET location = excluded.location, facts = excluded.facts,
				violations = excluded.violations, reported_at = excluded.reported_at`,
			asset, location, string(factsJSON), string(violJSON), now)
		if err != nil {
			return fmt.Errorf("save facts of %s: %w", asset, err)
		}
		if before == string(violJSON) || (before == "" && len(violations) == 0) {
			return nil
		}
		appended = []detect.Signal{complianceSignal(location, asset, violations, now)}
		return detect.AppendTx(ctx, c.db, tx, appended)
	})
	if err != nil {
		return nil, err
	}
	detect.Committed(c.db, appended)
	return violations, nil
}

// complianceSignal is the signal of a host's violations changing.
func complianceSignal(location, asset string, violations []facts.Violation, now time.Time) detect.Signal {
	key := check.Key{Asset: asset, Name: string(check.Host)}.String()
	sig := detect.Signal{Kind: detect.ComplianceOK, Check: key, Asset: asset, Location: location, At: now,
		From: detect.Down, To: detect.Up, Message: "host settings comply with every rule", Source: detect.SourceCompliance}
	if len(violations) > 0 {
		msgs := make([]string, len(violations))
		for i, v := range violations {
			msgs[i] = v.Message
		}
		sig = detect.Signal{Kind: detect.ComplianceViolation, Check: key, Asset: asset, Location: location, At: now,
			From: detect.Up, To: detect.Down, Reason: check.ReasonViolation, Message: strings.Join(msgs, "; "),
			Source: detect.SourceCompliance}
	}
	return sig
}

// List returns every host's last facts and violations, by asset.
func (c *Compliance) List(ctx context.Context) ([]HostCompliance, error) {
	rows, err := c.db.QueryContext(ctx, `SELECT h.asset, a.kind, h.location, h.facts, h.violations, h.reported_at
		FROM host_facts h JOIN assets a ON a.name = h.asset ORDER BY h.asset`)
	if err != nil {
		return nil, fmt.Errorf("list compliance: %w", err)
	}
	defer func() { _ = rows.Close() }()
	out := []HostCompliance{}
	for rows.Next() {
		var h HostCompliance
		var fj, vj string
		if err := rows.Scan(&h.Asset, &h.Kind, &h.Location, &fj, &vj, &h.ReportedAt); err != nil {
			return nil, fmt.Errorf("list compliance: %w", err)
		}
		var f facts.Facts
		if err := json.Unmarshal([]byte(fj), &f); err != nil {
			return nil, fmt.Errorf("facts of %s: %w", h.Asset, err)
		}
		h.Facts = f.Values()
		if err := json.Unmarshal([]byte(vj), &h.Violations); err != nil {
			return nil, fmt.Errorf("violations of %s: %w", h.Asset, err)
		}
		out = append(out, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list compliance: %w", err)
	}
	return out, nil
}

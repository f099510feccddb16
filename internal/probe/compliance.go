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

// Signal kinds of compliance: a host's violations changed.
const (
	ComplianceViolation detect.SignalKind = "compliance-violation"
	ComplianceOK        detect.SignalKind = "compliance-ok"
)

// Compliance takes the facts host agents report, checks them against the
// compliance rules, and signals when a host's violations change.
type Compliance struct {
	db    *store.DB
	inv   *inventory.Service
	store *detect.Store
	now   func() time.Time
}

// NewCompliance returns the compliance service; signals go to signals
// (may be nil). Rules are the built-in ones with the inventory's over them.
func NewCompliance(db *store.DB, inv *inventory.Service, signals *detect.Store) *Compliance {
	return &Compliance{db: db, inv: inv, store: signals, now: time.Now}
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

// Report records the facts of an asset, as sent by a host agent at
// location, and returns its violations. A change of violations is a signal.
func (c *Compliance) Report(ctx context.Context, location, asset string, f facts.Facts) ([]facts.Violation, error) {
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
	var before string
	err = c.db.InTx(ctx, func(tx *sql.Tx) error {
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
		return nil
	})
	if err != nil {
		return nil, err
	}
	if before == string(violJSON) || (before == "" && len(violations) == 0) {
		return violations, nil
	}
	sig := detect.Signal{Kind: ComplianceOK, Check: asset + "/host", Asset: asset, Location: location, At: now,
		From: detect.Down, To: detect.Up, Message: "host settings comply with every rule"}
	if len(violations) > 0 {
		msgs := make([]string, len(violations))
		for i, v := range violations {
			msgs[i] = v.Message
		}
		sig = detect.Signal{Kind: ComplianceViolation, Check: asset + "/host", Asset: asset, Location: location, At: now,
			From: detect.Up, To: detect.Down, Reason: check.ReasonViolation, Message: strings.Join(msgs, "; ")}
	}
	if c.store != nil {
		if err := c.store.SaveSignals(ctx, []detect.Signal{sig}); err != nil {
			return violations, err
		}
	}
	return violations, nil
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

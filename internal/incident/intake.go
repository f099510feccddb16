package incident

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/vigie/vigie/internal/inventory"
)

// Intake takes Alertmanager webhooks: alerts are mapped onto assets by label
// or instance address, and each change of an alert becomes a signal in the
// log; repeated deliveries count once. Alerts on no known asset are kept as
// unmatched signals. It is safe for concurrent use.
type Intake struct {
	inv   *inventory.Service
	dedup *DedupStore
	label string

	mu sync.Mutex
	// index maps addresses to assets for the inventory version it was
	// built from, so that deliveries do not read every address each time.
	index        func(host string) (string, bool)
	indexVersion int64
	indexBuilt   bool
}

// NewIntake returns the intake mapping alerts onto inv's assets by the
// label named label (DefaultAlertLabel when empty) and recording them in
// dedup.
func NewIntake(inv *inventory.Service, dedup *DedupStore, label string) *Intake {
	return &Intake{inv: inv, dedup: dedup, label: label}
}

// IntakeResult says what one delivery did.
type IntakeResult struct {
	Alerts     int `json:"alerts"`
	Matched    int `json:"matched"`
	Unmatched  int `json:"unmatched"`
	NewSignals int `json:"new_signals"`
}

// Receive parses a webhook body (version 4) and records its alerts. It
// returns once the signals are committed: on error nothing is recorded and
// the sender should deliver again, which the stored dedup state makes count
// once. A body that is no webhook gives a *PayloadError.
func (in *Intake) Receive(ctx context.Context, body []byte, now time.Time) (IntakeResult, error) {
	hook, err := ParseAlertmanager(body)
	if err != nil {
		return IntakeResult{}, err
	}
	byAddress, err := in.addresses(ctx)
	if err != nil {
		return IntakeResult{}, err
	}
	g := in.inv.Graph()
	mapper := AlertMapper{
		Label:     in.label,
		Assets:    func(name string) bool { return g.Kind(name) != "" },
		ByAddress: byAddress,
	}
	mapped := mapper.Map(hook)
	res := IntakeResult{Alerts: len(hook.Alerts)}
	for _, a := range mapped {
		if a.Matched {
			res.Matched++
		} else {
			res.Unmatched++
		}
	}
	signals, err := in.dedup.Receive(ctx, mapped, now)
	if err != nil {
		return IntakeResult{}, fmt.Errorf("alertmanager delivery: %w", err)
	}
	res.NewSignals = len(signals)
	return res, nil
}

// addresses returns the address index of the current inventory, rebuilt
// only when the inventory changed.
func (in *Intake) addresses(ctx context.Context) (func(host string) (string, bool), error) {
	if err := in.inv.LoadGraph(ctx); err != nil {
		return nil, fmt.Errorf("alertmanager delivery: %w", err)
	}
	version := in.inv.Graph().Version()
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.indexBuilt && in.indexVersion == version {
		return in.index, nil
	}
	addressed, err := in.inv.Addressed(ctx)
	if err != nil {
		return nil, fmt.Errorf("alertmanager delivery: %w", err)
	}
	in.index, in.indexVersion, in.indexBuilt = BuildAddressIndex(addressed), version, true
	return in.index, nil
}

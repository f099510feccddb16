package incident

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vigie/vigie/internal/detect"
	"github.com/vigie/vigie/internal/store"
)

// EngineCursor names the incident engine's cursor in the signal log.
const EngineCursor = "incidents"

// Kinds of entries of the engine's down set.
const (
	downCheck      = "check"      // a check confirmed down (probe, heartbeat), or flapping
	downAlert      = "alert"      // a firing Alertmanager alert
	downCompliance = "compliance" // a host breaking a compliance rule: kept, but no outage
)

// downKey identifies an entry of the down set: one check (or alert) of an
// asset.
type downKey struct{ asset, check string }

// downEntry is what is down, since when, and the signal that said so.
type downEntry struct {
	kind     string
	since    time.Time
	signalID int64
	reason   string
	message  string
}

// change is what one signal does to the down set: add (when entry is set)
// or remove the entry of key; ok is false for signals that change nothing.
func change(s detect.StoredSignal) (key downKey, entry *downEntry, ok bool) {
	if s.Asset == "" {
		return downKey{}, nil, false // an alert on no known asset: kept as a signal for staff
	}
	key = downKey{asset: s.Asset, check: s.Check}
	add := func(kind string) *downEntry {
		return &downEntry{kind: kind, since: s.At, signalID: s.ID, reason: string(s.Reason), message: s.Message}
	}
	switch s.Kind {
	case detect.CheckDown:
		return key, add(downCheck), true
	case AlertFiringSignal:
		return key, add(downAlert), true
	case detect.CheckFlapping:
		// A check that keeps changing state is a problem too: one incident,
		// not one per change.
		key.check += "#flapping"
		return key, add(downCheck), true
	case detect.CheckStable:
		key.check += "#flapping"
		return key, nil, true
	case detect.CheckUp, AlertResolvedSignal:
		return key, nil, true
	case detect.ComplianceViolation:
		return key, add(downCompliance), true
	case detect.ComplianceOK:
		return key, nil, true
	}
	return downKey{}, nil, false
}

// Observe applies signals to the down set in memory only, as Consume does
// once its transaction committed (tests drive the engine with it).
func (e *Engine) Observe(signals []detect.Signal) {
	list := make([]detect.StoredSignal, len(signals))
	for i, s := range signals {
		list[i] = detect.StoredSignal{Signal: s}
	}
	e.apply(e.changesOf(list))
}

// apply makes changes (nil: removed) to the down set in memory.
func (e *Engine) apply(changes map[downKey]*downEntry) {
	for k, d := range changes {
		if d == nil {
			delete(e.state, k)
		} else {
			e.state[k] = *d
		}
	}
}

// Restore reads what the engine continues from after a restart or a
// change of leader: the open incidents and the down set as of the cursor.
func (e *Engine) Restore(ctx context.Context) error {
	if err := e.Load(ctx); err != nil {
		return err
	}
	state := map[downKey]downEntry{}
	err := store.Each(ctx, e.store.db, "read down set",
		`SELECT asset, check_key, kind, since, signal_id, reason, message FROM incident_down`, nil,
		func(rows *sql.Rows) error {
			var k downKey
			var d downEntry
			if err := rows.Scan(&k.asset, &k.check, &d.kind, &d.since, &d.signalID, &d.reason, &d.message); err != nil {
				return err
			}
			d.since = d.since.UTC()
			state[k] = d
			return nil
		})
	if err != nil {
		return fmt.Errorf("incident engine: %w", err)
	}
	e.state = state
	return nil
}

// Consumed is what one call of Consume took from the signal log.
type Consumed struct {
	Signals int
	// BySource counts the signals taken by their producer.
	BySource map[detect.Source]int
	// Position is the cursor after the call.
	Position int64
}

// Consume takes up to limit signals after the engine's cursor and applies
// them to its down set, writing the changes and the new cursor in one
// transaction; memory follows only once it committed, so a failed call
// changes nothing and the next one takes the same signals again.
func (e *Engine) Consume(ctx context.Context, limit int) (Consumed, error) {
	var c Consumed
	var changes map[downKey]*downEntry
	err := e.store.db.InTx(ctx, func(tx *sql.Tx) error {
		// Two engines never take the log at once, even while leadership
		// changes hands.
		if err := e.store.db.LockTx(ctx, tx, store.LockEngine); err != nil {
			return err
		}
		pos, err := store.Cursor(ctx, tx, EngineCursor)
		if err != nil {
			return err
		}
		list, err := detect.After(ctx, tx, pos, limit)
		if err != nil {
			return err
		}
		c = Consumed{Signals: len(list), BySource: map[detect.Source]int{}, Position: pos}
		if len(list) == 0 {
			return nil
		}
		changes = e.changesOf(list)
		for _, s := range list {
			c.BySource[s.Source]++
		}
		c.Position = list[len(list)-1].ID
		if err := writeDown(ctx, tx, changes); err != nil {
			return err
		}
		return store.SetCursor(ctx, tx, EngineCursor, c.Position)
	})
	if err != nil {
		return Consumed{}, fmt.Errorf("incident engine: consume signals: %w", err)
	}
	e.apply(changes)
	return c, nil
}

// changesOf folds signals over the down set without touching it: the
// final entry of every key they change (nil: removed).
func (e *Engine) changesOf(list []detect.StoredSignal) map[downKey]*downEntry {
	cur := map[downKey]*downEntry{}
	for _, s := range list {
		key, entry, ok := change(s)
		if !ok {
			continue
		}
		if _, seen := cur[key]; !seen {
			cur[key] = nil
			if d, ok := e.state[key]; ok {
				cur[key] = &d
			}
		}
		if entry == nil || cur[key] == nil {
			cur[key] = entry
		}
	}
	out := map[downKey]*downEntry{}
	for k, after := range cur {
		before, ok := e.state[k]
		switch {
		case after == nil && ok:
			out[k] = nil
		case after != nil && (!ok || *after != before):
			out[k] = after
		}
	}
	return out
}

// writeDown writes changes of the down set in sorted order, so that
// concurrent transactions touch rows in the same order.
func writeDown(ctx context.Context, tx *sql.Tx, changes map[downKey]*downEntry) error {
	keys := make([]downKey, 0, len(changes))
	for k := range changes {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b downKey) int {
		if c := strings.Compare(a.asset, b.asset); c != 0 {
			return c
		}
		return strings.Compare(a.check, b.check)
	})
	for _, k := range keys {
		if _, err := tx.ExecContext(ctx, `DELETE FROM incident_down WHERE asset = $1 AND check_key = $2`, k.asset, k.check); err != nil {
			return fmt.Errorf("down set: %w", err)
		}
		d := changes[k]
		if d == nil {
			continue
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO incident_down (asset, check_key, kind, since, signal_id, reason, message)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, k.asset, k.check, d.kind, d.since.UTC(), d.signalID, d.reason, d.message)
		if err != nil {
			return fmt.Errorf("down set: %w", err)
		}
	}
	return nil
}

// downAssets returns the assets with an entry of the down set that counts
// as a failure (compliance violations do not).
func (e *Engine) downAssets() map[string][]downKey {
	out := map[string][]downKey{}
	for k, d := range e.state {
		if d.kind == downCompliance {
			continue
		}
		out[k.asset] = append(out[k.asset], k)
	}
	return out
}

package report

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/vigie/vigie/internal/detect"
	"github.com/vigie/vigie/internal/incident"
)

// storedChange is a change read from the signal log, with the id that
// orders changes of the same instant.
type storedChange struct {
	Change
	id int64
}

// changeOf reads a check-up or check-down signal as a change; a check
// down only for a certificate ending soon is up (see the package
// documentation).
func changeOf(s *detect.StoredSignal) storedChange {
	st := s.To
	if st == detect.Down && Expiring(s.Reason, s.Message) {
		st = detect.Up
	}
	return storedChange{Change{s.At, st}, s.ID}
}

// History returns the state changes of each counting check of a, for
// Fold over period: each list starts with the state at period.From (when
// one is known) and holds the changes inside the period. A check whose
// stored state has not changed since before the period needs no reading
// of the log.
func (r *Reader) History(ctx context.Context, a *AssetState, period Span) ([][]Change, error) {
	var out [][]Change
	for i := range a.Checks {
		if !Counts(a.Checks[i].Kind) {
			continue
		}
		row := a.Rows[i]
		st := row.State
		if st == detect.Down && Expiring(row.Reason, row.Message) {
			st = detect.Up
		}
		if st != detect.Unknown && !row.Since.After(period.From) {
			out = append(out, []Change{{period.From, st}})
			continue
		}
		changes, err := r.checkHistory(ctx, a.Name, row.Check, period)
		if err != nil {
			return nil, fmt.Errorf("history of %s: %w", row.Check, err)
		}
		// The stored state is the check's current one even when the log
		// lacks the signal of its last change (kept less long, or written
		// by a process that stopped before appending it).
		if n := len(changes); st != detect.Unknown && row.Since.Before(period.To) && (n == 0 || changes[n-1].At.Before(row.Since)) {
			changes = append(changes, Change{row.Since, st})
		}
		out = append(out, changes)
	}
	return out, nil
}

// checkHistory reads one check's changes from the log: the last before
// the period, and those inside it, oldest first.
func (r *Reader) checkHistory(ctx context.Context, asset, key string, period Span) ([]Change, error) {
	var list []storedChange
	for _, kind := range []detect.SignalKind{detect.CheckUp, detect.CheckDown} {
		before, err := r.Detection.Signals(ctx, detect.SignalFilter{Asset: asset, Check: key, Kind: kind, Until: period.From, Limit: 1})
		if err != nil {
			return nil, err
		}
		for i := range before {
			list = append(list, changeOf(&before[i]))
		}
		f := detect.SignalFilter{Asset: asset, Check: key, Kind: kind, Since: period.From, Until: period.To, Limit: detect.MaxSignalLimit}
		for {
			page, err := r.Detection.Signals(ctx, f)
			if err != nil {
				return nil, err
			}
			for i := range page {
				list = append(list, changeOf(&page[i]))
			}
			if len(page) < f.Limit {
				break
			}
			f.Before = page[len(page)-1].ID
		}
	}
	slices.SortFunc(list, func(x, y storedChange) int { return cmp.Or(x.At.Compare(y.At), cmp.Compare(x.id, y.id)) })
	// Of the changes before the period only the last one matters.
	first := 0
	for k := range list {
		if list[k].At.Before(period.From) {
			first = k
		}
	}
	out := make([]Change, 0, len(list)-first)
	for _, c := range list[first:] {
		out = append(out, c.Change)
	}
	return out, nil
}

// Windows returns every maintenance window kept, cancelled ones included.
func (r *Reader) Windows(ctx context.Context) ([]incident.Window, error) {
	list, err := r.Maintenance.ListAll(ctx)
	if err != nil {
		return nil, fmt.Errorf("maintenance windows: %w", err)
	}
	return list, nil
}

// Touches returns whether a window on some assets touches the named
// asset: it is one of them, or depends on one of them, transitively, as
// dependsOn tells (inventory.Graph.DependsOn).
func Touches(name string, dependsOn func(string) []string) func(assets []string) bool {
	above := map[string]bool{name: true}
	queue := []string{name}
	for len(queue) > 0 {
		n := queue[len(queue)-1]
		queue = queue[:len(queue)-1]
		for _, d := range dependsOn(n) {
			if !above[d] {
				above[d] = true
				queue = append(queue, d)
			}
		}
	}
	return func(assets []string) bool {
		return slices.ContainsFunc(assets, func(a string) bool { return above[a] })
	}
}

// Availability reads the asset's timeline over period, with the windows
// touching it (from windows, as Windows returns them) and their
// announced parts removed.
func (r *Reader) Availability(ctx context.Context, a *AssetState, windows []incident.Window, period Span) (Timeline, []Window, error) {
	checks, err := r.History(ctx, a, period)
	if err != nil {
		return Timeline{}, nil, err
	}
	ws := Windows(windows, Touches(a.Name, r.Inventory.Graph().DependsOn), period)
	return Fold(period, checks, excludedSpans(ws)), ws, nil
}

// Affected returns the names of the assets among list that a failure or
// a maintenance of roots reaches, in list's order.
func Affected(list []AssetState, roots []string, dependsOn func(string) []string) []string {
	var out []string
	for i := range list {
		if Touches(list[i].Name, dependsOn)(roots) {
			out = append(out, list[i].Name)
		}
	}
	return out
}

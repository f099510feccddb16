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
	all, err := r.Histories(ctx, []AssetState{*a}, period)
	if err != nil {
		return nil, err
	}
	return all[0], nil
}

// Histories is History for each of list, in its order, reading the log
// once for all of them.
func (r *Reader) Histories(ctx context.Context, list []AssetState, period Span) ([][][]Change, error) {
	var read []string
	for i := range list {
		for j := range list[i].Checks {
			if Counts(list[i].Checks[j].Kind) && needsLog(list[i].Rows[j], period) {
				read = append(read, list[i].Name)
				break
			}
		}
	}
	logged := map[string][]storedChange{}
	if len(read) > 0 {
		signals, err := r.Detection.CheckChanges(ctx, read, period.From, period.To)
		if err != nil {
			return nil, fmt.Errorf("history of %d assets: %w", len(read), err)
		}
		for i := range signals {
			key := signals[i].Asset + "\x00" + signals[i].Check
			logged[key] = append(logged[key], changeOf(&signals[i]))
		}
	}
	out := make([][][]Change, len(list))
	for i := range list {
		a := &list[i]
		for j := range a.Checks {
			if !Counts(a.Checks[j].Kind) {
				continue
			}
			row := a.Rows[j]
			st := currentState(row)
			if !needsLog(row, period) {
				out[i] = append(out[i], []Change{{period.From, st}})
				continue
			}
			changes := since(logged[a.Name+"\x00"+row.Check], period)
			// The stored state is the check's current one even when the log
			// lacks the signal of its last change (kept less long, or written
			// by a process that stopped before appending it).
			if n := len(changes); st != detect.Unknown && row.Since.Before(period.To) && (n == 0 || changes[n-1].At.Before(row.Since)) {
				changes = append(changes, Change{row.Since, st})
			}
			out[i] = append(out[i], changes)
		}
	}
	return out, nil
}

// currentState is a check's stored state as availability counts it: down
// only for a certificate ending soon is up.
func currentState(row detect.StateRow) detect.State {
	if row.State == detect.Down && Expiring(row.Reason, row.Message) {
		return detect.Up
	}
	return row.State
}

// needsLog tells whether a check's history over period must be read from
// the log: its state is unknown, or changed inside the period.
func needsLog(row detect.StateRow, period Span) bool {
	return currentState(row) == detect.Unknown || row.Since.After(period.From)
}

// since orders one check's logged changes and keeps, of those before the
// period, only the last one.
func since(list []storedChange, period Span) []Change {
	slices.SortFunc(list, func(x, y storedChange) int { return cmp.Or(x.At.Compare(y.At), cmp.Compare(x.id, y.id)) })
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
	return out
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
	tls, ws, err := r.Availabilities(ctx, []AssetState{*a}, windows, period)
	if err != nil {
		return Timeline{}, nil, err
	}
	return tls[0], ws[0], nil
}

// Availabilities is Availability for each of list, in its order, reading
// the log once for all of them.
func (r *Reader) Availabilities(ctx context.Context, list []AssetState, windows []incident.Window, period Span) ([]Timeline, [][]Window, error) {
	histories, err := r.Histories(ctx, list, period)
	if err != nil {
		return nil, nil, err
	}
	dependsOn := r.Inventory.Graph().DependsOn
	tls, ws := make([]Timeline, len(list)), make([][]Window, len(list))
	for i := range list {
		ws[i] = Windows(windows, Touches(list[i].Name, dependsOn), period)
		tls[i] = Fold(period, histories[i], excludedSpans(ws[i]))
	}
	return tls, ws, nil
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

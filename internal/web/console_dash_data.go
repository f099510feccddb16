package web

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/detect"
	"github.com/vigie/vigie/internal/facts"
	"github.com/vigie/vigie/internal/heartbeat"
	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/probe"
)

// locationHealth is a remote probe location as the dashboard shows it.
type locationHealth struct {
	Name string
	// LastSeen is its last contact, nil if never; Silent is set when it has
	// been quiet longer than the detector allows (DefaultSilentFactor poll
	// intervals), Never when it never reported.
	LastSeen       *time.Time
	PollInterval   time.Duration
	Silent, Never  bool
	RefusedResults int64
}

// locationsHealth returns the locations not revoked, silent ones first,
// judged at now by the detector's own rule, so that the dashboard says
// silent exactly when the detector leaves the location out of quorums.
func locationsHealth(ctx context.Context, locations *probe.LocationStore, now time.Time) ([]locationHealth, error) {
	list, err := locations.Active(ctx)
	if err != nil {
		return nil, fmt.Errorf("dashboard locations: %w", err)
	}
	out := make([]locationHealth, 0, len(list))
	for _, l := range list {
		h := locationHealth{Name: l.Name, LastSeen: l.LastSeenAt, PollInterval: l.PollInterval, RefusedResults: l.RefusedResults}
		poll := l.PollInterval
		if poll <= 0 {
			poll = detect.DefaultPollInterval
		}
		switch {
		case l.LastSeenAt == nil:
			h.Never = true
		case now.Sub(*l.LastSeenAt) > detect.DefaultSilentFactor*poll:
			h.Silent = true
		}
		out = append(out, h)
	}
	slices.SortStableFunc(out, func(a, b locationHealth) int {
		if a.Silent != b.Silent {
			return boolInt(b.Silent) - boolInt(a.Silent)
		}
		return cmp.Compare(a.Name, b.Name)
	})
	return out, nil
}

// hostViolation is one compliance violation of one host.
type hostViolation struct {
	Asset, Kind string
	ReportedAt  time.Time
	facts.Violation
	// Power is set for the rules of the hypervisors' CPU power profile,
	// shown first: a host once ran for weeks in a power-saving profile.
	Power bool
}

// isPowerRule tells a rule of the CPU power profile (governor, energy
// preference) from the others.
func isPowerRule(v facts.Violation) bool {
	return strings.HasPrefix(v.Fact, "cpu.") || v.Rule == "hypervisor-performance-governor" || v.Rule == "hypervisor-energy-performance"
}

// violations returns every host's violations, the power profile's first,
// then by host and rule.
func violations(hosts []probe.HostCompliance) []hostViolation {
	out := []hostViolation{}
	for _, h := range hosts {
		for _, v := range h.Violations {
			out = append(out, hostViolation{Asset: h.Asset, Kind: h.Kind, ReportedAt: h.ReportedAt, Violation: v, Power: isPowerRule(v)})
		}
	}
	slices.SortStableFunc(out, func(a, b hostViolation) int {
		if a.Power != b.Power {
			return boolInt(b.Power) - boolInt(a.Power)
		}
		return cmp.Or(cmp.Compare(a.Asset, b.Asset), cmp.Compare(a.Rule, b.Rule))
	})
	return out
}

// staleBackups returns the backup (heartbeat) checks of the whole host
// that are stale at now, the most overdue first, judged as their customer
// is shown them (heartbeat.Store.Backups). Only the checks whose last ping
// does not already prove them fresh are judged in full.
func staleBackups(ctx context.Context, inv *inventory.Service, beats *heartbeat.Store, now time.Time) ([]heartbeat.Backup, error) {
	last, err := beats.LastAll(ctx)
	if err != nil {
		return nil, fmt.Errorf("dashboard backups: %w", err)
	}
	// Only the assets of the heartbeats with a token can be stale: their
	// checks are read, not the whole inventory's, on each view.
	// A key is asset/name and an asset's name may hold a slash: every
	// prefix before one is a candidate (those that are no asset are left
	// out by ChecksOfAssets, and only the keys issued are kept below).
	var assets []string
	for key := range last {
		for i := range len(key) {
			if key[i] == '/' {
				assets = append(assets, key[:i])
			}
		}
	}
	slices.Sort(assets)
	byAsset, err := inv.ChecksOfAssets(ctx, slices.Compact(assets))
	if err != nil {
		return nil, fmt.Errorf("dashboard backups: %w", err)
	}
	var checks []check.Check
	for _, a := range slices.Sorted(maps.Keys(byAsset)) {
		for _, c := range byAsset[a] {
			if c.Kind == check.Heartbeat {
				checks = append(checks, c)
			}
		}
	}
	var doubt []check.Check
	for _, c := range checks {
		b, issued := last[c.Key()]
		if !issued {
			continue // no token: no job can ping it, it is never stale
		}
		grace := time.Duration(c.Grace())
		if grace <= 0 {
			grace = check.DefaultHeartbeatGrace
		}
		if b.Ping.Status == heartbeat.StatusOK && !b.At.IsZero() && !now.After(b.At.Add(time.Duration(c.Period())+grace)) {
			continue // the last ping was good and is recent enough
		}
		doubt = append(doubt, c)
	}
	list, err := beats.Backups(ctx, doubt, now)
	if err != nil {
		return nil, fmt.Errorf("dashboard backups: %w", err)
	}
	list = slices.DeleteFunc(list, func(b heartbeat.Backup) bool { return !b.Stale })
	slices.SortStableFunc(list, func(a, b heartbeat.Backup) int { return cmp.Or(a.DueBy.Compare(b.DueBy), cmp.Compare(a.Key, b.Key)) })
	return list, nil
}

// monthsOf returns the start of the calendar month of now in zone and of
// the month before: the dashboard compares this month so far with the
// whole of the last one, by the staff member's calendar.
func monthsOf(now time.Time, zone *time.Location) (this, last time.Time) {
	local := now.In(zone)
	this = time.Date(local.Year(), local.Month(), 1, 0, 0, 0, 0, zone)
	return this, this.AddDate(0, -1, 0)
}

// responseFigures are the response times of this month and the last.
type responseFigures struct {
	This, Last incident.Period
	// ThisStart and LastStart are the months' first days in the viewer's
	// zone.
	ThisStart, LastStart time.Time
}

// monthFigures computes time to detect, acknowledge and resolve of the
// incidents detected this month so far and last month, with the same
// service as GET /api/v1/incidents/stats.
func monthFigures(ctx context.Context, incidents *incident.Store, now time.Time, zone *time.Location) (responseFigures, error) {
	this, last := monthsOf(now, zone)
	out := responseFigures{ThisStart: this, LastStart: last}
	if this.Before(now) {
		st, err := incident.Stats(ctx, incidents, this, now)
		if err != nil {
			return out, fmt.Errorf("dashboard figures: %w", err)
		}
		out.This = st.Period
	}
	st, err := incident.Stats(ctx, incidents, last, this)
	if err != nil {
		return out, fmt.Errorf("dashboard figures: %w", err)
	}
	out.Last = st.Period
	return out, nil
}

// customerFirst returns the incidents detected in [from, to) that a
// customer told us of before Vigie saw them, newest first.
func customerFirst(ctx context.Context, incidents *incident.Store, from, to time.Time) ([]incident.Incident, error) {
	if !from.Before(to) {
		return []incident.Incident{}, nil
	}
	list, err := incidents.Between(ctx, from, to)
	if err != nil {
		return nil, fmt.Errorf("dashboard customer-first incidents: %w", err)
	}
	list = slices.DeleteFunc(list, func(inc incident.Incident) bool {
		return inc.Status == incident.Merged || !inc.CustomerFirst() || inc.DetectedAt.Before(from) || !inc.DetectedAt.Before(to)
	})
	slices.Reverse(list)
	return list, nil
}

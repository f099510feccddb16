package probe

import (
	"context"
	"time"

	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/inventory"
)

// remoteBatch is how many queued remote results one round takes: 20
// rounds a wake-up, and without one the sweep's (every 5 s), so that the
// leader follows 100,000 results/s even when no batch wakes it.
const remoteBatch = 25_000

// takeRemote gives the queued results of remote locations to the
// detector, in order, and forgets them once the signals they caused are
// written: while the database refuses writes they stay queued.
func (m *Monitor) takeRemote(ctx context.Context) {
	if m.opts.Results == nil {
		return
	}
	m.refreshLocations(ctx)
	for range 20 { // bounded, so that local results keep flowing
		if !m.pending.empty() {
			return
		}
		list, err := m.opts.Results.Next(ctx, remoteBatch)
		if err != nil {
			if ctx.Err() == nil {
				m.opts.Logger.Warn("monitor: read remote results", "err", err)
			}
			return
		}
		if len(list) == 0 {
			m.oldestQueued = time.Time{}
			return
		}
		m.oldestQueued = list[0].Received
		for _, q := range list {
			m.det.Contact(q.Location, q.Received)
			m.observeAt(ctx, q.Location, q.Key, q.Result)
		}
		if err := m.flush(ctx); err != nil {
			return // the signals are not written: the results stay queued
		}
		if err := m.opts.Results.Done(ctx, list[len(list)-1].ID); err != nil {
			m.opts.Logger.Warn("monitor: remote results taken", "err", err)
			return
		}
		m.taken.Add(uint64(len(list)))
		if len(list) < remoteBatch {
			m.oldestQueued = time.Time{}
			return
		}
	}
}

// refreshLocations reads the remote locations, at most every
// locationsEvery: the detector learns when each was last heard from,
// whichever server it talked to, and a location added or revoked has the
// checks assigned again.
func (m *Monitor) refreshLocations(ctx context.Context) {
	now := m.opts.Now()
	if m.opts.Locations == nil || now.Sub(m.locationsAt) < locationsEvery {
		return
	}
	m.locationsAt = now
	active, err := m.opts.Locations.Active(ctx)
	if err != nil {
		return
	}
	for _, l := range active {
		if l.LastSeenAt != nil {
			m.det.Contact(l.Name, *l.LastSeenAt)
		}
	}
	if !sameLocations(active, m.remote) {
		m.version = -1 // reassign every check
	}
}

// locationsOf returns the locations that run a check: this one and the
// active remote ones, unless the check names its own.
func (m *Monitor) locationsOf(c *check.Check) []string {
	var out []string
	if m.runsLocally(c) && c.Kind != check.Host {
		out = append(out, m.opts.Location)
	}
	if c.Kind == check.Heartbeat {
		return out // judged here, from what jobs send
	}
	for _, l := range m.remote {
		if runsHere(c, l.Name) {
			out = append(out, l.Name)
		}
	}
	return out
}

// Assignments returns the checks a remote location runs, and only those
// (a check pinned to other locations never shows, nor its headers), with
// the inventory version they come from. The checks carry their secrets:
// the location needs them to run them.
func Assignments(ctx context.Context, inv *inventory.Service, location string) (int64, []check.Check, error) {
	set, err := inv.Effective(ctx)
	if err != nil {
		return 0, nil, err
	}
	out := set.Sorted(func(c *check.Check) bool { return assignedTo(c, location) })
	return set.Version(), out, nil
}

// assignedTo reports whether a remote location runs c: heartbeats are
// judged by the server and host facts come from agents, so neither is ever
// a location's.
func assignedTo(c *check.Check, location string) bool {
	return c.Kind != check.Heartbeat && c.Kind != check.Host && runsHere(c, location)
}

// Taken counts the remote results this monitor has taken, each once.
func (m *Monitor) Taken() uint64 { return m.taken.Load() }

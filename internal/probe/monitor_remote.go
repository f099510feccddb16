package probe

import (
	"context"
	"errors"
	"fmt"

	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/inventory"
)

// ErrMonitorStopped is returned by Ingest when the monitor is not running.
var ErrMonitorStopped = errors.New("monitor not running")

type ingest struct {
	location string
	epoch    string
	records  []Record
	reply    chan ingestReply
}

type ingestReply struct {
	ack uint64
	err error
}

// Ingest gives the results of a remote location to the detector, in order,
// skipping those already taken (a batch replayed after a lost
// acknowledgement), and returns the last sequence number taken. epoch names
// the probe's buffer: a new one (the probe lost its disk) starts counting
// again from zero.
func (m *Monitor) Ingest(ctx context.Context, location, epoch string, records []Record) (uint64, error) {
	reply := make(chan ingestReply, 1)
	select {
	case m.ingests <- ingest{location: location, epoch: epoch, records: records, reply: reply}:
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	select {
	case r := <-reply:
		return r.ack, r.err
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

func (m *Monitor) ingest(ctx context.Context, in ingest) (uint64, error) {
	location := in.location
	if m.opts.Locations == nil {
		return 0, fmt.Errorf("location %s: no location store", location)
	}
	pos, ok := m.lastSeq[location]
	if !ok {
		var err error
		if pos.epoch, pos.seq, err = m.opts.Locations.LastSeq(ctx, location); err != nil {
			return 0, err
		}
	}
	if pos.epoch != in.epoch {
		pos = seqPos{epoch: in.epoch}
	}
	last := pos.seq
	records := in.records
	m.det.Contact(location, m.opts.Now())
	taken := last
	for _, rec := range records {
		if rec.Seq <= taken {
			continue
		}
		m.observeAt(ctx, location, rec.Key, rec.Result)
		m.taken.Add(1)
		taken = rec.Seq
	}
	if taken != last || !ok {
		if err := m.opts.Locations.SetLastSeq(ctx, location, in.epoch, taken); err != nil {
			return last, err
		}
	}
	m.lastSeq[location] = seqPos{epoch: in.epoch, seq: taken}
	return taken, nil
}

// seqPos is where the results of a location are taken up to.
type seqPos struct {
	epoch string
	seq   uint64
}

// locationsOf returns the locations that run a check: this one and the
// active remote ones, unless the check names its own.
func (m *Monitor) locationsOf(c *check.Check) []string {
	var out []string
	if runsHere(c, m.opts.Location) && c.Kind != check.Host {
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

// Assignments returns the checks a remote location runs and the inventory
// version they come from.
func Assignments(ctx context.Context, inv *inventory.Service, location string) (int64, []check.Check, error) {
	if err := inv.LoadGraph(ctx); err != nil {
		return 0, nil, err
	}
	version := inv.Graph().Version()
	list, err := inv.Checks(ctx, inventory.CheckFilter{Effective: true})
	if err != nil {
		return 0, nil, err
	}
	out := make([]check.Check, 0, len(list))
	for i := range list {
		c := &list[i]
		if c.Kind == check.Heartbeat || c.Kind == check.Host || !runsHere(c, location) {
			continue
		}
		out = append(out, *c)
	}
	return version, out, nil
}

// Taken counts the remote results this monitor has taken, each once.
func (m *Monitor) Taken() uint64 { return m.taken.Load() }

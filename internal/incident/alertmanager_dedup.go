package incident

import (
	"container/list"
	"sync"
	"time"
)

// DefaultDedupSize is how many alert fingerprints a Dedup remembers when
// given no size.
const DefaultDedupSize = 10000

// DedupEntry is what a Dedup remembers of one alert, as persisted.
type DedupEntry struct {
	Fingerprint string    `json:"fingerprint"`
	Firing      bool      `json:"firing"`
	StartsAt    time.Time `json:"starts_at"`
	EndsAt      time.Time `json:"ends_at"`
}

// Dedup makes repeated Alertmanager deliveries idempotent: it remembers the
// last state seen of each alert, by fingerprint, and says whether a new
// delivery changes it. It keeps at most its size of fingerprints,
// forgetting the least recently seen resolved alert first, and a firing
// one only when all are firing. It is safe for concurrent use; the zero
// value remembers DefaultDedupSize fingerprints.
type Dedup struct {
	mu       sync.Mutex
	size     int
	entries  map[string]*list.Element // of *DedupEntry, in resolved or firing
	resolved *list.List               // least recently seen first
	firing   *list.List               // least recently seen first
}

// NewDedup returns a Dedup remembering at most size fingerprints
// (DefaultDedupSize when size is not positive).
func NewDedup(size int) *Dedup {
	d := &Dedup{size: size}
	d.init()
	return d
}

func (d *Dedup) init() {
	if d.size <= 0 {
		d.size = DefaultDedupSize
	}
	if d.entries == nil {
		d.entries = make(map[string]*list.Element)
		d.resolved = list.New()
		d.firing = list.New()
	}
}

// Fresh records the alert's state and reports whether it differs from the
// last one seen: a first sighting, the resolution of a firing alert, or a
// new start (the alert fired again). Deliveries about an earlier start than
// the one remembered, or firing for a start already seen resolved, are
// stale: Alertmanager replicas deliver independently and out of order. The
// end of a firing alert is ignored, since Prometheus moves it forward on
// every resend. Alerts without a fingerprint are always fresh.
func (d *Dedup) Fresh(a AlertSignal) bool {
	if a.Fingerprint == "" {
		return true
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.init()
	next := DedupEntry{Fingerprint: a.Fingerprint, Firing: a.Firing, StartsAt: a.StartsAt, EndsAt: a.EndsAt}
	el, seen := d.entries[a.Fingerprint]
	if !seen {
		d.put(next)
		return true
	}
	fresh, record := freshness(el.Value.(*DedupEntry), a)
	if !record {
		d.touch(el)
		return false
	}
	d.remove(el)
	d.put(next)
	return fresh
}

// freshness is the rule of Fresh against the last state seen, prev (nil
// for a first sighting): whether a is news, and whether it replaces prev.
func freshness(prev *DedupEntry, a AlertSignal) (fresh, record bool) {
	switch {
	case prev == nil, a.StartsAt.After(prev.StartsAt):
		return true, true
	case a.StartsAt.Before(prev.StartsAt), a.Firing && !prev.Firing:
		return false, false
	default:
		return prev.Firing && !a.Firing, true
	}
}

// Snapshot returns what the Dedup remembers, least recently seen first,
// resolved alerts before firing ones, for Restore to read back.
func (d *Dedup) Snapshot() []DedupEntry {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.init()
	out := make([]DedupEntry, 0, len(d.entries))
	for _, l := range []*list.List{d.resolved, d.firing} {
		for el := l.Front(); el != nil; el = el.Next() {
			out = append(out, *el.Value.(*DedupEntry))
		}
	}
	return out
}

// Restore replaces what the Dedup remembers with entries, taken as least
// recently seen first; a later entry for the same fingerprint replaces an
// earlier one, and the size bound applies as if they were seen in order.
func (d *Dedup) Restore(entries []DedupEntry) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.init()
	clear(d.entries)
	d.resolved.Init()
	d.firing.Init()
	for _, e := range entries {
		if e.Fingerprint == "" {
			continue
		}
		if el, ok := d.entries[e.Fingerprint]; ok {
			d.remove(el)
		}
		d.put(e)
	}
}

// Len is the number of fingerprints remembered.
func (d *Dedup) Len() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.entries)
}

// put remembers e, whose fingerprint is not remembered, as the most
// recently seen, first forgetting the oldest entry when full.
func (d *Dedup) put(e DedupEntry) {
	if len(d.entries) >= d.size {
		oldest := d.resolved.Front()
		if oldest == nil {
			oldest = d.firing.Front()
		}
		d.remove(oldest)
	}
	l := d.resolved
	if e.Firing {
		l = d.firing
	}
	d.entries[e.Fingerprint] = l.PushBack(&e)
}

// touch marks an entry as the most recently seen without changing it.
func (d *Dedup) touch(el *list.Element) {
	if el.Value.(*DedupEntry).Firing {
		d.firing.MoveToBack(el)
	} else {
		d.resolved.MoveToBack(el)
	}
}

func (d *Dedup) remove(el *list.Element) {
	e := el.Value.(*DedupEntry)
	if e.Firing {
		d.firing.Remove(el)
	} else {
		d.resolved.Remove(el)
	}
	delete(d.entries, e.Fingerprint)
}

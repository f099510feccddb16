package incident

import (
	"slices"
	"strings"
	"time"
)

// DefaultSettle is how long a root candidate waits before its incident
// opens, so that failures arriving meanwhile re-target it to the highest root.
const DefaultSettle = 60 * time.Second

// SettledRoot is a root whose settle window elapsed: its incident may open.
type SettledRoot struct {
	RootCause
	// FirstSeen is when the first failure now in its scope was observed
	// while waiting: where the settle window started.
	FirstSeen time.Time
}

// Pending holds the root candidates waiting out their settle window. Feed
// it every correlation with Observe and ask Ready which may open. A root
// that Ready returned is not returned again while it stays a root; once it
// stops being one (recovered or absorbed), a new failure there waits anew.
// The zero value is ready to use; it is not safe for concurrent use.
type Pending struct {
	first  map[string]time.Time // candidates waiting, by root name
	opened map[string]bool      // roots Ready returned, while still roots
	roots  map[string]RootCause // the roots of the last observation
}

// Observe records the correlation res as seen at at. New roots start
// waiting at at; a waiting candidate now below another root is absorbed by
// it, which keeps the earliest start; one no longer a root otherwise
// (recovered, or explaining nothing) is dropped.
func (p *Pending) Observe(res Correlation, at time.Time) {
	if p.first == nil {
		p.first = map[string]time.Time{}
		p.opened = map[string]bool{}
	}
	p.roots = make(map[string]RootCause, len(res.Roots))
	for _, r := range res.Roots {
		p.roots[r.Asset] = r
	}
	for name := range p.opened {
		if _, ok := p.roots[name]; !ok {
			delete(p.opened, name)
		}
	}
	for name := range p.roots {
		if _, waiting := p.first[name]; !waiting && !p.opened[name] {
			p.first[name] = at
		}
	}
	for name, t := range p.first {
		if _, root := p.roots[name]; root {
			continue
		}
		delete(p.first, name)
		if start, waiting := p.first[res.Scope[name]]; waiting && t.Before(start) {
			p.first[res.Scope[name]] = t
		}
	}
}

// Ready returns, sorted by asset, the roots of the last observation whose
// settle window has elapsed at now. They keep waiting until Opened says
// their incident is written, so that a failed write is tried again.
func (p *Pending) Ready(now time.Time, window time.Duration) []SettledRoot {
	var out []SettledRoot
	for name, t := range p.first {
		if now.Sub(t) < window {
			continue
		}
		out = append(out, SettledRoot{RootCause: p.roots[name], FirstSeen: t})
	}
	slices.SortFunc(out, func(a, b SettledRoot) int { return strings.Compare(a.Asset, b.Asset) })
	return out
}

// Opened records that the incident of a root Ready returned is written:
// it is not returned again while it stays a root.
func (p *Pending) Opened(name string) {
	if _, waiting := p.first[name]; !waiting {
		return
	}
	delete(p.first, name)
	p.opened[name] = true
}

// Waiting returns the sorted names of the candidates still waiting.
func (p *Pending) Waiting() []string {
	return sortedNames(p.first)
}

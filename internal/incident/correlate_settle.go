package incident

import (
	"slices"
	"strings"
	"time"
)

// DefaultSettle is how long an incident opened by correlation stays
// unsettled: it opens at its first confirmed root and staff hear of it at
// once; meanwhile failures of higher roots re-target it and its scope
// widens; once the window elapsed it settles, and customers and public
// channels hear of it, naming the highest root.
const DefaultSettle = 60 * time.Second

// ConfirmedRoot is a root that correlation confirmed: its incident opens
// (or, within the settle window of one below it, that one is re-targeted).
type ConfirmedRoot struct {
	RootCause
	// FirstSeen is when the first failure now in its scope was observed
	// while its incident was not written yet.
	FirstSeen time.Time
}

// Pending holds the root candidates until their incident is written. Feed
// it every correlation with Observe and ask Ready which to open. A root
// that Ready returned and whose write Opened confirmed is not returned again
// while it stays a root; once it stops being one (recovered or absorbed),
// a new failure there is a candidate anew. The zero value is ready to use;
// it is not safe for concurrent use.
type Pending struct {
	first  map[string]time.Time // candidates not written yet, by root name
	opened map[string]bool      // roots whose incident is written, while still roots
	roots  map[string]RootCause // the roots of the last observation
}

// Observe records the correlation res as seen at at. New roots become
// candidates at at; a candidate not written yet that is now below another
// root is absorbed by it, which keeps the earliest start; one no longer a
// root otherwise (recovered, or explaining nothing) is dropped.
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
// incident is not written yet. They stay candidates until Opened says
// their incident is written, so that a failed write is tried again.
func (p *Pending) Ready() []ConfirmedRoot {
	var out []ConfirmedRoot
	for name, t := range p.first {
		out = append(out, ConfirmedRoot{RootCause: p.roots[name], FirstSeen: t})
	}
	slices.SortFunc(out, func(a, b ConfirmedRoot) int { return strings.Compare(a.Asset, b.Asset) })
	return out
}

// Opened records that the incident of a root Ready returned is written
// (opened, re-targeted to it, or attached to): it is not returned again
// while it stays a root.
func (p *Pending) Opened(name string) {
	if _, waiting := p.first[name]; !waiting {
		return
	}
	delete(p.first, name)
	p.opened[name] = true
}

// Waiting returns the sorted names of the candidates not written yet.
func (p *Pending) Waiting() []string {
	return sortedNames(p.first)
}

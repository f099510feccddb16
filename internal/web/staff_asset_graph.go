package web

import (
	"fmt"
	"html/template"
	"net/url"
	"slices"
	"strings"

	"github.com/vigie/vigie/internal/inventory"
)

// The asset graph: the asset in the middle, what it depends on above it
// (layer by layer, up to graphDepth), what depends on it directly below.
// A layer of more than graphMaxNodes is collapsed into one node per kind
// ("120 site"), which links to the list of those assets.
const (
	graphDepth    = 3
	graphMaxNodes = 7
	graphWidth    = 960
	graphRow      = 100
	graphNodeW    = 124
	graphNodeH    = 56
	graphNameMax  = 18
)

// graphGroup labels a group of assets of one kind: "16 × site".
const graphGroup = "%d × %s"

// graphNode is one box of the graph: an asset, or a group of assets of
// one kind.
type graphNode struct {
	Name, Kind string
	// Count is set on a group: how many assets of Kind it stands for.
	Count int
	// Link is the page the node opens; Center marks the asset itself.
	Link   string
	Center bool
	x, y   int
}

// assetGraph is the graph of an asset: its layers, top to bottom, and
// the edges between their nodes.
type assetGraph struct {
	Layers [][]graphNode
	edges  [][2]*graphNode
}

// graphWords are the words the drawing needs, in the viewer's language.
type graphWords struct {
	Title, Maintenance string
	// Group names a group of assets of a kind: "%d %s".
	Group string
}

// buildAssetGraph lays out the neighbourhood of name in g.
func buildAssetGraph(g *inventory.Graph, name string) *assetGraph {
	ag := &assetGraph{}
	// Upstream, by shortest distance.
	depth := map[string]int{name: 0}
	frontier := []string{name}
	var upLayers [][]string
	for d := 1; d <= graphDepth && len(frontier) > 0; d++ {
		var next []string
		for _, n := range frontier {
			for _, dep := range g.DependsOn(n) {
				if _, seen := depth[dep]; !seen {
					depth[dep] = d
					next = append(next, dep)
				}
			}
		}
		slices.Sort(next)
		if len(next) > 0 {
			upLayers = append(upLayers, next)
		}
		frontier = next
	}
	byName := map[string]*graphNode{}
	layer := func(names []string, groupLink func(kind string) string) []graphNode {
		if len(names) <= graphMaxNodes {
			out := make([]graphNode, len(names))
			for i, n := range names {
				out[i] = graphNode{Name: n, Kind: g.Kind(n), Link: "/staff/assets/" + url.PathEscape(n)}
			}
			return out
		}
		kinds, counts := kindCounts(g, names)
		out := make([]graphNode, len(kinds))
		for i, k := range kinds {
			out[i] = graphNode{Kind: k, Count: counts[k], Link: groupLink(k)}
		}
		return out
	}
	noLink := func(string) string { return "" }
	for i := len(upLayers) - 1; i >= 0; i-- {
		ag.Layers = append(ag.Layers, layer(upLayers[i], noLink))
	}
	ag.Layers = append(ag.Layers, []graphNode{{Name: name, Kind: g.Kind(name), Center: true, Link: "/staff/assets/" + url.PathEscape(name)}})
	if down := g.Dependents(name); len(down) > 0 {
		ag.Layers = append(ag.Layers, layer(down, func(kind string) string {
			return "/staff/inventory?" + url.Values{"of": {name}, "kind": {kind}}.Encode()
		}))
	}
	// Positions, then the edges between named nodes of adjacent layers;
	// a group is joined to the node it hangs from.
	center := len(upLayers)
	for li := range ag.Layers {
		row := ag.Layers[li]
		for i := range row {
			n := &row[i]
			n.x = (2*i+1)*graphWidth/(2*len(row)) - graphNodeW/2
			n.y = 12 + li*graphRow
			if n.Count == 0 {
				byName[n.Name] = n
			}
		}
	}
	for li := range ag.Layers {
		for i := range ag.Layers[li] {
			n := &ag.Layers[li][i]
			switch {
			case n.Count > 0 && li < center:
				ag.edges = append(ag.edges, [2]*graphNode{n, &ag.Layers[li+1][0]})
			case n.Count > 0:
				ag.edges = append(ag.edges, [2]*graphNode{&ag.Layers[center][0], n})
			case li > center:
				ag.edges = append(ag.edges, [2]*graphNode{&ag.Layers[center][0], n})
			default:
				for _, dep := range g.DependsOn(n.Name) {
					if m, ok := byName[dep]; ok && depth[dep] == depth[n.Name]+1 {
						ag.edges = append(ag.edges, [2]*graphNode{m, n})
					}
				}
			}
		}
	}
	return ag
}

// neighbours are the nodes next to the asset, above and below, for the
// list under the drawing (readable on a phone, and by screen readers).
func (ag *assetGraph) neighbours() (up, down []graphNode) {
	for li := range ag.Layers {
		if ag.Layers[li][0].Center {
			if li > 0 {
				up = ag.Layers[li-1]
			}
			if li+1 < len(ag.Layers) {
				down = ag.Layers[li+1]
			}
		}
	}
	return up, down
}

// svg draws the graph; every node links to its page and offers to plan a
// maintenance of it.
func (ag *assetGraph) svg(w graphWords) template.HTML {
	height := len(ag.Layers)*graphRow + 8
	var b strings.Builder
	esc := template.HTMLEscapeString
	fmt.Fprintf(&b, `<svg class="inv-graph" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="100%%" role="img" aria-labelledby="inv-graph-title">`, graphWidth, height)
	fmt.Fprintf(&b, `<title id="inv-graph-title">%s</title>`, esc(w.Title))
	for _, e := range ag.edges {
		// From the bottom of the upper node to the top of the lower one.
		fmt.Fprintf(&b, `<line class="inv-edge" x1="%d" y1="%d" x2="%d" y2="%d"/>`,
			e[0].x+graphNodeW/2, e[0].y+graphNodeH, e[1].x+graphNodeW/2, e[1].y)
	}
	for li := range ag.Layers {
		for i := range ag.Layers[li] {
			n := &ag.Layers[li][i]
			label, class := n.Name, "inv-node"
			if n.Count > 0 {
				label, class = fmt.Sprintf(w.Group, n.Count, n.Kind), "inv-node inv-group"
			}
			if n.Center {
				class += " inv-center"
			}
			shown := label
			if len(shown) > graphNameMax {
				shown = shown[:graphNameMax-1] + "…"
			}
			b.WriteString(`<g class="` + class + `">`)
			if n.Link != "" {
				b.WriteString(`<a href="` + esc(n.Link) + `">`)
			}
			fmt.Fprintf(&b, `<title>%s</title><rect x="%d" y="%d" width="%d" height="%d" rx="6"/>`, esc(label), n.x, n.y, graphNodeW, graphNodeH)
			nameY := n.y + 18
			if n.Count > 0 {
				nameY = n.y + graphNodeH/2 + 5
			}
			fmt.Fprintf(&b, `<text class="inv-name" x="%d" y="%d" text-anchor="middle">%s</text>`, n.x+graphNodeW/2, nameY, esc(shown))
			if n.Count == 0 {
				fmt.Fprintf(&b, `<text class="inv-kind" x="%d" y="%d" text-anchor="middle">%s</text>`, n.x+graphNodeW/2, n.y+33, esc(n.Kind))
			}
			if n.Link != "" {
				b.WriteString(`</a>`)
			}
			if n.Count == 0 {
				fmt.Fprintf(&b, `<a href="/staff/maintenance/new?%s"><text class="inv-maint" x="%d" y="%d" text-anchor="middle">%s</text></a>`,
					esc(url.Values{"asset": {n.Name}}.Encode()), n.x+graphNodeW/2, n.y+graphNodeH-8, esc(w.Maintenance))
			}
			b.WriteString(`</g>`)
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) //nolint:gosec // every text and attribute above is escaped
}

package inventory

import (
	"fmt"
	"slices"
	"strings"
)

// depGraph is the dependency graph of the desired assets, indexed as assetSrc:
// the dependencies of asset v are targets[offsets[v]:offsets[v+1]].
type depGraph struct {
	offsets []int32
	targets []int32
}

// checkCycles reports one cycle of each group of assets that depend on each
// other (each strongly connected component), found with Tarjan's algorithm
// run without recursion so that a million assets in a chain fit the stack.
func (c *checker) checkCycles(g depGraph) {
	n := int32(len(c.assetSrc))
	index := make([]int32, n) // 0: not visited yet; else visit order + 1
	low := make([]int32, n)
	onStack := make([]bool, n)
	var stack []int32
	type frame struct{ v, next int32 }
	var frames []frame
	counter := int32(0)
	visit := func(v int32) {
		counter++
		index[v], low[v] = counter, counter
		stack = append(stack, v)
		onStack[v] = true
		frames = append(frames, frame{v: v, next: g.offsets[v]})
	}
	for root := range n {
		if index[root] != 0 {
			continue
		}
		visit(root)
		for len(frames) > 0 {
			f := &frames[len(frames)-1]
			v := f.v
			if f.next < g.offsets[v+1] {
				w := g.targets[f.next]
				f.next++
				if index[w] == 0 {
					visit(w)
				} else if onStack[w] {
					low[v] = min(low[v], index[w])
				}
				continue
			}
			frames = frames[:len(frames)-1]
			if len(frames) > 0 {
				p := frames[len(frames)-1].v
				low[p] = min(low[p], low[v])
			}
			if low[v] != index[v] {
				continue
			}
			i := len(stack) - 1
			for stack[i] != v {
				i--
			}
			component := stack[i:]
			for _, w := range component {
				onStack[w] = false
			}
			if len(component) > 1 {
				c.reportCycle(g, component)
			}
			stack = stack[:i]
		}
	}
}

// maxCycleShown is how many assets a cycle message names before eliding.
const maxCycleShown = 20

// reportCycle reports the shortest cycle through one asset of component: the
// document entry with the smallest name, so that the message is the same on
// every run and lands on a line the user can edit.
func (c *checker) reportCycle(g depGraph, component []int32) {
	in := make(map[int32]int32, len(component)) // member → BFS parent, -1 unseen
	start := int32(-1)
	for _, v := range component {
		in[v] = -1
		if start < 0 || c.betterStart(v, start) {
			start = v
		}
	}
	// Breadth-first search from start, inside the component, back to start.
	queue := []int32{start}
	last := int32(-1)
	for q := 0; q < len(queue) && last < 0; q++ {
		v := queue[q]
		for _, w := range g.targets[g.offsets[v]:g.offsets[v+1]] {
			if w == start {
				last = v
				break
			}
			if p, ok := in[w]; ok && p < 0 && w != start {
				in[w] = v
				queue = append(queue, w)
			}
		}
	}
	if last < 0 {
		return // unreachable: in a component, start reaches itself
	}
	var path []int32
	for v := last; v != start; v = in[v] {
		path = append(path, v)
	}
	path = append(path, start)
	slices.Reverse(path)

	names := make([]string, 0, min(len(path), maxCycleShown)+2)
	for i, v := range path {
		if i == maxCycleShown-1 && len(path) > maxCycleShown {
			names = append(names, fmt.Sprintf("... (%d more)", len(path)-maxCycleShown))
			names = append(names, c.asset(c.assetSrc[path[len(path)-1]]).Name)
			break
		}
		names = append(names, c.asset(c.assetSrc[v]).Name)
	}
	names = append(names, names[0])
	msg := "dependency cycle: " + strings.Join(names, " -> ")

	next := path[0] // the asset start depends on, along the cycle
	if len(path) > 1 {
		next = path[1]
	}
	e := c.assetEntry(c.assetSrc[start])
	if e == nil {
		// Only possible when the base itself has a cycle.
		c.ps.add("", 0, "%s (in the current inventory)", msg)
		return
	}
	line := e.Lines.Of(FieldDependsOn)
	if k := slices.Index(e.DependsOn, c.asset(c.assetSrc[next]).Name); k >= 0 {
		line = e.itemLine(FieldDependsOn, k)
	}
	c.ps.add(entryFile(e.File, c.docs[c.assetSrc[start].doc]), line, "%s", msg)
}

// betterStart reports whether v is a better place than u to report a cycle:
// document entries first, then the smallest name.
func (c *checker) betterStart(v, u int32) bool {
	vd, ud := c.assetSrc[v].doc != fromBase, c.assetSrc[u].doc != fromBase
	if vd != ud {
		return vd
	}
	return c.asset(c.assetSrc[v]).Name < c.asset(c.assetSrc[u]).Name
}

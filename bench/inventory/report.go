package main

import (
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/vigie/vigie/internal/store"
)

// The targets of the inventory issue, all at targetSites sites.
const (
	targetSites      = 1_000_000
	targetImport     = 60 * time.Second // on SQLite
	targetHypervisor = 5 * time.Millisecond
	targetDatacenter = 500 * time.Millisecond
	targetGraphHeap  = 500_000_000
)

// report is everything a run measured.
type report struct {
	cfg       config
	started   time.Time
	elapsed   time.Duration
	cpus      int
	cpu       string
	goVersion string
	source    string
	loadStart string
	loadEnd   string
	hosts     []*host
	imports   []importRow
	baselines []baselineRow
	loads     []loadRow
	graph     *graphResult
}

func (r *report) print(out io.Writer) {
	if r.elapsed == 0 {
		r.elapsed = time.Since(r.started)
	}
	if r.loadEnd == "" {
		r.loadEnd = loadAverage()
	}
	fmt.Fprintf(out, "Inventory benchmarks: %d CPUs (%s), %s %s/%s, %s, run took %s\n",
		r.cpus, r.cpu, r.goVersion, runtime.GOOS, runtime.GOARCH,
		r.started.UTC().Format("2006-01-02 15:04 MST"), round(r.elapsed))
	fmt.Fprintf(out, "Source: %s; load average at the start %s, at the end %s\n", r.source, r.loadStart, r.loadEnd)
	r.printHosts(out)
	r.printImports(out)
	r.printPlaceholders(out)
	r.printLoads(out)
	r.printGraph(out)
}

func (r *report) printHosts(out io.Writer) {
	if len(r.hosts) == 0 {
		return
	}
	fmt.Fprintf(out, "\nGenerated hosts (vigie simulate inventory)\n")
	t := r.table("sites", "customers", "assets", "CSV size", "YAML size", "CSV written in", "YAML written in")
	for _, h := range r.hosts {
		t.add(num(h.sites), num(h.customers), num(h.assets),
			mb(h.csvBytes), mb(h.yamlBytes), round(h.csvTime), round(h.yamlTime))
	}
	t.write(out)
}

func (r *report) printImports(out io.Writer) {
	if len(r.imports) == 0 {
		return
	}
	fmt.Fprintf(out, "\nImport: `vigie import` as a child process, on a fresh database (\"again\": the same files a second time, no changes)\n")
	fmt.Fprintf(out, "Baseline: the same rows written by batched INSERTs (%d rows each, the engine's positional parameters: ? on SQLite, $n on PostgreSQL)\n", baselineBatch)
	fmt.Fprintf(out, "in one transaction, migrations included, no parsing, validation or diff; in a child process\n")
	t := r.table("engine", "sites", "file", "run", "wall", "peak RSS", "DB size",
		"baseline", "base RSS", "base DB", "wall ratio", "RSS ratio", "target", "met")
	for _, i := range r.imports {
		b := r.baseline(i.engine, i.sites, nativeStyle)
		target, met := "", ""
		if i.engine == store.SQLite && i.sites >= targetSites && i.run == "first" {
			target, met = "< "+round(targetImport), yes(i.wall < targetImport)
		}
		dbSize := mb(i.dbBytes)
		if i.run == "again" {
			dbSize = "" // the same database as the first run
		}
		t.add(string(i.engine), num(i.sites), i.format, i.run, round(i.wall), kib(i.rssKiB), dbSize,
			round(b.Write), kib(b.RSSKiB), mb(b.DBBytes),
			ratio(float64(i.wall), float64(b.Write)), ratio(float64(i.rssKiB), float64(b.RSSKiB)), target, met)
	}
	t.write(out)
}

// baseline returns the baseline of an engine and size, or a zero one when
// it was not measured.
func (r *report) baseline(e store.Engine, sites int, style string) baselineResult {
	for _, b := range r.baselines {
		if b.engine == e && b.sites == sites && b.style == style {
			return b.baselineResult
		}
	}
	return baselineResult{}
}

func (r *report) printPlaceholders(out io.Writer) {
	var rows []baselineRow
	for _, b := range r.baselines {
		if b.style == dollarStyle {
			rows = append(rows, b)
		}
	}
	if len(rows) == 0 {
		return
	}
	fmt.Fprintf(out, "\nThe SQLite baseline again with numbered $n placeholders instead of ? (what the import wrote before it switched to ?)\n")
	t := r.table("engine", "sites", "baseline with $n", "baseline with ?", "ratio", "import", "import / baseline with $n")
	for _, b := range rows {
		native := r.baseline(b.engine, b.sites, nativeStyle)
		var imp time.Duration
		for _, i := range r.imports {
			if i.engine == b.engine && i.sites == b.sites && i.format == "csv" && i.run == "first" {
				imp = i.wall
			}
		}
		t.add(string(b.engine), num(b.sites), round(b.Write), round(native.Write),
			ratio(float64(b.Write), float64(native.Write)), round(imp), ratio(float64(imp), float64(b.Write)))
	}
	t.write(out)
}

func (r *report) printLoads(out io.Writer) {
	if len(r.loads) == 0 {
		return
	}
	fmt.Fprintf(out, "\nGraph loaded from the imported database (Service.LoadGraph, as when the server starts), in a child process\n")
	fmt.Fprintf(out, "Baseline: the same SELECTs, every row read and thrown away\n")
	t := r.table("engine", "sites", "LoadGraph", "baseline", "ratio", "heap kept", "peak RSS")
	for _, l := range r.loads {
		t.add(string(l.engine), num(l.sites), round(l.Load), round(l.Scan),
			ratio(float64(l.Load), float64(l.Scan)), mb(l.Heap), kib(l.RSSKiB))
	}
	t.write(out)
}

func (r *report) printGraph(out io.Writer) {
	g := r.graph
	if g == nil {
		return
	}
	fmt.Fprintf(out, "\nGraph index in memory: %d sites, %d assets, %d customers, built by inventory.NewGraph from simulate.Generate\n",
		g.Sites, g.Assets, g.Customers)
	fmt.Fprintf(out, "Baseline: map[string][]string of dependents, map[string]string of kinds and owners, breadth-first walk with map[string]bool\n")
	at := g.Sites >= targetSites
	t := r.table("measure", "graph", "baseline", "ratio", "target", "met")
	t.add("heap kept (inventory dropped)", mb(g.GraphHeap), mb(g.NaiveHeap),
		ratio(float64(g.GraphHeap), float64(g.NaiveHeap)), target(at, "< "+mb(targetGraphHeap)), met(at, g.GraphHeap < targetGraphHeap))
	t.add("build from the inventory", round(g.GraphBuild), round(g.NaiveBuild),
		ratio(float64(g.GraphBuild), float64(g.NaiveBuild)), "", "")
	for _, q := range []struct {
		what         string
		graph, naive impactTimes
		limit        time.Duration
	}{
		{"hypervisor", g.Hypervisor, g.NaiveHV, targetHypervisor},
		{"dc1", g.Datacenter, g.NaiveDC, targetDatacenter},
	} {
		t.add(fmt.Sprintf("impact %s, median of %d (max %s; answer %d assets, %d sites, %d customers)",
			q.what, q.graph.Calls, round(q.graph.Max), q.graph.Assets, q.graph.Sites, q.graph.Owners),
			round(q.graph.Median), round(q.naive.Median), ratio(float64(q.graph.Median), float64(q.naive.Median)),
			target(at, "< "+round(q.limit)), met(at, q.graph.Median < q.limit))
	}
	t.write(out)
	fmt.Fprintf(out, "(generated inventory before indexing: %s of heap; graph child peak RSS %s)\n", mb(g.InvHeap), kib(g.RSSKiB))
}

// grid is a table of text cells, written aligned or as Markdown.
type grid struct {
	markdown bool
	rows     [][]string
}

func (r *report) table(header ...string) *grid {
	return &grid{markdown: r.cfg.markdown, rows: [][]string{header}}
}

func (g *grid) add(cells ...string) { g.rows = append(g.rows, cells) }

func (g *grid) write(out io.Writer) {
	if g.markdown {
		fmt.Fprintln(out)
		for i, row := range g.rows {
			fmt.Fprintf(out, "| %s |\n", strings.Join(row, " | "))
			if i == 0 {
				fmt.Fprintf(out, "|%s\n", strings.Repeat("---|", len(row)))
			}
		}
		return
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	for _, row := range g.rows {
		fmt.Fprintln(tw, strings.Join(row, "\t")+"\t")
	}
	_ = tw.Flush()
}

// num writes n with thousands separators.
func num(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func target(applies bool, s string) string {
	if !applies {
		return ""
	}
	return s
}

func met(applies, ok bool) string {
	if !applies {
		return ""
	}
	return yes(ok)
}

func yes(ok bool) string {
	if ok {
		return "yes"
	}
	return "NO"
}

// ratio is a/b written as "1.23×".
func ratio(a, b float64) string {
	if a <= 0 || b <= 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.2f×", a/b)
}

// round writes d with three significant digits.
func round(d time.Duration) string {
	switch {
	case d <= 0:
		return "n/a"
	case d >= time.Minute:
		return d.Round(time.Second).String()
	case d >= time.Second:
		return fmt.Sprintf("%.3g s", d.Seconds())
	case d >= time.Millisecond:
		return fmt.Sprintf("%.3g ms", float64(d)/float64(time.Millisecond))
	default:
		return fmt.Sprintf("%.3g µs", float64(d)/float64(time.Microsecond))
	}
}

// mb writes a number of bytes in megabytes (10^6).
func mb(b int64) string {
	if b <= 0 {
		return "n/a"
	}
	s := fmt.Sprintf("%.3g", float64(b)/1e6)
	if strings.Contains(s, "e") {
		s = fmt.Sprintf("%.0f", float64(b)/1e6)
	}
	return s + " MB"
}

// kib writes a number of KiB, as ru_maxrss gives them, in megabytes.
func kib(k int64) string {
	if k <= 0 {
		return "n/a"
	}
	return mb(k * 1024)
}

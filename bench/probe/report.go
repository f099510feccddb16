package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// Targets of the issue.
const (
	targetRatio    = 0.70
	headlineChecks = 100_000
	targetP99      = 2 * time.Second
	targetRSSBytes = 1.5e9
	// sustainedShare is the share of the planned rate a sustained run
	// achieves at least.
	sustainedShare = 0.99
)

// report is everything a run measured.
type report struct {
	cfg       config
	machine   machine
	started   time.Time
	took      time.Duration
	farmStart time.Duration
	rows      []row
}

func newReport(ctx context.Context, cfg config) *report {
	return &report{cfg: cfg, machine: describeMachine(ctx), started: time.Now()}
}

// end records the end of the run.
func (r *report) end() {
	r.took = time.Since(r.started)
	r.machine.loadEnd = loadAverage()
}

func (r *report) print(out io.Writer) {
	m := r.machine
	fmt.Fprintf(out, "Probe engine benchmarks: %d CPUs (%s), %s, %s UTC, run took %s\n", m.cpus, m.cpu, m.goVersion,
		r.started.UTC().Format("2006-01-02 15:04"), r.took.Round(time.Second))
	fmt.Fprintf(out, "Source: commit %s; load average at the start %s, at the end %s\n", m.source, m.loadStart, m.loadEnd)
	inFlight := fmt.Sprintf("at most %d in flight", r.cfg.concurrency)
	if r.cfg.concurrency == 0 {
		inFlight = fmt.Sprintf("Vigie's cap on runs in flight left to its scheduler, the raw loop with %d workers", rawWorkers)
	}
	fmt.Fprintf(out, "Every check every %s, measured for %s each, %s; farm started in %s\n",
		r.cfg.interval, r.cfg.duration, inFlight, r.farmStart.Round(time.Millisecond))
	if len(r.cfg.hang) > 0 {
		fmt.Fprintf(out, "Hanging for the whole run (hang-hypervisor): %s\n", strings.Join(r.cfg.hang, ", "))
	}
	if r.cfg.runTimeout > 0 {
		fmt.Fprintf(out, "Every check and request times out after %s\n", r.cfg.runTimeout)
	}
	fmt.Fprintln(out)
	r.printRows(out)
	fmt.Fprintln(out)
	r.printTargets(out)
}

// printRows writes one line per measure.
func (r *report) printRows(out io.Writer) {
	g := &grid{header: []string{"checks", "scheme", "run", "cap", "planned /s", "achieved /s", "runs", "failed", "skipped", "late",
		"CPU s", "CPU s / 1,000 checks", "checks / CPU s", "ratio to raw", "peak RSS", "lateness p50", "p99", "worst p99", "farm CPU s"}}
	for _, m := range r.rows {
		ratio, limit := "1 (baseline)", num(cmp.Or(r.cfg.concurrency, rawWorkers))
		if m.Kind == "vigie" {
			ratio, limit = r.ratioText(m), num(m.Capacity)
		}
		g.add(num(m.Checks), m.Scheme, m.Kind, limit, fmt.Sprintf("%.1f", m.Planned), fmt.Sprintf("%.1f", m.Achieved),
			num(int(m.Runs)), num(int(m.Failures)), num(int(m.Skipped)), num(int(m.Late)), fmt.Sprintf("%.1f", m.CPU),
			fmt.Sprintf("%.3f", m.perThousand()), fmt.Sprintf("%.0f", m.perCPU()), ratio, mb(m.MaxRSSKiB),
			round(m.P50), round(m.P99), round(m.WorstP99), fmt.Sprintf("%.1f", m.FarmCPU))
	}
	g.write(out)
}

// printTargets writes whether each target is met.
func (r *report) printTargets(out io.Writer) {
	g := &grid{header: []string{"target", "figure", "met"}}
	for _, m := range r.rows {
		if m.Kind != "vigie" || m.Scheme != "http" {
			continue
		}
		raw, ok := r.baseline(m)
		if !ok {
			continue
		}
		q := m.perCPU() / raw.perCPU()
		g.add(fmt.Sprintf("%s checks: checks per CPU-second ≥ %.2f × raw", num(m.Checks), targetRatio),
			fmt.Sprintf("%.2f (%.0f against %.0f)", q, m.perCPU(), raw.perCPU()), yes(q >= targetRatio))
	}
	h, ok := r.find("vigie", "http", headlineChecks)
	if !ok {
		g.add(num(headlineChecks)+" checks", "not measured", "—")
		g.write(out)
		return
	}
	g.add(fmt.Sprintf("%s checks every %s sustained (achieved ≥ %.0f%% of planned, nothing skipped)", num(headlineChecks), r.cfg.interval, 100*sustainedShare),
		fmt.Sprintf("%.1f of %.1f /s, %s skipped, %s failed", h.Achieved, h.Planned, num(int(h.Skipped)), num(int(h.Failures))),
		yes(h.Achieved >= sustainedShare*h.Planned && h.Skipped == 0))
	g.add(fmt.Sprintf("%s checks: p99 lateness < %s", num(headlineChecks), targetP99),
		fmt.Sprintf("%s at the end, worst %s", round(h.P99), round(h.WorstP99)), yes(h.WorstP99 < targetP99))
	g.add(fmt.Sprintf("%s checks: RSS < 1.5 GB", num(headlineChecks)), mb(h.MaxRSSKiB), yes(float64(h.MaxRSSKiB)*1024 < targetRSSBytes))
	g.write(out)
}

func (r *report) ratioText(m row) string {
	raw, ok := r.baseline(m)
	if !ok {
		return "—"
	}
	return fmt.Sprintf("%.2f", m.perCPU()/raw.perCPU())
}

// baseline returns the raw measure of the same size and scheme as m.
func (r *report) baseline(m row) (row, bool) { return r.find("raw", m.Scheme, m.Checks) }

func (r *report) find(kind, scheme string, n int) (row, bool) {
	for _, m := range r.rows {
		if m.Kind == kind && m.Scheme == scheme && m.Checks == n {
			return m, true
		}
	}
	return row{}, false
}

// perThousand is the CPU seconds per 1,000 checks.
func (m measure) perThousand() float64 { return 1000 * m.CPU / float64(max(m.Runs, 1)) }

// perCPU is the checks per CPU-second.
func (m measure) perCPU() float64 { return float64(m.Runs) / max(m.CPU, 1e-9) }

// grid is a Markdown table.
type grid struct {
	header []string
	rows   [][]string
}

func (g *grid) add(cells ...string) { g.rows = append(g.rows, cells) }

func (g *grid) write(out io.Writer) {
	fmt.Fprintf(out, "| %s |\n", strings.Join(g.header, " | "))
	fmt.Fprintf(out, "|%s\n", strings.Repeat("---|", len(g.header)))
	for _, row := range g.rows {
		fmt.Fprintf(out, "| %s |\n", strings.Join(row, " | "))
	}
}

// num writes n with thousands separators.
func num(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func yes(ok bool) string {
	if ok {
		return "yes"
	}
	return "**no**"
}

// round writes d with three significant digits or so.
func round(d time.Duration) string {
	switch {
	case d >= time.Second:
		return d.Round(10 * time.Millisecond).String()
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond).String()
	}
	return d.Round(time.Microsecond).String()
}

// mb writes a size given in KiB in MB (10⁶ bytes).
func mb(kib int64) string {
	if kib < 0 {
		return "?"
	}
	return fmt.Sprintf("%.0f MB", float64(kib)*1024/1e6)
}

package main

import (
	"context"
	"fmt"
	"github.com/vigie/vigie/bench/internal/machine"
	"io"
	"math"
	"strings"
	"time"
)

// targetRatio is the target: each status page document served at
// least at this share of the static file's rate.
const targetRatio = 0.5

// lateBound is the lateness past which the tables count a probe run: the
// histogram bound at or above it.
const lateBound = 0.1

// report is everything a run measured.
type report struct {
	cfg       config
	machine   machine.Machine
	started   time.Time
	took      time.Duration
	host      hostInfo
	incident  *incidentState
	homeBytes int
	homeGzip  int
	windows   []window
	builds    *buildTimes
}

// hostInfo describes the generated host.
type hostInfo struct {
	sites, customers, assets, checks, siteChecks, components int
	imported, farmStart                                      time.Duration
}

func newReport(ctx context.Context, cfg config) *report {
	return &report{cfg: cfg, machine: machine.Describe(ctx), started: time.Now()}
}

// end records the end of the run.
func (r *report) end() {
	r.took = time.Since(r.started)
	r.machine.End()
}

func (r *report) print(out io.Writer) {
	m, c := r.machine, r.cfg
	fmt.Fprintf(out, "Status page load benchmark: %s CPUs (`nproc`; %s), %s, %s UTC, run took %s\n", m.Nproc, m.CPU, m.GoVersion,
		r.started.UTC().Format("2006-01-02 15:04"), r.took.Round(time.Second))
	fmt.Fprintf(out, "Source: %s; load average at the start %s, at the end %s\n", m.Source, m.LoadStart, m.LoadEnd)
	fmt.Fprintf(out, "Command: `%s`\n", strings.Join(append([]string{"go run ./bench/status"}, c.args...), " "))
	hi := r.host
	fmt.Fprintf(out, "Host: %s sites, %s customers, %s assets, %d public components (simulate.Generate), imported in %s into a fresh SQLite database; "+
		"%s checks (one http check a site every %s, tcp checks of the machines every 30s) run by the built-in probe against the farm (started in %s)\n",
		thousands(hi.sites), thousands(hi.customers), thousands(hi.assets), hi.components, round(hi.imported),
		thousands(hi.checks), c.interval, round(hi.farmStart))
	if st := r.incident; st != nil {
		fmt.Fprintf(out, "Incident: opened by staff on %s (`POST /api/v1/incidents`) with a public update; its update on the summary %s after it was posted; "+
			"customer %s (%d sites, one on %s): first request of their feed (their site built on demand) %s, the next %s\n",
			incidentRoot, round(st.published), st.customer, st.sites, incidentRoot, round(st.firstFeed), round(st.secondFeed))
	}
	fmt.Fprintf(out, "Load: %d keep-alive clients per target, each sending its next request when the previous answer is read, for %s after %s of warm-up, "+
		"from a separate process on the same CPUs; every request sends `Accept-Encoding: %s` and `Accept-Language: %s`, as a browser does; "+
		"home page %s bytes, %s gzip\n",
		c.clients, c.duration, c.warmup, acceptEncoding, acceptLanguage, thousands(r.homeBytes), thousands(r.homeGzip))
	if len(r.windows) > 0 {
		fmt.Fprintln(out)
		r.printLoad(out)
		fmt.Fprintln(out)
		r.printDetail(out)
		fmt.Fprintln(out)
		r.printTargets(out)
	}
	if r.builds != nil {
		fmt.Fprintln(out)
		r.printBuilds(out)
	}
}

// baseline is the rate of the first window of the named static target,
// or NaN.
func (r *report) baseline(name string) float64 {
	for _, w := range r.windows {
		if w.target != nil && w.target.name == name && w.load != nil {
			return w.load.rate()
		}
	}
	return math.NaN()
}

// ratio shows rate over base.
func ratio(rate, base float64) string {
	if math.IsNaN(base) || base == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f", rate/base)
}

func (r *report) printLoad(out io.Writer) {
	bound := math.NaN()
	for _, w := range r.windows {
		if len(w.probe.lateness.Bounds) > 0 {
			_, bound = w.probe.lateness.Above(lateBound)
			break
		}
	}
	fmt.Fprintf(out, "| window | req/s | ratio to the static file | ratio to the gzip-size static file | p50 | p99 | errors | bytes/request | probe lateness p50 | p99 | mean | runs > %s late | runs > interval late |\n",
		seconds(bound))
	fmt.Fprintln(out, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	base, small := r.baseline("static"), r.baseline("static-gz")
	for _, w := range r.windows {
		lat := w.probe.lateness
		over, _ := lat.Above(lateBound)
		probe := fmt.Sprintf("%s | %s | %s | %d | %.0f", seconds(lat.Quantile(0.5)), seconds(lat.Quantile(0.99)), seconds(lat.Mean()), over, w.probe.late)
		if w.load == nil {
			fmt.Fprintf(out, "| %s | | | | | | | | %s |\n", w.name, probe)
			continue
		}
		l := w.load
		fmt.Fprintf(out, "| %s | %s | %s | %s | %s | %s | %d | %s | %s |\n", w.target.label, thousands(int(math.Round(l.rate()))),
			ratio(l.rate(), base), ratio(l.rate(), small), round(l.P50), round(l.P99), l.Errors, thousands(int(l.Bytes/max(l.Requests, 1))), probe)
	}
}

func (r *report) printDetail(out io.Writer) {
	fmt.Fprintln(out, "| window | took | requests | p90 | p99.9 | max | gzip answers | server CPU s | server CPU per request | load generator CPU s | farm CPU s | probe runs | failed | skipped |")
	fmt.Fprintln(out, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, w := range r.windows {
		load := make([]string, 5)
		perReq, loadCPU := "", ""
		if l := w.load; l != nil {
			load = []string{thousands(int(l.Requests)), round(l.P90), round(l.P999), round(l.Max), thousands(int(l.Gzip))}
			perReq = round(time.Duration(w.serverCPU / float64(max(l.Requests+l.Errors+l.Warmup, 1)) * 1e9))
			loadCPU = fmt.Sprintf("%.1f", l.CPU)
		}
		fmt.Fprintf(out, "| %s | %s | %s | %.1f | %s | %s | %.1f | %s | %.0f | %.0f |\n", w.name, round(w.took), strings.Join(load, " | "),
			w.serverCPU, perReq, loadCPU, w.farmCPU, thousands(int(w.probe.runs)), w.probe.failed, w.probe.skipped)
	}
}

func (r *report) printTargets(out io.Writer) {
	base := r.baseline("static")
	fmt.Fprintln(out, "| target | figure | met |")
	fmt.Fprintln(out, "|---|---|---|")
	for _, w := range r.windows {
		if w.load == nil || w.target.static || w.target.extra || math.IsNaN(base) {
			continue
		}
		rate := w.load.rate()
		fmt.Fprintf(out, "| %s: ≥ %.1f × the static file's req/s | %s (%s against %s req/s) | %s |\n", w.target.label, targetRatio,
			ratio(rate, base), thousands(int(math.Round(rate))), thousands(int(math.Round(base))), yes(rate >= targetRatio*base))
	}
	var quietP99, loadP99 []string
	worstQuiet, worstLoad, worstStatic, worstPage := 0.0, 0.0, 0.0, 0.0
	var bad float64
	for _, w := range r.windows {
		p99 := w.probe.lateness.Quantile(0.99)
		if w.recovery {
			continue
		}
		if w.load == nil {
			quietP99 = append(quietP99, seconds(p99))
			worstQuiet = max(worstQuiet, p99)
			continue
		}
		bad += w.probe.late + w.probe.skipped + w.probe.failed
		if w.target.extra {
			continue
		}
		loadP99 = append(loadP99, seconds(p99))
		worstLoad = max(worstLoad, p99)
		if w.target.static {
			worstStatic = max(worstStatic, p99)
		} else {
			worstPage = max(worstPage, p99)
		}
	}
	fmt.Fprintf(out, "| under load, no probe run late by its interval, skipped or failed | %.0f | %s |\n", bad, yes(bad == 0))
	// The histogram's buckets double: a change of less than 2× is below
	// what it can tell.
	fmt.Fprintf(out, "| probe lateness p99 under load within 2× of the quiet windows' (one bucket of the histogram) | "+
		"%s× (worst p99 %s under load, %s quiet; quiet %s; under load %s) | %s |\n",
		ratio(worstLoad, worstQuiet), seconds(worstLoad), seconds(worstQuiet), strings.Join(quietP99, ", "), strings.Join(loadP99, ", "),
		yes(worstLoad <= 2*worstQuiet))
	fmt.Fprintf(out, "| probe lateness p99 under the status page's load within 2× of the static files' | %s× (worst %s, static files %s) | %s |\n",
		ratio(worstPage, worstStatic), seconds(worstPage), seconds(worstStatic), yes(worstPage <= 2*worstStatic))
}

func (r *report) printBuilds(out io.Writer) {
	b := r.builds
	fmt.Fprintf(out, "Builds, timed on the same database with the server stopped (no background refresh racing the measure); %d changes (an edit of the public update)\n\n", len(b.changed))
	fmt.Fprintln(out, "| what | median | max | note |")
	fmt.Fprintln(out, "|---|---:|---:|---|")
	fmt.Fprintf(out, "| whole public site rebuilt after a change (`Status.Refresh`: fingerprint, load, build, render, gzip) | %s | %s | %d files, %.2f MB, %.2f MB gzip |\n",
		round(median(b.changed)), round(slicesMax(b.changed)), b.files, float64(b.bytes)/1e6, float64(b.gzipBytes)/1e6)
	fmt.Fprintf(out, "| first `Status.Refresh` of a new server (inventory graph already loaded: %s) | %s | | |\n", round(b.loadGraph), round(b.cold))
	fmt.Fprintf(out, "| `Status.Refresh` with nothing public changed (a new customer token read) | %s | | |\n", round(b.unchanged))
	for _, c := range b.customers {
		fmt.Fprintf(out, "| customer %s's site (%d sites) built on first request after a change (`Status.CustomerFile`, its Atom feed) | %s | %s | then from memory: %s |\n",
			c.id, c.sites, round(median(c.first)), round(slicesMax(c.first)), round(c.cached))
	}
}

func slicesMax(ds []time.Duration) time.Duration {
	var m time.Duration
	for _, d := range ds {
		m = max(m, d)
	}
	return m
}

func yes(ok bool) string {
	if ok {
		return "**yes**"
	}
	return "**no**"
}

// round shows a duration with three significant digits or so.
func round(d time.Duration) string {
	switch {
	case d <= 0:
		return "0"
	case d < time.Millisecond:
		return d.Round(time.Microsecond).String()
	case d < time.Second:
		return d.Round(10 * time.Microsecond).String()
	default:
		return d.Round(10 * time.Millisecond).String()
	}
}

// seconds shows a number of seconds as a duration, or "–" for NaN.
func seconds(s float64) string {
	if math.IsNaN(s) {
		return "–"
	}
	return round(time.Duration(s * 1e9))
}

// thousands writes n with thousands separators.
func thousands(n int) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/vigie/vigie/bench/internal/machine"
)

// summary is the run's one JSON summary.
type summary struct {
	Machine   machine.Machine `json:"machine"`
	Sites     int             `json:"sites"`
	IntervalS float64         `json:"interval_s"`
	Probes    int             `json:"remote_probe_processes"`
	DurationS float64         `json:"duration_s"`
	WindowS   float64         `json:"window_s"`
	ImportS   float64         `json:"import_s"`
	StartupS  float64         `json:"replicas_startup_s"`

	Locations []locationRate `json:"locations"`
	Total     locationRate   `json:"total"`
	// RemoteIntake is the rate of remote results committed to the
	// servers' queue; Unaccounted the targets' rate minus the local runs
	// and that intake: near 0.
	RemoteIntake float64 `json:"remote_intake_per_s"`
	Unaccounted  float64 `json:"targets_minus_local_and_intake_per_s"`
	// The targets see every location's checks of a site: with two
	// locations, a gap is between checks of either.
	TargetGapMs     map[string]float64 `json:"targets_gap_ms"`
	TargetLatenessP float64            `json:"targets_p99_gap_minus_interval_s"`
	GapsOver2       int64              `json:"targets_gaps_over_two_intervals"`
	Covered         int64              `json:"targets_sites_covered"`
	LocalLateness   lateness           `json:"local_lateness"`
	RemoteBehind    behind             `json:"remote_behind_schedule"`

	Failover *failover  `json:"failover,omitempty"`
	Remote   *remote    `json:"remote_results,omitempty"`
	States   stateCount `json:"states_at_end"`

	Processes []procFigures `json:"processes"`
	Kinds     []kindFigures `json:"per_kind"`
	Postgres  pgFigures     `json:"postgres"`
	Network   netFigures    `json:"network"`

	Failures []string `json:"failures"`
}

type locationRate struct {
	Name     string  `json:"name"`
	Expected float64 `json:"expected_per_s"`
	Achieved float64 `json:"achieved_per_s"`
	Ratio    float64 `json:"ratio"`
	Source   string  `json:"source"`
}

type lateness struct {
	Runs        float64 `json:"runs"`
	P50S        float64 `json:"p50_s"`
	P99S        float64 `json:"p99_s"`
	OverTwoS    float64 `json:"over_2s"`
	Late        float64 `json:"late_over_interval"`
	Skipped     float64 `json:"skipped"`
	Description string  `json:"source"`
}

type behind struct {
	Warnings   int     `json:"warnings"`
	Skipped    int64   `json:"skipped"`
	Late       int64   `json:"late_over_interval"`
	WorstS     float64 `json:"worst_lateness_s"`
	Descripton string  `json:"source"`
}

type stateCount struct {
	ByLocation stateCounts `json:"by_location"`
	Unknown    int         `json:"unknown"`
	Stored     stateCounts `json:"stored_by_location"` // check_states, the detector's hard states
	Missing    int         `json:"missing"`
}

type procFigures struct {
	Name     string  `json:"name"`
	Kind     string  `json:"kind"`
	CPUPct   float64 `json:"cpu_pct_one_core"`
	RSSMiB   float64 `json:"rss_mib"`
	PeakMiB  float64 `json:"peak_rss_mib"`
	Killed   bool    `json:"killed,omitempty"`
	CPUS     float64 `json:"cpu_s"`
	Checks   float64 `json:"checks,omitempty"`
	CPUPerUS float64 `json:"cpu_us_per_check,omitempty"`
}

type kindFigures struct {
	Kind        string  `json:"kind"`
	CPUPct      float64 `json:"cpu_pct_one_core"`
	Checks      float64 `json:"checks"`
	CPUUSPer    float64 `json:"cpu_us_per_check"`
	PerCore     float64 `json:"checks_per_s_per_core"`
	RSSMiB      float64 `json:"rss_mib"`
	BytesPerChk float64 `json:"rss_bytes_per_check_and_location,omitempty"`
	Of          string  `json:"checks_counted"`
}

type pgFigures struct {
	CPUPct          float64 `json:"backends_cpu_pct_one_core"`
	CPUUSPerResult  float64 `json:"cpu_us_per_result"`
	CommitsPerS     float64 `json:"commits_per_s"`
	RowsPerS        float64 `json:"rows_written_per_s"`
	RowsPerResult   float64 `json:"rows_written_per_result"`
	CommitsPerRes   float64 `json:"commits_per_result"`
	SizeMiB         float64 `json:"db_size_mib"`
	GrowthPerResult float64 `json:"db_growth_bytes_per_result"`
}

type netFigures struct {
	ProbeBytes          int64   `json:"probe_server_bytes"`
	ProbeBytesPerResult float64 `json:"probe_server_bytes_per_remote_result"`
	LoBytes             int64   `json:"loopback_bytes"`
	LoBytesPerCheck     float64 `json:"loopback_bytes_per_check"`
}

func describe(ctx context.Context) machine.Machine { return machine.Describe(ctx) }

func round(x float64, d int) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return -1
	}
	p := math.Pow(10, float64(d))
	return math.Round(x*p) / p
}

func div(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// fill computes the summary from what the run read.
func (r *runner) fill(sum *summary, winS float64, win targetStats, pg0, pg1 pgStats, pxBytes, loBytes int64, states, stored stateCounts, acct *remote) {
	c := r.c
	sum.Machine.End()
	sum.WindowS = round(winS, 1)
	per := float64(c.sites) / c.interval.Seconds()
	fail := func(format string, args ...any) { sum.Failures = append(sum.Failures, fmt.Sprintf(format, args...)) }

	// Rates: total from the targets, remote from the queue's ids, local
	// from the replicas' run counters.
	var localH hist
	var localRuns, late, skipped float64
	for i := range r.servers {
		m0, m1 := r.prom0[i], r.promLast[i]
		localRuns += m1.sums["vigie_probe_runs_total"] - m0.sums["vigie_probe_runs_total"]
		late += m1.sums["vigie_probe_late_total"] - m0.sums["vigie_probe_late_total"]
		skipped += m1.sums["vigie_probe_skipped_total"] - m0.sums["vigie_probe_skipped_total"]
		localH = localH.add(hist(m1.buckets["vigie_probe_lateness_seconds"]).sub(m0.buckets["vigie_probe_lateness_seconds"]))
	}
	// The remote location's checks are what the targets answered beyond
	// the local ones; its results reach the queue in batches, a second or
	// more later (and not at all while a push waits out a failover), so the
	// queue's rate, the intake, is shown beside it.
	intake := float64(pg1.Queued - pg0.Queued)
	remoteN := 0.0
	locs := 1
	sum.Locations = append(sum.Locations, rate("local", per, localRuns/winS, "the replicas' vigie_probe_runs_total"))
	if c.probes > 0 {
		locs = 2
		remoteN = win.RatePerS*winS - localRuns
		sum.Locations = append(sum.Locations, rate(remoteLocation, per, remoteN/winS, "the targets' requests less the local runs"))
		sum.RemoteIntake = round(intake/winS, 1)
	}
	sum.Total = rate("all (targets)", per*float64(locs), win.RatePerS, "requests the targets answered")
	// What the targets answered beyond the locations' own counts: another
	// program checking the same ports, or runs no counter saw.
	sum.Unaccounted = round(win.RatePerS-localRuns/winS-intake/winS, 1)
	// While no replica leads, the built-in probe runs nowhere: the local
	// location (and so the total) may miss the takeover's share.
	down := 0.0
	if sum.Failover != nil {
		down = sum.Failover.TakeoverS / winS
	}
	for _, l := range append([]locationRate{sum.Total}, sum.Locations...) {
		floor := 0.99
		switch l.Name {
		case "local":
			floor *= 1 - down
		case sum.Total.Name:
			floor *= 1 - down/float64(locs)
		}
		if l.Ratio < floor {
			fail("%s: %.1f checks/s of %.1f expected (ratio under %.3f)", l.Name, l.Achieved, l.Expected, floor)
		}
		// More than expected: checks run twice (two probe processes of a
		// location both running them, or a replica's probe besides the
		// leader's).
		if l.Ratio > 1.02 {
			fail("%s: %.1f checks/s of %.1f expected: checks run twice", l.Name, l.Achieved, l.Expected)
		}
	}
	checks := win.RatePerS * winS

	// Lateness.
	sum.TargetGapMs = win.GapMs
	sum.TargetLatenessP = round(win.GapMs["p99"]/1000-c.interval.Seconds(), 3)
	sum.GapsOver2 = win.LateOver["one_interval"]
	sum.Covered = win.Covered
	if sum.TargetLatenessP > c.maxLate.Seconds() {
		fail("targets: p99 gap − interval %.2f s over %s", sum.TargetLatenessP, c.maxLate)
	}
	if sum.GapsOver2 > 0 {
		fail("targets: %d gaps over two intervals", sum.GapsOver2)
	}
	if sum.Covered < int64(c.sites) {
		fail("targets: %d of %d sites checked in the window", sum.Covered, c.sites)
	}
	sum.LocalLateness = lateness{Runs: localH.count(), P50S: round(localH.quantile(0.5), 3), P99S: round(localH.quantile(0.99), 3),
		OverTwoS: localH.above(2.048), Late: late, Skipped: skipped,
		Description: "the replicas' vigie_probe_lateness_seconds (planned to actual start) in the window; over_2s counts runs past the 2.048 s bucket"}
	if sum.LocalLateness.P99S > c.maxLate.Seconds() {
		fail("local: p99 lateness %.3f s over %s", sum.LocalLateness.P99S, c.maxLate)
	}
	if c.probes > 0 {
		sum.RemoteBehind = r.behindWarnings()
	}

	sum.Remote = acct
	if acct != nil {
		if acct.Lost != 0 {
			fail("remote: %d results taken by the servers but not queued (negative: queued twice)", acct.Lost)
		}
		if acct.Left > 0 {
			fail("remote: the detector left %d queued results", acct.Left)
		}
	}

	// States.
	// The API lists each check as a whole (location ""); the stored hard
	// states say where each location stands.
	sum.States.ByLocation = states
	n := 0
	for _, k := range states[""] {
		n += k
	}
	sum.States.Unknown = states[""]["unknown"]
	sum.States.Missing = max(c.sites-n, 0)
	if sum.States.Unknown > 0 || sum.States.Missing > 0 {
		fail("states: %d unknown, %d missing of %d checks", sum.States.Unknown, sum.States.Missing, c.sites)
	}
	sum.States.Stored = stored

	// Processes and kinds.
	kinds := map[string]*kindFigures{}
	for _, p := range r.all() {
		cpu := p.windowCPU()
		f := procFigures{Name: p.name, Kind: p.kind, CPUPct: round(100*cpu/winS, 1), CPUS: round(cpu, 2),
			RSSMiB: round(float64(p.rss)/1024, 1), PeakMiB: round(float64(p.rssMax)/1024, 1), Killed: p.killed}
		sum.Processes = append(sum.Processes, f)
		k := kinds[p.kind]
		if k == nil {
			k = &kindFigures{Kind: p.kind}
			kinds[p.kind] = k
		}
		k.CPUPct += 100 * cpu / winS
		k.RSSMiB = max(k.RSSMiB, float64(p.rss)/1024)
	}
	for name, k := range kinds {
		switch name {
		case "server":
			k.Checks, k.Of = checks, "every result of every location (the leader's detector takes them all)"
			k.BytesPerChk = round(k.RSSMiB*1024*1024/float64(c.sites*locs), 0)
		case "probe":
			k.Checks, k.Of = remoteN, "the remote location's checks"
			k.BytesPerChk = round(k.RSSMiB*1024*1024/float64(c.sites), 0)
		default:
			k.Checks, k.Of = checks, "requests answered"
		}
		k.CPUUSPer = round(div(k.CPUPct/100*winS*1e6, k.Checks), 1)
		k.PerCore = round(div(k.Checks/winS, k.CPUPct/100), 0)
		k.CPUPct = round(k.CPUPct, 1)
		k.RSSMiB = round(k.RSSMiB, 1)
		k.Checks = round(k.Checks, 0)
		sum.Kinds = append(sum.Kinds, *k)
	}
	sort.Slice(sum.Kinds, func(i, j int) bool { return sum.Kinds[i].Kind > sum.Kinds[j].Kind })

	// PostgreSQL.
	rows := float64(pg1.Inserted + pg1.Updated + pg1.Deleted - pg0.Inserted - pg0.Updated - pg0.Deleted)
	commits := float64(pg1.Commits - pg0.Commits)
	sum.Postgres = pgFigures{CPUPct: round(100*r.pg.cpu/winS, 1), CPUUSPerResult: round(div(r.pg.cpu*1e6, checks), 1),
		CommitsPerS: round(commits/winS, 1), RowsPerS: round(rows/winS, 1), RowsPerResult: round(div(rows, checks), 3),
		CommitsPerRes: round(div(commits, checks), 4), SizeMiB: round(float64(pg1.SizeBytes)/(1<<20), 1),
		GrowthPerResult: round(div(float64(pg1.SizeBytes-pg0.SizeBytes), checks), 2)}
	sum.Network = netFigures{ProbeBytes: pxBytes, ProbeBytesPerResult: round(div(float64(pxBytes), remoteN), 1),
		LoBytes: loBytes, LoBytesPerCheck: round(div(float64(loBytes), checks), 1)}
	if sum.Failures == nil {
		sum.Failures = []string{}
	}
}

func rate(name string, expected, achieved float64, source string) locationRate {
	return locationRate{Name: name, Expected: round(expected, 1), Achieved: round(achieved, 1), Ratio: round(div(achieved, expected), 3), Source: source}
}

var (
	behindRe = regexp.MustCompile(`runs behind schedule.*?skipped=(\d+) late=(\d+).*?worst_lateness=(\S+)`)
)

// behindWarnings sums the probes' "runs behind schedule" warnings: the
// remote probes export no metrics, so this is what they say of lateness
// (runs skipped, or late by more than their interval).
func (r *runner) behindWarnings() behind {
	b := behind{Descripton: "the remote probes' 'runs behind schedule' warnings, whole run"}
	for _, p := range r.probes {
		data, err := os.ReadFile(filepath.Join(r.dir, p.name+".log"))
		if err != nil {
			continue
		}
		for _, m := range behindRe.FindAllSubmatch(data, -1) {
			b.Warnings++
			s, _ := strconv.ParseInt(string(m[1]), 10, 64)
			l, _ := strconv.ParseInt(string(m[2]), 10, 64)
			b.Skipped += s
			b.Late += l
			if d, err := time.ParseDuration(string(m[3])); err == nil {
				b.WorstS = max(b.WorstS, d.Seconds())
			}
		}
	}
	return b
}

// printTable writes the readable form of the summary.
func printTable(w io.Writer, s *summary) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(w, "\n%d sites every %gs, %d remote probe process(es), window %.0f s; nproc %s, load %s → %s\n",
		s.Sites, s.IntervalS, s.Probes, s.WindowS, s.Machine.Nproc, s.Machine.LoadStart, s.Machine.LoadEnd)
	fmt.Fprintln(tw, "location\texpected/s\tachieved/s\tratio\t")
	for _, l := range append(append([]locationRate{}, s.Locations...), s.Total) {
		fmt.Fprintf(tw, "%s\t%.1f\t%.1f\t%.3f\t\n", l.Name, l.Expected, l.Achieved, l.Ratio)
	}
	_ = tw.Flush()
	fmt.Fprintf(w, "remote intake (results committed to the queue): %.1f/s; targets − local runs − intake: %.1f/s\n", s.RemoteIntake, s.Unaccounted)
	fmt.Fprintf(w, "lateness: local p50 %.3f s, p99 %.3f s, %.0f runs over 2 s, %.0f late, %.0f skipped; remote: %d behind-schedule warnings (%d skipped, %d late, worst %.1f s)\n",
		s.LocalLateness.P50S, s.LocalLateness.P99S, s.LocalLateness.OverTwoS, s.LocalLateness.Late, s.LocalLateness.Skipped,
		s.RemoteBehind.Warnings, s.RemoteBehind.Skipped, s.RemoteBehind.Late, s.RemoteBehind.WorstS)
	fmt.Fprintf(w, "targets (all locations): gap p99 %.0f ms, max %.0f ms (interval %.0f ms); %d gaps over two intervals; %d of %d sites hit\n",
		s.TargetGapMs["p99"], s.TargetGapMs["max"], s.IntervalS*1000, s.GapsOver2, s.Covered, s.Sites)
	if f := s.Failover; f != nil {
		fmt.Fprintf(w, "failover: %s killed at %.0f s into the window, %s led after %.1f s\n", f.Killed, f.AtS, f.NewLeader, f.TakeoverS)
	}
	if a := s.Remote; a != nil {
		fmt.Fprintf(w, "remote results: produced %d, never sent %d, taken by the servers %d (%d whose ack the probe missed), refused %d, queued %d (ids given %d), detector cursor %d, left %d → lost %d\n",
			a.Produced, a.Pending, a.Taken, a.TakenUnacked, a.Refused, a.Queued, a.IDs, a.Cursor, a.Left, a.Lost)
	}
	fmt.Fprintf(w, "states at the end (API): %d unknown, %d missing; %v; stored per location: %v\n", s.States.Unknown, s.States.Missing, s.States.ByLocation, s.States.Stored)
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "process\tkind\tCPU %\tRSS MiB\tpeak MiB\t")
	for _, p := range s.Processes {
		name := p.Name
		if p.Killed {
			name += " (killed)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%.1f\t%.1f\t%.1f\t\n", name, p.Kind, p.CPUPct, p.RSSMiB, p.PeakMiB)
	}
	fmt.Fprintf(tw, "postgres backends\tdb\t%.1f\t\t\t\n", s.Postgres.CPUPct)
	_ = tw.Flush()
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "kind\tCPU %\tchecks\tCPU µs/check\tchecks/s per core\tRSS B/check\t")
	for _, k := range s.Kinds {
		fmt.Fprintf(tw, "%s\t%.1f\t%.0f\t%.1f\t%.0f\t%.0f\t\n", k.Kind, k.CPUPct, k.Checks, k.CPUUSPer, k.PerCore, k.BytesPerChk)
	}
	_ = tw.Flush()
	p := s.Postgres
	fmt.Fprintf(w, "postgres: %.1f µs CPU/result, %.1f commits/s, %.1f rows written/s (%.3f per result), size %.1f MiB (%.2f B growth per result)\n",
		p.CPUUSPerResult, p.CommitsPerS, p.RowsPerS, p.RowsPerResult, p.SizeMiB, p.GrowthPerResult)
	fmt.Fprintf(w, "network: %d B probe↔server (%.1f B per remote result); loopback %d B (%.1f B per check, everything on lo)\n",
		s.Network.ProbeBytes, s.Network.ProbeBytesPerResult, s.Network.LoBytes, s.Network.LoBytesPerCheck)
	if len(s.Failures) == 0 {
		fmt.Fprintln(w, "PASS")
	} else {
		for _, f := range s.Failures {
			fmt.Fprintln(w, "FAIL:", f)
		}
	}
}

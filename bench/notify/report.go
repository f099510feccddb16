package main

import (
	"context"
	"fmt"
	"github.com/vigie/vigie/bench/internal/machine"
	"github.com/vigie/vigie/bench/internal/stats"
	"io"
	"math"
	"strings"
	"time"
)

// target is the issue's: the last mail within this of the incident.
const target = 60 * time.Second

// report is everything a run measured.
type report struct {
	cfg      config
	machine  machine.Machine
	started  time.Time
	took     time.Duration
	engine   string
	imported time.Duration
	checks   int
	vigie    *vigieRun
	base     *baseRun
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
	fmt.Fprintf(out, "Notification benchmark: %s CPUs (`nproc`; %s), %s, %s UTC, run took %s\n", m.Nproc, m.CPU, m.GoVersion,
		r.started.UTC().Format("2006-01-02 15:04"), r.took.Round(time.Second))
	fmt.Fprintf(out, "Source: %s; load average at the start %s, at the end %s\n", m.Source, m.LoadStart, m.LoadEnd)
	fmt.Fprintf(out, "Command: `%s`\n", strings.Join(append([]string{"go run ./bench/notify"}, c.args...), " "))
	gather := "20s (default)"
	if c.gather < 0 {
		gather = "none"
	} else if c.gather > 0 {
		gather = c.gather.String()
	}
	rate := "the kind's default"
	if c.rate > 0 {
		rate = fmt.Sprintf("%d/min", c.rate)
	}
	fmt.Fprintf(out, "Host: %s customers, one site each on hypervisor %s, imported in %s into %s; %d checks (%d watched sites every %s) "+
		"run by the built-in probe during the whole run; e-mail channel with STARTTLS and AUTH, rate %s; gather %s\n",
		thousands(int64(c.customers)), root, round(r.imported), r.engine, r.checks, c.watched, c.interval, rate, gather)
	if v := r.vigie; v != nil && v.mails > 0 {
		fmt.Fprintln(out)
		r.printTimeline(out)
		fmt.Fprintln(out)
		r.printSend(out)
		fmt.Fprintln(out)
		r.printMemory(out)
		fmt.Fprintln(out)
		r.printDetection(out)
	}
}

func (r *report) printTimeline(out io.Writer) {
	v := r.vigie
	fmt.Fprintln(out, "From the incident (staff's `POST /api/v1/incidents`) to the last mail accepted by the SMTP server")
	fmt.Fprintln(out)
	fmt.Fprintln(out, "| step | at | source |")
	fmt.Fprintln(out, "|---|---|---|")
	row := func(step string, at time.Duration, src string) {
		fmt.Fprintf(out, "| %s | %s | %s |\n", step, round(at), src)
	}
	row("incident opened (API answered)", v.answered, "HTTP")
	row("first message queued", v.firstRow, "outbox created_at")
	row(fmt.Sprintf("all %s messages queued", thousands(int64(r.cfg.customers))), v.lastRow, "outbox created_at")
	row("messages due (the gather wait over)", v.due, "outbox not_before")
	row("first mail accepted", v.firstMail, "SMTP server")
	row("first message recorded sent", v.firstSent, "outbox sent_at")
	row("**last mail accepted**", v.lastMail, "SMTP server")
	row("last message recorded sent", v.lastSent, "outbox sent_at")
	met := "yes"
	if v.lastMail >= target || v.mails < r.cfg.customers {
		met = "**no**"
	}
	fmt.Fprintf(out, "\nTarget: the last of %s mails within %s of the incident: %s (%s; %s without the gather wait)\n",
		thousands(int64(r.cfg.customers)), target, met, round(v.lastMail), round(v.lastMail-v.due))
	fmt.Fprintf(out, "Mails: %s accepted, %s distinct recipients, %d duplicates, %.1f kB each on average; %d notification events on the incident's timeline\n",
		thousands(int64(v.mails)), thousands(int64(v.recipients)), v.duplicates, float64(v.mailBytes)/float64(max(v.mails, 1))/1e3, v.timeline)
}

func (r *report) printSend(out io.Writer) {
	v, b := r.vigie, r.base
	fmt.Fprintln(out, "Sending: Vigie (from the messages due to the last mail accepted) against the baseline (go-mail directly, "+
		fmt.Sprintf("%d connections, the same mails, no database), on the same SMTP server\n", r.cfg.conns))
	fmt.Fprintln(out, "| run | mails | distinct recipients | wall | mails/s | CPU s (this process) | CPU s (SMTP server) | wall ratio | CPU ratio |")
	fmt.Fprintln(out, "|---|---|---|---|---|---|---|---|---|")
	send := v.lastMail - v.due
	fmt.Fprintf(out, "| Vigie, send | %s | %s | %s | %.0f | %.2f | %.2f |", thousands(int64(v.mails)), thousands(int64(v.recipients)),
		round(send), float64(v.mails)/send.Seconds(), v.cpu, v.peersCPU)
	if b != nil {
		fmt.Fprintf(out, " %.2f× | %.2f× |\n", send.Seconds()/b.took.Seconds(), v.cpu/b.cpu)
		fmt.Fprintf(out, "| Vigie, whole | %s | %s | %s | %.0f | %.2f | %.2f | %.2f× | |\n", thousands(int64(v.mails)), thousands(int64(v.recipients)),
			round(v.lastMail), float64(v.mails)/v.lastMail.Seconds(), v.cpu, v.peersCPU, v.lastMail.Seconds()/b.took.Seconds())
		fmt.Fprintf(out, "| baseline | %s | %s | %s | %.0f | %.2f | %.2f | 1 | 1 |\n", thousands(int64(b.mails)), thousands(int64(b.recipients)),
			round(b.took), float64(b.mails)/b.took.Seconds(), b.cpu, b.peersCPU)
	} else {
		fmt.Fprintln(out, " | |")
	}
	fmt.Fprintln(out, "\nVigie's CPU time is the whole process's from the incident to the last mail: the probe, the engine, the status page, the planner and the worker.")
}

func (r *report) printMemory(out io.Writer) {
	v := r.vigie
	o := v.outbox
	fmt.Fprintf(out, "Memory of this process from the incident to the last mail (%d samples, every %s), and the outbox\n\n", v.samples, sampleEvery)
	fmt.Fprintln(out, "| measure | before | peak | growth |")
	fmt.Fprintln(out, "|---|---|---|---|")
	fmt.Fprintf(out, "| Go heap in use (HeapInuse) | %s | %s | %s |\n", mb(int64(v.heapBefore)), mb(int64(v.heapPeak)),
		mb(int64(v.heapPeak)-int64(v.heapBefore)))
	fmt.Fprintf(out, "| RSS (sampled; VmHWM over the run %s) | %s | %s | %s |\n", mb(v.hwm*1024), mb(v.rssBefore*1024), mb(v.rssPeak*1024),
		mb((v.rssPeak-v.rssBefore)*1024))
	total := o.items + o.recipient + o.unsubscribe
	fmt.Fprintf(out, "\nOutbox: %s rows in notify_messages; items %s, recipient %s, unsubscribe link %s: %s in all, %.0f bytes a row (the text columns' lengths, without the engine's overhead)\n",
		thousands(o.rows), mb(o.items), mb(o.recipient), mb(o.unsubscribe), mb(total), float64(total)/float64(max(o.rows, 1)))
}

func (r *report) printDetection(out io.Writer) {
	v := r.vigie
	fmt.Fprintf(out, "Detection meanwhile: the built-in probe's lateness (%d http checks every %s) and incident.Engine.Tick timed every %s on the same database\n\n",
		r.cfg.watched, r.cfg.interval, tickEvery)
	fmt.Fprintln(out, "| window | took | probe runs | lateness mean | p50 | p99 | worst (bucket) | ticks | tick p50 | tick p99 | tick max |")
	fmt.Fprintln(out, "|---|---|---|---|---|---|---|---|---|---|---|")
	for _, w := range []struct {
		name string
		d    detection
	}{{"quiet, before the incident", v.quiet}, {"incident to first mail (planning, gather)", v.plan}, {"sending (first to last mail)", v.send}} {
		d, l := w.d, w.d.lateness
		fmt.Fprintf(out, "| %s | %s | %d | %s | %s | %s | %s | %d | %s | %s | %s |\n", w.name, round(d.took), l.Count, secs(l.Mean()),
			secs(l.Quantile(0.5)), secs(l.Quantile(0.99)), secs(l.Worst()), len(d.ticks), round(stats.Percentile(d.ticks, 0.5)),
			round(stats.Percentile(d.ticks, 0.99)), round(stats.Percentile(d.ticks, 1)))
	}
	q, s := v.quiet, v.send
	fmt.Fprintf(out, "\nSending against quiet: probe lateness p99 %s, mean %s; engine tick p50 %s, p99 %s\n",
		ratio(s.lateness.Quantile(0.99), q.lateness.Quantile(0.99)), ratio(s.lateness.Mean(), q.lateness.Mean()),
		ratio(stats.Percentile(s.ticks, 0.5).Seconds(), stats.Percentile(q.ticks, 0.5).Seconds()),
		ratio(stats.Percentile(s.ticks, 0.99).Seconds(), stats.Percentile(q.ticks, 0.99).Seconds()))
}

func ratio(a, b float64) string {
	if b == 0 || math.IsNaN(a) || math.IsNaN(b) {
		return "n/a"
	}
	return fmt.Sprintf("%.2f×", a/b)
}

func secs(s float64) string {
	switch {
	case math.IsNaN(s):
		return "n/a"
	case math.IsInf(s, 1):
		return "> 65 s"
	}
	return round(time.Duration(s * float64(time.Second)))
}

// round prints a duration with three significant digits or so.
func round(d time.Duration) string {
	switch {
	case d < 0:
		return "n/a"
	case d < time.Millisecond:
		return d.Round(time.Microsecond).String()
	case d < time.Second:
		return d.Round(100 * time.Microsecond).String()
	case d < time.Minute:
		return d.Round(10 * time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}

func mb(b int64) string {
	return fmt.Sprintf("%.1f MB", float64(b)/1e6)
}

// thousands writes n with commas.
func thousands(n int64) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

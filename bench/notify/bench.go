package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/vigie/vigie/bench/internal/seed"
	"github.com/vigie/vigie/bench/internal/stats"
	"io"
	"net/http"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/vigie/vigie/bench/internal/usage"
	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/notify"
)

// vigieRun is what the Vigie part measured.
type vigieRun struct {
	incidentID int64
	t0         time.Time // the POST was sent
	answered   time.Duration
	// From the outbox's rows: the first and last created, when they were
	// due, the first and last recorded sent.
	firstRow, lastRow, due, firstSent, lastSent time.Duration
	// As the sampler saw them (every sampleEvery).
	seenFirstRow, seenAllRows time.Duration
	// From the SMTP server: the first and last mail accepted.
	firstMail, lastMail time.Duration
	mails, recipients   int
	duplicates          int
	mailBytes           int64
	cpu, peersCPU       float64
	heapBefore          uint64
	heapPeak            uint64
	rssBefore, rssPeak  int64 // KiB
	hwm                 int64 // KiB, VmHWM over the run
	samples             int
	outbox              outboxSize
	timeline            int // notification events on the incident
	quiet, plan, send   detection
	sent                []notify.Rendered // a French and an English mail, for the baseline
}

// detection is the probe's lateness and the engine's ticks over a window.
type detection struct {
	took     time.Duration
	lateness stats.Histogram
	ticks    []time.Duration
}

// outboxSize is the notify_messages table's content.
type outboxSize struct {
	rows                          int64
	items, recipient, unsubscribe int64 // bytes
}

// sampleEvery is the sampler's period; tickEvery the timed engine's.
const (
	sampleEvery = 50 * time.Millisecond
	tickEvery   = 250 * time.Millisecond
)

// bench runs the whole benchmark; the report holds what was measured
// even when a later step fails.
func bench(ctx context.Context, cfg config) (*report, error) {
	rep := newReport(ctx, cfg)
	defer rep.end()
	progress("starting the peers (SMTP server, watched sites)")
	p, err := startPeers(ctx)
	if err != nil {
		return rep, err
	}
	defer func() { _ = p.stop() }()
	h, err := openHost(ctx, cfg, p)
	if err != nil {
		return rep, err
	}
	defer h.close(cfg.keep)
	rep.engine, rep.imported, rep.checks = h.engine, h.imported, h.checks
	progress("serving on %s; waiting for the %d checks to have a state", h.base, h.checks)
	if err := seed.WaitChecked(ctx, h.app, h.checks, cfg.interval+30*time.Second); err != nil {
		return rep, err
	}
	v, err := measureVigie(ctx, cfg, h, p)
	rep.vigie = v
	if err != nil {
		return rep, err
	}
	progress("stopping the server")
	if err := h.stopServing(); err != nil {
		return rep, err
	}
	progress("baseline: %d mails with go-mail over %d connections", cfg.customers, cfg.conns)
	rep.base, err = runBaseline(ctx, cfg, p, v.sent)
	return rep, err
}

// measureVigie measures detection in a quiet window, then opens the
// incident and measures until the last mail.
func measureVigie(ctx context.Context, cfg config, h *host, p *peers) (*vigieRun, error) {
	v := &vigieRun{}
	tk, stopTicker := startTicker(ctx, h.app, tickEvery)
	defer stopTicker()
	progress("quiet window: %s of detection with no mail going out", cfg.quiet)
	q0 := time.Now()
	l0, err := readLateness(h.app.Metrics)
	if err != nil {
		return v, err
	}
	select {
	case <-ctx.Done():
		return v, ctx.Err()
	case <-time.After(cfg.quiet):
	}
	q1 := time.Now()
	l1, err := readLateness(h.app.Metrics)
	if err != nil {
		return v, err
	}
	v.quiet = detection{took: q1.Sub(q0), lateness: l1.Since(l0), ticks: tk.between(q0, q1)}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	v.heapBefore, v.rssBefore = ms.HeapInuse, rssKiB()
	resetPeakRSS()
	stopProfile, err := startProfile(cfg.cpuprofile)
	if err != nil {
		return v, err
	}
	s, stopSampler := startSampler(ctx, h.app.Notify, h.app.Metrics, p, cfg.customers, sampleEvery)
	cpu0, peers0 := selfCPU(), p.cpu()
	progress("opening the incident on %s (%d customers)", root, cfg.customers)
	v.t0 = time.Now()
	if v.incidentID, err = openIncident(ctx, h); err != nil {
		stopSampler()
		return v, errors.Join(err, stopProfile())
	}
	v.answered = time.Since(v.t0)
	err = p.wait(ctx, cfg.customers, 2*time.Minute)
	l2, lerr := readLateness(h.app.Metrics)
	v.cpu, v.peersCPU = selfCPU()-cpu0, p.cpu()-peers0
	end := time.Now()
	stopSampler()
	v.hwm = hwmKiB()
	if err := errors.Join(err, lerr, stopProfile()); err != nil {
		return v, err
	}
	progress("%d mails accepted; reading the outbox", cfg.customers)
	v.heapPeak, v.rssPeak, v.samples = s.heapPeak, s.rssPeak, s.samples
	v.seenFirstRow, v.seenAllRows = sinceOr(s.firstRow, v.t0), sinceOr(s.allRows, v.t0)
	v.readMails(p.take())
	firstMail := v.t0.Add(v.firstMail)
	v.plan = detection{took: firstMail.Sub(v.t0), lateness: s.atFirst.Since(l1), ticks: tk.between(v.t0, firstMail)}
	v.send = detection{took: end.Sub(firstMail), lateness: l2.Since(s.atFirst), ticks: tk.between(firstMail, end)}
	return v, v.readOutbox(ctx, h)
}

// sinceOr is t - t0, or -1 for a zero t.
func sinceOr(t, t0 time.Time) time.Duration {
	if t.IsZero() {
		return -1
	}
	return t.Sub(t0)
}

// readMails checks the mails the SMTP server accepted: each recipient once.
func (v *vigieRun) readMails(mails []seenMail) {
	seen := map[string]int{}
	var first, last time.Time
	for _, m := range mails {
		seen[m.to]++
		v.mailBytes += int64(m.bytes)
		if first.IsZero() || m.at.Before(first) {
			first = m.at
		}
		if m.at.After(last) {
			last = m.at
		}
	}
	v.mails, v.recipients = len(mails), len(seen)
	for _, n := range seen {
		v.duplicates += n - 1
	}
	v.firstMail, v.lastMail = first.Sub(v.t0), last.Sub(v.t0)
}

// readOutbox reads the outbox's times and size, the incident's timeline,
// and renders a French and an English message for the baseline.
func (v *vigieRun) readOutbox(ctx context.Context, h *host) error {
	db := h.app.DB
	// One edge a query, ORDER BY and LIMIT rather than MIN and MAX: an
	// aggregate loses the column's type on SQLite.
	edges := []struct {
		col, order string
		to         *time.Duration
	}{{"created_at", "ASC", &v.firstRow}, {"created_at", "DESC", &v.lastRow}, {"not_before", "DESC", &v.due},
		{"sent_at", "ASC", &v.firstSent}, {"sent_at", "DESC", &v.lastSent}}
	for _, e := range edges {
		var t time.Time
		err := db.QueryRowContext(ctx, `SELECT `+e.col+` FROM notify_messages WHERE incident_id = $1 AND `+e.col+
			` IS NOT NULL ORDER BY `+e.col+` `+e.order+` LIMIT 1`, v.incidentID).Scan(&t)
		if err != nil {
			return fmt.Errorf("outbox %s: %w", e.col, err)
		}
		*e.to = t.Sub(v.t0)
	}
	o := &v.outbox
	err := db.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(LENGTH(items)), 0), COALESCE(SUM(LENGTH(recipient)), 0),
		COALESCE(SUM(LENGTH(unsubscribe)), 0) FROM notify_messages`).Scan(&o.rows, &o.items, &o.recipient, &o.unsubscribe)
	if err != nil {
		return fmt.Errorf("outbox size: %w", err)
	}
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM incident_events WHERE incident_id = $1 AND type = $2`,
		v.incidentID, string(incident.EventNotification)).Scan(&v.timeline); err != nil {
		return fmt.Errorf("timeline: %w", err)
	}
	msgs, err := h.app.Notify.Messages(ctx, notify.ListFilter{IncidentID: v.incidentID, Limit: 2})
	if err != nil {
		return err
	}
	for i := range msgs {
		r, err := h.app.Render(&msgs[i], msgs[i].Recipient.Lang)
		if err != nil {
			return fmt.Errorf("render message %d: %w", msgs[i].ID, err)
		}
		v.sent = append(v.sent, r)
	}
	if len(v.sent) == 0 {
		return errors.New("no message to render for the baseline")
	}
	return nil
}

// openIncident opens the incident as staff do, through the API; staff
// incidents are settled at once, so customers are told at once.
func openIncident(ctx context.Context, h *host) (int64, error) {
	body := fmt.Sprintf(`{"root_assets":[%q],"title":"Panne d'un hyperviseur","severity":"major"}`, root)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.base+"/api/v1/incidents", strings.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+h.bearer)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer func() { _ = resp.Body.Close() }()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	if resp.StatusCode >= 300 {
		return 0, fmt.Errorf("POST /api/v1/incidents: %d %s", resp.StatusCode, bytes.TrimSpace(raw))
	}
	var inc struct{ ID int64 }
	if err := json.Unmarshal(raw, &inc); err != nil || inc.ID == 0 {
		return 0, fmt.Errorf("POST /api/v1/incidents: %w: %.200s", err, raw)
	}
	return inc.ID, nil
}

// startProfile starts a CPU profile into file when set, and returns what
// stops it.
func startProfile(file string) (stop func() error, err error) {
	if file == "" {
		return func() error { return nil }, nil
	}
	f, err := os.Create(file)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		_ = f.Close()
		return nil, err
	}
	return func() error {
		pprof.StopCPUProfile()
		return f.Close()
	}, nil
}

// selfCPU is the CPU time this process has used, in seconds, or -1.
func selfCPU() float64 {
	cpu, _ := usage.Self()
	return cpu
}

package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/vigie/vigie/internal/probe"
)

const remoteLocation = "remote"

// runner holds the processes and what was sampled of them.
type runner struct {
	c       config
	dir     string
	vigie   string
	targets string
	pg      *pg
	px      *proxy
	client  *http.Client

	targetsProc *proc
	servers     []*proc
	probes      []*proc
	token       string // an admin API token, to read the states

	prom0, promLast []promText // per server, at the window's start and last sample
}

func (r *runner) all() []*proc {
	out := append([]*proc{}, r.servers...)
	out = append(out, r.probes...)
	if r.targetsProc != nil {
		out = append(out, r.targetsProc)
	}
	return out
}

// stopAll ends every process still running, and the proxy.
func (r *runner) stopAll() {
	for _, p := range r.probes {
		p.stop(syscall.SIGTERM, 20*time.Second)
	}
	for _, p := range r.servers {
		p.stop(syscall.SIGTERM, 20*time.Second)
	}
	if r.targetsProc != nil {
		r.targetsProc.stop(syscall.SIGTERM, 5*time.Second)
	}
	if r.px != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		r.px.close(ctx)
		cancel()
	}
}

// waitFor polls cond every 100 ms until it holds, or fails after d.
func waitFor(ctx context.Context, d time.Duration, what string, cond func() (bool, error)) error {
	deadline := time.Now().Add(d)
	var last error
	for {
		ok, err := cond()
		if ok {
			return nil
		}
		if err != nil {
			last = err
		}
		if time.Now().After(deadline) {
			if last == nil {
				return fmt.Errorf("%s: not within %s", what, d)
			}
			return fmt.Errorf("%s: not within %s (last error: %w)", what, d, last)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s: %w", what, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func (r *runner) getJSON(ctx context.Context, u string, out any) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, err
	}
	if r.token != "" {
		req.Header.Set("Authorization", "Bearer "+r.token)
	}
	resp, err := r.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer func() { _ = resp.Body.Close() }()
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return resp.StatusCode, fmt.Errorf("GET %s: %s: %w", u, resp.Status, err)
	}
	return resp.StatusCode, nil
}

// leading says whether server p holds the leadership, from /readyz.
func (r *runner) leading(ctx context.Context, p *proc) (bool, error) {
	if p.exited() {
		return false, nil
	}
	var rep struct {
		Leader bool `json:"leader"`
	}
	_, err := r.getJSON(ctx, "http://"+p.addr+"/readyz", &rep)
	return rep.Leader, err
}

// leaders lists the servers that say they lead.
func (r *runner) leaders(ctx context.Context) ([]*proc, error) {
	var out []*proc
	for _, p := range r.servers {
		ok, err := r.leading(ctx, p)
		if err != nil && !p.exited() {
			return nil, err
		}
		if ok {
			out = append(out, p)
		}
	}
	return out, nil
}

// targetStats is what the harness reads of the targets' control port.
type targetStats struct {
	WindowS       float64            `json:"window_s"`
	Requests      int64              `json:"requests"`
	Failed500     int64              `json:"failed_500"`
	RatePerS      float64            `json:"rate_per_s"`
	Covered       int64              `json:"covered"`
	TotalRequests int64              `json:"total_requests"`
	Gaps          int64              `json:"gaps"`
	GapMs         map[string]float64 `json:"gap_ms"`
	LateOver      map[string]int64   `json:"gaps_over_interval_by"`
	CPUSeconds    float64            `json:"targets_cpu_s"`
}

const targetsCtrl = "http://127.0.0.1:29999"

func (r *runner) targetsStats(ctx context.Context, path string) (targetStats, error) {
	var s targetStats
	_, err := r.getJSON(ctx, targetsCtrl+path, &s)
	return s, err
}

// sample reads every process, the database's backends and the servers'
// metrics.
func (r *runner) sample(ctx context.Context) {
	for _, p := range r.all() {
		p.sample()
	}
	if err := r.pg.sampleCPU(ctx); err != nil {
		logf("%v", err)
	}
	for i, s := range r.servers {
		if s.exited() || s.killed {
			continue
		}
		if m, err := fetchProm(ctx, r.client, s.addr); err == nil {
			r.promLast[i] = m
		}
	}
}

func (r *runner) simulate(ctx context.Context) (*summary, error) {
	c := r.c
	r.client = &http.Client{Timeout: 2 * time.Minute}
	sum := &summary{Sites: c.sites, IntervalS: c.interval.Seconds(), Probes: c.probes, DurationS: c.duration.Seconds(), Machine: describe(ctx)}

	inv := filepath.Join(r.dir, "inventory.yaml")
	if err := writeInventory(inv, c.sites, c.interval); err != nil {
		return nil, fmt.Errorf("inventory: %w", err)
	}
	t := time.Now()
	if _, err := r.vigieCmd(ctx, "", "import", inv); err != nil {
		return nil, err
	}
	sum.ImportS = time.Since(t).Seconds()
	if err := r.pg.countQueued(ctx); err != nil {
		return nil, err
	}
	logf("imported %d sites in %.1f s", c.sites, sum.ImportS)
	if _, err := r.vigieCmd(ctx, "a long enough password for the bench\n", "user", "add", "--email", "bench@example.org", "--role", "admin"); err != nil {
		return nil, err
	}
	out, err := r.vigieCmd(ctx, "", "token", "create", "--user", "bench@example.org", "--name", "bench")
	if err != nil {
		return nil, err
	}
	r.token = strings.TrimSpace(out)
	var locToken string
	if c.probes > 0 {
		out, err := r.vigieCmd(ctx, "", "location", "add", remoteLocation)
		if err != nil {
			return nil, err
		}
		locToken = strings.TrimSpace(out)
	}

	// The targets, bounded by the run's own bound.
	if r.targetsProc, err = start(ctx, r.dir, "targets", "targets", nil, r.targets,
		"-n", strconv.Itoa(c.sites), "-interval", c.interval.String(), "-duration", min(c.timeout, 3*time.Hour).Round(time.Second).String()); err != nil { // the targets take at most 3h
		return nil, err
	}
	if err := waitFor(ctx, 30*time.Second, "the targets answer", func() (bool, error) {
		_, err := r.targetsStats(ctx, "/stats")
		return err == nil, err
	}); err != nil {
		return nil, err
	}

	// Two replicas on the database.
	env := []string{"VIGIE_DB=" + r.pg.dsn}
	for _, name := range []string{"server-a", "server-b"} {
		addr, err := freePort()
		if err != nil {
			return nil, err
		}
		p, err := start(ctx, r.dir, name, "server", env, r.vigie, "serve", "--listen", addr)
		if err != nil {
			return nil, err
		}
		p.addr = addr
		r.servers = append(r.servers, p)
	}
	r.prom0, r.promLast = make([]promText, 2), make([]promText, 2)
	t = time.Now()
	for _, p := range r.servers {
		if err := waitFor(ctx, 10*time.Minute, p.name+" answers /healthz", func() (bool, error) {
			if p.exited() {
				return false, fmt.Errorf("%s exited: %w (see %s.log)", p.name, p.exitErr(), p.name)
			}
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+p.addr+"/healthz", nil)
			resp, err := r.client.Do(req)
			if err != nil {
				return false, err
			}
			_ = resp.Body.Close()
			return resp.StatusCode == http.StatusOK, nil
		}); err != nil {
			return nil, err
		}
	}
	var first []*proc
	if err := waitFor(ctx, 2*time.Minute, "exactly one replica leads", func() (bool, error) {
		l, err := r.leaders(ctx)
		first = l
		return len(l) == 1, err
	}); err != nil {
		return nil, err
	}
	sum.StartupS = time.Since(t).Seconds()
	logf("replicas up in %.1f s, %s leads", sum.StartupS, first[0].name)

	// The remote probes, through the proxy standing for a load balancer.
	if c.probes > 0 {
		if r.px, err = newProxy([]string{r.servers[0].addr, r.servers[1].addr}); err != nil {
			return nil, err
		}
		for j := range c.probes {
			name := fmt.Sprintf("probe-%d", j+1)
			p, err := start(ctx, r.dir, name, "probe", []string{"VIGIE_PROBE_TOKEN=" + locToken}, r.vigie, "probe",
				"--server", "http://"+r.px.addr(), "--location", remoteLocation, "--buffer", filepath.Join(r.dir, "buffer-"+name))
			if err != nil {
				return nil, err
			}
			r.probes = append(r.probes, p)
		}
	}

	// Warm-up, then the window.
	t0 := time.Now()
	end := t0.Add(c.duration)
	if err := r.sampleUntil(ctx, t0.Add(c.warmup)); err != nil {
		return nil, err
	}
	if _, err := r.targetsStats(ctx, "/reset"); err != nil {
		return nil, fmt.Errorf("targets reset: %w", err)
	}
	w0 := time.Now()
	for _, p := range r.all() {
		p.windowStart()
	}
	if err := r.pg.sampleCPU(ctx); err != nil {
		return nil, err
	}
	r.pg.counting = true
	pg0, err := r.pg.stats(ctx)
	if err != nil {
		return nil, err
	}
	for i, s := range r.servers {
		if m, err := fetchProm(ctx, r.client, s.addr); err == nil {
			r.prom0[i], r.promLast[i] = m, m
		}
	}
	var px0 int64
	if r.px != nil {
		px0 = r.px.bytes.Load()
	}
	lo0 := loBytes()
	logf("warm-up done, measuring for %s", end.Sub(w0).Round(time.Second))

	if c.kill {
		if err := r.sampleUntil(ctx, w0.Add(end.Sub(w0)/2)); err != nil {
			return nil, err
		}
		if sum.Failover, err = r.killLeader(ctx, w0); err != nil {
			return nil, err
		}
	}
	if err := r.sampleUntil(ctx, end); err != nil {
		return nil, err
	}
	r.sample(ctx)
	w1 := time.Now()
	win, err := r.targetsStats(ctx, "/stats")
	if err != nil {
		return nil, fmt.Errorf("targets stats: %w", err)
	}
	pg1, err := r.pg.stats(ctx)
	if err != nil {
		return nil, err
	}
	var px1 int64
	if r.px != nil {
		px1 = r.px.bytes.Load()
	}
	lo1 := loBytes()
	logf("window over; reading the states")

	states, err := r.states(ctx)
	if err != nil {
		sum.Failures = append(sum.Failures, err.Error())
	}
	stored, err := r.pg.storedStates(ctx)
	if err != nil {
		return nil, err
	}
	// The probes end, then the queue drains.
	for _, p := range r.probes {
		p.stop(syscall.SIGTERM, 30*time.Second)
	}
	lost, err := r.remoteAccount(ctx)
	if err != nil {
		return nil, err
	}
	r.fill(sum, w1.Sub(w0).Seconds(), win, pg0, pg1, px1-px0, lo1-lo0, states, stored, lost)
	return sum, nil
}

// sampleUntil samples every c.sampleInt until t, failing when a process
// the harness did not kill has ended.
func (r *runner) sampleUntil(ctx context.Context, t time.Time) error {
	for {
		r.sample(ctx)
		for _, p := range r.all() {
			if p.exited() && !p.killed {
				return fmt.Errorf("%s ended: %w (see its log)", p.name, p.exitErr())
			}
		}
		d := time.Until(t)
		if d <= 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(min(d, r.c.sampleInt)):
		}
	}
}

// failover is what killing the leader showed.
type failover struct {
	Killed    string  `json:"killed"`
	AtS       float64 `json:"at_window_s"`
	TakeoverS float64 `json:"takeover_s"` // until the other replica said it leads
	NewLeader string  `json:"new_leader"`
}

func (r *runner) killLeader(ctx context.Context, w0 time.Time) (*failover, error) {
	var l []*proc
	if err := waitFor(ctx, time.Minute, "exactly one replica leads before the kill", func() (bool, error) {
		var err error
		l, err = r.leaders(ctx)
		return len(l) == 1, err
	}); err != nil {
		return nil, err
	}
	r.sample(ctx) // the leader's figures up to its end
	victim := l[0]
	victim.killed = true
	t := time.Now()
	_ = victim.cmd.Process.Signal(syscall.SIGKILL)
	<-victim.done
	logf("killed the leader %s (SIGKILL)", victim.name)
	f := &failover{Killed: victim.name, AtS: round(t.Sub(w0).Seconds(), 1)}
	err := waitFor(ctx, 2*time.Minute, "another replica leads after the kill", func() (bool, error) {
		l, err := r.leaders(ctx)
		if len(l) == 1 {
			f.NewLeader = l[0].name
		}
		return len(l) == 1, err
	})
	if err != nil {
		return nil, err
	}
	f.TakeoverS = time.Since(t).Seconds()
	logf("%s leads after %.1f s", f.NewLeader, f.TakeoverS)
	return f, nil
}

// stateCounts counts the states of the checks by location ("" is the
// check as a whole) and state.
type stateCounts map[string]map[string]int

// states reads GET /api/v1/states from a live replica, following a
// cursor if the list pages.
func (r *runner) states(ctx context.Context) (stateCounts, error) {
	var srv *proc
	for _, p := range r.servers {
		if !p.exited() {
			srv = p
		}
	}
	if srv == nil {
		return nil, errors.New("states: no replica left")
	}
	out := stateCounts{}
	u := "http://" + srv.addr + "/api/v1/states"
	for range 100000 {
		var page struct {
			States []struct {
				Location string `json:"location"`
				State    string `json:"state"`
			} `json:"states"`
			Next       string `json:"next"`
			NextCursor string `json:"next_cursor"`
		}
		code, err := r.getJSON(ctx, u, &page)
		if err != nil {
			return out, fmt.Errorf("states: %w", err)
		}
		if code != http.StatusOK {
			return out, fmt.Errorf("states: status %d", code)
		}
		for _, s := range page.States {
			if out[s.Location] == nil {
				out[s.Location] = map[string]int{}
			}
			out[s.Location][s.State]++
		}
		next := page.Next + page.NextCursor
		if next == "" {
			return out, nil
		}
		u = "http://" + srv.addr + "/api/v1/states?cursor=" + url.QueryEscape(next)
	}
	return out, errors.New("states: too many pages")
}

// remote is the account of the remote location's results, from each
// probe's buffer to the detector.
type remote struct {
	Produced int64 `json:"produced"` // seqs given by the probes' buffers
	// Left in the buffers when the probes ended: pending were never taken
	// by a server; taken_unacked were (their seq is at most the server's
	// last for the buffer's epoch) but the probe ended before the ack.
	Pending      int64 `json:"pending_in_buffers"`
	TakenUnacked int64 `json:"taken_ack_not_received"`
	Taken        int64 `json:"taken_by_servers"` // produced − pending
	queue
	Lost int64 `json:"lost"` // taken − refused − queued: > 0 lost, < 0 queued twice
}

// remoteAccount reads the probes' buffers (the probes have ended), waits
// for the detector to take the queue, and balances the account.
func (r *runner) remoteAccount(ctx context.Context) (*remote, error) {
	if len(r.probes) == 0 {
		return nil, nil
	}
	a := &remote{}
	for _, p := range r.probes {
		dir := filepath.Join(r.dir, "buffer-"+p.name)
		e, err := os.ReadFile(filepath.Join(dir, "epoch"))
		if err != nil {
			return nil, fmt.Errorf("%s: buffer epoch: %w", p.name, err)
		}
		b, err := probe.OpenBuffer(dir, probe.BufferOptions{})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p.name, err)
		}
		left, err := b.Peek(0, 0)
		if err != nil {
			_ = b.Close()
			return nil, fmt.Errorf("%s: buffer: %w", p.name, err)
		}
		last, err := r.pg.lastSeq(ctx, remoteLocation, strings.TrimSpace(string(e)))
		if err != nil {
			_ = b.Close()
			return nil, err
		}
		for _, rec := range left {
			if int64(rec.Seq) <= last {
				a.TakenUnacked++
			} else {
				a.Pending++
			}
		}
		// The next seq the buffer gives is one past the last it gave: the
		// probe is gone and its buffer is thrown away after the run.
		rec := []probe.Record{{Key: "bench/end"}}
		err = b.Append(rec)
		_ = b.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: buffer: %w", p.name, err)
		}
		a.Produced += int64(rec[0].Seq) - 1
		_ = os.RemoveAll(dir)
	}
	a.Taken = a.Produced - a.Pending
	err := waitFor(ctx, 2*time.Minute, "the detector takes every queued result", func() (bool, error) {
		q, err := r.pg.queue(ctx)
		a.queue = q
		// Taking moves the cursor and deletes what it took in one
		// transaction, and the probes have ended: no row left, all taken.
		return err == nil && q.Left == 0, err
	})
	if err != nil {
		logf("%v", err)
	}
	a.Lost = a.Taken - a.Refused - a.Queued
	return a, nil
}

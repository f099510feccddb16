package probe

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/detect"
)

// RemoteOptions configure a remote probe.
type RemoteOptions struct {
	// Server is the base URL of the Vigie server, Token the location's.
	Server, Token string
	// BufferDir keeps results on disk until the server acknowledges them.
	BufferDir string
	// Engine runs the checks (nil: default options, with a User-Agent
	// naming the member).
	Engine *check.Engine
	// Client talks to the server (nil: a client with a 90 s timeout).
	Client *http.Client
	// Wait is how long an assignment poll may wait for a change (default 30 s).
	Wait time.Duration
	// PageSize is how many checks a page of a whole assignment holds
	// (default 5,000, at most 10,000; a server without pages sends
	// everything at once).
	PageSize int
	// PushEvery is how often buffered results are sent (default 1 s).
	PushEvery time.Duration
	// Concurrency and PerTarget bound the scheduler.
	Concurrency, PerTarget int
	// Member names this process among the location's probe processes
	// (default: host name and process id); Heartbeat is how often it calls
	// the server at least (default 1 s): it counts as gone after three
	// heartbeats of silence, and its checks go to the other members.
	Member    string
	Heartbeat time.Duration
	Logger    *slog.Logger
}

// Remote is a probe running at another location: it pulls its checks from
// the server, runs them, and pushes the results in gzip batches through an
// on-disk buffer, so that nothing is lost while the server is unreachable
// and everything is replayed in order once it is back.
type Remote struct {
	opts   RemoteOptions
	buf    *Buffer
	epoch  string
	sched  *Scheduler
	mu     sync.Mutex
	etag   string
	queued []Record
	// checks and trackers, by key, let the probe retry a failing check
	// sooner, as the server's own probe does, until it is confirmed down.
	checks   map[string]*check.Check
	trackers map[string]*detect.Tracker
	member   memberState
	// fullPulls and deltaPulls count the assignment answers taken, and
	// restarts the listings read in pages begun again.
	fullPulls, deltaPulls, restarts atomic.Uint64
	// unpaged is set once the server refused pages (an older server),
	// jsonBatches once it refused a batch in the binary form.
	unpaged        bool
	jsonBatches    atomic.Bool
	restartsInARow int
}

// NewRemote opens the buffer and prepares the probe.
func NewRemote(opts RemoteOptions) (*Remote, error) {
	if opts.Server == "" || opts.Token == "" || opts.BufferDir == "" {
		return nil, errors.New("remote probe: server, token and buffer directory are required")
	}
	opts.Server = strings.TrimRight(opts.Server, "/")
	if opts.Client == nil {
		opts.Client = &http.Client{Timeout: 90 * time.Second}
	}
	if opts.Wait <= 0 {
		opts.Wait = 30 * time.Second
	}
	if opts.PushEvery <= 0 {
		opts.PushEvery = time.Second
	}
	if opts.PageSize <= 0 {
		opts.PageSize = DefaultPageSize
	}
	opts.PageSize = min(opts.PageSize, MaxPageSize)
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Member == "" {
		opts.Member = defaultMemberName()
	}
	if err := CheckMemberName(opts.Member); err != nil {
		return nil, fmt.Errorf("remote probe: %w", err)
	}
	if opts.Engine == nil {
		// The sites checked see which probe process called.
		opts.Engine = check.NewEngine(check.Options{UserAgent: check.DefaultUserAgent + " (probe " + opts.Member + ")"})
	}
	if opts.Heartbeat <= 0 {
		opts.Heartbeat = DefaultMemberHeartbeat
	}
	if opts.Heartbeat < MinMemberHeartbeat || opts.Heartbeat > MaxMemberHeartbeat {
		return nil, fmt.Errorf("remote probe: heartbeat: want %s to %s, got %s", MinMemberHeartbeat, MaxMemberHeartbeat, opts.Heartbeat)
	}
	buf, err := OpenBuffer(opts.BufferDir, BufferOptions{})
	if err != nil {
		return nil, fmt.Errorf("remote probe: %w", err)
	}
	epoch, err := bufferEpoch(opts.BufferDir)
	if err != nil {
		_ = buf.Close()
		return nil, fmt.Errorf("remote probe: %w", err)
	}
	r := &Remote{opts: opts, buf: buf, epoch: epoch, checks: map[string]*check.Check{}, trackers: map[string]*detect.Tracker{}}
	r.member.hello = Hello{ID: epoch, Name: opts.Member, Heartbeat: opts.Heartbeat}
	r.sched = NewScheduler(SchedulerOptions{
		Run:         r.run,
		Report:      r.report,
		Concurrency: opts.Concurrency,
		PerTarget:   opts.PerTarget,
		Logger:      opts.Logger,
	})
	return r, nil
}

// report queues a result (the pusher appends queued results to the
// buffer) and asks for an early run while the check is failing softly.
func (r *Remote) report(key string, res check.Result) {
	if res.Phase == phaseHandedOver {
		return
	}
	r.mu.Lock()
	r.queued = append(r.queued, Record{Key: key, Result: res})
	c, t := r.checks[key], r.trackers[key]
	if c != nil && t == nil {
		t = detect.NewTracker(c.Attempts, detect.Policy{})
		r.trackers[key] = t
	}
	retry := false
	var interval time.Duration
	if t != nil {
		retry = t.Observe(res, time.Now()).Retry
		interval = time.Duration(c.Interval)
	}
	r.mu.Unlock()
	if retry {
		r.sched.Retry(key, detect.RetryInterval(interval))
	}
}

// Run probes until ctx ends, then closes the buffer.
func (r *Remote) Run(ctx context.Context) error {
	defer func() { _ = r.buf.Close() }()
	r.sched.Start(ctx)
	defer r.sched.Stop()
	var wg sync.WaitGroup
	wg.Go(func() { r.pullLoop(ctx) })
	wg.Go(func() { r.heartbeatLoop(ctx) })
	r.pushLoop(ctx)
	wg.Wait()
	return nil
}

// pullLoop keeps the assignments current, long-polling with the ETag.
func (r *Remote) pullLoop(ctx context.Context) {
	backoff := time.Second
	for ctx.Err() == nil {
		// A poll that changed nothing (304) comes back after its wait: poll again.
		_, err := r.pull(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			r.opts.Logger.Warn("remote probe: assignments", "err", err, "retry_in", backoff)
			sleep(ctx, backoff)
			backoff = min(2*backoff, 30*time.Second)
			continue
		}
		backoff = time.Second
	}
}

func (r *Remote) pull(ctx context.Context) (bool, error) {
	q := url.Values{"wait": {r.opts.Wait.String()}}
	if !r.unpaged {
		q.Set("limit", strconv.Itoa(r.opts.PageSize))
	}
	resp, err := r.getAssignments(ctx, q, true)
	if err != nil {
		return false, err
	}
	defer func() { _ = resp.Body.Close() }()
	switch {
	case resp.StatusCode == http.StatusNotModified:
		return false, nil
	case resp.StatusCode == http.StatusBadRequest && !r.unpaged:
		// A server older than pages refuses limit: ask it for everything.
		err := answerError("assignments", resp)
		if strings.Contains(err.Error(), "limit") {
			r.unpaged = true
			r.opts.Logger.Info("remote probe: the server does not page assignments")
			return true, nil
		}
		return false, err
	case resp.StatusCode != http.StatusOK:
		return false, answerError("assignments", resp)
	}
	var body assignmentsBody
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return false, fmt.Errorf("assignments: %w", err)
	}
	etag := resp.Header.Get("ETag")
	if body.Delta {
		r.applyDelta(body.Changed, body.Removed)
		r.etag = etag
		return true, nil
	}
	checks := body.Checks
	for next := body.Next; next != ""; {
		page, restart, err := r.nextPage(ctx, next)
		if err != nil {
			return false, err
		}
		if restart {
			// The version of the first page is gone: start again, from
			// the checks the probe runs now, at once unless it keeps
			// happening (servers at different versions, say).
			r.restarts.Add(1)
			r.restartsInARow++
			r.opts.Logger.Info("remote probe: assignments changed while read in pages, reading again", "read", len(checks))
			if r.restartsInARow > maxRestartsInARow {
				return false, fmt.Errorf("assignments: the version changed under %d listings in a row", r.restartsInARow)
			}
			return true, nil
		}
		checks, next = append(checks, page.Checks...), page.Next
	}
	ptrs := make([]*check.Check, len(checks))
	for i := range checks {
		ptrs[i] = &checks[i]
	}
	r.assign(ptrs, body.HandoverAt)
	r.fullPulls.Add(1)
	r.restartsInARow = 0
	r.opts.Logger.Info("remote probe: assignments", "checks", len(ptrs))
	r.etag = etag
	return true, nil
}

// DefaultPageSize is how many checks a page of assignments holds, and
// MaxPageSize the most a server gives.
const (
	DefaultPageSize = 5000
	MaxPageSize     = 10_000
)

// maxRestartsInARow is how many listings in pages begin again at once
// before the probe waits as after an error.
const maxRestartsInARow = 3

// assignmentsBody is an answer of the assignments: the whole list (a page
// of it, with the cursor of the next), or a delta.
type assignmentsBody struct {
	Checks []check.Check `json:"checks"`
	Next   string        `json:"next"`
	// HandoverAt is when this share takes effect (see assign).
	HandoverAt time.Time     `json:"handover_at"`
	Delta      bool          `json:"delta"`
	Changed    []check.Check `json:"changed"`
	Removed    []string      `json:"removed"`
}

// nextPage reads the page of cursor; restart is true when the server no
// longer serves the version of the listing (409).
func (r *Remote) nextPage(ctx context.Context, cursor string) (page assignmentsBody, restart bool, err error) {
	q := url.Values{"limit": {strconv.Itoa(r.opts.PageSize)}, "cursor": {cursor}}
	resp, err := r.getAssignments(ctx, q, false)
	if err != nil {
		return page, false, err
	}
	defer func() { _ = resp.Body.Close() }()
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusConflict:
		return page, true, nil
	default:
		return page, false, answerError("assignments page", resp)
	}
	if err := json.NewDecoder(resp.Body).Decode(&page); err != nil {
		return page, false, fmt.Errorf("assignments page: %w", err)
	}
	return page, false, nil
}

// getAssignments asks for the assignments with q, naming this member; the
// first request of a poll (poll) also sends the ETag of what the probe
// runs, and takes only what changed since when the server can tell.
func (r *Remote) getAssignments(ctx context.Context, q url.Values, poll bool) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.opts.Server+"/api/v1/probe/assignments?"+q.Encode(), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+r.opts.Token)
	r.setMember(req)
	if poll {
		// Only what changed since the ETag's version, please; a server
		// that cannot tell sends everything.
		req.Header.Set("Prefer", "delta")
		if r.etag != "" {
			req.Header.Set("If-None-Match", r.etag)
		}
	}
	return r.opts.Client.Do(req)
}

// answerError reads a refusal of the server.
func answerError(what string, resp *http.Response) error {
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	return fmt.Errorf("%s: %s: %s", what, resp.Status, bytes.TrimSpace(msg))
}

// applyDelta changes and removes the assignments the server says changed
// since the version of the probe's ETag, leaving the others as they are.
func (r *Remote) applyDelta(changed []check.Check, removed []string) {
	r.member.applyMu.Lock() // after any change of shares begun before
	defer r.member.applyMu.Unlock()
	ptrs := make([]*check.Check, len(changed))
	r.mu.Lock()
	if r.member.soon == nil {
		r.member.soon = map[string]bool{}
	}
	for i := range changed {
		ptrs[i] = &changed[i]
		key := ptrs[i].Key()
		r.checks[key] = ptrs[i]
		delete(r.trackers, key) // its attempts may have changed
		if len(changed) <= runSoonMax {
			r.member.soon[key] = true
		}
	}
	for _, key := range removed {
		delete(r.checks, key)
		delete(r.trackers, key)
		delete(r.member.soon, key)
	}
	r.mu.Unlock()
	r.sched.Update(ptrs, removed)
	runSoon(r.sched, ptrs)
	r.deltaPulls.Add(1)
	r.opts.Logger.Info("remote probe: assignments changed", "changed", len(changed), "removed", len(removed))
}

// Pulls counts the assignment answers taken: whole lists and deltas.
func (r *Remote) Pulls() (full, delta uint64) { return r.fullPulls.Load(), r.deltaPulls.Load() }

// Assigned returns the keys of the checks the probe holds, sorted.
func (r *Remote) Assigned() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Sorted(maps.Keys(r.checks))
}

// Restarts counts the whole lists read in pages that were begun again
// because their version changed while they were read.
func (r *Remote) Restarts() uint64 { return r.restarts.Load() }

// pushLoop moves results to the buffer and sends them, oldest first.
func (r *Remote) pushLoop(ctx context.Context) {
	tick := time.NewTicker(r.opts.PushEvery)
	defer tick.Stop()
	backoff := r.opts.PushEvery
	for {
		select {
		case <-ctx.Done():
			r.spill()
			return
		case <-tick.C:
		}
		r.spill()
		for r.buf.Len() > 0 && ctx.Err() == nil {
			if err := r.push(ctx); err != nil {
				if ctx.Err() == nil {
					wait := backoff
					var ra *retryAfterError
					if errors.As(err, &ra) {
						wait = min(ra.after, backoff) // the server says when; never later than the backoff
					}
					r.opts.Logger.Warn("remote probe: push", "err", err, "buffered", r.buf.Len(), "retry_in", wait)
					sleep(ctx, wait)
					backoff = min(2*backoff, 30*time.Second)
				}
				break
			}
			backoff = r.opts.PushEvery
		}
	}
}

// spill appends the queued results to the buffer.
func (r *Remote) spill() {
	r.mu.Lock()
	recs := r.queued
	r.queued = nil
	r.mu.Unlock()
	if len(recs) == 0 {
		return
	}
	if err := r.buf.Append(recs); err != nil {
		r.opts.Logger.Error("remote probe: buffer", "err", err, "lost", len(recs))
	}
}

// push sends one batch of the oldest buffered results and drops what the
// server acknowledged.
func (r *Remote) push(ctx context.Context) error {
	recs, err := r.buf.Peek(2000, 8<<20)
	if err != nil || len(recs) == 0 {
		return err
	}
	resp, err := r.postResults(ctx, recs)
	if err != nil {
		return err
	}
	defer func() { _ = resp.Body.Close() }()
	var out struct {
		Ack string `json:"ack"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return fmt.Errorf("results: %w", err)
	}
	ack, err := strconv.ParseUint(out.Ack, 10, 64)
	if err != nil {
		return fmt.Errorf("results: bad ack %q", out.Ack)
	}
	if ack == 0 {
		return errors.New("results: nothing acknowledged")
	}
	return r.buf.Ack(min(ack, recs[len(recs)-1].Seq))
}

// postResults sends a batch of results, gzip-compressed, naming this
// member, and returns the server's answer when it took the batch; any
// other answer is an error, which says how long to wait when the server
// does.
//
// The batch goes in the binary form (ResultsMediaType) unless the server
// refused it once: a server older than that form reads every body as
// JSON and answers 400 "malformed JSON" (or 415). The probe then sends
// that batch again, and every later one, as JSON.
func (r *Remote) postResults(ctx context.Context, recs []Record) (*http.Response, error) {
	asJSON := r.jsonBatches.Load()
	var body bytes.Buffer
	zw := gzip.NewWriter(&body)
	var err error
	if asJSON {
		err = json.NewEncoder(zw).Encode(map[string]any{"epoch": r.epoch, "records": recs})
	} else {
		_, err = zw.Write(AppendResults(nil, r.epoch, recs))
	}
	if err != nil {
		return nil, fmt.Errorf("results: encode: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("results: encode: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.opts.Server+"/api/v1/probe/results", &body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+r.opts.Token)
	req.Header.Set("Content-Type", ResultsMediaType)
	if asJSON {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Content-Encoding", "gzip")
	r.setMember(req)
	resp, err := r.opts.Client.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode == http.StatusOK {
		return resp, nil
	}
	defer func() { _ = resp.Body.Close() }()
	err = answerError("results", resp)
	// An older server answers 400 "malformed JSON" to the binary form; a
	// 400 for another reason (a bad epoch) is no reason to leave it.
	older := resp.StatusCode == http.StatusUnsupportedMediaType ||
		resp.StatusCode == http.StatusBadRequest && strings.Contains(err.Error(), "malformed JSON")
	if !asJSON && older {
		r.jsonBatches.Store(true)
		r.opts.Logger.Warn("the server refused a batch of results in the binary form; sending JSON from now on", "err", err)
		return r.postResults(ctx, recs)
	}
	if secs, perr := strconv.Atoi(resp.Header.Get("Retry-After")); perr == nil && secs > 0 {
		return nil, &retryAfterError{err: err, after: time.Duration(secs) * time.Second}
	}
	return nil, err
}

// retryAfterError is a refusal that says when to try again (the server's
// database is away): the probe then waits that long, not its backoff.
type retryAfterError struct {
	err   error
	after time.Duration
}

func (e *retryAfterError) Error() string { return e.err.Error() }
func (e *retryAfterError) Unwrap() error { return e.err }

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// bufferEpoch returns the id of the buffer in dir, made on first use: the
// server counts sequence numbers per epoch, so a probe whose disk was lost
// (and whose numbering restarts) is not ignored.
func bufferEpoch(dir string) (string, error) {
	path := filepath.Join(dir, "epoch")
	if b, err := os.ReadFile(path); err == nil && len(bytes.TrimSpace(b)) > 0 {
		return string(bytes.TrimSpace(b)), nil
	}
	var raw [8]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", err
	}
	epoch := hex.EncodeToString(raw[:])
	if err := os.WriteFile(path, []byte(epoch+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("buffer epoch: %w", err)
	}
	return epoch, nil
}

// Buffered is the number of results not yet acknowledged by the server.
func (r *Remote) Buffered() int {
	r.mu.Lock()
	n := len(r.queued)
	r.mu.Unlock()
	return n + r.buf.Len()
}

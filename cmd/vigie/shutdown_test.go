package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptrace"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/detect"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// TestSecondServerOnSQLiteIsRefused starts two servers on one SQLite file:
// the second exits 1 at once saying why, the first goes on serving.
func TestSecondServerOnSQLiteIsRefused(t *testing.T) {
	dsn := storetest.DSN(t, store.SQLite)
	first := startServe(t, "first server", dsn, "--probe=false")
	second := startVigie(t, "second server", dsn, "serve", "--listen", freeAddr(t), "--probe=false")
	took := second.wait(t, 5*time.Second)
	if code := second.exitCode(); code != 1 {
		t.Fatalf("second server exited with %d, want 1:\n%s", code, second.out.String())
	}
	if out := second.out.String(); !strings.Contains(out, "is in use by another vigie serve") {
		t.Fatalf("second server does not say the database is in use:\n%s", out)
	}
	t.Logf("second server refused in %s", took.Round(time.Millisecond))
	if r, err := first.readyz(); err != nil || !r.Leader {
		t.Fatalf("first server after the refusal: %+v %v", r, err)
	}
	first.stop(t)
}

// connLog counts the connections a loopback listener accepts, with when.
type connLog struct {
	mu sync.Mutex
	at []time.Time
}

func (c *connLog) serve(ln net.Listener) {
	for {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		c.mu.Lock()
		c.at = append(c.at, time.Now())
		c.mu.Unlock()
		_ = conn.Close()
	}
}

// since counts the connections accepted at or after t, and in all.
func (c *connLog) since(t time.Time) (after, total int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, at := range c.at {
		if !at.Before(t) {
			after++
		}
	}
	return after, len(c.at)
}

// longPoll is the outcome of one request for probe assignments.
type longPoll struct {
	status int
	err    error
	at     time.Time
}

// TestSIGTERMDuringLongPoll stops a server with SIGTERM while a remote
// probe's long poll waits on it: the poll is answered, the process exits
// 0 quickly, and what the built-in probe measured in the current minute
// is on disk.
func TestSIGTERMDuringLongPoll(t *testing.T) {
	dsn := storetest.DSN(t, store.SQLite)
	target, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = target.Close() }()
	conns := &connLog{}
	go conns.serve(target)
	importYAML(t, dsn, fmt.Sprintf(`assets:
  - {name: hv1, kind: hypervisor, address: %q}
check_defaults:
  hypervisor: {kind: tcp, interval: 1s}
`, target.Addr().String()))
	r := vigie(t, dsn, "", "location", "add", "paris")
	locToken := strings.TrimSpace(r.stdout)
	if r.code != 0 || locToken == "" {
		t.Fatalf("location add: %+v", r)
	}
	srv := startServe(t, "server", dsn, "--sweep", "200ms")
	waitFor(t, 15*time.Second, "the built-in probe checks the listener twice", func() bool {
		_, n := conns.since(time.Time{})
		return n >= 2
	})

	url := "http://" + srv.addr + "/api/v1/probe/assignments"
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+locToken)
	resp, err := httpClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	etag := resp.Header.Get("ETag")
	if resp.StatusCode != http.StatusOK || etag == "" {
		t.Fatalf("assignments: %d, ETag %q", resp.StatusCode, etag)
	}

	// The poll's client allows more than the wait asked for, so that only
	// the server ends it.
	written := make(chan struct{})
	polled := make(chan longPoll, 1)
	go func() {
		ctx := httptrace.WithClientTrace(context.Background(), &httptrace.ClientTrace{
			WroteRequest: func(httptrace.WroteRequestInfo) { close(written) },
		})
		req, _ := http.NewRequestWithContext(ctx, "GET", url+"?wait=60s", nil)
		req.Header.Set("Authorization", "Bearer "+locToken)
		req.Header.Set("If-None-Match", etag)
		resp, err := (&http.Client{Timeout: 90 * time.Second}).Do(req)
		p := longPoll{err: err, at: time.Now()}
		if err == nil {
			p.status = resp.StatusCode
			_ = resp.Body.Close()
		}
		polled <- p
	}()
	select {
	case <-written:
	case p := <-polled:
		t.Fatalf("the long poll ended before it was sent: %+v", p)
	case <-time.After(10 * time.Second):
		t.Fatal("the long poll was not sent")
	}
	// Stop once the poll has waited a while (it must not have been
	// answered: nothing changed) and the probe has measured in the current
	// minute, not in its last seconds: a server that does not write the
	// open minute at shutdown then loses at least one result.
	sent := time.Now()
	waitFor(t, 15*time.Second, "the poll waits and the current minute has a result", func() bool {
		select {
		case p := <-polled:
			t.Fatalf("the long poll was answered before SIGTERM: %+v", p)
		default:
		}
		now := time.Now()
		inMinute, _ := conns.since(now.Truncate(time.Minute))
		return now.Sub(sent) >= 500*time.Millisecond && inMinute >= 1 && now.Second() < 58
	})
	_, before := conns.since(time.Time{})
	minute := time.Now().UTC().Truncate(time.Minute)
	term := time.Now()
	srv.signal(t, syscall.SIGTERM)
	exit := srv.wait(t, 5*time.Second)
	t.Logf("SIGTERM to exit: %s (the long poll had waited %s)", exit.Round(time.Millisecond), term.Sub(sent).Round(time.Millisecond))
	if code := srv.exitCode(); code != 0 {
		t.Fatalf("exit %d after SIGTERM", code)
	}
	select {
	case p := <-polled:
		if p.err != nil || (p.status != http.StatusNotModified && p.status != http.StatusOK) {
			t.Fatalf("long poll: %+v, want 304 or 200", p)
		}
		t.Logf("long poll answered %d %s after SIGTERM", p.status, p.at.Sub(term).Round(time.Millisecond))
	case <-time.After(5 * time.Second):
		t.Fatal("the long poll was never answered")
	}

	// Every run that started before SIGTERM counts, the current minute's
	// included; runs in flight then may add a few.
	_, after := conns.since(time.Time{})
	total, current := storedRuns(t, dsn, "hv1/tcp", minute)
	if total < before || total > after {
		t.Fatalf("%d results stored, want %d to %d (the connections accepted before SIGTERM and in all)", total, before, after)
	}
	if current == 0 {
		t.Fatalf("no rollup for the minute of SIGTERM (%s)", minute.Format(time.TimeOnly))
	}
}

// storedRuns reads, after the server exited, how many results of a check
// the minute rollups hold in all and in the given minute.
func storedRuns(t *testing.T, dsn, checkKey string, minute time.Time) (total, inMinute int) {
	t.Helper()
	ctx := context.Background()
	d, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = d.Close() }()
	var rows int
	if err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM rollup_minutes m JOIN check_ids c ON c.id = m.check_id
		WHERE c.check_key = $1`, checkKey).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if rows == 0 {
		t.Fatalf("no rollup_minutes row for %s", checkKey)
	}
	buckets, err := detect.NewStore(d).Latency(ctx, checkKey, detect.PeriodMinute, minute.Add(-time.Hour), minute.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range buckets {
		total += b.Count
		if b.Minute.Equal(minute) {
			inMinute = b.Count
		}
	}
	return total, inMinute
}

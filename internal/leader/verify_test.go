package leader_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/leader"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// blackHole forwards TCP to a target until it swallows the connections
// open at that moment: their bytes, and their closing, never arrive, as
// with a firewall that forgot them. New connections pass.
type blackHole struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	open   []*atomic.Bool
}

func newBlackHole(t *testing.T, target string) *blackHole {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b := &blackHole{ln: ln, target: target}
	t.Cleanup(func() { _ = ln.Close() })
	go b.serve()
	return b
}

func (b *blackHole) serve() {
	for {
		c, err := b.ln.Accept()
		if err != nil {
			return
		}
		up, err := net.DialTimeout("tcp", b.target, 2*time.Second)
		if err != nil {
			_ = c.Close()
			continue
		}
		swallowed := new(atomic.Bool)
		b.mu.Lock()
		b.open = append(b.open, swallowed)
		b.mu.Unlock()
		go pipe(up, c, swallowed)
		go pipe(c, up, swallowed)
	}
}

// pipe copies src to dst until src ends, then closes dst; once swallowed,
// it drops what it reads and never closes.
func pipe(dst, src net.Conn, swallowed *atomic.Bool) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if swallowed.Load() {
			if err != nil {
				return // leave dst open: its peer never learns
			}
			continue
		}
		if n > 0 {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			_ = dst.Close()
			return
		}
	}
}

// swallowOpen swallows every connection open now.
func (b *blackHole) swallowOpen() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, s := range b.open {
		s.Store(true)
	}
}

// TestALeaderCutOffSilentlyStepsDown cuts the leader's lock connection
// silently (its session is ended, but nothing reaches the leader, as
// behind a firewall that dropped it) while another server takes the lock:
// the leader learns from the database, on another connection, that its
// lock is gone, and steps down within a few of its checks. Without that
// check it would lead beside the other until TCP keepalive, minutes later.
func TestALeaderCutOffSilentlyStepsDown(t *testing.T) {
	dsn := storetest.DSN(t, store.Postgres)
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	hole := newBlackHole(t, u.Host)
	u.Host = hole.ln.Addr().String()
	cut := openDB(t, u.String())
	direct := openDB(t, dsn)

	var count leading
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var leadingA atomic.Bool
	doneA := make(chan struct{})
	go func() {
		defer close(doneA)
		leader.Run(ctx, cut, slog.New(slog.NewTextHandler(io.Discard, nil)),
			leader.Options{Retry: retry, Verify: 200 * time.Millisecond}, func(lctx context.Context) {
				leadingA.Store(true)
				count.add(1, "a")
				<-lctx.Done()
				count.add(-1, "a")
				leadingA.Store(false)
			})
	}()
	waitUntil(t, 10*time.Second, "a leads", leadingA.Load)
	holder := lockHolder(t, direct)
	b := startElector(t, "b", direct, &count, 0)

	hole.swallowOpen()
	terminate(t, direct, holder)
	waitUntil(t, 10*time.Second, "b leads", b.running.Load)
	waitUntil(t, 10*time.Second, "a steps down", func() bool { return !leadingA.Load() })
	cancel()
	<-doneA
	if !b.running.Load() {
		t.Fatal("b stopped leading")
	}
}

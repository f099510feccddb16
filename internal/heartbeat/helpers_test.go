package heartbeat

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/store"
)

// samePing compares pings by value, following pointers.
func samePing(a, b Ping) bool { return showPing(a) == showPing(b) }

// showPing prints a ping with its pointed-to values.
func showPing(p Ping) string {
	size, dur := "nil", "nil"
	if p.Size != nil {
		size = fmt.Sprint(*p.Size)
	}
	if p.Duration != nil {
		dur = time.Duration(*p.Duration).String()
	}
	return fmt.Sprintf("{status %q size %s duration %s message %q}", p.Status, size, dur, p.Message)
}

// clock is a settable time for tests.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// t0 is when test tokens are created.
var t0 = time.Date(2026, 11, 26, 2, 0, 0, 0, time.UTC)

// newTestStore returns a Store on db whose tokens are created at t0.
func newTestStore(db *store.DB) (*Store, *clock) {
	c := &clock{t: t0}
	s := NewStore(db)
	s.now = c.Now
	return s, c
}

// ensure creates the token of checkKey, failing the test otherwise.
func ensure(t *testing.T, s *Store, checkKey string) string {
	t.Helper()
	token, created, err := s.Ensure(context.Background(), checkKey)
	if err != nil || !created || token == "" {
		t.Fatalf("Ensure(%q) = %q, %v, %v; want a new token", checkKey, token, created, err)
	}
	return token
}

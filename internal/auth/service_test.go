package auth

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/store"
)

// lightParams keep tests fast; the real parameters are tested on their own.
var lightParams = params{memory: 64, time: 1, threads: 1, saltLen: 16, keyLen: 32}

// start is not in UTC and has nanoseconds, to check what is stored.
var start = time.Date(2025, 3, 9, 2, 30, 0, 123456789, time.FixedZone("CET", 3600))

// fakeClock is a clock the test moves by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// newTestService returns a Service with light hashes and a clock at start.
func newTestService(db *store.DB) (*Service, *fakeClock) {
	clock := &fakeClock{t: start}
	s := NewService(db)
	s.now = clock.Now
	s.passwordParams = lightParams
	s.tokenParams = lightParams
	return s, clock
}

// mustAddUser adds a user or fails the test.
func mustAddUser(t *testing.T, s *Service, email string, role Role) User {
	t.Helper()
	u, err := s.AddUser(context.Background(), email, role, "correct horse battery")
	if err != nil {
		t.Fatalf("AddUser(%s): %v", email, err)
	}
	return u
}

// storedUTC is start as the database keeps it.
func storedUTC(t time.Time) time.Time {
	return t.UTC().Truncate(time.Microsecond)
}

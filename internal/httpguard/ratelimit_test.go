package httpguard

import (
	"fmt"
	"net/netip"
	"testing"
	"time"

	"golang.org/x/time/rate"
)

type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time         { return c.t }
func (c *fakeClock) add(d time.Duration)    { c.t = c.t.Add(d) }
func newClock() *fakeClock                  { return &fakeClock{t: time.Date(2026, 3, 14, 10, 0, 0, 0, time.UTC)} }
func addr(s string) netip.Addr              { return netip.MustParseAddr(s) }
func allowed(l *RateLimiter, a string) bool { ok, _ := l.Allow(addr(a)); return ok }

func TestRateLimiterBurstThenRate(t *testing.T) {
	clock := newClock()
	l := NewRateLimiter(RateLimits{Rate: rate.Every(10 * time.Second), Burst: 3, Now: clock.now})
	for i := range 3 {
		if !allowed(l, "192.0.2.1") {
			t.Fatalf("request %d of the burst refused", i+1)
		}
	}
	ok, retry := l.Allow(addr("192.0.2.1"))
	if ok || retry != 10*time.Second {
		t.Fatalf("past the burst: %v, retry %v, want refused, 10s", ok, retry)
	}
	if !allowed(l, "192.0.2.2") {
		t.Fatal("another address shares the bucket")
	}
	clock.add(7500 * time.Millisecond)
	if ok, retry := l.Allow(addr("192.0.2.1")); ok || retry != 3*time.Second {
		t.Fatalf("2.5 s early: %v, retry %v, want refused, 3s (rounded up)", ok, retry)
	}
	clock.add(2500 * time.Millisecond)
	if !allowed(l, "192.0.2.1") {
		t.Fatal("a token earned back was refused: refused requests must not take one")
	}
	if allowed(l, "192.0.2.1") {
		t.Fatal("one token earned, two spent")
	}
}

func TestRateLimiterRetryAfterIsAtLeastASecond(t *testing.T) {
	clock := newClock()
	l := NewRateLimiter(RateLimits{Rate: 100, Burst: 1, Now: clock.now})
	allowed(l, "192.0.2.1")
	if ok, retry := l.Allow(addr("192.0.2.1")); ok || retry != time.Second {
		t.Fatalf("got %v, %v; want refused, 1s", ok, retry)
	}
	none := NewRateLimiter(RateLimits{Rate: 1, Burst: 0, Now: clock.now})
	if ok, retry := none.Allow(addr("192.0.2.1")); ok || retry != time.Second {
		t.Fatalf("zero burst: %v, %v; want refused, 1s", ok, retry)
	}
}

func TestRateLimiterGroupsIPv6By64(t *testing.T) {
	clock := newClock()
	l := NewRateLimiter(RateLimits{Rate: rate.Every(time.Minute), Burst: 1, Now: clock.now})
	if !allowed(l, "2001:db8:1:2::1") {
		t.Fatal("first request refused")
	}
	if allowed(l, "2001:db8:1:2:ffff::9") {
		t.Fatal("another address of the same /64 got its own bucket")
	}
	if !allowed(l, "2001:db8:1:3::1") {
		t.Fatal("the next /64 shares the bucket")
	}
	if !allowed(l, "192.0.2.1") || allowed(l, "::ffff:192.0.2.1") {
		t.Fatal("a mapped IPv4 address is not the IPv4 address")
	}
}

func TestRateLimiterMemoryIsBounded(t *testing.T) {
	clock := newClock()
	l := NewRateLimiter(RateLimits{Rate: 1, Burst: 2, MaxAddrs: 100, Now: clock.now})
	for i := range 1000 {
		allowed(l, fmt.Sprintf("10.0.%d.%d", i/256, i%256))
	}
	if n := l.Len(); n > 100 {
		t.Fatalf("%d addresses tracked, max 100", n)
	}
	// The most recent address is still limited: eviction takes the oldest.
	allowed(l, "10.0.3.231")
	if allowed(l, "10.0.3.231") {
		t.Fatal("the latest address lost its bucket")
	}
	// Once every bucket has had time to fill again, all are forgotten.
	clock.add(2 * time.Second)
	allowed(l, "192.0.2.1")
	if n := l.Len(); n != 1 {
		t.Fatalf("%d addresses tracked after they all went idle, want 1", n)
	}
}

package httpguard

import (
	"math"
	"net/netip"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// RateLimits configures a RateLimiter.
type RateLimits struct {
	// Rate is how many requests per second an address earns back, for
	// example rate.Every(12*time.Second) for five a minute.
	Rate rate.Limit
	// Burst is how many requests an address may make at once.
	Burst int
	// MaxAddrs bounds how many addresses are tracked (default 10000).
	// When full, the address heard from the longest ago is forgotten.
	MaxAddrs int
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// RateLimiter gives each client address a token bucket. IPv6 addresses
// share one bucket per /64, the block a single host usually owns. Memory
// is bounded: an address idle long enough for its bucket to fill again is
// forgotten, which loses nothing, and at most MaxAddrs are kept.
type RateLimiter struct {
	limit    rate.Limit
	burst    int
	maxAddrs int
	idle     time.Duration
	now      func() time.Time

	mu        sync.Mutex
	buckets   map[netip.Prefix]*bucket
	lastSweep time.Time
}

type bucket struct {
	limiter *rate.Limiter
	seen    time.Time
}

// NewRateLimiter returns a RateLimiter with the limits of c.
func NewRateLimiter(c RateLimits) *RateLimiter {
	if c.MaxAddrs <= 0 {
		c.MaxAddrs = 10000
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	// A bucket idle for Burst/Rate is full again, the state of a new one.
	idle := time.Minute
	if c.Rate > 0 && c.Rate != rate.Inf {
		refill := time.Duration(float64(max(c.Burst, 1)) / float64(c.Rate) * float64(time.Second))
		idle = max(refill, time.Second)
	}
	return &RateLimiter{
		limit: c.Rate, burst: c.Burst, maxAddrs: c.MaxAddrs, idle: idle, now: c.Now,
		buckets: make(map[netip.Prefix]*bucket),
	}
}

// Allow takes one token from addr's bucket. When there is none it reports
// false and how long to wait for one, in whole seconds and at least one,
// as a Retry-After header wants; a refused request takes no token.
func (l *RateLimiter) Allow(addr netip.Addr) (ok bool, retryAfter time.Duration) {
	now := l.now()
	key := bucketKey(addr)
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[key]
	if b == nil {
		l.makeRoom(now)
		b = &bucket{limiter: rate.NewLimiter(l.limit, l.burst)}
		l.buckets[key] = b
	}
	b.seen = now
	r := b.limiter.ReserveN(now, 1)
	if !r.OK() {
		return false, time.Second // a zero burst never allows a request
	}
	delay := r.DelayFrom(now)
	if delay == 0 {
		return true, 0
	}
	r.CancelAt(now)
	return false, time.Duration(math.Ceil(delay.Seconds())) * time.Second
}

// Len returns how many addresses are tracked.
func (l *RateLimiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}

// makeRoom forgets idle addresses now and then, and the one heard from the
// longest ago when the table is full anyway.
func (l *RateLimiter) makeRoom(now time.Time) {
	if now.Sub(l.lastSweep) >= l.idle || len(l.buckets) >= l.maxAddrs {
		l.lastSweep = now
		for k, b := range l.buckets {
			if now.Sub(b.seen) >= l.idle {
				delete(l.buckets, k)
			}
		}
	}
	if len(l.buckets) < l.maxAddrs {
		return
	}
	var oldest netip.Prefix
	var seen time.Time
	for k, b := range l.buckets {
		if seen.IsZero() || b.seen.Before(seen) {
			oldest, seen = k, b.seen
		}
	}
	delete(l.buckets, oldest)
}

// bucketKey is the address itself for IPv4 and its /64 for IPv6; an
// invalid address gets the zero key, one bucket for all such.
func bucketKey(addr netip.Addr) netip.Prefix {
	if !addr.IsValid() {
		return netip.Prefix{}
	}
	addr = addr.Unmap().WithZone("")
	bits := 32
	if addr.Is6() {
		bits = 64
	}
	p, _ := addr.Prefix(bits) // cannot fail: the bits fit the address
	return p
}

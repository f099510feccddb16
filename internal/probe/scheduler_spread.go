package probe

import (
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/vigie/vigie/internal/check"
)

// offsetOf is the stable phase of a check within its interval: a hash of
// its key, so that many checks of one interval spread evenly over it and
// each keeps its phase across restarts and Set calls.
func offsetOf(key string, interval time.Duration) time.Duration {
	// FNV-1a, then the murmur3 finalizer: FNV alone leaves similar keys
	// ("site-1", "site-2") close together.
	x := uint64(14695981039346656037)
	for i := 0; i < len(key); i++ {
		x ^= uint64(key[i])
		x *= 1099511628211
	}
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	x *= 0xc4ceb9fe1a85ec53
	x ^= x >> 33
	return time.Duration(x % uint64(interval))
}

// nextSlot is the first time after now at the given phase of the interval.
// Intervals are counted from the Unix epoch, so every location running the
// same check runs it at the same moment.
func nextSlot(now time.Time, interval, offset time.Duration) time.Time {
	into := time.Duration(now.UnixNano() % int64(interval))
	if into < 0 {
		into += interval
	}
	t := now.Add(offset - into)
	if !t.After(now) {
		t = t.Add(interval)
	}
	return t
}

// targetOf is the host a check connects to: that of its Address, else its
// URL, else its Server; empty when it has none.
func targetOf(c *check.Check) string {
	switch {
	case c.Address != "":
		return hostOf(c.Address)
	case c.URL != "":
		if u, err := url.Parse(c.URL); err == nil && u.Hostname() != "" {
			return strings.ToLower(u.Hostname())
		}
		return strings.ToLower(c.URL)
	case c.Server() != "":
		return hostOf(c.Server())
	}
	return ""
}

// hostOf is the host of a host:port address, or the address itself when it
// has no port.
func hostOf(addr string) string {
	if h, _, err := net.SplitHostPort(addr); err == nil {
		return strings.ToLower(h)
	}
	return strings.ToLower(strings.Trim(addr, "[]"))
}

// baseInterval is how often a check runs by its own declaration.
func baseInterval(c *check.Check) time.Duration {
	if iv := time.Duration(c.Interval); iv > 0 {
		return iv
	}
	switch c.Kind {
	case check.HTTP:
		return check.DefaultHTTPInterval
	case check.TCP:
		return check.DefaultTCPInterval
	}
	return check.DefaultInterval
}

// timeoutOf is the deadline of one run of a check.
func timeoutOf(c *check.Check) time.Duration {
	if t := time.Duration(c.Timeout); t > 0 {
		return t
	}
	return check.DefaultTimeout
}

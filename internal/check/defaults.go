package check

import "net/http"

// ApplyDefaults fills the fields of c that are left empty:
//
//   - Name: the kind;
//   - Interval: DefaultHTTPInterval (60 s) for http, DefaultTCPInterval
//     (30 s) for tcp, DefaultInterval (60 s) for the other kinds;
//   - Timeout: DefaultTimeout (10 s), or half the interval when that is
//     shorter, so that the timeout stays below the interval as Validate
//     requires;
//   - Attempts: DefaultAttempts (3);
//   - Method: GET, for http checks;
//   - Grace: DefaultHeartbeatGrace (5 min), for heartbeat checks.
//
// Other defaults depend on other fields and are applied when the check
// runs: expect_status (200-299, or 200-399 without following redirects),
// query_type A, expect_rcode NOERROR and min_days DefaultMinDays.
func ApplyDefaults(c *Check) {
	if c.Name == "" {
		c.Name = string(c.Kind)
	}
	if c.Interval == 0 {
		switch c.Kind {
		case HTTP:
			c.Interval = Duration(DefaultHTTPInterval)
		case TCP:
			c.Interval = Duration(DefaultTCPInterval)
		default:
			c.Interval = Duration(DefaultInterval)
		}
	}
	if c.Timeout == 0 {
		c.Timeout = Duration(DefaultTimeout)
		if half := c.Interval / 2; half > 0 && half < c.Timeout {
			c.Timeout = half
		}
	}
	if c.Attempts == 0 {
		c.Attempts = DefaultAttempts
	}
	if c.Kind == HTTP && c.Method() == "" {
		if c.HTTPOptions == nil {
			// Most http checks set nothing else: they share one value
			// rather than each keeping a copy.
			c.HTTPOptions = defaultHTTPOptions
		} else {
			c.EditHTTP().Method = http.MethodGet
		}
	}
	if c.Kind == Heartbeat && c.Grace() == 0 {
		c.EditHeartbeat().Grace = Duration(DefaultHeartbeatGrace)
	}
}

// defaultHTTPOptions are the options of an http check that sets none, once
// its defaults are applied. Shared by every such check, it is never
// modified (see Check).
var defaultHTTPOptions = &HTTPOptions{Method: http.MethodGet}

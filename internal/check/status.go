package check

import (
	"fmt"
	"strconv"
	"strings"
)

// The statuses an http check accepts when expect_status is empty: any 2xx
// once redirects are followed, and 3xx too when they are not, since then a
// redirect is the answer.
const (
	defaultExpectStatus           = "200-299"
	defaultExpectStatusNoRedirect = "200-399"
)

// statusRange is an inclusive range of HTTP status codes.
type statusRange struct{ lo, hi int }

// statusSet is the statuses an http check accepts, parsed from
// expect_status: single codes and ranges separated by commas, such as
// "200", "200-299" or "301,302".
type statusSet []statusRange

// The status sets of the default expectations, read once.
var (
	defaultStatusSet           = mustStatusSet(defaultExpectStatus)
	defaultStatusSetNoRedirect = mustStatusSet(defaultExpectStatusNoRedirect)
)

func mustStatusSet(s string) statusSet {
	set, err := parseStatusSet(s)
	if err != nil {
		panic(err)
	}
	return set
}

// parseStatusSet reads an expect_status value.
func parseStatusSet(s string) (statusSet, error) {
	var set statusSet
	for item := range strings.SplitSeq(s, ",") {
		item = strings.TrimSpace(item)
		lo, hi, isRange := strings.Cut(item, "-")
		r := statusRange{lo: statusCode(lo)}
		r.hi = r.lo
		if isRange {
			r.hi = statusCode(hi)
		}
		if r.lo == 0 || r.hi == 0 || r.hi < r.lo {
			return nil, fmt.Errorf("want statuses such as 200, 200-299 or 301,302, got %q", s)
		}
		set = append(set, r)
	}
	return set, nil
}

// statusCode reads a status code from 100 to 599, or returns 0.
func statusCode(s string) int {
	s = strings.TrimSpace(s)
	if len(s) != 3 {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 100 || n > 599 {
		return 0
	}
	return n
}

// has tells whether code is accepted.
func (set statusSet) has(code int) bool {
	for _, r := range set {
		if r.lo <= code && code <= r.hi {
			return true
		}
	}
	return false
}

package check

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// MaxAttempts is the most attempts a check may make before it counts as
// failed.
const MaxAttempts = 10

// FieldError is a problem with one field of a check; Field is the field's
// name in files and JSON, such as "expect_status".
type FieldError struct {
	Field   string
	Message string
}

// Error writes the field and the problem: "expect_status: want …".
func (e FieldError) Error() string { return e.Field + ": " + e.Message }

// kindField is a field that only some kinds use.
type kindField struct {
	name  string
	kinds []Kind
	set   func(c *Check) bool
}

// kindFields are the fields of one kind or a few, in the order of Check.
var kindFields = []kindField{
	{"url", []Kind{HTTP, TLS}, func(c *Check) bool { return c.URL != "" }},
	{"method", []Kind{HTTP}, func(c *Check) bool { return c.Method() != "" }},
	{"expect_status", []Kind{HTTP}, func(c *Check) bool { return c.ExpectStatus() != "" }},
	{"body_contains", []Kind{HTTP}, func(c *Check) bool { return c.BodyContains() != "" }},
	{"body_regex", []Kind{HTTP}, func(c *Check) bool { return c.BodyRegex() != "" }},
	{"max_latency", []Kind{HTTP}, func(c *Check) bool { return c.MaxLatency() != 0 }},
	{"follow_redirects", []Kind{HTTP}, func(c *Check) bool { return c.FollowRedirects() != nil }},
	{"headers", []Kind{HTTP}, func(c *Check) bool { return len(c.Headers()) > 0 }},
	{"tls_verify", []Kind{HTTP}, func(c *Check) bool { return c.TLSVerify() != nil }},
	{"address", []Kind{HTTP, TCP, TLS}, func(c *Check) bool { return c.Address != "" }},
	{"banner", []Kind{TCP}, func(c *Check) bool { return c.Banner() != "" }},
	{"server", []Kind{DNS}, func(c *Check) bool { return c.Server() != "" }},
	{"query", []Kind{DNS}, func(c *Check) bool { return c.Query() != "" }},
	{"query_type", []Kind{DNS}, func(c *Check) bool { return c.QueryType() != "" }},
	{"expect_rcode", []Kind{DNS}, func(c *Check) bool { return c.ExpectRcode() != "" }},
	{"expect_answers", []Kind{DNS}, func(c *Check) bool { return len(c.ExpectAnswers()) > 0 }},
	{"server_name", []Kind{TLS}, func(c *Check) bool { return c.ServerName() != "" }},
	{"min_days", []Kind{TLS}, func(c *Check) bool { return c.MinDays() != 0 }},
	{"period", []Kind{Heartbeat}, func(c *Check) bool { return c.Period() != 0 }},
	{"grace", []Kind{Heartbeat}, func(c *Check) bool { return c.Grace() != 0 }},
}

// Validate checks every field of c and returns its problems in the order of
// the fields, or nil. It changes nothing; ApplyDefaults may run before or
// after it.
func Validate(c *Check) []FieldError {
	var errs []FieldError
	report := func(field, msg string) { errs = append(errs, FieldError{Field: field, Message: msg}) }

	if c.Kind == "" {
		report("kind", "required")
		return errs
	}
	if !slices.Contains(Kinds, c.Kind) {
		report("kind", fmt.Sprintf("unknown kind %q, want %s", c.Kind, kindList(Kinds, "or")))
		return errs
	}
	validateCommon(c, report)
	for _, f := range kindFields {
		if f.set(c) && !slices.Contains(f.kinds, c.Kind) {
			report(f.name, fmt.Sprintf("not used by %s checks, only by %s", c.Kind, kindList(f.kinds, "and")))
		}
	}
	switch c.Kind {
	case HTTP:
		validateHTTP(c, report)
	case TCP:
		validateTCP(c, report)
	case DNS:
		validateDNS(c, report)
	case TLS:
		validateTLS(c, report)
	case Heartbeat:
		validateHeartbeat(c, report)
	}
	return errs
}

// validateCommon checks the fields every kind has.
func validateCommon(c *Check, report func(field, msg string)) {
	if c.Interval < 0 {
		report("interval", "must not be negative")
	}
	if c.Timeout < 0 {
		report("timeout", "must not be negative")
	}
	if c.Timeout > 0 && c.Interval > 0 && c.Timeout >= c.Interval {
		report("timeout", fmt.Sprintf("must be shorter than the interval (%s)", time.Duration(c.Interval)))
	}
	if c.Quorum < 0 || (len(c.Locations) > 0 && c.Quorum > len(c.Locations)) {
		report("quorum", fmt.Sprintf("must be from 1 to the number of locations, got %d", c.Quorum))
	}
	if c.Attempts < 0 || c.Attempts > MaxAttempts {
		report("attempts", fmt.Sprintf("must be from 0 to %d, got %d", MaxAttempts, c.Attempts))
	}
}

func validateHTTP(c *Check, report func(field, msg string)) {
	if c.URL == "" {
		report("url", "required")
	} else if msg := checkHTTPURL(c.URL); msg != "" {
		report("url", msg)
	}
	if c.Method() != "" && !validToken(c.Method()) {
		report("method", fmt.Sprintf("want an HTTP method such as GET or HEAD, got %q", c.Method()))
	}
	if c.ExpectStatus() != "" {
		if _, err := parseStatusSet(c.ExpectStatus()); err != nil {
			report("expect_status", err.Error())
		}
	}
	if c.BodyRegex() != "" {
		if _, err := regexp.Compile(c.BodyRegex()); err != nil {
			report("body_regex", fmt.Sprintf("does not compile: %v", err))
		}
	}
	if c.MaxLatency() < 0 {
		report("max_latency", "must not be negative")
	}
	names := make([]string, 0, len(c.Headers()))
	for k := range c.Headers() {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		if msg := checkHeader(k, c.Headers()[k]); msg != "" {
			report("headers", msg)
		}
	}
	if c.Address != "" {
		if msg := checkAddress(c.Address); msg != "" {
			report("address", msg)
		}
	}
}

func validateTCP(c *Check, report func(field, msg string)) {
	if c.Address == "" {
		report("address", "required")
	} else if msg := checkAddress(c.Address); msg != "" {
		report("address", msg)
	}
}

func validateDNS(c *Check, report func(field, msg string)) {
	if c.Server() == "" {
		report("server", "required")
	} else if msg := checkDNSServer(c.Server()); msg != "" {
		report("server", msg)
	}
	if c.Query() == "" {
		report("query", "required")
	} else if _, ok := dns.IsDomainName(c.Query()); !ok {
		report("query", fmt.Sprintf("want a domain name, got %q", c.Query()))
	}
	if _, ok := queryType(c.QueryType()); !ok {
		report("query_type", fmt.Sprintf("unknown type %q", c.QueryType()))
	}
	if _, ok := rcodeOf(c.ExpectRcode()); !ok {
		report("expect_rcode", fmt.Sprintf("unknown rcode %q", c.ExpectRcode()))
	}
	for i, a := range c.ExpectAnswers() {
		if strings.TrimSpace(a) == "" {
			report("expect_answers", fmt.Sprintf("entry %d is empty", i+1))
		}
	}
}

func validateTLS(c *Check, report func(field, msg string)) {
	if c.URL == "" && c.Address == "" {
		report("address", "required unless url is set")
	}
	if c.URL != "" {
		if u, err := url.Parse(c.URL); err != nil || u.Scheme != "https" || u.Hostname() == "" {
			report("url", fmt.Sprintf("want an absolute https URL, got %q", c.URL))
		}
	}
	if c.Address != "" {
		if msg := checkAddress(c.Address); msg != "" {
			report("address", msg)
		}
	}
	if c.MinDays() < 0 {
		report("min_days", "must not be negative")
	}
}

func validateHeartbeat(c *Check, report func(field, msg string)) {
	switch {
	case c.Period() == 0:
		report("period", "required")
	case c.Period() < 0:
		report("period", "must not be negative")
	}
	if c.Grace() < 0 {
		report("grace", "must not be negative")
	}
}

// checkHTTPURL says what is wrong with the URL of an http check, or "".
func checkHTTPURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || !absoluteHTTP(u) {
		return fmt.Sprintf("want an absolute http or https URL, got %q", raw)
	}
	return ""
}

// absoluteHTTP reports whether u is an absolute http or https URL.
func absoluteHTTP(u *url.URL) bool {
	return (u.Scheme == "http" || u.Scheme == "https") && u.Hostname() != ""
}

// checkAddress says what is wrong with a host:port, or "".
func checkAddress(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || host == "" {
		return fmt.Sprintf("want host:port, got %q", addr)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return fmt.Sprintf("port must be a number from 1 to 65535, got %q", port)
	}
	return ""
}

// checkDNSServer says what is wrong with a name server's address, or "".
func checkDNSServer(s string) string {
	if _, ok := dnsServer(s); !ok {
		return fmt.Sprintf("want host or host:port, got %q", s)
	}
	return ""
}

// checkHeader says what is wrong with a request header, or "".
func checkHeader(name, value string) string {
	if !validToken(name) {
		return fmt.Sprintf("invalid header name %q", name)
	}
	if strings.ContainsAny(value, "\r\n\x00") {
		return fmt.Sprintf("the value of %s must not contain line breaks", name)
	}
	return ""
}

// validToken tells whether s is an HTTP token (RFC 9110), as method and
// header names must be.
func validToken(s string) bool {
	if s == "" {
		return false
	}
	for i := range len(s) {
		c := s[i]
		ok := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
		if !ok {
			return false
		}
	}
	return true
}

// kindList writes kinds as "http, tcp and tls".
func kindList(kinds []Kind, and string) string {
	s := make([]string, len(kinds))
	for i, k := range kinds {
		s[i] = string(k)
	}
	if len(s) == 1 {
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " " + and + " " + s[len(s)-1]
}

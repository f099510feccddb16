package check

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// maxBody is how much of a response body an http check reads.
const maxBody = 1 << 20

// httpPlan is an http check read and ready to run.
type httpPlan struct {
	req    *http.Request
	want   statusSet
	wantS  string
	re     *regexp.Regexp
	follow bool
	verify bool
}

// planHTTP reads the fields of an http check, or says why it cannot run.
func (e *Engine) planHTTP(ctx context.Context, c *Check) (*httpPlan, string) {
	p := &httpPlan{follow: c.FollowRedirects() == nil || *c.FollowRedirects(), verify: c.TLSVerify() == nil || *c.TLSVerify()}
	p.wantS = c.ExpectStatus()
	if p.wantS == "" {
		p.wantS = defaultExpectStatus
		if !p.follow {
			p.wantS = defaultExpectStatusNoRedirect
		}
	}
	var err error
	switch p.wantS {
	case defaultExpectStatus:
		p.want = defaultStatusSet
	case defaultExpectStatusNoRedirect:
		p.want = defaultStatusSetNoRedirect
	default:
		if p.want, err = parseStatusSet(p.wantS); err != nil {
			return nil, "expect_status: " + err.Error()
		}
	}
	if c.BodyRegex() != "" {
		if p.re, err = regexp.Compile(c.BodyRegex()); err != nil {
			return nil, fmt.Sprintf("body_regex: does not compile: %v", err)
		}
	}
	method := c.Method()
	if method == "" {
		method = http.MethodGet
	}
	// The URL is parsed once, by the request, and judged as parsed.
	p.req, err = http.NewRequestWithContext(ctx, method, c.URL, nil)
	if err != nil && validToken(method) || err == nil && !absoluteHTTP(p.req.URL) {
		return nil, "url: " + checkHTTPURL(c.URL)
	}
	if c.Address != "" {
		if msg := checkAddress(c.Address); msg != "" {
			return nil, "address: " + msg
		}
	}
	if err != nil {
		return nil, fmt.Sprintf("method: want an HTTP method such as GET or HEAD, got %q", method)
	}
	if len(c.Headers()) == 0 {
		p.req.Header = e.header
		return p, ""
	}
	for k, v := range c.Headers() {
		if msg := checkHeader(k, v); msg != "" {
			return nil, "headers: " + msg
		}
		if strings.EqualFold(k, "Host") {
			p.req.Host = v
		} else {
			p.req.Header.Set(k, v)
		}
	}
	if p.req.Header.Get("User-Agent") == "" {
		p.req.Header.Set("User-Agent", e.userAgent)
	}
	return p, ""
}

// runHTTP is the executor of http checks: it requests the URL on a fresh
// connection, following redirects unless told not to, and judges the final
// response by its status, its body (the first MiB of it) and its latency.
// Timings sum every connection of the run; FirstByte is the wait between
// writing a request and the first byte of its response.
func (e *Engine) runHTTP(ctx context.Context, c *Check) Result {
	p, msg := e.planHTTP(ctx, c)
	if msg != "" {
		return configResult(msg)
	}
	run := &httpRun{e: e, tl: newTimeline(), tls: e.verifying, target: hostPort(p.req.URL), address: c.Address}
	if !p.verify {
		run.tls = e.permissive
	}
	tl := run.tl
	resp, err := run.do(ctx, p.req, p.follow)
	if err != nil {
		return tl.fail(ctx, err)
	}
	defer func() { _ = resp.Body.Close() }() // one request per connection: it closes either way

	status := resp.Proto + " " + resp.Status
	if !p.want.has(resp.StatusCode) {
		return tl.failWith(ReasonHTTPStatus, fmt.Sprintf("%s, want %s", status, p.wantS))
	}
	tl.begin(PhaseBody)
	if c.BodyContains() == "" && p.re == nil {
		// Nothing to look for: the body is read through, as a browser
		// would, without being kept.
		if _, err := io.Copy(io.Discard, io.LimitReader(resp.Body, maxBody)); err != nil {
			return tl.fail(ctx, err)
		}
	} else {
		body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
		if err != nil {
			return tl.fail(ctx, err)
		}
		if msg := bodyMismatch(body, c.BodyContains(), p.re); msg != "" {
			return tl.failWith(ReasonContent, msg)
		}
	}
	res := tl.done(status)
	if limit := time.Duration(c.MaxLatency()); limit > 0 && res.Timings.Total > limit {
		res.OK, res.Reason = false, ReasonSlow
		res.Message = fmt.Sprintf("%s in %s, more than max_latency %s", status, roundMS(res.Timings.Total), limit)
	}
	return res
}

// bodyMismatch says how body fails the check's expectations, or returns "".
func bodyMismatch(body []byte, contains string, re *regexp.Regexp) string {
	var where string
	if len(body) == maxBody {
		where = " in its first MiB"
	}
	if contains != "" && !bytes.Contains(body, []byte(contains)) {
		return fmt.Sprintf("body does not contain %q%s", contains, where)
	}
	if re != nil && !re.Match(body) {
		return fmt.Sprintf("body does not match %q%s", re.String(), where)
	}
	return ""
}

// hostPort is the host:port a request to u connects to, as net/http names
// it to its dialer.
func hostPort(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = "80"
		if u.Scheme == "https" {
			port = "443"
		}
	}
	return net.JoinHostPort(u.Hostname(), port)
}

// roundMS rounds d for messages.
func roundMS(d time.Duration) time.Duration {
	if d < time.Millisecond {
		return d.Round(time.Microsecond)
	}
	return d.Round(time.Millisecond)
}

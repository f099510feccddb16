package check

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// maxBody is how much of a response body an http check reads.
const maxBody = 1 << 20

// newTransport builds one of the engine's two HTTP transports. Keep-alives
// are off so that every check measures a fresh connection, as a visitor's
// first request would; no proxy is used, since a proxy would measure itself.
// Requests are HTTP/1.1: with its own dialer a transport does not try
// HTTP/2, which keeps the phases comparable from one site to the next.
func (e *Engine) newTransport(verify bool) *http.Transport {
	return &http.Transport{
		Proxy:       nil,
		DialContext: e.dialHTTP,
		TLSClientConfig: &tls.Config{
			RootCAs:            e.rootCAs,
			Time:               e.now,
			InsecureSkipVerify: !verify, // only for checks with tls_verify: false
		},
		DisableKeepAlives: true,
		// A check's request is a few hundred bytes, and most answers'
		// headers fit in 2 KiB: buffers of that size per connection,
		// instead of 4 KiB each, are that much less to allocate and
		// collect at every run. Longer headers are read in several
		// pieces, and bodies go past the buffer, as net/http does.
		WriteBufferSize:        1 << 10,
		ReadBufferSize:         2 << 10,
		MaxIdleConns:           16,
		MaxIdleConnsPerHost:    1,
		IdleConnTimeout:        30 * time.Second,
		MaxResponseHeaderBytes: 64 << 10,
	}
}

// httpRunKey is the context key of the httpRun a request belongs to.
type httpRunKey struct{}

// httpRun is what the transport's dialer needs to know about the check
// behind a request.
type httpRun struct {
	tl      *timeline
	target  string    // host:port of the check's URL
	address string    // where to connect instead of target, if set
	until   time.Time // the run's deadline, which the transport's dial no longer carries
}

// dialHTTP is the transports' dialer: it times the connection on the run's
// timeline and connects to the check's address instead of its URL's host,
// which keeps the URL's name for SNI and the Host header. Redirects to
// another host connect where their own name leads.
func (e *Engine) dialHTTP(ctx context.Context, network, addr string) (net.Conn, error) {
	run, ok := ctx.Value(httpRunKey{}).(*httpRun)
	if !ok {
		run = &httpRun{tl: newTimeline()}
	}
	if run.address != "" && strings.EqualFold(addr, run.target) {
		addr = run.address
	}
	// net/http dials on past a cancelled request (for its pool): bound the
	// dial by the run's own deadline, or an unanswered connect outlives its
	// check for minutes, with its memory and descriptor.
	if _, ok := ctx.Deadline(); !ok && !run.until.IsZero() {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, run.until)
		defer cancel()
	}
	return e.dial(ctx, run.tl, network, addr)
}

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
	p := &httpPlan{follow: c.FollowRedirects == nil || *c.FollowRedirects, verify: c.TLSVerify == nil || *c.TLSVerify}
	p.wantS = c.ExpectStatus
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
	if c.BodyRegex != "" {
		if p.re, err = regexp.Compile(c.BodyRegex); err != nil {
			return nil, fmt.Sprintf("body_regex: does not compile: %v", err)
		}
	}
	method := c.Method
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
	if len(c.Headers) == 0 {
		p.req.Header = e.header
		return p, ""
	}
	for k, v := range c.Headers {
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
	tl := newTimeline()
	run := &httpRun{tl: tl, address: c.Address}
	if d, ok := ctx.Deadline(); ok {
		run.until = d
	}
	// The request is made with the run's context, so it is not copied.
	ctx = httptrace.WithClientTrace(context.WithValue(ctx, httpRunKey{}, run), tl.clientTrace())
	p, msg := e.planHTTP(ctx, c)
	if msg != "" {
		return configResult(msg)
	}
	run.target = hostPort(p.req.URL)

	client := &http.Client{Transport: e.verifying, CheckRedirect: p.checkRedirect}
	if !p.verify {
		client.Transport = e.permissive
	}
	resp, err := client.Do(p.req)
	if err != nil {
		return tl.fail(ctx, err)
	}
	defer func() { _ = resp.Body.Close() }() // keep-alives are off: the connection goes either way

	status := resp.Proto + " " + resp.Status
	if !p.want.has(resp.StatusCode) {
		return tl.failWith(ReasonHTTPStatus, fmt.Sprintf("%s, want %s", status, p.wantS))
	}
	tl.begin(PhaseBody)
	if c.BodyContains == "" && p.re == nil {
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
		if msg := bodyMismatch(body, c.BodyContains, p.re); msg != "" {
			return tl.failWith(ReasonContent, msg)
		}
	}
	res := tl.done(status)
	if limit := time.Duration(c.MaxLatency); limit > 0 && res.Timings.Total > limit {
		res.OK, res.Reason = false, ReasonSlow
		res.Message = fmt.Sprintf("%s in %s, more than max_latency %s", status, roundMS(res.Timings.Total), limit)
	}
	return res
}

// checkRedirect follows at most maxRedirects redirects, or none.
func (p *httpPlan) checkRedirect(_ *http.Request, via []*http.Request) error {
	if !p.follow {
		return http.ErrUseLastResponse
	}
	if len(via) >= maxRedirects {
		return errTooManyRedirects
	}
	return nil
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

package check

import (
	"bufio"
	"compress/gzip"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// An http check makes one request per connection and closes it: it needs
// none of what net/http's Transport is built for (a pool of connections,
// HTTP/2, proxies), and the Transport's machinery for it costs about a
// quarter of the CPU of a check on loopback (a goroutine each to dial,
// read and write, and the channels between them). A run therefore dials,
// handshakes, writes its request and reads the answer on its own
// goroutine, with net/http's own request writer and response reader, and
// does what the Transport and the Client would otherwise do for it:
// asking for gzip and undoing it, the user's Basic credentials from the
// URL, skipping 1xx answers, bounding the headers, following redirects.

// maxHeaderBytes bounds the status line and headers of an answer.
const maxHeaderBytes = 64 << 10

// Buffers of a run: a check's request is a few hundred bytes, and most
// answers' headers fit in 2 KiB; longer ones are read in pieces, and
// bodies go past the buffer. They are reused from run to run.
var (
	readers = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, 2<<10) }}
	writers = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, 1<<10) }}
)

// errHTTPToHTTPS is what a site answering in plain HTTP on an https URL
// makes the handshake fail with.
var errHTTPToHTTPS = errors.New("http: server gave HTTP response to HTTPS client")

// httpRun is one run of an http check: its timeline and where the
// check's address sends the connection to its URL's host.
type httpRun struct {
	e       *Engine
	tl      *timeline
	tls     *tls.Config
	target  string // host:port of the check's URL
	address string // where to connect instead of target, if set
}

// do sends req and follows redirects as a browser would (unless follow is
// false), at most maxRedirects of them. The response's body reads from
// its connection; closing it closes the connection.
func (r *httpRun) do(ctx context.Context, req *http.Request, follow bool) (*http.Response, error) {
	first := req
	for n := 1; ; n++ {
		resp, err := r.exchange(ctx, req)
		if err != nil {
			return nil, err
		}
		method, redirect := redirectMethod(req.Method, resp.StatusCode)
		loc := resp.Header.Get("Location")
		if !redirect || loc == "" || !follow {
			return resp, nil
		}
		_ = resp.Body.Close() // the next request goes on a connection of its own
		if n >= maxRedirects {
			return nil, errTooManyRedirects
		}
		u, err := req.URL.Parse(loc)
		if err != nil {
			return nil, fmt.Errorf("failed to parse Location header %q: %w", loc, err)
		}
		req = redirected(ctx, first, req, method, u, loc)
	}
}

// redirectMethod tells whether status is a redirect to follow, and with
// which method: 301, 302 and 303 turn anything but GET and HEAD into GET,
// 307 and 308 keep the method.
func redirectMethod(method string, status int) (string, bool) {
	switch status {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther:
		if method != http.MethodGet && method != http.MethodHead {
			method = http.MethodGet
		}
		return method, true
	case http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return method, true
	}
	return method, false
}

// redirected is the request that follows prev to u: the first request's
// headers, less the credentials when u leaves its host, a Host header kept
// for a relative location, and the Referer a browser would send.
func redirected(ctx context.Context, first, prev *http.Request, method string, u *url.URL, loc string) *http.Request {
	next := (&http.Request{Method: method, URL: u, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: make(http.Header, len(first.Header)+1)}).WithContext(ctx)
	same := sameSite(u, first.URL)
	for k, v := range first.Header {
		if !same && sensitiveHeader(k) {
			continue
		}
		next.Header[k] = v
	}
	if first.Host != "" && first.Host != first.URL.Host {
		if l, err := url.Parse(loc); err == nil && !l.IsAbs() {
			next.Host = first.Host
		}
	}
	if prev.URL.Scheme != "https" || u.Scheme != "http" {
		ref := *prev.URL
		ref.User, ref.Fragment = nil, ""
		next.Header.Set("Referer", ref.String())
	}
	return next
}

// sameSite tells whether credentials for from may go to to: the same
// host and port, or a subdomain of it.
func sameSite(to, from *url.URL) bool {
	dst, src := strings.ToLower(hostPort(to)), strings.ToLower(hostPort(from))
	if dst == src {
		return true
	}
	dh, dp, _ := net.SplitHostPort(dst)
	sh, sp, _ := net.SplitHostPort(src)
	return dp == sp && strings.HasSuffix(dh, "."+sh) && net.ParseIP(sh) == nil
}

// sensitiveHeader names the headers a redirect to another site drops.
func sensitiveHeader(k string) bool {
	switch http.CanonicalHeaderKey(k) {
	case "Authorization", "Www-Authenticate", "Cookie", "Cookie2", "Proxy-Authorization":
		return true
	}
	return false
}

// exchange makes one request on a fresh connection, timing each phase on
// the run's timeline.
func (r *httpRun) exchange(ctx context.Context, req *http.Request) (resp *http.Response, err error) {
	switch req.URL.Scheme {
	case "http", "https":
	default:
		return nil, fmt.Errorf("unsupported protocol scheme %q", req.URL.Scheme)
	}
	addr := hostPort(req.URL)
	if r.address != "" && strings.EqualFold(addr, r.target) {
		addr = r.address
	}
	conn, err := r.e.dial(ctx, r.tl, "tcp", addr)
	if err != nil {
		return nil, err
	}
	c := &httpConn{Conn: conn, ctx: ctx}
	defer func() {
		if err != nil {
			err = c.failed(err)
			_ = c.Close()
		}
	}()
	c.watch(ctx)
	if req.URL.Scheme == "https" {
		if err := r.handshake(ctx, c, req.URL.Hostname()); err != nil {
			return nil, err
		}
	}
	r.tl.begin(PhaseRequest)
	r.prepare(req)
	if err := c.write(req); err != nil {
		return nil, err
	}
	r.tl.begin(PhaseResponse)
	c.limit = limitedConn{c: c, n: maxHeaderBytes}
	c.br = readers.Get().(*bufio.Reader)
	c.br.Reset(&c.limit)
	if _, err := c.br.Peek(1); err != nil {
		return nil, err
	}
	r.tl.end(PhaseResponse)
	if resp, err = readResponse(c.br, req); err != nil {
		return nil, err
	}
	c.limit.n = -1 // the body is bounded by its reader
	resp.Body = c.body(resp)
	return resp, nil
}

// handshake starts TLS on c for the URL's host name.
func (r *httpRun) handshake(ctx context.Context, c *httpConn, name string) error {
	r.tl.begin(PhaseTLS)
	defer r.tl.end(PhaseTLS)
	cfg := r.tls.Clone()
	cfg.ServerName = name
	tc := tls.Client(c.Conn, cfg)
	c.Conn = tc
	err := tc.HandshakeContext(ctx)
	if rhe := (tls.RecordHeaderError{}); errors.As(err, &rhe) && string(rhe.RecordHeader[:]) == "HTTP/" {
		return errHTTPToHTTPS
	}
	return err
}

// prepare sets what req needs on the wire: one request per connection,
// gzip asked for as a browser would, and the URL's credentials as Basic
// authorization unless the check sets its own. The header map is never
// changed in place: checks without headers share one.
func (r *httpRun) prepare(req *http.Request) {
	req.Close = true
	gz := req.Header.Get("Accept-Encoding") == "" && req.Header.Get("Range") == "" && req.Method != http.MethodHead
	auth := req.URL.User != nil && req.Header.Get("Authorization") == ""
	switch {
	case !gz && !auth:
	case gz && !auth && len(req.Header) == 1 && req.Header.Get("User-Agent") == r.e.userAgent:
		req.Header = r.e.gzipHeader // the common case: no map built per run
	default:
		h := req.Header.Clone()
		if gz {
			h.Set("Accept-Encoding", "gzip")
		}
		req.Header = h
		if auth {
			pass, _ := req.URL.User.Password()
			req.SetBasicAuth(req.URL.User.Username(), pass)
		}
	}
}

// readResponse reads the answer to req, past any informational (1xx)
// answers before it.
func readResponse(br *bufio.Reader, req *http.Request) (*http.Response, error) {
	for range 5 {
		resp, err := http.ReadResponse(br, req)
		if err != nil {
			return nil, err
		}
		if resp.StatusCode >= 200 || resp.StatusCode == http.StatusSwitchingProtocols {
			return resp, nil
		}
	}
	return nil, errors.New("too many 1xx informational responses")
}

// httpConn is the connection of one exchange.
type httpConn struct {
	net.Conn
	ctx   context.Context
	br    *bufio.Reader
	limit limitedConn
	stop  func() bool
}

// watch bounds the connection by the run's deadline, and ends it at once
// if the run is cancelled.
func (c *httpConn) watch(ctx context.Context) {
	c.stop = bindConn(ctx, c.Conn)
}

// failed is the error a run reports: the end of its context rather than
// the deadline the connection ran into because of it.
func (c *httpConn) failed(err error) error {
	if c.ctx.Err() != nil {
		return c.ctx.Err()
	}
	if d, ok := c.ctx.Deadline(); ok && isTimeout(err) && !time.Now().Before(d) {
		return context.DeadlineExceeded
	}
	return err
}

// write sends req through a pooled buffer.
func (c *httpConn) write(req *http.Request) error {
	bw := writers.Get().(*bufio.Writer)
	bw.Reset(c.Conn)
	err := req.Write(bw)
	if err == nil {
		err = bw.Flush()
	}
	bw.Reset(nil)
	writers.Put(bw)
	return err
}

// body is resp's body, inflated if the site sent it gzipped; closing it
// closes the connection and gives the buffer back.
func (c *httpConn) body(resp *http.Response) io.ReadCloser {
	b := &httpBody{r: resp.Body, c: c}
	if strings.EqualFold(resp.Header.Get("Content-Encoding"), "gzip") && resp.Request.Method != http.MethodHead {
		resp.Header.Del("Content-Encoding")
		resp.Header.Del("Content-Length")
		resp.ContentLength = -1
		resp.Uncompressed = true
		b.gzip = true
	}
	return b
}

// Close ends the connection; the reader goes back to the pool once
// nothing reads from it any more.
func (c *httpConn) Close() error {
	if c.stop != nil {
		c.stop()
	}
	err := c.Conn.Close()
	if c.br != nil {
		c.br.Reset(nil)
		readers.Put(c.br)
		c.br = nil
	}
	return err
}

// limitedConn reads from the connection at most n bytes while n >= 0: the
// status line and headers of an answer cannot fill the memory.
type limitedConn struct {
	c *httpConn
	n int64
}

func (l *limitedConn) Read(p []byte) (int, error) {
	if l.n < 0 {
		return l.c.Read(p)
	}
	if l.n == 0 {
		return 0, fmt.Errorf("the answer's headers are longer than %d KiB", maxHeaderBytes>>10)
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.c.Read(p)
	l.n -= int64(n)
	return n, err
}

// httpBody is the body of an answer.
type httpBody struct {
	r    io.ReadCloser
	c    *httpConn
	gzip bool
	zr   *gzip.Reader
	err  error
}

func (b *httpBody) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	var n int
	var err error
	switch {
	case !b.gzip:
		n, err = b.r.Read(p)
	case b.zr == nil:
		if b.zr, err = gzip.NewReader(b.r); err == nil {
			n, err = b.zr.Read(p)
		}
	default:
		n, err = b.zr.Read(p)
	}
	if err != nil && !errors.Is(err, io.EOF) {
		err = b.c.failed(err)
	}
	return n, err
}

func (b *httpBody) Close() error {
	b.err = errors.New("read on a closed body")
	return b.c.Close()
}

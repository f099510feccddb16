package check

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"time"
)

// Executor runs one check of its kind and reports what happened. The context
// carries the check's deadline; an executor never panics on bad input but
// returns a result with ReasonConfig.
type Executor func(ctx context.Context, c *Check) Result

// Resolver looks up the addresses of a host name; *net.Resolver is one.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// Options configure an Engine. The zero value probes the real network with
// the system's resolver and trust store.
type Options struct {
	// Dial, when set, makes every connection: it receives the host name
	// unresolved ("www.site.example:80"), so tests and the simulator can
	// route names to loopback listeners. Nil means a net.Dialer after
	// resolving with Resolver.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// Resolver looks up the host names of http, tcp and tls targets and of
	// dns servers given by name; nil means net.DefaultResolver. Unused when
	// Dial is set.
	Resolver Resolver
	// Now tells the time for Result.Started and for certificate validity;
	// nil means time.Now. Phase durations always use the real clock.
	Now func() time.Time
	// UserAgent is sent by http checks that set no User-Agent header;
	// empty means DefaultUserAgent.
	UserAgent string
	// RootCAs are the authorities certificates must chain to; nil means the
	// system's roots.
	RootCAs *x509.CertPool
	// Executors add kinds or replace built-in executors, for tests of the
	// code that schedules checks.
	Executors map[Kind]Executor
}

// DefaultUserAgent is the User-Agent of http checks when Options.UserAgent is
// empty.
const DefaultUserAgent = "Vigie"

// Engine runs checks. Engines share nothing; one engine is safe for
// concurrent use.
type Engine struct {
	dialer    func(ctx context.Context, network, addr string) (net.Conn, error)
	resolver  Resolver
	now       func() time.Time
	userAgent string
	rootCAs   *x509.CertPool

	verifying  *tls.Config // for checks that verify certificates
	permissive *tls.Config // for checks with tls_verify: false
	executors  map[Kind]Executor
	// header is the request header of http checks that set none, and
	// gzipHeader the same asking for gzip: one map each for all of them,
	// which net/http only reads.
	header, gzipHeader http.Header
}

// NewEngine returns an engine with the executors of http, tcp, dns and tls
// checks, plus any in opts.Executors.
func NewEngine(opts Options) *Engine {
	e := &Engine{
		dialer:    opts.Dial,
		resolver:  opts.Resolver,
		now:       opts.Now,
		userAgent: opts.UserAgent,
		rootCAs:   opts.RootCAs,
	}
	if e.resolver == nil {
		e.resolver = net.DefaultResolver
	}
	if e.now == nil {
		e.now = time.Now
	}
	if e.userAgent == "" {
		e.userAgent = DefaultUserAgent
	}
	e.header = http.Header{"User-Agent": {e.userAgent}}
	e.gzipHeader = http.Header{"User-Agent": {e.userAgent}, "Accept-Encoding": {"gzip"}}
	e.verifying = &tls.Config{RootCAs: e.rootCAs, Time: e.now}
	// Only for checks with tls_verify: false.
	e.permissive = &tls.Config{RootCAs: e.rootCAs, Time: e.now, InsecureSkipVerify: true}
	e.executors = map[Kind]Executor{
		HTTP: e.runHTTP,
		TCP:  e.runTCP,
		DNS:  e.runDNS,
		TLS:  e.runTLS,
	}
	for k, x := range opts.Executors {
		e.executors[k] = x
	}
	return e
}

// Run runs c once within its timeout (DefaultTimeout when unset) with the
// executor of its kind. It never panics: a check that cannot run, such as a
// heartbeat, an unknown kind or one that makes an executor panic, gives a
// result with ReasonConfig and no phase.
func (e *Engine) Run(ctx context.Context, c *Check) (res Result) {
	started := e.now()
	begin := time.Now()
	defer func() {
		if p := recover(); p != nil {
			res = Result{Reason: ReasonConfig, Message: fmt.Sprintf("internal error: %v", p)}
		}
		res.Started = started
		if res.Timings.Total == 0 {
			res.Timings.Total = time.Since(begin)
		}
	}()
	if c == nil {
		return configResult("no check to run")
	}
	run, ok := e.executors[c.Kind]
	if !ok {
		return configResult(notRunnable(c.Kind))
	}
	timeout := time.Duration(c.Timeout)
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	// A caller's deadline at or before the timeout already bounds the
	// run (the scheduler sets one): a second timer would cost without
	// changing anything.
	if d, ok := ctx.Deadline(); !ok || time.Until(d) > timeout {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	return run(ctx, c)
}

// notRunnable says why a kind has no executor.
func notRunnable(k Kind) string {
	switch k {
	case Heartbeat:
		return "heartbeat checks are judged from the pings jobs send, not run"
	case Host:
		return "host checks are judged from the facts host agents report, not run"
	case "":
		return "the check has no kind"
	}
	return fmt.Sprintf("unknown kind %q", k)
}

// configResult is the result of a check that cannot run as written.
func configResult(msg string) Result {
	return Result{Reason: ReasonConfig, Message: msg}
}

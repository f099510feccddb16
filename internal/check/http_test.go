package check

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"
)

// siteHandler is the loopback site http checks are tried against.
func siteHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		io.WriteString(w, "welcome to the site")
	})
	mux.HandleFunc("/missing", http.NotFound)
	mux.HandleFunc("/error", func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "down", http.StatusServiceUnavailable)
	})
	mux.HandleFunc("/old", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/", http.StatusFound)
	})
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/loop", http.StatusFound)
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, _ *http.Request) {
		time.Sleep(60 * time.Millisecond)
		io.WriteString(w, "late")
	})
	mux.HandleFunc("/hang", func(_ http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%s %s host=%s agent=%s x=%s", r.Method, r.URL.Path, r.Host, r.UserAgent(), r.Header.Get("X-Check"))
	})
	return mux
}

// TestHTTPCheck proves how an http check judges status, body, redirects,
// latency, headers and time.
func TestHTTPCheck(t *testing.T) {
	srv := startHTTP(t, siteHandler())
	e := NewEngine(Options{})
	tests := []struct {
		name string
		c    Check
		want want
	}{
		{"ok", Check{URL: "/"}, want{OK: true, Phase: PhaseDone, Message: "HTTP/1.1 200 OK"}},
		{"status outside the default range", Check{URL: "/error"},
			want{Phase: PhaseResponse, Reason: ReasonHTTPStatus, Message: "HTTP/1.1 503 Service Unavailable, want 200-299"}},
		{"status outside a range", Check{URL: "/missing", HTTPOptions: &HTTPOptions{ExpectStatus: "200-399"}},
			want{Phase: PhaseResponse, Reason: ReasonHTTPStatus, Message: "HTTP/1.1 404 Not Found, want 200-399"}},
		{"status outside a list", Check{URL: "/missing", HTTPOptions: &HTTPOptions{ExpectStatus: "200, 301,302"}},
			want{Phase: PhaseResponse, Reason: ReasonHTTPStatus, Message: "HTTP/1.1 404 Not Found, want 200, 301,302"}},
		{"status in a list", Check{URL: "/missing", HTTPOptions: &HTTPOptions{ExpectStatus: "200,404"}},
			want{OK: true, Phase: PhaseDone, Message: "HTTP/1.1 404 Not Found"}},
		{"body contains", Check{URL: "/", HTTPOptions: &HTTPOptions{BodyContains: "the site"}}, want{OK: true, Phase: PhaseDone, Message: "HTTP/1.1 200 OK"}},
		{"body does not contain", Check{URL: "/", HTTPOptions: &HTTPOptions{BodyContains: "goodbye"}},
			want{Phase: PhaseBody, Reason: ReasonContent, Message: `body does not contain "goodbye"`}},
		{"body matches", Check{URL: "/", HTTPOptions: &HTTPOptions{BodyRegex: `^welcome\b`}}, want{OK: true, Phase: PhaseDone, Message: "HTTP/1.1 200 OK"}},
		{"body does not match", Check{URL: "/", HTTPOptions: &HTTPOptions{BodyRegex: `^bye`}},
			want{Phase: PhaseBody, Reason: ReasonContent, Message: `body does not match "^bye"`}},
		{"redirect followed", Check{URL: "/old", HTTPOptions: &HTTPOptions{BodyContains: "welcome"}}, want{OK: true, Phase: PhaseDone, Message: "HTTP/1.1 200 OK"}},
		{"redirect not followed", Check{URL: "/old", HTTPOptions: &HTTPOptions{FollowRedirects: ptr(false)}},
			want{OK: true, Phase: PhaseDone, Message: "HTTP/1.1 302 Found"}},
		{"redirect not followed, 200 wanted", Check{URL: "/old", HTTPOptions: &HTTPOptions{FollowRedirects: ptr(false), ExpectStatus: "200"}},
			want{Phase: PhaseResponse, Reason: ReasonHTTPStatus, Message: "HTTP/1.1 302 Found, want 200"}},
		{"redirect loop", Check{URL: "/loop"},
			want{Phase: PhaseResponse, Reason: ReasonHTTPStatus, Message: "stopped after 10 redirects"}},
		{"slow", Check{URL: "/slow", HTTPOptions: &HTTPOptions{MaxLatency: Duration(10 * time.Millisecond)}},
			want{Phase: PhaseDone, Reason: ReasonSlow, MessageRe: `^HTTP/1\.1 200 OK in \d+ms, more than max_latency 10ms$`}},
		{"fast enough", Check{URL: "/", HTTPOptions: &HTTPOptions{MaxLatency: Duration(5 * time.Second)}}, want{OK: true, Phase: PhaseDone, Message: "HTTP/1.1 200 OK"}},
		{"timeout", Check{URL: "/hang", Timeout: Duration(200 * time.Millisecond)},
			want{Phase: PhaseResponse, Reason: ReasonTimeout, Message: "context deadline exceeded"}},
		{"method", Check{URL: "/echo", HTTPOptions: &HTTPOptions{Method: http.MethodPost, BodyContains: "POST /echo"}},
			want{OK: true, Phase: PhaseDone, Message: "HTTP/1.1 200 OK"}},
		{"host header reaches the server", Check{URL: "/echo", HTTPOptions: &HTTPOptions{Headers: map[string]string{"host": "www.site.example"}, BodyContains: "host=www.site.example "}},
			want{OK: true, Phase: PhaseDone, Message: "HTTP/1.1 200 OK"}},
		{"other headers reach the server", Check{URL: "/echo", HTTPOptions: &HTTPOptions{Headers: map[string]string{"X-Check": "yes"}, BodyContains: "x=yes"}},
			want{OK: true, Phase: PhaseDone, Message: "HTTP/1.1 200 OK"}},
		{"default user agent", Check{URL: "/echo", HTTPOptions: &HTTPOptions{BodyContains: "agent=Vigie "}},
			want{OK: true, Phase: PhaseDone, Message: "HTTP/1.1 200 OK"}},
		{"bad expect_status", Check{URL: "/", HTTPOptions: &HTTPOptions{ExpectStatus: "2xx"}},
			want{Reason: ReasonConfig, Message: `expect_status: want statuses such as 200, 200-299 or 301,302, got "2xx"`}},
		{"bad regex", Check{URL: "/", HTTPOptions: &HTTPOptions{BodyRegex: "("}},
			want{Reason: ReasonConfig, Message: "body_regex: does not compile: error parsing regexp: missing closing ): `(`"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.c
			c.Kind = HTTP
			c.URL = srv.URL + c.URL
			checkResult(t, run(t, e, &c), tt.want)
		})
	}
}

// TestHTTPTimings proves each phase that happened is timed and the others
// are not.
func TestHTTPTimings(t *testing.T) {
	srv := startHTTP(t, siteHandler())
	res := run(t, NewEngine(Options{}), &Check{Kind: HTTP, URL: srv.URL + "/old"})
	if !res.OK {
		t.Fatal(res.Message)
	}
	tm := res.Timings
	if tm.Connect <= 0 || tm.FirstByte <= 0 || tm.Total <= 0 {
		t.Errorf("phases that happened are not timed: %+v", tm)
	}
	if tm.DNS != 0 || tm.TLS != 0 {
		t.Errorf("phases that did not happen are timed: %+v", tm)
	}
	if sum := tm.Connect + tm.FirstByte; sum > tm.Total {
		t.Errorf("phases (%s) last longer than the check (%s)", sum, tm.Total)
	}
}

// TestHTTPRefused proves a closed port is told apart.
func TestHTTPRefused(t *testing.T) {
	res := run(t, NewEngine(Options{}), &Check{Kind: HTTP, URL: "http://" + closedPort(t, "tcp") + "/"})
	checkResult(t, res, want{Phase: PhaseConnect, Reason: ReasonRefused, MessageRe: `connect: connection refused$`})
	if res.Timings.Connect <= 0 {
		t.Errorf("the refused connection is not timed: %+v", res.Timings)
	}
}

// TestHTTPResolver proves host names go through Options.Resolver: a name
// it knows is timed, one it does not is a DNS failure.
func TestHTTPResolver(t *testing.T) {
	srv := startHTTP(t, siteHandler())
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	dnsAddr, _ := startDNS(t)
	viaServer := &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, dnsAddr)
	}}
	failing := resolverFunc(func(_ context.Context, _, host string) ([]netip.Addr, error) {
		if host == "www.site.example" {
			return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
		}
		return nil, errors.New("resolver out of order")
	})
	tests := []struct {
		name     string
		resolver Resolver
		host     string
		want     want
	}{
		{"known name, DNS server", viaServer, "www.site.example", want{OK: true, Phase: PhaseDone, Message: "HTTP/1.1 200 OK"}},
		{"unknown name, DNS server", viaServer, "nothing.site.invalid",
			want{Phase: PhaseResolve, Reason: ReasonDNS, MessageRe: `^lookup nothing\.site\.invalid.*: no such host$`}},
		{"known name, resolver func", failing, "www.site.example", want{OK: true, Phase: PhaseDone, Message: "HTTP/1.1 200 OK"}},
		{"failing resolver", failing, "www.site.invalid",
			want{Phase: PhaseResolve, Reason: ReasonDNS, Message: "lookup www.site.invalid: resolver out of order"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := NewEngine(Options{Resolver: tt.resolver})
			res := run(t, e, &Check{Kind: HTTP, URL: "http://" + net.JoinHostPort(tt.host, port) + "/"})
			checkResult(t, res, tt.want)
			if res.Timings.DNS <= 0 {
				t.Errorf("resolving is not timed: %+v", res.Timings)
			}
		})
	}
}

// TestHTTPDial proves Options.Dial receives the URL's name unresolved, so a
// name can be routed to a loopback listener.
func TestHTTPDial(t *testing.T) {
	srv := startHTTP(t, siteHandler())
	e := NewEngine(Options{
		Dial:     routeDial(map[string]string{"www.site.example:80": srv.Listener.Addr().String()}),
		Resolver: resolverFunc(func(context.Context, string, string) ([]netip.Addr, error) { panic("resolver used") }),
	})
	res := run(t, e, &Check{Kind: HTTP, URL: "http://www.site.example/echo", HTTPOptions: &HTTPOptions{BodyContains: "host=www.site.example "}})
	checkResult(t, res, want{OK: true, Phase: PhaseDone, Message: "HTTP/1.1 200 OK"})
	if res.Timings.DNS != 0 || res.Timings.Connect <= 0 {
		t.Errorf("got %+v, want no DNS and a timed connection", res.Timings)
	}
	res = run(t, e, &Check{Kind: HTTP, URL: "http://elsewhere.example/"})
	checkResult(t, res, want{Phase: PhaseResolve, Reason: ReasonDNS, Message: "dial tcp: lookup elsewhere.example: no such host"})
}

// TestHTTPDialPanics proves a panic in Options.Dial, which runs on the
// transport's goroutine, becomes a result.
func TestHTTPDialPanics(t *testing.T) {
	e := NewEngine(Options{Dial: func(context.Context, string, string) (net.Conn, error) { panic("no dialing today") }})
	res := run(t, e, &Check{Kind: HTTP, URL: "http://www.site.example/"})
	checkResult(t, res, want{Phase: PhaseConnect, Reason: ReasonConfig, Message: "internal error: no dialing today"})
}

// TestHTTPAddress proves a check's address replaces where it connects but
// not the name it asks for.
func TestHTTPAddress(t *testing.T) {
	srv := startHTTP(t, siteHandler())
	e := NewEngine(Options{Resolver: resolverFunc(func(_ context.Context, _, host string) ([]netip.Addr, error) {
		return nil, fmt.Errorf("%s should not be resolved", host)
	})})
	c := &Check{
		Kind:        HTTP,
		URL:         "http://www.site.example/echo",
		Address:     srv.Listener.Addr().String(),
		HTTPOptions: &HTTPOptions{BodyContains: "host=www.site.example "},
	}
	checkResult(t, run(t, e, c), want{OK: true, Phase: PhaseDone, Message: "HTTP/1.1 200 OK"})
}

// TestHTTPConfig proves a check that cannot run says why instead of
// failing as if the site were down.
func TestHTTPConfig(t *testing.T) {
	e := NewEngine(Options{})
	tests := []struct {
		c    Check
		want string
	}{
		{Check{URL: "www.site.example"}, `url: want an absolute http or https URL, got "www.site.example"`},
		{Check{URL: "ftp://www.site.example/"}, `url: want an absolute http or https URL, got "ftp://www.site.example/"`},
		{Check{URL: "http://www.site.example/", Address: "10.0.0.1"}, `address: want host:port, got "10.0.0.1"`},
		{Check{URL: "http://www.site.example/", HTTPOptions: &HTTPOptions{Method: "GET /"}}, `method: want an HTTP method such as GET or HEAD, got "GET /"`},
		{Check{URL: "http://www.site.example/", HTTPOptions: &HTTPOptions{Headers: map[string]string{"X-A": "1\r\nX-B: 2"}}}, "headers: the value of X-A must not contain line breaks"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			c := tt.c
			c.Kind = HTTP
			checkResult(t, run(t, e, &c), want{Reason: ReasonConfig, Message: tt.want})
		})
	}
}

// TestHTTPBodyLimit proves a body is read up to 1 MiB and a mismatch says
// so.
func TestHTTPBodyLimit(t *testing.T) {
	srv := startHTTP(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		io.WriteString(w, strings.Repeat("x", maxBody))
		io.WriteString(w, "tail")
	}))
	res := run(t, NewEngine(Options{}), &Check{Kind: HTTP, URL: srv.URL, HTTPOptions: &HTTPOptions{BodyContains: "tail"}})
	checkResult(t, res, want{Phase: PhaseBody, Reason: ReasonContent, Message: `body does not contain "tail" in its first MiB`})
}

// Headers longer than the transport's read buffer are read in pieces: an
// answer with a long policy header and many cookies is judged as any other.
func TestHTTPLongHeaders(t *testing.T) {
	srv := startHTTP(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'self'; "+strings.Repeat("img-src https://cdn.example; ", 300))
		for i := range 40 {
			w.Header().Add("Set-Cookie", fmt.Sprintf("c%d=%s", i, strings.Repeat("v", 100)))
		}
		_, _ = w.Write([]byte(strings.Repeat("body ", 2000) + "needle"))
	}))
	e := NewEngine(Options{})
	res := run(t, e, &Check{Kind: HTTP, URL: srv.URL, HTTPOptions: &HTTPOptions{BodyContains: "needle"}})
	checkResult(t, res, want{OK: true, Phase: PhaseDone, Message: "HTTP/1.1 200 OK"})
}

package check

import (
	"context"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// zone is the loopback name server's data. "big" answers only over TCP,
// "slow" never answers, and unknown names are NXDOMAIN.
var zone = map[string][]string{
	"www.site.example.": {"www.site.example. 60 IN A 127.0.0.1", "www.site.example. 60 IN AAAA ::1"},
	"alias.site.example.": {"alias.site.example. 60 IN CNAME www.site.example.",
		"www.site.example. 60 IN A 127.0.0.1"},
	"txt.site.example.":  {`txt.site.example. 60 IN TXT "v=spf1 " "-all"`},
	"site.example.":      {"site.example. 60 IN MX 10 Mail.Site.Example."},
	"big.site.example.":  {"big.site.example. 60 IN A 10.0.0.1", "big.site.example. 60 IN A 10.0.0.2"},
	"slow.site.example.": nil,
}

// serveZone answers from zone, filtering records by the question's type
// except for CNAME chains.
func serveZone(tcpQueries *atomic.Int32) dns.HandlerFunc {
	return func(w dns.ResponseWriter, r *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(r)
		q := r.Question[0]
		name := strings.ToLower(q.Name)
		_, overTCP := w.RemoteAddr().(*net.TCPAddr)
		if overTCP {
			tcpQueries.Add(1)
		}
		records, known := zone[name]
		switch {
		case name == "slow.site.example.":
			return
		case !known:
			m.Rcode = dns.RcodeNameError
		case name == "big.site.example." && !overTCP:
			m.Truncated = true
		default:
			for _, s := range records {
				rr, err := dns.NewRR(s)
				if err != nil {
					panic(err)
				}
				if rr.Header().Rrtype == q.Qtype || rr.Header().Rrtype == dns.TypeCNAME {
					m.Answer = append(m.Answer, rr)
				}
			}
		}
		_ = w.WriteMsg(m)
	}
}

// startDNS serves zone on 127.0.0.1, over UDP and TCP on the same port,
// until the test ends; it counts the queries that came over TCP.
func startDNS(t testing.TB) (string, *atomic.Int32) {
	t.Helper()
	var (
		pc  net.PacketConn
		ln  net.Listener
		err error
	)
	for range 10 { // the TCP port may be taken; try another pair
		if pc, err = net.ListenPacket("udp", "127.0.0.1:0"); err != nil {
			t.Fatal(err)
		}
		if ln, err = net.Listen("tcp", pc.LocalAddr().String()); err == nil {
			break
		}
		pc.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	tcpQueries := new(atomic.Int32)
	h := serveZone(tcpQueries)
	for _, srv := range []*dns.Server{{PacketConn: pc, Handler: h}, {Listener: ln, Handler: h}} {
		started := make(chan struct{})
		srv.NotifyStartedFunc = func() { close(started) }
		go func() { _ = srv.ActivateAndServe() }()
		<-started
		t.Cleanup(func() { _ = srv.Shutdown() })
	}
	return pc.LocalAddr().String(), tcpQueries
}

// TestDNSCheck proves a dns check compares rcodes and answers, and tells a
// server that does not answer from one that answers wrong.
func TestDNSCheck(t *testing.T) {
	server, tcpQueries := startDNS(t)
	e := NewEngine(Options{})
	tests := []struct {
		name string
		c    Check
		want want
	}{
		{"address", Check{DNSOptions: &DNSOptions{Query: "www.site.example", ExpectAnswers: []string{"127.0.0.1"}}},
			want{OK: true, Phase: PhaseDone, Message: "NOERROR, answers [127.0.0.1]"}},
		{"IPv6 address written another way", Check{DNSOptions: &DNSOptions{Query: "www.site.example", QueryType: "aaaa", ExpectAnswers: []string{"0:0::1"}}},
			want{OK: true, Phase: PhaseDone, Message: "NOERROR, answers [::1]"}},
		{"wrong address", Check{DNSOptions: &DNSOptions{Query: "www.site.example", ExpectAnswers: []string{"127.0.0.2"}}},
			want{Phase: PhaseResponse, Reason: ReasonContent, Message: `no answer "127.0.0.2" among [127.0.0.1]`}},
		{"CNAME without final dot", Check{DNSOptions: &DNSOptions{Query: "alias.site.example", QueryType: "CNAME", ExpectAnswers: []string{"www.site.example"}}},
			want{OK: true, Phase: PhaseDone, Message: "NOERROR, answers [www.site.example.]"}},
		{"CNAME with final dot", Check{DNSOptions: &DNSOptions{Query: "alias.site.example", QueryType: "CNAME", ExpectAnswers: []string{"www.site.example."}}},
			want{OK: true, Phase: PhaseDone, Message: "NOERROR, answers [www.site.example.]"}},
		{"address through a CNAME", Check{DNSOptions: &DNSOptions{Query: "alias.site.example", ExpectAnswers: []string{"www.site.example", "127.0.0.1"}}},
			want{OK: true, Phase: PhaseDone, Message: "NOERROR, answers [www.site.example., 127.0.0.1]"}},
		{"MX target in another case", Check{DNSOptions: &DNSOptions{Query: "site.example", QueryType: "MX", ExpectAnswers: []string{"mail.site.example"}}},
			want{OK: true, Phase: PhaseDone, Message: "NOERROR, answers [Mail.Site.Example.]"}},
		{"MX record data", Check{DNSOptions: &DNSOptions{Query: "site.example", QueryType: "MX", ExpectAnswers: []string{"10 Mail.Site.Example."}}},
			want{OK: true, Phase: PhaseDone, Message: "NOERROR, answers [Mail.Site.Example.]"}},
		{"TXT joined", Check{DNSOptions: &DNSOptions{Query: "txt.site.example", QueryType: "TXT", ExpectAnswers: []string{"v=spf1 -all"}}},
			want{OK: true, Phase: PhaseDone, Message: "NOERROR, answers [v=spf1 -all]"}},
		{"TXT differs", Check{DNSOptions: &DNSOptions{Query: "txt.site.example", QueryType: "TXT", ExpectAnswers: []string{"v=spf1 +all"}}},
			want{Phase: PhaseResponse, Reason: ReasonContent, Message: `no answer "v=spf1 +all" among [v=spf1 -all]`}},
		{"NXDOMAIN expected", Check{DNSOptions: &DNSOptions{Query: "gone.site.example", ExpectRcode: "nxdomain"}},
			want{OK: true, Phase: PhaseDone, Message: "NXDOMAIN, answers none"}},
		{"NXDOMAIN unexpected", Check{DNSOptions: &DNSOptions{Query: "gone.site.example"}},
			want{Phase: PhaseResponse, Reason: ReasonDNS, Message: "rcode NXDOMAIN, want NOERROR"}},
		{"truncated, then TCP", Check{DNSOptions: &DNSOptions{Query: "big.site.example", ExpectAnswers: []string{"10.0.0.2"}}},
			want{OK: true, Phase: PhaseDone, Message: "NOERROR, answers [10.0.0.1, 10.0.0.2]"}},
		{"no answer in time", Check{Timeout: Duration(200 * time.Millisecond), DNSOptions: &DNSOptions{Query: "slow.site.example"}},
			want{Phase: PhaseResolve, Reason: ReasonTimeout, MessageRe: `^ask 127\.0\.0\.1:\d+ over udp: .*i/o timeout$`}},
		{"bad query type", Check{DNSOptions: &DNSOptions{Query: "www.site.example", QueryType: "AX"}},
			want{Reason: ReasonConfig, Message: `query_type: unknown type "AX"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.c
			c.Kind, c.EditDNS().Server = DNS, server
			res := run(t, e, &c)
			checkResult(t, res, tt.want)
			if res.Reason != ReasonConfig && (res.Timings.DNS <= 0 || res.Timings.Total <= 0) {
				t.Errorf("the question is not timed: %+v", res.Timings)
			}
		})
	}
	if n := tcpQueries.Load(); n != 1 {
		t.Errorf("%d queries over TCP, want 1 after a truncated answer", n)
	}
}

// TestDNSNoServer proves a port where no server listens is refused.
func TestDNSNoServer(t *testing.T) {
	res := run(t, NewEngine(Options{}), &Check{Kind: DNS, DNSOptions: &DNSOptions{Server: closedPort(t, "udp"), Query: "www.site.example"}})
	checkResult(t, res, want{Phase: PhaseResolve, Reason: ReasonRefused, MessageRe: `connection refused$`})
}

// hiddenConn hides what kind of connection it wraps, as an Options.Dial
// that wraps connections would.
type hiddenConn struct{ net.Conn }

// TestDNSDial proves a dns check reaches a server named through
// Options.Dial, even when the connection does not say it is UDP.
func TestDNSDial(t *testing.T) {
	server, _ := startDNS(t)
	e := NewEngine(Options{Dial: func(ctx context.Context, network, addr string) (net.Conn, error) {
		if addr != "ns1.site.example:53" {
			return nil, errNoRoute
		}
		var d net.Dialer
		conn, err := d.DialContext(ctx, network, server)
		if err != nil {
			return nil, err
		}
		return hiddenConn{conn}, nil
	}})
	for _, q := range []string{"www.site.example", "big.site.example"} {
		res := run(t, e, &Check{Kind: DNS, DNSOptions: &DNSOptions{Server: "ns1.site.example", Query: q}})
		if !res.OK {
			t.Errorf("%s: %s", q, res.Message)
		}
	}
}

// TestDNSServerAddress proves how a server's address is read.
func TestDNSServerAddress(t *testing.T) {
	for in, want := range map[string]string{
		"ns1.site.example":      "ns1.site.example:53",
		"ns1.site.example:5353": "ns1.site.example:5353",
		"192.0.2.1":             "192.0.2.1:53",
		"2001:db8::1":           "[2001:db8::1]:53",
		"[2001:db8::1]":         "[2001:db8::1]:53",
		"[2001:db8::1]:54":      "[2001:db8::1]:54",
		"ns1:x":                 "",
		"":                      "",
		"ns1.site.example:0":    "",
	} {
		got, ok := dnsServer(in)
		if got != want || ok != (want != "") {
			t.Errorf("dnsServer(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}

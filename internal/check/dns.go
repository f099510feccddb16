package check

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// ednsSize is the UDP payload size dns checks announce, the one DNS Flag
// Day 2020 settled on to avoid fragmentation.
const ednsSize = 1232

// runDNS is the executor of dns checks: it asks the server for the query
// over UDP, again over TCP when the answer is truncated, and compares the
// rcode and the answers with what the check expects. DNS is the time spent
// on the questions (and on resolving the server's name, if it has one).
func (e *Engine) runDNS(ctx context.Context, c *Check) Result {
	q, msg := planDNS(c)
	if msg != "" {
		return configResult(msg)
	}
	tl := newTimeline()
	resp, err := e.exchange(ctx, tl, "udp", q.server, q.msg)
	if err == nil && resp.Truncated {
		resp, err = e.exchange(ctx, tl, "tcp", q.server, q.msg)
	}
	if err != nil {
		return tl.fail(ctx, err)
	}
	tl.begin(PhaseResponse)
	if resp.Rcode != q.rcode {
		return tl.failWith(ReasonDNS, fmt.Sprintf("rcode %s, want %s", rcodeName(resp.Rcode), rcodeName(q.rcode)))
	}
	answers := answerValues(resp.Answer)
	for _, want := range c.ExpectAnswers() {
		if !hasAnswer(answers, want) {
			return tl.failWith(ReasonContent, fmt.Sprintf("no answer %q among %s", want, listAnswers(answers)))
		}
	}
	return tl.done(fmt.Sprintf("%s, answers %s", rcodeName(resp.Rcode), listAnswers(answers)))
}

// dnsPlan is a dns check read and ready to run.
type dnsPlan struct {
	server string
	msg    *dns.Msg
	rcode  int
}

// planDNS reads the fields of a dns check (query type A and rcode NOERROR
// unless set), or says why it cannot run.
func planDNS(c *Check) (*dnsPlan, string) {
	server, ok := dnsServer(c.Server())
	if !ok {
		return nil, "server: " + checkDNSServer(c.Server())
	}
	if _, ok := dns.IsDomainName(c.Query()); !ok || c.Query() == "" {
		return nil, fmt.Sprintf("query: want a domain name, got %q", c.Query())
	}
	qtype, ok := queryType(c.QueryType())
	if !ok {
		return nil, fmt.Sprintf("query_type: unknown type %q", c.QueryType())
	}
	rcode, ok := rcodeOf(c.ExpectRcode())
	if !ok {
		return nil, fmt.Sprintf("expect_rcode: unknown rcode %q", c.ExpectRcode())
	}
	m := new(dns.Msg)
	m.SetQuestion(dns.Fqdn(c.Query()), qtype)
	m.RecursionDesired = true // as dig does; authoritative servers ignore it
	m.SetEdns0(ednsSize, false)
	return &dnsPlan{server: server, msg: m, rcode: rcode}, ""
}

// exchange asks one server one question over network ("udp" or "tcp").
func (e *Engine) exchange(ctx context.Context, tl *timeline, network, server string, m *dns.Msg) (*dns.Msg, error) {
	conn, err := e.dial(ctx, tl, network, server)
	if err != nil {
		return nil, err
	}
	defer func() { _ = conn.Close() }() // the result is decided; closing cannot change it
	if _, ok := conn.(net.PacketConn); network == "udp" && !ok {
		conn = packetConn{conn} // miekg/dns frames by the connection's type
	}
	stop := bindConn(ctx, conn)
	defer stop()
	// The client's own timeouts would cut a slow answer at 2 s: the check's
	// deadline is the only limit.
	client := dns.Client{Net: network, Timeout: DefaultTimeout}
	if deadline, ok := ctx.Deadline(); ok {
		client.Timeout = max(time.Until(deadline), time.Nanosecond)
	}
	tl.begin(PhaseResolve)
	defer tl.end(PhaseResolve)
	resp, _, err := client.ExchangeWithConnContext(ctx, m, &dns.Conn{Conn: conn})
	if err != nil {
		return nil, fmt.Errorf("ask %s over %s: %w", server, network, err)
	}
	return resp, nil
}

// packetConn makes a datagram connection from Options.Dial look like one to
// miekg/dns, which would otherwise prefix each message with its length.
type packetConn struct{ net.Conn }

// ReadFrom reads one datagram.
func (p packetConn) ReadFrom(b []byte) (int, net.Addr, error) {
	n, err := p.Read(b)
	return n, p.RemoteAddr(), err
}

// WriteTo writes one datagram to the connected peer.
func (p packetConn) WriteTo(b []byte, _ net.Addr) (int, error) { return p.Write(b) }

// dnsServer is the host:port of a server written as host, [v6] or host:port.
func dnsServer(s string) (string, bool) {
	if host, port, err := net.SplitHostPort(s); err == nil {
		if n, err := strconv.Atoi(port); err != nil || host == "" || n < 1 || n > 65535 {
			return "", false
		}
		return s, true
	}
	host := strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")
	if host == "" || strings.ContainsAny(host, "[]/ ") {
		return "", false
	}
	if strings.Contains(host, ":") {
		if _, err := netip.ParseAddr(host); err != nil {
			return "", false
		}
	}
	return net.JoinHostPort(host, "53"), true
}

// queryType reads a query type name such as "A" or "mx"; empty means A.
func queryType(s string) (uint16, bool) {
	if s == "" {
		return dns.TypeA, true
	}
	t, ok := dns.StringToType[strings.ToUpper(s)]
	return t, ok && t != dns.TypeNone
}

// rcodeOf reads an rcode name such as "NXDOMAIN"; empty means NOERROR.
func rcodeOf(s string) (int, bool) {
	if s == "" {
		return dns.RcodeSuccess, true
	}
	r, ok := dns.StringToRcode[strings.ToUpper(s)]
	return r, ok
}

// rcodeName names an rcode as dig does.
func rcodeName(r int) string {
	if s, ok := dns.RcodeToString[r]; ok {
		return s
	}
	return strconv.Itoa(r)
}

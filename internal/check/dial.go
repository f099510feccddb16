package check

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"
)

// dial connects to addr for one run. With Options.Dial it hands the address
// over unresolved; otherwise it resolves the host with the engine's resolver
// and tries each address in turn. Resolving and connecting are timed here,
// where they happen, so every kind reports them the same way. A panic in
// Options.Dial or the resolver becomes an error, so that the result says
// in which phase it happened.
func (e *Engine) dial(ctx context.Context, tl *timeline, network, addr string) (conn net.Conn, err error) {
	defer func() {
		if p := recover(); p != nil {
			conn, err = nil, &internalError{p}
		}
	}()
	if e.dialer != nil {
		tl.begin(PhaseConnect)
		conn, err := e.dialer(ctx, network, addr)
		tl.end(PhaseConnect)
		if dnsErr := (*net.DNSError)(nil); errors.As(err, &dnsErr) {
			tl.mark(PhaseResolve) // the dialer resolves, and did not find the name
		}
		return conn, err
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	ips, err := e.resolve(ctx, tl, network, host)
	if err != nil {
		return nil, err
	}
	tl.begin(PhaseConnect)
	defer tl.end(PhaseConnect)
	var d net.Dialer
	var first error
	for _, ip := range ips {
		conn, err := d.DialContext(ctx, network, net.JoinHostPort(ip.String(), port))
		if err == nil {
			return conn, nil
		}
		if first == nil {
			first = err
		}
		if ctx.Err() != nil {
			break
		}
	}
	return nil, first
}

// resolve returns the addresses of host: the host itself when it is an
// address, else what the resolver answers.
func (e *Engine) resolve(ctx context.Context, tl *timeline, network, host string) ([]netip.Addr, error) {
	if ip, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{ip}, nil
	}
	tl.begin(PhaseResolve)
	defer tl.end(PhaseResolve)
	ips, err := e.resolver.LookupNetIP(ctx, ipNetwork(network), host)
	if err != nil {
		if dnsErr := (*net.DNSError)(nil); errors.As(err, &dnsErr) {
			return nil, err // it names the host already
		}
		return nil, fmt.Errorf("lookup %s: %w", host, err)
	}
	if len(ips) == 0 {
		return nil, &net.DNSError{Err: "no addresses", Name: host, IsNotFound: true}
	}
	return ips, nil
}

// ipNetwork is the lookup network matching a dial network.
func ipNetwork(network string) string {
	switch network {
	case "tcp4", "udp4":
		return "ip4"
	case "tcp6", "udp6":
		return "ip6"
	}
	return "ip"
}

// internalError is a panic turned into an error.
type internalError struct{ value any }

func (e *internalError) Error() string { return fmt.Sprintf("internal error: %v", e.value) }

// bindConn makes conn end with the run: it cannot outlast the context's
// deadline, and a cancelled run ends its reads and writes at once. stop
// releases the context's hold on conn.
func bindConn(ctx context.Context, conn net.Conn) (stop func() bool) {
	if d, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(d)
	}
	return context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
}

// Package httpguard holds the HTTP defences every Vigie surface shares:
// the client address behind trusted reverse proxies, per-address rate
// limits and the security headers of every response. It imports no other
// Vigie package (only net/http and golang.org/x/time/rate), so any
// handler can use it.
package httpguard

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Proxies is the set of reverse proxies whose X-Forwarded-For and
// X-Forwarded-Proto headers are believed. The zero Proxies trusts no one.
type Proxies struct {
	prefixes []netip.Prefix
}

// ParseProxies reads trusted proxies given as IP addresses ("127.0.0.1",
// "::1") or CIDR prefixes ("10.0.0.0/8"); an entry may hold several,
// separated by commas. The error names the entry it could not read.
func ParseProxies(entries []string) (Proxies, error) {
	var p Proxies
	for _, entry := range entries {
		for s := range strings.SplitSeq(entry, ",") {
			s = strings.TrimSpace(s)
			if s == "" {
				continue
			}
			prefix, err := parseProxy(s)
			if err != nil {
				return Proxies{}, fmt.Errorf("trusted proxy %q: want an IP address or a CIDR prefix such as 10.0.0.0/8", s)
			}
			p.prefixes = append(p.prefixes, prefix)
		}
	}
	return p, nil
}

func parseProxy(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		prefix, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, err
		}
		if prefix.Addr().Is4In6() {
			prefix = netip.PrefixFrom(prefix.Addr().Unmap(), max(prefix.Bits()-96, 0))
		}
		return prefix.Masked(), nil
	}
	addr, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	addr = addr.Unmap().WithZone("")
	return netip.PrefixFrom(addr, addr.BitLen()), nil
}

// Len returns how many prefixes are trusted.
func (p Proxies) Len() int { return len(p.prefixes) }

// Trusted reports whether addr is one of the trusted proxies.
func (p Proxies) Trusted(addr netip.Addr) bool {
	if !addr.IsValid() {
		return false
	}
	addr = addr.Unmap().WithZone("")
	for _, prefix := range p.prefixes {
		if prefix.Contains(addr) {
			return true
		}
	}
	return false
}

// ClientAddr returns the address of the client that made r. It is the
// peer's address, unless the peer is a trusted proxy: then X-Forwarded-For
// is read from the right, past every trusted proxy, and the first address
// that is not one is the client. An entry that does not parse ends the
// walk at the last trusted hop, and so does a header made of trusted hops
// only. The header of an untrusted peer is never read, so a client cannot
// choose its own address. The zero Addr means RemoteAddr did not parse.
func (p Proxies) ClientAddr(r *http.Request) netip.Addr {
	peer := remoteAddr(r.RemoteAddr)
	if !p.Trusted(peer) {
		return peer
	}
	hop := peer
	values := r.Header.Values("X-Forwarded-For")
	for i := len(values) - 1; i >= 0; i-- {
		entries := strings.Split(values[i], ",")
		for j := len(entries) - 1; j >= 0; j-- {
			addr, ok := forwardedAddr(entries[j])
			if !ok {
				return hop
			}
			if !p.Trusted(addr) {
				return addr
			}
			hop = addr
		}
	}
	return hop
}

// Scheme returns "https" when r came over TLS, or through a trusted proxy
// that says, in X-Forwarded-Proto, that it did; "http" otherwise. With
// several values, the last one, set by the nearest proxy, counts.
func (p Proxies) Scheme(r *http.Request) string {
	if r.TLS != nil {
		return "https"
	}
	if !p.Trusted(remoteAddr(r.RemoteAddr)) {
		return "http"
	}
	values := r.Header.Values("X-Forwarded-Proto")
	if len(values) == 0 {
		return "http"
	}
	last := values[len(values)-1]
	if i := strings.LastIndexByte(last, ','); i >= 0 {
		last = last[i+1:]
	}
	if strings.EqualFold(strings.TrimSpace(last), "https") {
		return "https"
	}
	return "http"
}

// remoteAddr reads the address of http.Request.RemoteAddr, with or without
// a port.
func remoteAddr(s string) netip.Addr {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap().WithZone("")
	}
	host, _, err := net.SplitHostPort(s)
	if err != nil {
		host = s
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}
	}
	return addr.Unmap().WithZone("")
}

// forwardedAddr reads one X-Forwarded-For entry: an address, possibly with
// a port as some proxies write it ("203.0.113.7:4711", "[2001:db8::1]:80").
func forwardedAddr(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	if addr, err := netip.ParseAddr(s); err == nil {
		return addr.Unmap().WithZone(""), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap().WithZone(""), true
	}
	return netip.Addr{}, false
}

package httpguard

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
)

func mustProxies(t *testing.T, entries ...string) Proxies {
	t.Helper()
	p, err := ParseProxies(entries)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestParseProxiesNamesTheBadEntry(t *testing.T) {
	for _, bad := range []string{"10.0.0.0/33", "localhost", "1.2.3", "fe80::1%eth0/64", "10.0.0.1/8/2"} {
		_, err := ParseProxies([]string{"127.0.0.1", "::1, " + bad})
		if err == nil || !strings.Contains(err.Error(), `"`+bad+`"`) {
			t.Errorf("ParseProxies(%q): %v, want an error naming it", bad, err)
		}
	}
	p := mustProxies(t, "127.0.0.1, ::1", "10.0.0.0/8", "", "::ffff:192.168.0.0/112")
	if p.Len() != 4 {
		t.Fatalf("Len = %d, want 4", p.Len())
	}
	for addr, want := range map[string]bool{
		"127.0.0.1": true, "::1": true, "10.200.1.1": true, "::ffff:10.0.0.1": true,
		"192.168.3.4": true, "192.169.0.1": false, "127.0.0.2": false, "2001:db8::1": false,
	} {
		if got := p.Trusted(netip.MustParseAddr(addr)); got != want {
			t.Errorf("Trusted(%s) = %v, want %v", addr, got, want)
		}
	}
	if (Proxies{}).Trusted(netip.MustParseAddr("127.0.0.1")) {
		t.Error("the zero Proxies trusts someone")
	}
}

func TestClientAddr(t *testing.T) {
	p := mustProxies(t, "127.0.0.1", "10.0.0.0/8", "2001:db8:1::/48")
	cases := []struct {
		name   string
		remote string
		xff    []string
		want   string
	}{
		{"direct client", "203.0.113.7:5555", nil, "203.0.113.7"},
		{"untrusted peer's header is ignored", "203.0.113.7:5555", []string{"198.51.100.1"}, "203.0.113.7"},
		{"one trusted proxy", "127.0.0.1:40000", []string{"198.51.100.1"}, "198.51.100.1"},
		{"client forges the left of the header", "127.0.0.1:40000", []string{"1.1.1.1, 198.51.100.1"}, "198.51.100.1"},
		{"chain of trusted proxies", "127.0.0.1:1", []string{"198.51.100.1, 10.0.0.5, 10.1.2.3"}, "198.51.100.1"},
		{"several header lines", "127.0.0.1:1", []string{"1.1.1.1, 198.51.100.1", "10.0.0.5"}, "198.51.100.1"},
		{"malformed entry ends the walk", "127.0.0.1:1", []string{"198.51.100.1, garbage, 10.0.0.5"}, "10.0.0.5"},
		{"malformed right after the proxy", "127.0.0.1:1", []string{"198.51.100.1, "}, "127.0.0.1"},
		{"only trusted hops", "127.0.0.1:1", []string{"10.0.0.9, 10.0.0.5"}, "10.0.0.9"},
		{"no header from a proxy", "127.0.0.1:1", nil, "127.0.0.1"},
		{"entries with ports", "127.0.0.1:1", []string{"[2001:db8:9::1]:80, 10.0.0.5:8080"}, "2001:db8:9::1"},
		{"IPv6 proxy range", "[2001:db8:1:2::3]:443", []string{"2001:db8:9::1"}, "2001:db8:9::1"},
		{"mapped IPv4 peer", "[::ffff:127.0.0.1]:1", []string{"198.51.100.1"}, "198.51.100.1"},
		{"mapped IPv4 client", "127.0.0.1:1", []string{"::ffff:198.51.100.1"}, "198.51.100.1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = c.remote
			for _, v := range c.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			if got := p.ClientAddr(r); got != netip.MustParseAddr(c.want) {
				t.Errorf("ClientAddr = %v, want %s", got, c.want)
			}
		})
	}
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "not an address"
	if got := p.ClientAddr(r); got.IsValid() {
		t.Errorf("unreadable RemoteAddr gave %v", got)
	}
}

func TestScheme(t *testing.T) {
	p := mustProxies(t, "127.0.0.1")
	cases := []struct {
		name, remote, proto string
		tls                 bool
		want                string
	}{
		{"plain", "203.0.113.7:1", "", false, "http"},
		{"TLS", "203.0.113.7:1", "", true, "https"},
		{"untrusted peer says https", "203.0.113.7:1", "https", false, "http"},
		{"trusted proxy says https", "127.0.0.1:1", "HTTPS", false, "https"},
		{"trusted proxy says http", "127.0.0.1:1", "http", false, "http"},
		{"nearest proxy counts", "127.0.0.1:1", "https, http", false, "http"},
		{"trusted proxy says nothing", "127.0.0.1:1", "", false, "http"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = c.remote
			if c.proto != "" {
				r.Header.Set("X-Forwarded-Proto", c.proto)
			}
			if c.tls {
				r.TLS = &tls.ConnectionState{}
			}
			if got := p.Scheme(r); got != c.want {
				t.Errorf("Scheme = %q, want %q", got, c.want)
			}
		})
	}
}

// TestClientAddrOverLoopback reads the address of a real connection.
func TestClientAddrOverLoopback(t *testing.T) {
	p := mustProxies(t, "127.0.0.1")
	got := make(chan netip.Addr, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got <- p.ClientAddr(r) }))
	defer srv.Close()
	req, _ := http.NewRequest("GET", srv.URL, nil)
	req.Header.Set("X-Forwarded-For", "198.51.100.1")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if a := <-got; a != netip.MustParseAddr("198.51.100.1") {
		t.Fatalf("ClientAddr = %v behind the loopback proxy", a)
	}
}

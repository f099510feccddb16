package simulate

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/inventory"
)

// startFarm serves a generated host of the given number of sites until the
// test ends.
func startFarm(t *testing.T, sites int) (*Farm, *inventory.Inventory) {
	t.Helper()
	inv := Generate(Params{Sites: sites})
	f, err := NewFarm(inv, FarmOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := f.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return f, inv
}

// farmClient returns a client that reaches the farm through Dial, trusts
// its CA and opens a connection per request, so that every request sees
// the faults of the moment.
func farmClient(t *testing.T, f *Farm) *http.Client {
	t.Helper()
	tr := &http.Transport{
		DialContext:       f.Dial,
		TLSClientConfig:   &tls.Config{RootCAs: f.CAPool()},
		DisableKeepAlives: true,
	}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 5 * time.Second}
}

// fetch gets url, with host as the Host header when not empty, and returns
// the status and body.
func fetch(t *testing.T, c *http.Client, url, host string) (int, string, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if host != "" {
		req.Host = host
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), err
}

// status gets a site by name over scheme and returns the status, or fails
// the test when the request fails.
func status(t *testing.T, f *Farm, c *http.Client, scheme, site string) int {
	t.Helper()
	url := strings.Replace(f.SiteURL(site), "https://", scheme+"://", 1)
	code, _, err := fetch(t, c, url, "")
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	return code
}

// refused reports whether connecting to addr through the farm is refused,
// or reset by a listener closing meanwhile; any other failure fails the
// test.
func refused(t *testing.T, f *Farm, addr string) bool {
	t.Helper()
	c, err := f.Dial(t.Context(), "tcp", addr)
	if err == nil {
		c.Close()
		return false
	}
	if !errors.Is(err, syscall.ECONNREFUSED) && !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("dial %s: %v, want refused or success", addr, err)
	}
	return true
}

func TestFarmServesSitesByHost(t *testing.T) {
	f, _ := startFarm(t, 500)
	c := farmClient(t, f)
	web1, _ := f.Addr("web-001")
	tests := []struct {
		name, url, host string
		code            int
		body            string
	}{
		{"site over http", "http://www.s0000001.example/", "", 200, "s0000001"},
		{"site over https", "https://www.s0000130.example/", "", 200, "s0000130"},
		{"host with port and capitals", "http://" + web1 + "/", "WWW.S0000002.example:80", 200, "s0000002"},
		{"unknown host on a vm", "http://" + web1 + "/", "www.nope.example", 404, "www.nope.example"},
		{"site of another vm", "http://" + web1 + "/", "www.s0000130.example", 404, "web-001"},
		{"vm address and port 80", "http://127.2.0.2/", "www.s0000001.example", 200, "s0000001"},
		{"vm name", "http://web-002/", "www.s0000200.example", 200, "s0000200"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body, err := fetch(t, c, tt.url, tt.host)
			if err != nil {
				t.Fatal(err)
			}
			if code != tt.code || !strings.Contains(body, tt.body) {
				t.Errorf("GET %s (Host %q) = %d %q, want %d containing %q", tt.url, tt.host, code, body, tt.code, tt.body)
			}
		})
	}
}

func TestFarmDialStaysOnLoopback(t *testing.T) {
	f, _ := startFarm(t, 10)
	tests := []struct {
		addr string
		ok   func(error) bool
	}{
		{"www.unknown.example:80", func(err error) bool {
			var dns *net.DNSError
			return errors.As(err, &dns) && dns.IsNotFound
		}},
		{"192.0.2.1:80", func(err error) bool { return errors.Is(err, errNotLoopback) }},
		{"www.s0000001.example:8443", func(err error) bool { return errors.Is(err, syscall.ECONNREFUSED) }},
		{"no-port", func(err error) bool { return err != nil }},
	}
	for _, tt := range tests {
		_, err := f.Dial(t.Context(), "tcp", tt.addr)
		if !tt.ok(err) {
			t.Errorf("Dial(%s) = %v", tt.addr, err)
		}
	}
	if _, err := f.Dial(t.Context(), "udp", "www.s0000001.example:53"); err == nil {
		t.Error("Dial udp succeeded")
	}
}

func TestFarmHTTPSVerifiesWithCAPool(t *testing.T) {
	f, _ := startFarm(t, 500)
	handshake := func(addr, sni string, pool *x509.CertPool) (*x509.Certificate, error) {
		conn, err := f.Dial(t.Context(), "tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		tc := tls.Client(conn, &tls.Config{ServerName: sni, RootCAs: pool})
		defer tc.Close()
		if err := tc.HandshakeContext(t.Context()); err != nil {
			return nil, err
		}
		return tc.ConnectionState().PeerCertificates[0], nil
	}
	for range 2 { // the second handshake gets the cached certificate
		cert, err := handshake("www.s0000001.example:443", "www.s0000001.example", f.CAPool())
		if err != nil {
			t.Fatal(err)
		}
		if cert.Subject.CommonName != "www.s0000001.example" {
			t.Errorf("certificate for %s", cert.Subject.CommonName)
		}
	}
	var unknown x509.UnknownAuthorityError
	if _, err := handshake("www.s0000001.example:443", "www.s0000001.example", x509.NewCertPool()); !errors.As(err, &unknown) {
		t.Errorf("handshake without the farm CA: %v, want unknown authority", err)
	}
	var wrongHost x509.HostnameError
	if _, err := handshake("www.s0000001.example:443", "www.s0000200.example", f.CAPool()); !errors.As(err, &wrongHost) {
		t.Errorf("SNI of another VM's site: %v, want a hostname error", err)
	}
}

func TestFarmFallsBackTo127001(t *testing.T) {
	inv := Generate(Params{Sites: 300})
	f, err := NewFarm(inv, FarmOptions{})
	if err != nil {
		t.Fatal(err)
	}
	f.listen = func(addr string) (net.Listener, error) {
		if !strings.HasPrefix(addr, "127.0.0.1:") {
			return nil, fmt.Errorf("bind %s: %w", addr, syscall.EADDRNOTAVAIL)
		}
		return net.Listen("tcp4", addr)
	}
	if err := f.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c := farmClient(t, f)
	plain1, secure1 := f.Addr("web-001")
	plain2, _ := f.Addr("web-002")
	if !strings.HasPrefix(plain1, "127.0.0.1:") || !strings.HasPrefix(secure1, "127.0.0.1:") || plain1 == plain2 {
		t.Fatalf("fallback addresses %s %s %s, want distinct ports on 127.0.0.1", plain1, secure1, plain2)
	}
	for _, scheme := range []string{"http", "https"} {
		if got := status(t, f, c, scheme, "s0000250"); got != 200 {
			t.Errorf("%s on fallback = %d", scheme, got)
		}
	}
	if err := f.StopVM("web-001"); err != nil {
		t.Fatal(err)
	}
	if !refused(t, f, "www.s0000001.example:80") {
		t.Error("stopped fallback VM still accepts")
	}
	if err := f.StartVM("web-001"); err != nil {
		t.Fatal(err)
	}
	if again, _ := f.Addr("web-001"); again != plain1 {
		t.Errorf("restarted on %s, was %s", again, plain1)
	}
	if got := status(t, f, c, "http", "s0000001"); got != 200 {
		t.Errorf("after StartVM = %d", got)
	}
}

func TestFarmCloseStopsEverything(t *testing.T) {
	inv := Generate(Params{Sites: 130})
	f, err := NewFarm(inv, FarmOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := f.Start(ctx); err == nil {
		t.Fatal("Start with a cancelled context succeeded")
	}
	if err := f.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	plain, _ := f.Addr("web-001")
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if c, err := net.Dial("tcp", plain); err == nil {
		c.Close()
		t.Errorf("%s still accepts after Close", plain)
	}
	if err := f.StopVM("web-001"); !errors.Is(err, ErrFarmClosed) {
		t.Errorf("StopVM after Close: %v", err)
	}
}

func TestNewFarmRejectsAddressesOffLoopback(t *testing.T) {
	inv := Generate(Params{Sites: 5})
	for i := range inv.Assets {
		if inv.Assets[i].Name == "web-001" {
			inv.Assets[i].Address = "192.0.2.10:22"
		}
	}
	if _, err := NewFarm(inv, FarmOptions{}); err == nil || !strings.Contains(err.Error(), "web-001") {
		t.Errorf("NewFarm = %v, want an error naming web-001", err)
	}
}

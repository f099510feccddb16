package check

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"regexp"
	"sync"
	"testing"
	"time"
)

// want is what a test expects of a result; Message is exact unless
// MessageRe is set.
type want struct {
	OK        bool
	Phase     Phase
	Reason    Reason
	Message   string
	MessageRe string
}

// checkResult fails the test when res is not what w expects.
func checkResult(t testing.TB, res Result, w want) {
	t.Helper()
	if res.OK != w.OK || res.Phase != w.Phase || res.Reason != w.Reason {
		t.Errorf("got ok=%v phase=%q reason=%q (%s), want ok=%v phase=%q reason=%q",
			res.OK, res.Phase, res.Reason, res.Message, w.OK, w.Phase, w.Reason)
	}
	switch {
	case w.MessageRe != "":
		if !regexp.MustCompile(w.MessageRe).MatchString(res.Message) {
			t.Errorf("message %q does not match %q", res.Message, w.MessageRe)
		}
	case res.Message != w.Message:
		t.Errorf("message %q, want %q", res.Message, w.Message)
	}
}

// run runs c on e within a bound any test can afford.
func run(t testing.TB, e *Engine, c *Check) Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return e.Run(ctx, c)
}

// testNow is the frozen clock of the tests that judge certificates, so
// that none of them depends on today's date.
var testNow = time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)

// frozenAt is an Options.Now that always tells now.
func frozenAt(now time.Time) func() time.Time {
	return func() time.Time { return now }
}

// testPKI is a certificate authority made for one test.
type testPKI struct {
	ca   *x509.Certificate
	key  *ecdsa.PrivateKey
	pool *x509.CertPool
}

// newTestPKI makes a certificate authority valid from a day before now
// (the test's clock, not the real one) for ten years.
func newTestPKI(t testing.TB, now time.Time) *testPKI {
	t.Helper()
	key := newKey(t)
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "Vigie Test CA"},
		NotBefore:             now.Add(-24 * time.Hour),
		NotAfter:              now.Add(10 * 365 * 24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	return &testPKI{ca: ca, key: key, pool: pool}
}

// issue makes a certificate signed by the CA for names (host names or IP
// addresses), valid from notBefore to notAfter.
func (p *testPKI) issue(t testing.TB, notBefore, notAfter time.Time, names ...string) tls.Certificate {
	t.Helper()
	return makeCert(t, p.ca, p.key, notBefore, notAfter, names)
}

// selfSigned makes a certificate valid for a day around now (the test's
// clock) that signs itself.
func selfSigned(t testing.TB, now time.Time, names ...string) tls.Certificate {
	t.Helper()
	return makeCert(t, nil, nil, now.Add(-time.Hour), now.Add(24*time.Hour), names)
}

func makeCert(t testing.TB, parent *x509.Certificate, parentKey *ecdsa.PrivateKey, notBefore, notAfter time.Time, names []string) tls.Certificate {
	t.Helper()
	key := newKey(t)
	serial, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: names[0]},
		NotBefore:    notBefore,
		NotAfter:     notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, n := range names {
		if ip, err := netip.ParseAddr(n); err == nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip.AsSlice())
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, n)
		}
	}
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

func newKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

// startHTTP serves h on 127.0.0.1 until the test ends.
func startHTTP(t testing.TB, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

// startHTTPS serves h over TLS with cert on 127.0.0.1 until the test ends,
// and reports the server names clients asked for (SNI, absent when they
// connect to an address).
func startHTTPS(t testing.TB, h http.Handler, cert tls.Certificate) (*httptest.Server, func() []string) {
	t.Helper()
	var mu sync.Mutex
	var names []string
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // failed handshakes are the point
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, GetCertificate: func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
		mu.Lock()
		defer mu.Unlock()
		names = append(names, hello.ServerName)
		return &cert, nil
	}}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), names...)
	}
}

// startTCP accepts connections on 127.0.0.1 and hands each to serve, which
// need not close it; everything is closed when the test ends.
func startTCP(t testing.TB, serve func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		conns []net.Conn
	)
	wg.Go(func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, conn)
			mu.Unlock()
			wg.Go(func() {
				defer conn.Close()
				_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
				serve(conn)
			})
		}
	})
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return ln.Addr().String()
}

// startTLS handshakes with cert on 127.0.0.1 and hangs up, until the test
// ends.
func startTLS(t testing.TB, cert tls.Certificate) string {
	t.Helper()
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}}
	return startTCP(t, func(conn net.Conn) {
		_ = tls.Server(conn, cfg).Handshake()
	})
}

// closedPort is a loopback address where nothing listens.
func closedPort(t testing.TB, network string) string {
	t.Helper()
	if network == "udp" {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := pc.LocalAddr().String()
		pc.Close()
		return addr
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// routeDial is an Options.Dial that sends names to loopback addresses and,
// as the simulator does, answers that it knows no other name.
func routeDial(routes map[string]string) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		to, ok := routes[addr]
		if !ok {
			host, _, _ := net.SplitHostPort(addr)
			return nil, &net.OpError{Op: "dial", Net: network, Err: &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}}
		}
		var d net.Dialer
		return d.DialContext(ctx, network, to)
	}
}

var errNoRoute = &net.AddrError{Err: "no route in test", Addr: "unknown"}

// resolverFunc is a Resolver written as a function.
type resolverFunc func(ctx context.Context, network, host string) ([]netip.Addr, error)

func (f resolverFunc) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	return f(ctx, network, host)
}

func ptr[T any](v T) *T { return &v }

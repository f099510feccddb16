package app_test

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/app"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// selfSigned writes a certificate for 127.0.0.1, valid for the hour around
// now as a TLS handshake checks it against the real clock, and its key;
// with otherKey the key written is not the certificate's.
func selfSigned(t *testing.T, otherKey bool) (certFile, keyFile string, cert *x509.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "vigie test"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	if cert, err = x509.ParseCertificate(der); err != nil {
		t.Fatal(err)
	}
	if otherKey {
		if key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
			t.Fatal(err)
		}
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile, cert
}

// serve opens an App with cfg on a fresh SQLite database and serves it on
// a loopback port until the test ends.
func serve(t *testing.T, cfg app.Config) (addr string) {
	t.Helper()
	cfg.DB = storetest.DSN(t, store.SQLite)
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.Open(ctx, cfg)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		cancel()
		_ = a.Close()
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- a.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("serve: %v", err)
		}
		_ = a.Close()
	})
	return ln.Addr().String()
}

func TestServeOverTLS(t *testing.T) {
	certFile, keyFile, cert := selfSigned(t, false)
	addr := serve(t, app.Config{TLSCert: certFile, TLSKey: keyFile})
	roots := x509.NewCertPool()
	roots.AddCert(cert)
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}}
	defer client.CloseIdleConnections()

	resp, err := client.Get("https://" + addr + "/healthz")
	if err != nil {
		t.Fatalf("GET /healthz over TLS: %v", err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.TLS == nil || resp.TLS.Version < tls.VersionTLS12 {
		t.Fatalf("GET /healthz: status %d, TLS %+v", resp.StatusCode, resp.TLS)
	}
	if got := resp.Header.Get("Strict-Transport-Security"); !strings.HasPrefix(got, "max-age=") {
		t.Fatalf("over TLS, Strict-Transport-Security is %q", got)
	}

	// Plain HTTP gets no page, and neither does a client stuck at TLS 1.1.
	if resp, err := http.Get("http://" + addr + "/healthz"); err == nil {
		_ = resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			t.Fatal("plain HTTP served /healthz on a TLS listener")
		}
	}
	old := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{
		RootCAs: roots, MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11}}}
	if resp, err := old.Get("https://" + addr + "/healthz"); err == nil {
		_ = resp.Body.Close()
		t.Fatal("a TLS 1.1 client was served")
	}
}

func TestServeRefusesBadTLSFiles(t *testing.T) {
	certFile, keyFile, _ := selfSigned(t, true)
	cases := []struct{ name, cert, key, want string }{
		{"key of another certificate", certFile, keyFile, "private key does not match public key"},
		{"missing certificate", filepath.Join(t.TempDir(), "none.pem"), keyFile, "no such file"},
		{"certificate as key", certFile, certFile, "tls certificate"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, err := app.Open(context.Background(), app.Config{DB: storetest.DSN(t, store.SQLite), TLSCert: c.cert, TLSKey: c.key})
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = a.Close() }()
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = ln.Close() }()
			err = a.Serve(context.Background(), ln)
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), c.cert) {
				t.Fatalf("Serve: %v, want an error naming %s and saying %q", err, c.cert, c.want)
			}
		})
	}
}

func TestOpenChecksProxiesAndTLSPairs(t *testing.T) {
	_, err := app.Open(context.Background(), app.Config{DB: storetest.DSN(t, store.SQLite), TrustedProxies: []string{"127.0.0.1", "10.0.0.0/33"}})
	if err == nil || !strings.Contains(err.Error(), `"10.0.0.0/33"`) {
		t.Fatalf("bad trusted proxy: %v", err)
	}
	_, err = app.Open(context.Background(), app.Config{DB: storetest.DSN(t, store.SQLite), TLSCert: "cert.pem"})
	if err == nil || !strings.Contains(err.Error(), "both") {
		t.Fatalf("certificate without key: %v", err)
	}
	a, err := app.Open(context.Background(), app.Config{DB: storetest.DSN(t, store.SQLite), TrustedProxies: []string{"127.0.0.1,::1", "10.0.0.0/8"}})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = a.Close() }()
	if p := a.Proxies(); p.Len() != 3 || !p.Trusted(netip.MustParseAddr("10.9.8.7")) || p.Trusted(netip.MustParseAddr("192.0.2.1")) {
		t.Fatalf("Proxies() = %+v", p)
	}
}

// getOn sends GET /healthz on a raw keep-alive connection and reads the
// answer before deadline.
func getOn(conn net.Conn, r *bufio.Reader, deadline time.Time) (int, error) {
	if _, err := conn.Write([]byte("GET /healthz HTTP/1.1\r\nHost: vigie\r\n\r\n")); err != nil {
		return 0, err
	}
	if err := conn.SetReadDeadline(deadline); err != nil {
		return 0, err
	}
	resp, err := http.ReadResponse(r, nil)
	if err != nil {
		return 0, err
	}
	_ = resp.Body.Close()
	return resp.StatusCode, nil
}

func TestMaxConnsCapsConcurrentConnections(t *testing.T) {
	const limit = 2
	addr := serve(t, app.Config{MaxConns: limit})
	var conns []net.Conn
	var readers []*bufio.Reader
	for i := range limit + 1 {
		conn, err := net.DialTimeout("tcp", addr, 5*time.Second) // the kernel's queue takes it, served or not
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = conn.Close() }()
		conns, readers = append(conns, conn), append(readers, bufio.NewReader(conn))
		if i < limit {
			// Served, and held open by keep-alive.
			if code, err := getOn(conn, readers[i], time.Now().Add(10*time.Second)); err != nil || code != http.StatusOK {
				t.Fatalf("connection %d: %d, %v", i+1, code, err)
			}
		}
	}
	// Past the cap, a connection is not accepted: its request gets no
	// answer while the others stay open. Proving an absence takes a wait.
	_, err := getOn(conns[limit], readers[limit], time.Now().Add(300*time.Millisecond))
	if ne := net.Error(nil); !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("connection %d past the cap of %d: %v, want no answer", limit+1, limit, err)
	}
	// Once one closes, the waiting connection is served.
	_ = conns[0].Close()
	if err := conns[limit].SetReadDeadline(time.Now().Add(10 * time.Second)); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(readers[limit], nil)
	if err != nil {
		t.Fatalf("connection %d after another closed: %v", limit+1, err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("connection %d: status %d", limit+1, resp.StatusCode)
	}
}

// TestEveryAnswerCarriesTheSecurityHeaders looks at answers of each
// surface over plain HTTP: the headers are there, HSTS is not.
func TestEveryAnswerCarriesTheSecurityHeaders(t *testing.T) {
	addr := serve(t, app.Config{})
	for _, path := range []string{"/healthz", "/api/v1/assets", "/api/v1/heartbeats/hb_nope", "/nowhere", "/api/v1/probe/assignments"} {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		h := resp.Header
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") == "" ||
			!strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors 'none'") || h.Get("Strict-Transport-Security") != "" {
			t.Errorf("%s (%d): headers %v", path, resp.StatusCode, h)
		}
	}
}

// TestPingsAreLimitedPerClientBehindTheProxy serves behind a trusted proxy
// on loopback: each client address named by X-Forwarded-For has its own
// budget, and a forged header from an untrusted peer counts for that peer.
func TestPingsAreLimitedPerClientBehindTheProxy(t *testing.T) {
	ping := func(addr, forwarded string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", "http://"+addr+"/healthz", nil)
		if forwarded != "" {
			req.Header.Set("X-Forwarded-For", forwarded)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		return resp.StatusCode, resp.Header.Get("Retry-After")
	}
	// A rate of one request an hour: the budget is the burst, and the
	// test cannot outrun a refill.
	proxied := serve(t, app.Config{TrustedProxies: []string{"127.0.0.1"}, PingRate: 1.0 / 3600, PingBurst: 2})
	for i, want := range []int{200, 200, 429} {
		if got, retry := ping(proxied, "198.51.100.7"); got != want || (want == 429 && retry == "") {
			t.Fatalf("client A, request %d: %d (Retry-After %q), want %d", i, got, retry, want)
		}
	}
	if got, _ := ping(proxied, "198.51.100.8"); got != 200 {
		t.Fatalf("client B after A ran out: %d, want 200", got)
	}
	// Without the proxy trusted, the header is ignored: every request is
	// the loopback peer's.
	direct := serve(t, app.Config{PingRate: 1.0 / 3600, PingBurst: 2})
	for i, want := range []int{200, 200, 429} {
		if got, _ := ping(direct, "198.51.100."+string(rune('1'+i))); got != want {
			t.Fatalf("forged addresses, request %d: %d, want %d", i, got, want)
		}
	}
}

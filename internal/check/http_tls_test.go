package check

import (
	"net"
	"slices"
	"testing"
	"time"
)

// TestHTTPSCertificates proves an https check verifies the chain, the
// dates and the name, unless told not to.
func TestHTTPSCertificates(t *testing.T) {
	now := testNow
	pki := newTestPKI(t, now)
	valid := pki.issue(t, now.Add(-time.Hour), now.Add(90*24*time.Hour), "www.site.example", "127.0.0.1")
	expired := pki.issue(t, now.Add(-90*24*time.Hour), now.Add(-24*time.Hour), "www.site.example", "127.0.0.1")
	other := pki.issue(t, now.Add(-time.Hour), now.Add(90*24*time.Hour), "other.example")
	self := selfSigned(t, now, "www.site.example", "127.0.0.1")

	srvValid, _ := startHTTPS(t, siteHandler(), valid)
	srvExpired, _ := startHTTPS(t, siteHandler(), expired)
	srvOther, _ := startHTTPS(t, siteHandler(), other)
	srvSelf, _ := startHTTPS(t, siteHandler(), self)
	plain := startHTTP(t, siteHandler())
	e := NewEngine(Options{RootCAs: pki.pool, Now: frozenAt(now)})

	tests := []struct {
		name    string
		url     string
		address string
		verify  *bool
		want    want
	}{
		{"valid chain", srvValid.URL, "", nil, want{OK: true, Phase: PhaseDone, Message: "HTTP/1.1 200 OK"}},
		{"unknown authority", srvSelf.URL, "", nil,
			want{Phase: PhaseTLS, Reason: ReasonCertificate, MessageRe: `^tls: failed to verify certificate: x509: certificate signed by unknown authority`}},
		{"expired", srvExpired.URL, "", nil,
			want{Phase: PhaseTLS, Reason: ReasonCertificate, MessageRe: `^tls: failed to verify certificate: x509: certificate has expired or is not yet valid: `}},
		{"name mismatch", "https://www.site.example/", srvOther.Listener.Addr().String(), nil,
			want{Phase: PhaseTLS, Reason: ReasonCertificate, Message: "tls: failed to verify certificate: x509: certificate is valid for other.example, not www.site.example"}},
		{"no name for an address", srvOther.URL, "", nil,
			want{Phase: PhaseTLS, Reason: ReasonCertificate, Message: "tls: failed to verify certificate: x509: cannot validate certificate for 127.0.0.1 because it doesn't contain any IP SANs"}},
		{"unknown authority accepted", srvSelf.URL, "", ptr(false), want{OK: true, Phase: PhaseDone, Message: "HTTP/1.1 200 OK"}},
		{"expired accepted", srvExpired.URL, "", ptr(false), want{OK: true, Phase: PhaseDone, Message: "HTTP/1.1 200 OK"}},
		{"not TLS", "https://" + plain.Listener.Addr().String(), "", nil,
			want{Phase: PhaseTLS, Reason: ReasonTLS, Message: "http: server gave HTTP response to HTTPS client"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := run(t, e, &Check{Kind: HTTP, URL: tt.url, Address: tt.address, HTTPOptions: &HTTPOptions{TLSVerify: tt.verify}})
			checkResult(t, res, tt.want)
			if res.Timings.TLS <= 0 || res.Timings.Connect <= 0 {
				t.Errorf("the connection and handshake are not timed: %+v", res.Timings)
			}
		})
	}
}

// TestHTTPSAddress proves a check with an address connects there but keeps
// the URL's name for SNI, the Host header and verification.
func TestHTTPSAddress(t *testing.T) {
	now := testNow
	pki := newTestPKI(t, now)
	cert := pki.issue(t, now.Add(-time.Hour), now.Add(24*time.Hour), "www.site.example")
	srv, names := startHTTPS(t, siteHandler(), cert)
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	c := &Check{
		Kind:        HTTP,
		URL:         "https://www.site.example:" + port + "/echo",
		Address:     srv.Listener.Addr().String(),
		HTTPOptions: &HTTPOptions{BodyContains: "host=www.site.example:" + port + " "},
	}
	checkResult(t, run(t, NewEngine(Options{RootCAs: pki.pool, Now: frozenAt(now)}), c), want{OK: true, Phase: PhaseDone, Message: "HTTP/1.1 200 OK"})
	if got := names(); !slices.Equal(got, []string{"www.site.example"}) {
		t.Errorf("server names %q, want www.site.example", got)
	}
}

package check

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/url"
	"time"
)

// DefaultMinDays is how many days a certificate must still be valid for a
// tls check that sets no min_days.
const DefaultMinDays = 14

// day is the unit of certificate lifetimes in messages.
const day = 24 * time.Hour

// runTLS is the executor of tls checks: it handshakes with the address (or
// the URL's host, port 443 by default) and judges the certificate the peer
// shows: its chain must verify for the server name (default: the URL's
// host, else the address's), and it must stay valid at least min_days more
// days (DefaultMinDays unless set). The message tells the days left.
func (e *Engine) runTLS(ctx context.Context, c *Check) Result {
	addr, name, msg := tlsTarget(c)
	if msg != "" {
		return configResult(msg)
	}
	tl := newTimeline()
	conn, err := e.dial(ctx, tl, "tcp", addr)
	if err != nil {
		return tl.fail(ctx, err)
	}
	defer func() { _ = conn.Close() }() // the result is decided; closing cannot change it

	tl.begin(PhaseTLS)
	// The chain is verified below, by hand, so that a bad certificate is
	// told apart from a failed handshake and its expiry is still reported.
	tc := tls.Client(conn, &tls.Config{ServerName: name, InsecureSkipVerify: true})
	err = tc.HandshakeContext(ctx)
	tl.end(PhaseTLS)
	if err != nil {
		return tl.fail(ctx, err)
	}
	certs := tc.ConnectionState().PeerCertificates
	if len(certs) == 0 {
		return tl.failWith(ReasonCertificate, "the server showed no certificate")
	}
	return e.judgeCertificate(tl, certs, name, c.MinDays())
}

// judgeCertificate verifies the chain the server showed for name and tells
// how long its leaf stays valid.
func (e *Engine) judgeCertificate(tl *timeline, certs []*x509.Certificate, name string, minDays int) Result {
	leaf, now := certs[0], e.now()
	until := leaf.NotAfter.UTC().Format(time.DateOnly)
	if now.After(leaf.NotAfter) {
		return tl.failWith(ReasonCertificate, fmt.Sprintf("certificate for %s expired on %s", name, until))
	}
	intermediates := x509.NewCertPool()
	for _, c := range certs[1:] {
		intermediates.AddCert(c)
	}
	opts := x509.VerifyOptions{DNSName: name, Roots: e.rootCAs, Intermediates: intermediates, CurrentTime: now}
	if _, err := leaf.Verify(opts); err != nil {
		return tl.failWith(ReasonCertificate, fmt.Sprintf("certificate for %s: %v", name, err))
	}
	days := int(leaf.NotAfter.Sub(now) / day)
	left := fmt.Sprintf("certificate for %s expires in %s (%s)", name, plural(days, "day"), until)
	if minDays <= 0 {
		minDays = DefaultMinDays
	}
	if days < minDays {
		return tl.failWith(ReasonCertificate, fmt.Sprintf("%s, less than min_days %d", left, minDays))
	}
	return tl.done(left)
}

// tlsTarget is where a tls check connects and the name it verifies, or
// why it cannot run.
func tlsTarget(c *Check) (addr, name, msg string) {
	if c.URL != "" {
		u, err := url.Parse(c.URL)
		if err != nil || u.Hostname() == "" {
			return "", "", fmt.Sprintf("url: want an absolute https URL, got %q", c.URL)
		}
		name = u.Hostname()
		port := u.Port()
		if port == "" {
			port = "443"
		}
		addr = net.JoinHostPort(name, port)
	}
	if c.Address != "" {
		if msg := checkAddress(c.Address); msg != "" {
			return "", "", "address: " + msg
		}
		addr = c.Address
		if name == "" {
			name, _, _ = net.SplitHostPort(c.Address)
		}
	}
	if addr == "" {
		return "", "", "address: required unless url is set"
	}
	if c.ServerName() != "" {
		name = c.ServerName()
	}
	return addr, name, ""
}

// plural writes n and a unit that takes an s when n is not 1.
func plural(n int, unit string) string {
	if n == 1 || n == -1 {
		return fmt.Sprintf("%d %s", n, unit)
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

package simulate

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"strings"
	"sync/atomic"
	"time"
)

// Validity of the certificates a farm issues.
const (
	caValidity   = 10 * 365 * 24 * time.Hour
	leafValidity = 90 * 24 * time.Hour
	clockSkew    = time.Hour // leaves start this long before issue
)

// authority is a farm's certificate authority. All leaves share one key:
// each costs one signature, and a cached leaf is its DER bytes alone.
type authority struct {
	cert    *x509.Certificate
	key     *ecdsa.PrivateKey
	leafKey *ecdsa.PrivateKey
	pool    *x509.CertPool
	serial  atomic.Int64
	// fallback is served when the SNI names no site of the listener.
	fallback *tls.Certificate
}

// newAuthority creates a CA valid from now and its shared leaf key.
func newAuthority(now time.Time) (*authority, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("farm ca: %w", err)
	}
	leafKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("farm ca: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "Vigie simulated host CA", Organization: []string{"Vigie"}},
		NotBefore:             now.Add(-clockSkew),
		NotAfter:              now.Add(caValidity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("farm ca: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("farm ca: %w", err)
	}
	a := &authority{cert: cert, key: key, leafKey: leafKey, pool: x509.NewCertPool()}
	a.pool.AddCert(cert)
	a.serial.Store(1)
	a.fallback, err = a.issue("default.farm.invalid", now.Add(-clockSkew), now.Add(leafValidity))
	if err != nil {
		return nil, err
	}
	return a, nil
}

// issue signs a leaf for host valid between notBefore and notAfter.
func (a *authority) issue(host string, notBefore, notAfter time.Time) (*tls.Certificate, error) {
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(a.serial.Add(1)),
		Subject:      pkix.Name{CommonName: host},
		DNSNames:     []string{host},
		NotBefore:    notBefore,
		NotAfter:     notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, a.cert, &a.leafKey.PublicKey, a.key)
	if err != nil {
		return nil, fmt.Errorf("issue certificate for %s: %w", host, err)
	}
	return &tls.Certificate{Certificate: [][]byte{der}, PrivateKey: a.leafKey}, nil
}

// CAPool returns a pool holding the farm's CA, for checkers to verify the
// sites' certificates.
func (f *Farm) CAPool() *x509.CertPool {
	return f.ca.pool.Clone()
}

// CACertificate returns the farm's CA certificate.
func (f *Farm) CACertificate() *x509.Certificate {
	return f.ca.cert
}

// tlsConfig returns the TLS configuration of one VM's HTTPS listener: it
// presents a site's certificate when the SNI names a site of that VM.
func (f *Farm) tlsConfig(vm int32) *tls.Config {
	return &tls.Config{
		MinVersion: tls.VersionTLS12,
		NextProtos: []string{"http/1.1"},
		GetCertificate: func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
			return f.certificate(vm, hello.ServerName)
		},
	}
}

// certificate returns the certificate for a TLS handshake on VM vm naming
// serverName: the expiring one when that fault is set, else the site's own,
// issued on first use and cached.
func (f *Farm) certificate(vm int32, serverName string) (*tls.Certificate, error) {
	i, ok := f.x.hosts[strings.ToLower(serverName)]
	if !ok || f.x.sites[i].vm != vm {
		return f.ca.fallback, nil
	}
	if c := f.expiredCert(i); c != nil {
		return c, nil
	}
	if c := f.certs[i].Load(); c != nil {
		return c, nil
	}
	now := time.Now()
	c, err := f.ca.issue(f.x.sites[i].host, now.Add(-clockSkew), now.Add(leafValidity))
	if err != nil {
		return nil, err
	}
	// Two first handshakes may race; both certificates are valid, one stays.
	if f.certs[i].CompareAndSwap(nil, c) {
		return c, nil
	}
	return f.certs[i].Load(), nil
}

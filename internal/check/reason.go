package check

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"syscall"
)

// maxRedirects is how many redirects an http check follows.
const maxRedirects = 10

// errTooManyRedirects stops an http check that keeps being redirected.
var errTooManyRedirects = fmt.Errorf("stopped after %d redirects", maxRedirects)

// reasonFor names the category of the failure err caused in phase p. The
// order matters: the end of the run's context (its deadline, or the caller
// giving up) wins over whatever error it surfaced as, and a phase only
// decides when the error itself says nothing.
func reasonFor(ctx context.Context, p Phase, err error) Reason {
	var (
		dnsErr   *net.DNSError
		internal *internalError
	)
	switch {
	case errors.As(err, &internal):
		return ReasonConfig
	case errors.Is(err, errTooManyRedirects):
		return ReasonHTTPStatus
	case ctx.Err() != nil, errors.Is(err, context.DeadlineExceeded):
		return ReasonTimeout
	case errors.As(err, &dnsErr):
		return ReasonDNS
	case isTimeout(err):
		return ReasonTimeout
	case errors.Is(err, syscall.ECONNREFUSED):
		return ReasonRefused
	case isCertificateError(err):
		return ReasonCertificate
	case isTLSError(err), p == PhaseTLS:
		return ReasonTLS
	case isNetworkError(err):
		return ReasonNetwork
	case p == PhaseResolve:
		return ReasonDNS
	}
	return ReasonNetwork
}

// isTimeout tells whether err is an I/O deadline passing.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// isCertificateError tells whether err is the peer's certificate failing
// verification: unknown authority, expired, or issued for another name.
func isCertificateError(err error) bool {
	var (
		verr      *tls.CertificateVerificationError
		authority x509.UnknownAuthorityError
		invalid   x509.CertificateInvalidError
		hostname  x509.HostnameError
	)
	return errors.As(err, &verr) || errors.As(err, &authority) ||
		errors.As(err, &invalid) || errors.As(err, &hostname)
}

// isTLSError tells whether err comes from the TLS protocol itself: a peer
// that does not speak TLS or that refuses the handshake.
func isTLSError(err error) bool {
	var (
		header tls.RecordHeaderError
		alert  tls.AlertError
	)
	return errors.As(err, &header) || errors.As(err, &alert)
}

// isNetworkError tells whether err is the connection breaking: reset,
// unreachable, or closed in the middle of an exchange.
func isNetworkError(err error) bool {
	for _, target := range []error{syscall.ECONNRESET, syscall.ECONNABORTED, syscall.EPIPE,
		syscall.EHOSTUNREACH, syscall.ENETUNREACH, io.EOF, io.ErrUnexpectedEOF} {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}

// errorMessage is the text of err without the method and URL net/http
// prefixes, which the check already names.
func errorMessage(err error) string {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		err = uerr.Err
	}
	return err.Error()
}

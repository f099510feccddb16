// Package notifytest holds real protocol peers for the tests and benchmarks
// of notifications: an SMTP server on loopback that keeps what it accepts.
package notifytest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log"
	"math/big"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// SMTPOptions shape the test SMTP server.
type SMTPOptions struct {
	// Username and Password, when set, require AUTH PLAIN before MAIL.
	Username, Password string
	// Implicit serves TLS from the first byte instead of STARTTLS.
	Implicit bool
	// IdleTimeout, when set, makes the server hang up on a client silent
	// this long (default 10 s).
	IdleTimeout time.Duration
	// Reject, when it returns an error, refuses a recipient with it (an
	// *smtp.SMTPError such as a 550).
	Reject func(rcpt string) error
	// Delay, when set, holds each mail this long after its data has been
	// read and before it is kept and accepted: a client may hang up in
	// between, as a sender killed mid-delivery does, and the mail is kept
	// all the same, as a real relay may.
	Delay time.Duration
	// OnMail, when set, is told of each mail as the server accepts it
	// (after keeping it), from the session's goroutine.
	OnMail func(Mail)
}

// Mail is one mail the test server accepted.
type Mail struct {
	From string
	To   []string
	Data []byte
}

// SMTP is a real SMTP server on a loopback port, offering STARTTLS
// (or implicit TLS) with a certificate made for the test, and keeping
// what it receives.
type SMTP struct {
	Addr    string
	Host    string
	Port    int
	RootCAs *x509.CertPool // trusts the server's certificate
	// CertPEM is the server's certificate, PEM-encoded, for a client in
	// another process to trust.
	CertPEM []byte

	opts  SMTPOptions
	conns atomic.Int64
	open  atomic.Int64
	mu    sync.Mutex
	mails []Mail
}

// StartSMTP starts a test SMTP server that stops with the test.
func StartSMTP(t testing.TB, opts SMTPOptions) *SMTP {
	t.Helper()
	s, stop, err := NewSMTP(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return s
}

// NewSMTP starts a test SMTP server outside a test (a benchmark, a
// tool); stop ends it.
func NewSMTP(opts SMTPOptions) (s *SMTP, stop func(), err error) {
	cert, roots, err := certificate()
	if err != nil {
		return nil, nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, fmt.Errorf("listen: %w", err)
	}
	s = &SMTP{Addr: ln.Addr().String(), RootCAs: roots, opts: opts,
		CertPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Certificate[0]})}
	host, port, _ := net.SplitHostPort(s.Addr)
	s.Host, s.Port = host, atoi(port)
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &testSession{s: s}, nil }))
	srv.Domain = "mx.test"
	srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	if opts.IdleTimeout > 0 {
		srv.ReadTimeout = opts.IdleTimeout
	}
	srv.MaxMessageBytes = 1 << 20
	srv.ErrorLog = log.New(io.Discard, "", 0) // clients that hang up are no news
	var l net.Listener = &countingListener{Listener: ln, n: &s.conns, open: &s.open}
	if opts.Implicit {
		l = tls.NewListener(l, srv.TLSConfig)
	}
	go func() { _ = srv.Serve(l) }()
	return s, func() { _ = srv.Close() }, nil
}

// Mails returns a copy of what the server has accepted so far.
func (s *SMTP) Mails() []Mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Mail(nil), s.mails...)
}

// WaitMails polls until the server holds at least n mails, and fails the
// test after timeout.
func (s *SMTP) WaitMails(t testing.TB, n int, timeout time.Duration) []Mail {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		if m := s.Mails(); len(m) >= n {
			return m
		}
		if time.Now().After(deadline) {
			t.Fatalf("the SMTP server received %d mails, want %d", len(s.Mails()), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Connections counts the connections the server has accepted.
func (s *SMTP) Connections() int { return int(s.conns.Load()) }

// Open counts the connections still open.
func (s *SMTP) Open() int { return int(s.open.Load()) }

// Config is the settings of an e-mail channel pointing at the server;
// Username and Password are the ones it requires, if any.
func (s *SMTP) Config() map[string]string {
	cfg := map[string]string{"host": s.Host, "port": strconv.Itoa(s.Port), "from": "status@host.example", "from_name": "Hébergeur Exemple"}
	if s.opts.Implicit {
		cfg["tls"] = "tls"
	}
	if s.opts.Username != "" {
		cfg["username"] = s.opts.Username
	}
	return cfg
}

// Password is the password the server requires ("" for none).
func (s *SMTP) Password() string { return s.opts.Password }

type testSession struct {
	s      *SMTP
	authed bool
	from   string
	to     []string
}

func (ss *testSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (ss *testSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != ss.s.opts.Username || pass != ss.s.opts.Password {
			return smtp.ErrAuthFailed
		}
		ss.authed = true
		return nil
	}), nil
}

func (ss *testSession) Mail(from string, _ *smtp.MailOptions) error {
	if ss.s.opts.Username != "" && !ss.authed {
		return smtp.ErrAuthRequired
	}
	ss.from = from
	return nil
}

func (ss *testSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if ss.s.opts.Reject != nil {
		if err := ss.s.opts.Reject(to); err != nil {
			return err
		}
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *testSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	time.Sleep(ss.s.opts.Delay)
	ss.s.mu.Lock()
	m := Mail{From: ss.from, To: ss.to, Data: b}
	ss.s.mails = append(ss.s.mails, m)
	ss.s.mu.Unlock()
	if ss.s.opts.OnMail != nil {
		ss.s.opts.OnMail(m)
	}
	return nil
}

func (ss *testSession) Reset()        { ss.from, ss.to = "", nil }
func (ss *testSession) Logout() error { return nil }

// countingListener counts the connections it accepts, and those open.
type countingListener struct {
	net.Listener
	n, open *atomic.Int64
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	l.n.Add(1)
	l.open.Add(1)
	return &countedConn{Conn: c, open: l.open}, nil
}

type countedConn struct {
	net.Conn
	open *atomic.Int64
	once sync.Once
}

func (c *countedConn) Close() error {
	c.once.Do(func() { c.open.Add(-1) })
	return c.Conn.Close()
}

// certificate makes a self-signed certificate for 127.0.0.1 and a
// pool that trusts it.
func certificate() (tls.Certificate, *x509.CertPool, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("certificate key: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "vigie test smtp"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, IsCA: true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("certificate: %w", err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("certificate: %w", err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, roots, nil
}

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		panic(errors.New("not a number: " + s))
	}
	return n
}

// ParsedMail is a received mail read back: its headers, and the text of
// its plain and HTML parts, decoded.
type ParsedMail struct {
	Header     mail.Header
	Text, HTML string
}

// Get returns a header decoded from its MIME encoded-words.
func (p *ParsedMail) Get(name string) string {
	v, err := new(mime.WordDecoder).DecodeHeader(p.Header.Get(name))
	if err != nil {
		return p.Header.Get(name)
	}
	return v
}

// ParseMail reads a received mail as a client would: net/mail for the
// headers, mime/multipart for the alternative parts.
func ParseMail(t testing.TB, data []byte) *ParsedMail {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("read mail: %v", err)
	}
	p := &ParsedMail{Header: msg.Header}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		t.Fatalf("content type: %v", err)
	}
	if mt != "multipart/alternative" {
		t.Fatalf("content type %s, want multipart/alternative", mt)
	}
	r := multipart.NewReader(msg.Body, params["boundary"])
	for {
		part, err := r.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("part: %v", err)
		}
		var body io.Reader = part
		if strings.EqualFold(part.Header.Get("Content-Transfer-Encoding"), "base64") {
			body = base64.NewDecoder(base64.StdEncoding, part)
		}
		b, err := io.ReadAll(body)
		if err != nil {
			t.Fatalf("read part: %v", err)
		}
		switch pt, _, _ := mime.ParseMediaType(part.Header.Get("Content-Type")); pt {
		case "text/plain":
			p.Text = string(b)
		case "text/html":
			p.HTML = string(b)
		}
	}
	return p
}

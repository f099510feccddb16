package notify

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/textproto"
	"sync"
	"time"

	gomail "github.com/wneessen/go-mail"
	"github.com/wneessen/go-mail/smtp"
)

// poolLimits bound a channel's connections.
type poolLimits struct {
	maxConns int
	idle     time.Duration
	timeout  time.Duration
}

// smtpPool is the open connections to one channel's server: at most
// maxConns at once, each carrying one mail at a time, kept open between
// mails and closed after idle time unused.
type smtpPool struct {
	fingerprint string
	client      *gomail.Client // the settings; connections are dialled from it
	limits      poolLimits
	slots       chan struct{} // one per connection in use

	mu     sync.Mutex
	idle   []idleConn // most recently used last
	reaper *time.Timer
	closed bool
}

type idleConn struct {
	c     *smtp.Client
	since time.Time
}

func newSMTPPool(cfg *emailConfig, roots *x509.CertPool, limits poolLimits) (*smtpPool, error) {
	opts := []gomail.Option{
		gomail.WithPort(cfg.port),
		gomail.WithTimeout(limits.timeout),
		gomail.WithTLSConfig(&tls.Config{ServerName: cfg.host, RootCAs: roots, MinVersion: tls.VersionTLS12}),
	}
	switch cfg.tls {
	case emailTLS:
		opts = append(opts, gomail.WithSSL())
	case emailNoTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if cfg.username != "" {
		auth := gomail.SMTPAuthAutoDiscover
		if cfg.tls == emailNoTLS {
			auth = gomail.SMTPAuthPlainNoEnc // loopback only, see parseEmailConfig
		}
		opts = append(opts, gomail.WithSMTPAuth(auth), gomail.WithUsername(cfg.username), gomail.WithPassword(cfg.password))
	}
	client, err := gomail.NewClient(cfg.host, opts...)
	if err != nil {
		return nil, fmt.Errorf("smtp client: %w", err)
	}
	return &smtpPool{
		fingerprint: cfg.fingerprint(), client: client, limits: limits,
		slots: make(chan struct{}, limits.maxConns),
	}, nil
}

// send delivers msg on an idle connection, or a new one. A reused
// connection found dead before anything was sent is replaced once.
func (p *smtpPool) send(ctx context.Context, msg *gomail.Msg) error {
	select {
	case p.slots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-p.slots }()
	for retried := false; ; retried = true {
		c, reused, err := p.get(ctx)
		if err != nil {
			return err
		}
		err = p.client.SendWithSMTPClient(c, msg)
		if err == nil {
			p.put(c)
			return nil
		}
		_ = c.Close()
		var se *gomail.SendError
		if reused && !retried && errors.As(err, &se) && se.Reason == gomail.ErrConnCheck {
			continue
		}
		return err
	}
}

// get takes the most recently used idle connection, or dials one.
func (p *smtpPool) get(ctx context.Context) (c *smtp.Client, reused bool, err error) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil, false, errSenderClosed
	}
	if n := len(p.idle); n > 0 {
		c = p.idle[n-1].c
		p.idle = p.idle[:n-1]
	}
	p.mu.Unlock()
	if c != nil {
		// Its deadline was set for its last mail: give it a new one.
		if err := c.UpdateDeadline(p.limits.timeout); err == nil {
			return c, true, nil
		}
		_ = c.Close()
	}
	c, err = p.client.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("connect: %w", err)
	}
	return c, false, nil
}

// put keeps a connection that just carried a mail, and makes sure idle
// ones will be closed.
func (p *smtpPool) put(c *smtp.Client) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		go quit(c)
		return
	}
	p.idle = append(p.idle, idleConn{c: c, since: time.Now()})
	if p.reaper == nil {
		p.reaper = time.AfterFunc(p.limits.idle, p.reap)
	}
}

// reap closes the connections idle for too long, and comes back while
// some remain.
func (p *smtpPool) reap() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.reaper = nil
	if p.closed {
		return
	}
	cutoff := time.Now().Add(-p.limits.idle)
	keep := p.idle[:0]
	for _, ic := range p.idle {
		if ic.since.After(cutoff) {
			keep = append(keep, ic)
		} else {
			go quit(ic.c)
		}
	}
	clear(p.idle[len(keep):])
	p.idle = keep
	if len(keep) > 0 {
		p.reaper = time.AfterFunc(time.Until(keep[0].since.Add(p.limits.idle)), p.reap)
	}
}

// close ends the idle connections; those in use end when they come back.
func (p *smtpPool) close() {
	p.mu.Lock()
	idle := p.idle
	p.idle, p.closed = nil, true
	if p.reaper != nil {
		p.reaper.Stop()
		p.reaper = nil
	}
	p.mu.Unlock()
	var wg sync.WaitGroup
	for _, ic := range idle {
		wg.Go(func() { quit(ic.c) })
	}
	wg.Wait()
}

// quit says goodbye to the server, or just hangs up when it does not
// answer.
func quit(c *smtp.Client) {
	_ = c.UpdateDeadline(5 * time.Second)
	if err := c.Quit(); err != nil {
		_ = c.Close()
	}
}

// replyCode is the SMTP reply code err carries, 0 if none.
func replyCode(err error) int {
	var se *gomail.SendError
	if errors.As(err, &se) {
		return se.ErrorCode()
	}
	var te *textproto.Error
	if errors.As(err, &te) {
		return te.Code
	}
	return 0
}

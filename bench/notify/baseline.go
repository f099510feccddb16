package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"sync"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/vigie/vigie/internal/notify"
)

// baseRun is what the baseline measured.
type baseRun struct {
	mails, recipients int
	took              time.Duration // from the start to the last mail accepted
	cpu, peersCPU     float64
	mailBytes         int64
}

// runBaseline sends n mails to the peers' SMTP server with go-mail
// directly: conns goroutines, each over one connection (STARTTLS and
// AUTH, as Vigie's), each mail composed from a message Vigie rendered,
// in turn French and English, to a distinct recipient. It is the raw
// cost of the sending, with no database, no planning and no rendering.
func runBaseline(ctx context.Context, cfg config, p *peers, sent []notify.Rendered) (*baseRun, error) {
	client, err := gomail.NewClient(p.info.SMTPHost, gomail.WithPort(p.info.SMTPPort), gomail.WithTimeout(30*time.Second),
		gomail.WithTLSConfig(&tls.Config{ServerName: p.info.SMTPHost, RootCAs: p.roots, MinVersion: tls.VersionTLS12}),
		gomail.WithTLSPolicy(gomail.TLSMandatory), gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
		gomail.WithUsername(smtpUser), gomail.WithPassword(smtpPassword))
	if err != nil {
		return nil, err
	}
	n := cfg.customers
	p.take()
	cpu0, peers0 := selfCPU(), p.cpu()
	start := time.Now()
	errs := make([]error, cfg.conns)
	var wg sync.WaitGroup
	for w := range cfg.conns {
		wg.Go(func() { errs[w] = sendShare(ctx, client, w, cfg.conns, n, sent) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if err := p.wait(ctx, n, 30*time.Second); err != nil {
		return nil, err
	}
	b := &baseRun{cpu: selfCPU() - cpu0, peersCPU: p.cpu() - peers0}
	seen := map[string]bool{}
	var last time.Time
	for _, m := range p.take() {
		seen[m.to] = true
		b.mailBytes += int64(m.bytes)
		b.mails++
		if m.at.After(last) {
			last = m.at
		}
	}
	b.recipients, b.took = len(seen), last.Sub(start)
	return b, nil
}

// sendShare sends mails w, w+step, ... below n over one connection.
func sendShare(ctx context.Context, client *gomail.Client, w, step, n int, sent []notify.Rendered) error {
	c, err := client.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return fmt.Errorf("baseline connection %d: %w", w, err)
	}
	defer func() { _ = client.CloseWithSMTPClient(c) }()
	for i := w; i < n; i += step {
		msg, err := compose(i, &sent[i%len(sent)])
		if err != nil {
			return err
		}
		if err := client.SendWithSMTPClient(c, msg); err != nil {
			return fmt.Errorf("baseline mail %d: %w", i, err)
		}
	}
	return nil
}

// compose builds mail i: the headers Vigie sets, both parts.
func compose(i int, r *notify.Rendered) (*gomail.Msg, error) {
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	if err := msg.FromFormat("Hébergeur Exemple", "status@host.example"); err != nil {
		return nil, err
	}
	if err := msg.AddToFormat(fmt.Sprintf("Client %05d", i+1), fmt.Sprintf("contact@base%05d.example", i+1)); err != nil {
		return nil, err
	}
	msg.Subject(r.Subject)
	msg.SetMessageIDWithValue(fmt.Sprintf("baseline-%d@host.example", i))
	msg.SetDate()
	msg.SetGenHeader(gomail.HeaderContentLang, r.Lang)
	msg.SetGenHeader("Auto-Submitted", "auto-generated")
	msg.SetBodyString(gomail.TypeTextPlain, r.Text)
	if r.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, r.HTML)
	}
	return msg, nil
}

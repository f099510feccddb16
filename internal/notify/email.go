package notify

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// EmailSender delivers messages by SMTP, one mail per message, keeping a
// few connections open per channel so that a burst of thousands of mails
// reuses them. It is safe for concurrent Send calls; Close ends its
// connections.
//
// A channel's Config keys:
//   - host: the SMTP server (required);
//   - port: its port (default 587, 465 with tls=tls, 25 with tls=none);
//   - tls: "starttls" (default: STARTTLS is mandatory, a server without
//     it is refused), "tls" (implicit TLS, usually port 465) or "none"
//     (plain text, refused unless host is a loopback address, so that
//     neither the password nor the mails cross a network in clear);
//   - username: authenticate as this user, with Channel.Secret as the
//     password (the mechanism, PLAIN or LOGIN among others, is chosen
//     from what the server offers over TLS);
//   - from: the sender's address (required); from_name: its name;
//   - reply_to: where replies go.
//
// Certificates are always verified; tests trust their own through RootCAs.
type EmailSender struct {
	// RootCAs, when set, replaces the system's certificate roots.
	RootCAs *x509.CertPool
	// MaxConns caps the open connections per channel (default 4).
	MaxConns int
	// IdleTimeout closes a connection unused this long (default 30 s).
	IdleTimeout time.Duration
	// Timeout bounds the dial and each SMTP command (default 30 s).
	Timeout time.Duration
	// Now is the clock of the Date header (default time.Now).
	Now func() time.Time

	mu     sync.Mutex
	pools  map[string]*smtpPool // channel id → its connections
	closed bool
}

var errSenderClosed = errors.New("email sender is closed")

// Validate checks an e-mail channel's settings; an error names the bad one.
func (s *EmailSender) Validate(ch *Channel) error {
	_, err := parseEmailConfig(ch)
	return err
}

// Send delivers one message and returns its Message-ID. An SMTP reply in
// the 5xx range is permanent; a 4xx reply or a network error is retried.
func (s *EmailSender) Send(ctx context.Context, ch *Channel, out *Outgoing) (string, error) {
	cfg, err := parseEmailConfig(ch)
	if err != nil {
		return "", Permanent(err)
	}
	msg, id, err := s.compose(cfg, out)
	if err != nil {
		return "", Permanent(fmt.Errorf("compose %s: %w", out.Message.Key, err))
	}
	p, err := s.pool(ch.ID, cfg)
	if err != nil {
		return "", err
	}
	if err := p.send(ctx, msg); err != nil {
		err = fmt.Errorf("send %s to %s: %w", out.Message.Key, out.Message.Recipient.Address, err)
		if replyCode(err)/100 == 5 {
			return "", Permanent(err)
		}
		return "", err
	}
	return id, nil
}

// Close ends every open connection; a Send after Close fails.
func (s *EmailSender) Close() error {
	s.mu.Lock()
	pools := s.pools
	s.pools, s.closed = nil, true
	s.mu.Unlock()
	for _, p := range pools {
		p.close()
	}
	return nil
}

// pool returns the connections of a channel, opened with its current
// settings: a changed channel drops the connections of its old settings.
func (s *EmailSender) pool(id string, cfg *emailConfig) (*smtpPool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, errSenderClosed
	}
	if p, ok := s.pools[id]; ok && p.fingerprint == cfg.fingerprint() {
		return p, nil
	}
	p, err := newSMTPPool(cfg, s.RootCAs, poolLimits{
		maxConns: cmp(s.MaxConns, 4), idle: cmp(s.IdleTimeout, 30*time.Second), timeout: cmp(s.Timeout, 30*time.Second),
	})
	if err != nil {
		return nil, Permanent(fmt.Errorf("email channel %s: %w", id, err))
	}
	if old, ok := s.pools[id]; ok {
		go old.close()
	}
	if s.pools == nil {
		s.pools = map[string]*smtpPool{}
	}
	s.pools[id] = p
	return p, nil
}

// cmp returns v, or def when v is not positive.
func cmp[T int | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

// compose builds the mail of one message and returns its Message-ID.
func (s *EmailSender) compose(cfg *emailConfig, out *Outgoing) (*gomail.Msg, string, error) {
	m, r := out.Message, out.Rendered
	host := out.Host
	if host == "" {
		host = cfg.from.Address[strings.LastIndex(cfg.from.Address, "@")+1:]
	}
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	if err := msg.FromFormat(cfg.from.Name, cfg.from.Address); err != nil {
		return nil, "", fmt.Errorf("from: %w", err)
	}
	if err := msg.AddToFormat(m.Recipient.Name, m.Recipient.Address); err != nil {
		return nil, "", fmt.Errorf("to %q: %w", m.Recipient.Address, err)
	}
	if cfg.replyTo != nil {
		if err := msg.ReplyTo(cfg.replyTo.Address); err != nil {
			return nil, "", fmt.Errorf("reply-to: %w", err)
		}
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	id := messageID(m.Key, host)
	msg.Subject(r.Subject)
	msg.SetMessageIDWithValue(id)
	msg.SetDateWithValue(now())
	msg.SetGenHeader(gomail.HeaderContentLang, r.Lang)
	msg.SetGenHeader("Auto-Submitted", "auto-generated")
	msg.SetGenHeader("X-Vigie-Key", m.Key)
	if root := threadRoot(m, host); root != "" {
		msg.SetGenHeader(gomail.HeaderInReplyTo, "<"+root+">")
		msg.SetGenHeader(gomail.HeaderReferences, "<"+root+">")
	}
	if m.Recipient.Kind == "customer" && m.Unsubscribe != "" {
		msg.SetListUnsubscribe(m.Unsubscribe)
		msg.SetListUnsubscribePost()
	}
	msg.SetBodyString(gomail.TypeTextPlain, r.Text)
	if r.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, r.HTML)
	}
	return msg, "<" + id + ">", nil
}

// messageID is a message's Message-ID, without its angle brackets: the
// same key always gives the same id, so that a mail delivered twice is
// recognized as one by the clients that deduplicate.
func messageID(key, host string) string {
	return idPart(key) + "@" + host
}

// threadRoot is the id every mail of one incident or window to one
// recipient refers to, in In-Reply-To and References: a parent none of
// them carries as its own Message-ID. Mail clients gather messages that
// share a parent even when it is absent, and no two different mails ever
// share a Message-ID (which Gmail, for one, would hide as a duplicate) —
// which giving the first mail the root's id would risk when two mails of
// a thread are both sent before either is recorded. A summary has none.
func threadRoot(m *Message, host string) string {
	if m.Thread == "" {
		return ""
	}
	return idPart(m.Thread) + "." + idPart(m.Recipient.ID) + "@" + host
}

// idPart makes s fit the left side of a Message-ID: letters, digits and
// "-_=+" stay and "/" becomes "-" ("incident/12" is "incident-12"); when
// anything else had to change, a short hash of s is added, so that two
// keys never meet.
func idPart(s string) string {
	s = strings.ReplaceAll(s, "/", "-")
	clean := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', strings.ContainsRune("-_=+", r):
			return r
		}
		return '-'
	}, s)
	if clean == s && s != "" {
		return s
	}
	sum := sha256.Sum256([]byte(s))
	return clean + "-" + hex.EncodeToString(sum[:4])
}

package demo

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-smtp"
)

// maxMails is how many mails the mailbox keeps; older ones are dropped.
const maxMails = 5000

// Mail is one mail the catcher accepted, decoded for reading.
type Mail struct {
	ID      int       `json:"id"`
	At      time.Time `json:"at"`
	From    string    `json:"from"`
	To      []string  `json:"to"`
	Subject string    `json:"subject"`
	// Lang is the mail's Content-Language, as the sender chose it for
	// its recipient.
	Lang string `json:"lang"`
	// Text and HTML are the plain and HTML versions of the body.
	Text string `json:"text"`
	HTML string `json:"-"`
	Raw  []byte `json:"-"`
}

// Mailbox is a local SMTP server on loopback that keeps the mails it is
// given in memory, in place of the host's mail relay: nothing leaves the
// machine. It is safe for concurrent use.
type Mailbox struct {
	// Host and Port are where the SMTP server listens.
	Host string
	Port int

	srv *smtp.Server
	// featured is an address the page links to at the top, with its
	// label (the demo customer's).
	featured, featuredLabel string

	mu    sync.Mutex
	mails []Mail
	next  int
}

// StartMailbox starts the SMTP server on a free loopback port.
func StartMailbox() (*Mailbox, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("mail catcher: listen: %w", err)
	}
	addr := ln.Addr().(*net.TCPAddr)
	m := &Mailbox{Host: addr.IP.String(), Port: addr.Port}
	m.srv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{m: m}, nil }))
	m.srv.Domain = "mail.demo.invalid"
	m.srv.ReadTimeout, m.srv.WriteTimeout = 30*time.Second, 30*time.Second
	m.srv.MaxMessageBytes = 4 << 20
	m.srv.ErrorLog = log.New(io.Discard, "", 0)
	go func() { _ = m.srv.Serve(ln) }()
	return m, nil
}

// Feature makes the page link to the mails of address at its top.
func (m *Mailbox) Feature(address, label string) {
	m.featured, m.featuredLabel = strings.ToLower(address), label
}

// Close stops the SMTP server.
func (m *Mailbox) Close() error { return m.srv.Close() }

// ChannelConfig is the settings of an e-mail channel that sends to the
// mailbox: plain SMTP, which the sender allows on loopback only.
func (m *Mailbox) ChannelConfig() map[string]string {
	return map[string]string{"host": m.Host, "port": strconv.Itoa(m.Port), "tls": "none",
		"from": "status@demo.example", "from_name": "Vigie (demo)"}
}

// Mails returns the mails kept, newest first; with to set, only those to
// that address.
func (m *Mailbox) Mails(to string) []Mail {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]Mail, 0, len(m.mails))
	for i := len(m.mails) - 1; i >= 0; i-- {
		if to == "" || slices.Contains(m.mails[i].To, strings.ToLower(to)) {
			out = append(out, m.mails[i])
		}
	}
	return out
}

// Mail returns the mail numbered id.
func (m *Mailbox) Mail(id int) (Mail, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	i, found := slices.BinarySearchFunc(m.mails, id, func(x Mail, id int) int { return x.ID - id })
	if !found {
		return Mail{}, false
	}
	return m.mails[i], true
}

// Count returns how many mails were accepted since the start.
func (m *Mailbox) Count() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.next
}

func (m *Mailbox) keep(from string, to []string, raw []byte) {
	mail := decode(raw)
	mail.From, mail.At = from, time.Now()
	for _, t := range to {
		mail.To = append(mail.To, strings.ToLower(t))
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.next++
	mail.ID = m.next
	if len(m.mails) >= maxMails {
		m.mails = slices.Delete(m.mails, 0, len(m.mails)-maxMails+1)
	}
	m.mails = append(m.mails, mail)
}

// session is one SMTP conversation: any sender, any recipient.
type session struct {
	m    *Mailbox
	from string
	to   []string
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return fmt.Errorf("mail catcher: read mail: %w", err)
	}
	s.m.keep(s.from, s.to, raw)
	return nil
}

func (s *session) Reset()        { s.from, s.to = "", nil }
func (s *session) Logout() error { return nil }

// decode reads the subject, language and the plain and HTML bodies of a
// raw mail; what cannot be decoded is shown raw.
func decode(raw []byte) Mail {
	out := Mail{Raw: raw}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		out.Text = string(raw)
		return out
	}
	dec := new(mime.WordDecoder)
	out.Subject = msg.Header.Get("Subject")
	if s, err := dec.DecodeHeader(out.Subject); err == nil {
		out.Subject = s
	}
	out.Lang = msg.Header.Get("Content-Language")
	if err := readPart(&out, msg.Header, msg.Body); err != nil {
		out.Text = string(raw)
	}
	return out
}

// header is what readPart needs of a header: mail.Header and the
// textproto.MIMEHeader of a part both have it.
type header interface{ Get(string) string }

// readPart fills the text and HTML of out from one part, descending into
// multipart ones.
func readPart(out *Mail, h header, body io.Reader) error {
	media, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil {
		media = "text/plain"
	}
	if strings.HasPrefix(media, "multipart/") {
		r := multipart.NewReader(body, params["boundary"])
		for {
			p, err := r.NextRawPart()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return fmt.Errorf("read part: %w", err)
			}
			if err := readPart(out, p.Header, p); err != nil {
				return err
			}
		}
	}
	switch strings.ToLower(h.Get("Content-Transfer-Encoding")) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body) // it skips line breaks
	}
	b, err := io.ReadAll(body)
	if err != nil {
		return fmt.Errorf("read body: %w", err)
	}
	switch media {
	case "text/plain":
		if out.Text == "" {
			out.Text = string(b)
		}
	case "text/html":
		if out.HTML == "" {
			out.HTML = string(b)
		}
	}
	return nil
}

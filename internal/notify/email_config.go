package notify

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"net/mail"
	"slices"
	"strconv"
	"strings"
)

// The TLS modes of an e-mail channel.
const (
	emailSTARTTLS = "starttls" // mandatory STARTTLS: a server without it is refused
	emailTLS      = "tls"      // implicit TLS from the first byte
	emailNoTLS    = "none"     // plain text, loopback servers only
)

// emailKeys are the settings an e-mail channel knows; any other is a typo.
var emailKeys = []string{"host", "port", "tls", "username", "from", "from_name", "reply_to"}

// emailConfig is an e-mail channel's settings, checked.
type emailConfig struct {
	host     string
	port     int
	tls      string
	username string
	password string
	from     *mail.Address
	replyTo  *mail.Address
}

// parseEmailConfig checks a channel's settings; an error names the bad one.
func parseEmailConfig(ch *Channel) (*emailConfig, error) {
	for k := range ch.Config {
		if !slices.Contains(emailKeys, k) {
			return nil, fmt.Errorf("email channel: unknown setting %q (known: %s)", k, strings.Join(emailKeys, ", "))
		}
	}
	c := &emailConfig{
		host:     strings.TrimSpace(ch.Config["host"]),
		tls:      strings.ToLower(strings.TrimSpace(ch.Config["tls"])),
		username: ch.Config["username"],
		password: ch.Secret,
	}
	if c.host == "" || strings.ContainsAny(c.host, " /:") && net.ParseIP(c.host) == nil {
		return nil, fmt.Errorf("email channel: host: %q is not a host name or address", c.host)
	}
	switch c.tls {
	case "", emailSTARTTLS:
		c.tls, c.port = emailSTARTTLS, 587
	case emailTLS:
		c.port = 465
	case emailNoTLS:
		// Plain text would carry the password and the mails in clear over
		// a network: only a relay on this machine may be spoken to so.
		if !isLoopback(c.host) {
			return nil, fmt.Errorf("email channel: tls: %q is only allowed for a loopback host, not %q", emailNoTLS, c.host)
		}
		c.port = 25
	default:
		return nil, fmt.Errorf("email channel: tls: %q is not one of %s, %s, %s", c.tls, emailSTARTTLS, emailTLS, emailNoTLS)
	}
	if p := strings.TrimSpace(ch.Config["port"]); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("email channel: port: %q is not a port number", p)
		}
		c.port = n
	}
	from, err := mail.ParseAddress(strings.TrimSpace(ch.Config["from"]))
	if err != nil {
		return nil, fmt.Errorf("email channel: from: %q is not an e-mail address", ch.Config["from"])
	}
	from.Name = strings.TrimSpace(ch.Config["from_name"])
	c.from = from
	if r := strings.TrimSpace(ch.Config["reply_to"]); r != "" {
		if c.replyTo, err = mail.ParseAddress(r); err != nil {
			return nil, fmt.Errorf("email channel: reply_to: %q is not an e-mail address", r)
		}
	}
	return c, nil
}

// fingerprint identifies the settings and secret a connection was opened
// with, so that a changed channel gets new connections. The secret only
// enters a hash.
func (c *emailConfig) fingerprint() string {
	h := sha256.New()
	for _, s := range []string{c.host, strconv.Itoa(c.port), c.tls, c.username, c.password} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// isLoopback reports whether host names this machine.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

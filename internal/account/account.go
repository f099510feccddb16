// Package account invites customers' contacts to the customer area and
// mails them their one-time links (invitation, sign-in, password reset)
// through the notification outbox, in the contact's language. The link, its
// mail and, for an invitation, the contact itself are written in one
// transaction: without an e-mail channel for customers nothing is kept.
package account

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/i18n"
	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/notify"
	"github.com/vigie/vigie/internal/store"
)

// LinkPath is where a contact's e-mail link lands, followed by its token.
const LinkPath = "/account/link/"

// ErrNoMailChannel is returned, wrapped, when no enabled e-mail channel
// serves customers: nothing was created or sent. NoMailChannelHelp says
// what to do about it.
var ErrNoMailChannel = notify.ErrNoMailChannel

// NoMailChannelHelp is what staff are told when ErrNoMailChannel stops an
// invitation.
const NoMailChannelHelp = "configure an e-mail channel for customers: " +
	"vigie channel add mail --kind email --audience customers --config host=… --config from=… (see vigie channel --help)"

// Mailer issues contacts' links and queues the mails carrying them.
type Mailer struct {
	DB        *store.DB
	Auth      *auth.Service
	Inventory *inventory.Service
	Notify    *notify.Store
	Texts     *i18n.Bundle
	// PublicURL is the server's public address, the links' base;
	// Host the host's name in the mails.
	PublicURL, Host string
	// Now dates links (default time.Now).
	Now func() time.Time
}

func (m *Mailer) now() time.Time {
	if m.Now == nil {
		return time.Now()
	}
	return m.Now()
}

// Invite adds a contact to a customer and queues their invitation, in one
// transaction. A contact without a language or zone takes the customer's.
// An unknown customer gives an error wrapping store.ErrNotFound, an address
// already a contact one wrapping store.ErrConflict, no e-mail channel for
// customers one wrapping ErrNoMailChannel.
func (m *Mailer) Invite(ctx context.Context, c auth.Contact) (auth.Contact, error) {
	cust, err := m.Inventory.Customer(ctx, c.Customer)
	if err != nil {
		return auth.Contact{}, fmt.Errorf("invite contact: %w", err)
	}
	if c.Lang == "" {
		c.Lang = langOf(cust.Language)
	}
	if c.Zone == "" {
		c.Zone = cust.Timezone
	}
	err = m.DB.InTx(ctx, func(tx *sql.Tx) error {
		var err error
		if c, err = m.Auth.AddContactTx(ctx, tx, c); err != nil {
			return err
		}
		return m.queueLink(ctx, tx, c, auth.LinkInvite)
	})
	if err != nil {
		return auth.Contact{}, fmt.Errorf("invite %s: %w", c.Email, err)
	}
	if invited, err := m.Auth.Contact(ctx, c.ID); err == nil {
		c = invited // with the invitation's date
	}
	return c, nil
}

// Send issues a new link of a purpose for a contact, which replaces their
// unused one of that purpose, and queues its mail, in one transaction: when
// the mail cannot be queued the older link keeps working.
func (m *Mailer) Send(ctx context.Context, c auth.Contact, purpose auth.LinkPurpose) error {
	err := m.DB.InTx(ctx, func(tx *sql.Tx) error { return m.queueLink(ctx, tx, c, purpose) })
	if err != nil {
		return fmt.Errorf("send %s link to %s: %w", purpose, c.Email, err)
	}
	return nil
}

// queueLink issues the link and queues its mail in tx.
func (m *Mailer) queueLink(ctx context.Context, tx *sql.Tx, c auth.Contact, purpose auth.LinkPurpose) error {
	now := m.now()
	token, _, err := m.Auth.IssueLinkTx(ctx, tx, c.ID, purpose, now)
	if err != nil {
		return err
	}
	to := notify.Recipient{Kind: "contact", ID: c.Email, Address: c.Email, Name: c.Name, Lang: c.Lang, Zone: c.Zone}
	d := m.direct(c, purpose, token)
	d.Key = fmt.Sprintf("account/%s/%d/%d", purpose, c.ID, now.UnixNano())
	if _, err := m.Notify.EnqueueDirect(ctx, tx, notify.AudienceCustomers, to, d); err != nil {
		return fmt.Errorf("queue the %s mail: %w", purpose, err)
	}
	return nil
}

// LinkURL is the address of a link token on the server at publicURL,
// whose page speaks lang.
func LinkURL(publicURL, token, lang string) string {
	return strings.TrimRight(publicURL, "/") + LinkPath + url.PathEscape(token) + "?lang=" + url.QueryEscape(lang)
}

// direct is the mail of a link, in both languages.
func (m *Mailer) direct(c auth.Contact, purpose auth.LinkPurpose, token string) notify.Direct {
	host := m.Host
	if host == "" {
		host = "Vigie"
	}
	texts := func(id string) notify.Text {
		in := func(lang string) string {
			return m.Texts.T(lang, id, map[string]any{"Host": host, "Name": c.Name, "Valid": lifetime(lang, auth.LinkLifetime(purpose))})
		}
		return notify.Text{FR: in("fr"), EN: in("en")}
	}
	key := map[auth.LinkPurpose]string{auth.LinkInvite: "Invite", auth.LinkMagic: "Magic", auth.LinkReset: "Reset"}[purpose]
	greeting := texts("AccountMailHello")
	if c.Name == "" {
		greeting = texts("AccountMailHelloNoName")
	}
	body := texts("AccountMail" + key + "Body")
	return notify.Direct{
		Subject:   texts("AccountMail" + key + "Subject"),
		Body:      notify.Text{FR: greeting.FR + "\n\n" + body.FR, EN: greeting.EN + "\n\n" + body.EN},
		Link:      LinkURL(m.PublicURL, token, c.Lang),
		LinkLabel: texts("AccountMail" + key + "Link"),
	}
}

// lifetime says how long a link is good for, in words: "7 jours",
// "1 hour", "15 minutes".
func lifetime(lang string, d time.Duration) string {
	units := []struct {
		size      time.Duration
		one, many [2]string // French, English
	}{
		{24 * time.Hour, [2]string{"jour", "day"}, [2]string{"jours", "days"}},
		{time.Hour, [2]string{"heure", "hour"}, [2]string{"heures", "hours"}},
		{time.Minute, [2]string{"minute", "minute"}, [2]string{"minutes", "minutes"}},
	}
	i := 0
	if lang == "en" {
		i = 1
	}
	for _, u := range units {
		if d >= u.size && d%u.size == 0 {
			n, word := int(d/u.size), u.many[i]
			if n == 1 {
				word = u.one[i]
			}
			return fmt.Sprintf("%d %s", n, word)
		}
	}
	return d.String()
}

// langOf is a customer's language as a contact's: "en" or "fr".
func langOf(lang string) string {
	if lang == "en" {
		return "en"
	}
	return "fr"
}

// Package notify tells people about incidents and maintenance: a durable
// outbox of messages written in the same transaction as the events that
// cause them, delivered by workers on the leader with retries, exponential
// backoff with jitter, an idempotency key per message, a rate limit per
// channel and dead letters; the channels that carry them (e-mail, chat
// webhooks, Mastodon, the Discourse forum); who gets what (customers by
// their assets, the public channels for platform-wide events, the staff on
// duty); and the texts, in French and English.
package notify

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Kind is the kind of a channel: the protocol its sender speaks.
type Kind string

// The channel kinds.
const (
	KindEmail     Kind = "email"     // SMTP (STARTTLS or implicit TLS, auth)
	KindWebhook   Kind = "webhook"   // generic JSON, HMAC-SHA256 signed
	KindSlack     Kind = "slack"     // Slack and Mattermost incoming webhooks
	KindDiscord   Kind = "discord"   // Discord webhooks
	KindMastodon  Kind = "mastodon"  // a status, later updates as replies
	KindDiscourse Kind = "discourse" // a topic per incident, updates as replies
)

// Kinds lists every channel kind.
var Kinds = []Kind{KindEmail, KindWebhook, KindSlack, KindDiscord, KindMastodon, KindDiscourse}

// Audience is who a channel speaks to.
type Audience string

// The audiences. Customers are reached one by one (e-mail); the public
// channels get platform-wide incidents and maintenance; staff get pages.
const (
	AudienceCustomers Audience = "customers"
	AudiencePublic    Audience = "public"
	AudienceStaff     Audience = "staff"
)

// Channel is one configured way out. Config holds the settings of its
// kind (see each sender); Secret (an SMTP password, a signing secret, an
// access token, an API key) is write-only: it is stored, used, and never
// shown again, by the API or the CLI.
type Channel struct {
	ID        string            `json:"id"`
	Kind      Kind              `json:"kind"`
	Name      string            `json:"name"`
	Audiences []Audience        `json:"audiences"`
	Enabled   bool              `json:"enabled"`
	Config    map[string]string `json:"config"`
	// RatePerMinute caps what the channel sends (0: the kind's default).
	RatePerMinute int       `json:"rate_per_minute"`
	Secret        string    `json:"-"`
	SecretSet     bool      `json:"secret_set"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// Recipient is who one message is for.
type Recipient struct {
	// Kind is "customer", "staff" or "channel" (a public or shared
	// channel: the chat room, the Mastodon account, the forum).
	Kind string `json:"kind"`
	// ID is the customer id, the staff member's e-mail, or the channel id.
	ID string `json:"id"`
	// Address is where an e-mail goes ("" for other channels).
	Address string `json:"address,omitempty"`
	Name    string `json:"name,omitempty"`
	// Lang is "fr" or "en"; Zone an IANA time-zone name.
	Lang string `json:"lang"`
	Zone string `json:"zone"`
}

// Text is a text in both languages.
type Text struct {
	FR string `json:"fr,omitempty"`
	EN string `json:"en,omitempty"`
}

// In returns the text in lang, the other language when it has none.
func (t Text) In(lang string) string {
	if lang == "en" && t.EN != "" || t.FR == "" {
		return t.EN
	}
	return t.FR
}

// Topic is what a message is about, for opt-outs and templates.
type Topic string

// The topics.
const (
	TopicIncident    Topic = "incident"
	TopicMaintenance Topic = "maintenance"
	TopicSiteProblem Topic = "site-problem"
	TopicPage        Topic = "page" // staff paging; no opt-out
)

// Item is one thing a message tells: an incident opening or changing, a
// public update, a maintenance notice, a page. A message holds one item,
// or several gathered in one coalescing window (a summary).
type Item struct {
	Topic Topic `json:"topic"`
	// Event says what happened: opened, update, identified, monitoring,
	// resolved (incidents); scheduled, changed, cancelled, ahead, started,
	// ended (maintenance); page, escalation (staff).
	Event         string    `json:"event"`
	At            time.Time `json:"at"`
	IncidentID    int64     `json:"incident_id,omitempty"`
	MaintenanceID int64     `json:"maintenance_id,omitempty"`
	// Title is the incident's or window's public name; Body the public
	// text of this update, exactly as the status page shows it.
	Title Text `json:"title"`
	Body  Text `json:"body"`
	// Status is the incident's status after this item; Severity its
	// severity (critical, major, minor).
	Status   string `json:"status,omitempty"`
	Severity string `json:"severity,omitempty"`
	// Components are the public components touched, by name.
	Components []Text `json:"components,omitempty"`
	// Sites are the recipient's own affected sites (customers only).
	Sites []string `json:"sites,omitempty"`
	// SitesMore counts affected sites of the recipient beyond Sites.
	SitesMore int `json:"sites_more,omitempty"`
	// Start and End bound a maintenance window; StartedAt is when an
	// incident's impact began.
	Start     *time.Time `json:"start,omitempty"`
	End       *time.Time `json:"end,omitempty"`
	StartedAt *time.Time `json:"started_at,omitempty"`
	// Link is the public page of the incident or window; AckLink, on
	// pages, acknowledges the incident.
	Link    string `json:"link,omitempty"`
	AckLink string `json:"ack_link,omitempty"`
	// LinkLabel labels Link in a direct mail.
	LinkLabel Text `json:"link_label,omitzero"`
	// Internal is the staff-only detail of a page (roots, scope).
	Internal string `json:"internal,omitempty"`
}

// Message is one notification for one recipient on one channel: the
// unit the outbox stores, delivers, retries and dead-letters.
type Message struct {
	ID int64 `json:"id"`
	// Key is the idempotency key: the same message delivered twice
	// carries the same key (Idempotency-Key, X-Vigie-Delivery, Message-ID).
	Key       string    `json:"key"`
	Channel   string    `json:"channel"`
	Recipient Recipient `json:"recipient"`
	Topic     Topic     `json:"topic"`
	// Thread groups the messages of one incident or window on a channel
	// ("incident/12", "maintenance/4"); "" for a summary.
	Thread     string `json:"thread,omitempty"`
	IncidentID int64  `json:"incident_id,omitempty"`
	Items      []Item `json:"items"`
	// Unsubscribe is the signed one-click opt-out link (customers).
	Unsubscribe string `json:"unsubscribe,omitempty"`

	State     State      `json:"state"`
	Attempts  int        `json:"attempts"`
	NotBefore time.Time  `json:"not_before"`
	LastError string     `json:"last_error,omitempty"`
	RemoteID  string     `json:"remote_id,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	SentAt    *time.Time `json:"sent_at,omitempty"`
}

// State is where a message is in its delivery.
type State string

// The states of a message.
const (
	StatePending State = "pending" // waiting for its time or its retry
	StateSending State = "sending" // claimed by a worker, under a lease
	StateSent    State = "sent"
	StateDead    State = "dead" // gave up after MaxAttempts; staff may resend
)

// Summary reports whether the message gathers items of several incidents
// or windows: it is then rendered as one summary.
func (m *Message) Summary() bool {
	first := ""
	for _, it := range m.Items {
		k := fmt.Sprintf("%d/%d", it.IncidentID, it.MaintenanceID)
		if first == "" {
			first = k
		} else if k != first {
			return true
		}
	}
	return false
}

// Rendered is a message's text in the recipient's language, in every form
// a sender may need.
type Rendered struct {
	Lang    string `json:"lang"`
	Subject string `json:"subject"`
	// Text is plain text (e-mail, webhooks); HTML a whole e-mail body.
	Text string `json:"text"`
	HTML string `json:"html,omitempty"`
	// Short fits a Mastodon status (500 characters, link included).
	Short string `json:"short"`
	// Markdown is for Discourse posts and chat (Slack, Mattermost,
	// Discord).
	Markdown string `json:"markdown"`
}

// Thread is what a channel remembers of an earlier message of the same
// thread, so that the next one follows it: the Mastodon status to reply
// to, the Discourse topic to post in.
type Thread struct {
	Key string
	// RemoteID is what the last sent message of the thread returned ("" if
	// it is the first).
	RemoteID string
}

// Outgoing is what a sender is handed: one message, rendered.
type Outgoing struct {
	Message  *Message
	Rendered Rendered
	Thread   Thread
	// Host is the server's public host name, for Message-IDs.
	Host string
}

// Sender delivers one message on one kind of channel. Send returns the
// remote id of what it created (a status id, a topic id, a Message-ID),
// kept as the thread's RemoteID for the next message. An error wrapped
// with Permanent is not retried (the message goes to the dead letters);
// any other error is retried with backoff.
type Sender interface {
	Send(ctx context.Context, ch *Channel, out *Outgoing) (remoteID string, err error)
}

// Validator is implemented by senders that check a channel's settings
// before it is saved: an error names the setting.
type Validator interface {
	Validate(ch *Channel) error
}

type permanentError struct{ err error }

func (e permanentError) Error() string { return e.err.Error() }
func (e permanentError) Unwrap() error { return e.err }

// Permanent marks err as not worth retrying (a refused address, a 4xx
// other than 408 and 429).
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanentError{err}
}

// IsPermanent reports whether err was marked Permanent.
func IsPermanent(err error) bool {
	var p permanentError
	return errors.As(err, &p)
}

package notify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// The headers of a generic webhook delivery.
const (
	webhookDeliveryHeader  = "X-Vigie-Delivery"
	webhookTimestampHeader = "X-Vigie-Timestamp"
	webhookSignatureHeader = "X-Vigie-Signature"
)

// WebhookTolerance is how far a delivery's timestamp may be from the
// receiver's clock before VerifyWebhook refuses it as a replay.
const WebhookTolerance = 5 * time.Minute

// WebhookType is the "type" of every generic webhook payload.
const WebhookType = "vigie.notification"

// Errors of VerifyWebhook, to be checked with errors.Is.
var (
	ErrWebhookSignature = errors.New("webhook signature missing or wrong")
	ErrWebhookTimestamp = errors.New("webhook timestamp missing, malformed or outside the tolerance")
)

// WebhookPayload is the JSON body of a generic webhook delivery.
type WebhookPayload struct {
	// ID is the message's idempotency key, also sent as X-Vigie-Delivery.
	ID         string           `json:"id"`
	Type       string           `json:"type"`
	Topic      Topic            `json:"topic"`
	Channel    string           `json:"channel"`
	Thread     string           `json:"thread,omitempty"`
	IncidentID int64            `json:"incident_id,omitempty"`
	Recipient  WebhookRecipient `json:"recipient"`
	Items      []Item           `json:"items"`
	Subject    string           `json:"subject"`
	Text       string           `json:"text"`
	Lang       string           `json:"lang"`
	SentAt     time.Time        `json:"sent_at"`
}

// WebhookRecipient is who a webhook delivery is for, without any address.
type WebhookRecipient struct {
	Kind string `json:"kind"`
	ID   string `json:"id"`
	Lang string `json:"lang"`
}

// WebhookSender posts a signed generic JSON payload. Config "url" is where
// (http or https); the channel's Secret is the HMAC-SHA256 signing secret.
type WebhookSender struct {
	web webPoster
	now func() time.Time
}

// NewWebhookSender returns a webhook sender using client (nil: a client with
// a 10 s timeout) and now (nil: time.Now).
func NewWebhookSender(client *http.Client, now func() time.Time) *WebhookSender {
	p := newWebPoster(client, now)
	return &WebhookSender{web: p, now: p.now}
}

// Validate checks the url and the signing secret.
func (s *WebhookSender) Validate(ch *Channel) error {
	if _, err := webURLSetting("url", ch.Config["url"], false); err != nil {
		return err
	}
	if ch.Secret == "" {
		return errors.New("secret: required (the signing secret)")
	}
	return nil
}

// Send posts the payload, signed, with the message key as X-Vigie-Delivery
// so that a receiver can drop a retried duplicate.
func (s *WebhookSender) Send(ctx context.Context, ch *Channel, out *Outgoing) (string, error) {
	if err := s.Validate(ch); err != nil {
		return "", Permanent(fmt.Errorf("channel %s: %w", ch.ID, err))
	}
	m := out.Message
	items := m.Items
	if items == nil {
		items = []Item{}
	}
	now := s.now()
	body, err := json.Marshal(WebhookPayload{
		ID: m.Key, Type: WebhookType, Topic: m.Topic, Channel: m.Channel,
		Thread: m.Thread, IncidentID: m.IncidentID,
		Recipient: WebhookRecipient{Kind: m.Recipient.Kind, ID: m.Recipient.ID, Lang: m.Recipient.Lang},
		Items:     items, Subject: out.Rendered.Subject, Text: out.Rendered.Text,
		Lang: out.Rendered.Lang, SentAt: now.UTC(),
	})
	if err != nil {
		return "", Permanent(fmt.Errorf("channel %s: encode webhook: %w", ch.ID, err))
	}
	ts := strconv.FormatInt(now.Unix(), 10)
	h := http.Header{}
	h.Set(webhookDeliveryHeader, m.Key)
	h.Set(webhookTimestampHeader, ts)
	h.Set(webhookSignatureHeader, webhookSignature(ch.Secret, ts, body))
	_, err = s.web.post(ctx, webCall{
		channel: ch.ID, url: ch.Config["url"], header: h, body: body,
		secrets: []string{ch.Secret},
	})
	return "", err
}

// webhookSignature is "sha256=" and the hex HMAC-SHA256, keyed by secret,
// of the timestamp, a dot and the body.
func webhookSignature(secret, ts string, body []byte) string {
	return "sha256=" + hex.EncodeToString(webhookMAC(secret, ts, body))
}

func webhookMAC(secret, ts string, body []byte) []byte {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return mac.Sum(nil)
}

// VerifyWebhook checks, on the receiving side, that a delivery was signed
// with secret and that its timestamp is within tolerance of now (0: the
// default WebhookTolerance), so that a captured delivery cannot be replayed
// later. body must be the raw request body, byte for byte.
func VerifyWebhook(secret string, header http.Header, body []byte, now time.Time, tolerance time.Duration) error {
	if secret == "" {
		return fmt.Errorf("verify webhook: no secret: %w", ErrWebhookSignature)
	}
	if tolerance <= 0 {
		tolerance = WebhookTolerance
	}
	ts := header.Get(webhookTimestampHeader)
	if !webhookDigits(ts) {
		return fmt.Errorf("verify webhook: %s: %w", webhookTimestampHeader, ErrWebhookTimestamp)
	}
	sig, ok := webhookHex(header.Get(webhookSignatureHeader))
	if !ok || !hmac.Equal(sig, webhookMAC(secret, ts, body)) {
		return fmt.Errorf("verify webhook: %s: %w", webhookSignatureHeader, ErrWebhookSignature)
	}
	// Checked after the signature, so that "outside the tolerance" means a
	// genuine delivery that is late or early: a replay or a clock skew.
	sec, _ := strconv.ParseInt(ts, 10, 64)
	if age := now.Sub(time.Unix(sec, 0)); age > tolerance || age < -tolerance {
		return fmt.Errorf("verify webhook: %s is %s away from now: %w",
			webhookTimestampHeader, age.Round(time.Second), ErrWebhookTimestamp)
	}
	return nil
}

// webhookDigits reports whether ts is a plain unix time in seconds: ASCII
// digits only (no sign, no space), short enough to fit an int64.
func webhookDigits(ts string) bool {
	if ts == "" || len(ts) > 18 {
		return false
	}
	for i := 0; i < len(ts); i++ {
		if ts[i] < '0' || ts[i] > '9' {
			return false
		}
	}
	return true
}

// webhookHex decodes "sha256=<64 hex digits>".
func webhookHex(v string) ([]byte, bool) {
	const prefix = "sha256="
	if len(v) != len(prefix)+2*sha256.Size || v[:len(prefix)] != prefix {
		return nil, false
	}
	b, err := hex.DecodeString(v[len(prefix):])
	return b, err == nil
}

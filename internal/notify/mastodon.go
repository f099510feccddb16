package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"
)

// mastodonMaxStatus is a status's length on a stock Mastodon instance.
const mastodonMaxStatus = 500

// MastodonSender posts a status per message; the later messages of a
// thread are replies to the previous one, so that an incident reads as one
// thread. Config "instance" is the instance's base URL, "visibility" public
// (the default) or unlisted, "language" the fallback language of the
// statuses; the channel's Secret is the account's access token.
type MastodonSender struct {
	web webPoster
}

// NewMastodonSender returns a Mastodon sender using client (nil: a client
// with a 10 s timeout) and now (nil: time.Now).
func NewMastodonSender(client *http.Client, now func() time.Time) *MastodonSender {
	return &MastodonSender{web: newWebPoster(client, now)}
}

// Validate checks the instance, the visibility, the language and the token.
func (s *MastodonSender) Validate(ch *Channel) error {
	if _, err := webURLSetting("instance", ch.Config["instance"], true); err != nil {
		return err
	}
	switch ch.Config["visibility"] {
	case "", "public", "unlisted":
	default:
		return errors.New("visibility: must be public or unlisted")
	}
	if l := ch.Config["language"]; l != "" && !mastodonLanguage(l) {
		return errors.New("language: must be an ISO 639 code such as fr or en")
	}
	if ch.Secret == "" {
		return errors.New("secret: required (the access token)")
	}
	return nil
}

func mastodonLanguage(l string) bool {
	if len(l) < 2 || len(l) > 3 {
		return false
	}
	for i := 0; i < len(l); i++ {
		if l[i] < 'a' || l[i] > 'z' {
			return false
		}
	}
	return true
}

type mastodonStatus struct {
	Status      string `json:"status"`
	Visibility  string `json:"visibility"`
	Language    string `json:"language,omitempty"`
	InReplyToID string `json:"in_reply_to_id,omitempty"`
}

// Send posts Rendered.Short as a status, a reply to Thread.RemoteID when
// set, with the message key as Idempotency-Key so that a retry after a lost
// answer returns the status already made. The remote id is the status id.
func (s *MastodonSender) Send(ctx context.Context, ch *Channel, out *Outgoing) (string, error) {
	if err := s.Validate(ch); err != nil {
		return "", Permanent(fmt.Errorf("channel %s: %w", ch.ID, err))
	}
	short := out.Rendered.Short
	if n := utf8.RuneCountInString(short); n == 0 || n > mastodonMaxStatus {
		return "", Permanent(fmt.Errorf("channel %s: status of %d characters, want 1 to %d", ch.ID, n, mastodonMaxStatus))
	}
	st := mastodonStatus{
		Status:      short,
		Visibility:  ch.Config["visibility"],
		Language:    out.Rendered.Lang,
		InReplyToID: out.Thread.RemoteID,
	}
	if st.Visibility == "" {
		st.Visibility = "public"
	}
	if st.Language == "" {
		st.Language = ch.Config["language"]
	}
	body, err := json.Marshal(st)
	if err != nil {
		return "", Permanent(fmt.Errorf("channel %s: encode: %w", ch.ID, err))
	}
	h := http.Header{}
	h.Set("Authorization", "Bearer "+ch.Secret)
	if out.Message.Key != "" {
		h.Set("Idempotency-Key", out.Message.Key)
	}
	answer, err := s.web.post(ctx, webCall{
		channel: ch.ID,
		url:     strings.TrimRight(ch.Config["instance"], "/") + "/api/v1/statuses",
		header:  h, body: body, secrets: []string{ch.Secret},
	})
	if err != nil {
		return "", err
	}
	var created struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(answer, &created); err != nil || created.ID == "" {
		// Retrying is safe: the Idempotency-Key brings back the same status.
		return "", fmt.Errorf("channel %s: the instance answered no status id", ch.ID)
	}
	return created.ID, nil
}

package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// discourseMaxTitle is the longest topic title on a stock Discourse.
const discourseMaxTitle = 255

// DiscourseSender opens a forum topic for the first message of a thread
// and posts the later ones as replies in it. Config "url" is the forum's
// base URL, "category" the numeric id of the category new topics go to,
// "username" the account that posts (Api-Username); the channel's Secret
// is the API key. A summary (a message without a thread) opens a topic of
// its own each time.
type DiscourseSender struct {
	web webPoster
}

// NewDiscourseSender returns a Discourse sender using client (nil: a client
// with a 10 s timeout) and now (nil: time.Now).
func NewDiscourseSender(client *http.Client, now func() time.Time) *DiscourseSender {
	return &DiscourseSender{web: newWebPoster(client, now)}
}

// Validate checks the forum URL, the category, the username and the key.
func (s *DiscourseSender) Validate(ch *Channel) error {
	if _, err := webURLSetting("url", ch.Config["url"], true); err != nil {
		return err
	}
	if c := ch.Config["category"]; c == "" {
		return errors.New("category: required (the numeric id of the category)")
	} else if n, err := strconv.ParseInt(c, 10, 64); err != nil || n <= 0 {
		return errors.New("category: must be the numeric id of a category")
	}
	if strings.TrimSpace(ch.Config["username"]) == "" {
		return errors.New("username: required (the account that posts)")
	}
	if ch.Secret == "" {
		return errors.New("secret: required (the API key)")
	}
	return nil
}

// discoursePost is the body of POST /posts.json: a new topic (Title,
// Category, ExternalID) or a reply (TopicID).
type discoursePost struct {
	Title      string `json:"title,omitempty"`
	Raw        string `json:"raw"`
	Category   int64  `json:"category,omitempty"`
	ExternalID string `json:"external_id,omitempty"`
	TopicID    int64  `json:"topic_id,omitempty"`
}

// Send posts the Markdown rendering: a new topic when the thread has none
// yet, else a reply in Thread.RemoteID. The remote id is the topic id.
func (s *DiscourseSender) Send(ctx context.Context, ch *Channel, out *Outgoing) (string, error) {
	if err := s.Validate(ch); err != nil {
		return "", Permanent(fmt.Errorf("channel %s: %w", ch.ID, err))
	}
	p := discoursePost{Raw: out.Rendered.Markdown}
	if out.Thread.RemoteID == "" {
		p.Category, _ = strconv.ParseInt(ch.Config["category"], 10, 64)
		p.Title = discourseTitle(out.Rendered.Subject, out.Message, s.web.now())
		p.ExternalID = discourseExternalID(out.Thread.Key)
	} else {
		id, err := strconv.ParseInt(out.Thread.RemoteID, 10, 64)
		if err != nil || id <= 0 {
			return "", Permanent(fmt.Errorf("channel %s: thread's topic id is not a number", ch.ID))
		}
		p.TopicID = id
	}
	body, err := json.Marshal(p)
	if err != nil {
		return "", Permanent(fmt.Errorf("channel %s: encode: %w", ch.ID, err))
	}
	h := http.Header{}
	h.Set("Api-Key", ch.Secret)
	h.Set("Api-Username", ch.Config["username"])
	base := strings.TrimRight(ch.Config["url"], "/")
	answer, err := s.web.post(ctx, webCall{
		channel: ch.ID,
		url:     base + "/posts.json",
		header:  h, body: body, secrets: []string{ch.Secret},
	})
	if err != nil && p.ExternalID != "" && webStatus(err) == http.StatusUnprocessableEntity {
		// A first post whose answer was lost made its topic: the retry is
		// refused as a duplicate. The topic found by its external id is
		// this message delivered, and the thread to follow.
		if id, ok := s.topicOf(ctx, ch, base, h, p.ExternalID); ok {
			return id, nil
		}
	}
	if err != nil {
		return "", err
	}
	var created struct {
		TopicID int64 `json:"topic_id"`
	}
	if json.Unmarshal(answer, &created) != nil || created.TopicID == 0 {
		if p.TopicID != 0 {
			return out.Thread.RemoteID, nil // the reply is posted; the thread stays
		}
		return "", fmt.Errorf("channel %s: the forum answered no topic id", ch.ID)
	}
	return strconv.FormatInt(created.TopicID, 10), nil
}

// discourseTitle is subject followed by the date of the message. The date
// makes the title long enough (Discourse wants 15 characters) and unique:
// Discourse refuses a title already used, and the same component can fail
// twice, or two summaries say the same thing.
func discourseTitle(subject string, m *Message, now time.Time) string {
	at := now
	if m != nil && len(m.Items) > 0 && !m.Items[0].At.IsZero() {
		at = m.Items[0].At
	}
	date := " — " + at.UTC().Format("2006-01-02 15:04 UTC")
	t := strings.Join(strings.Fields(subject), " ")
	if t == "" {
		t = "Vigie"
	}
	if room := discourseMaxTitle - utf8.RuneCountInString(date); utf8.RuneCountInString(t) > room {
		t = string([]rune(t)[:room-1]) + "…"
	}
	return t + date
}

// discourseExternalID names a thread's topic on the forum: Discourse wants
// letters, digits, "-" and "_", at most 50 of them ("incident/12" becomes
// "vigie-incident-12"). A summary has no thread and no external id.
func discourseExternalID(thread string) string {
	if thread == "" {
		return ""
	}
	b := []byte("vigie-")
	for i := 0; i < len(thread) && len(b) < 50; i++ {
		switch c := thread[i]; {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_', c == '-':
			b = append(b, c)
		default:
			b = append(b, '-')
		}
	}
	return string(b)
}

// topicOf finds the topic of an external id; ok is false when there is
// none, or the forum does not say.
func (s *DiscourseSender) topicOf(ctx context.Context, ch *Channel, base string, h http.Header, externalID string) (string, bool) {
	answer, err := s.web.post(ctx, webCall{channel: ch.ID, method: http.MethodGet,
		url: base + "/t/external_id/" + url.PathEscape(externalID) + ".json", header: h, secrets: []string{ch.Secret}})
	if err != nil {
		return "", false
	}
	var topic struct {
		ID int64 `json:"id"`
	}
	if json.Unmarshal(answer, &topic) != nil || topic.ID <= 0 {
		return "", false
	}
	return strconv.FormatInt(topic.ID, 10), true
}

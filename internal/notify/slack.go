package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// slackMaxText is where Slack cuts a message's text.
const slackMaxText = 40000

// slackHost serves Slack's incoming webhooks; any other host is taken for
// a Mattermost, which reads Markdown.
const slackHost = "hooks.slack.com"

// SlackSender posts to a Slack or Mattermost incoming webhook. The webhook
// URL is a secret (whoever has it can post), so it is the channel's Secret
// and Config "url" stays empty; Config "username" and "icon_url" are
// optional.
type SlackSender struct {
	web webPoster
}

// NewSlackSender returns a Slack/Mattermost sender using client (nil: a
// client with a 10 s timeout) and now (nil: time.Now).
func NewSlackSender(client *http.Client, now func() time.Time) *SlackSender {
	return &SlackSender{web: newWebPoster(client, now)}
}

// Validate checks the webhook URL (in the secret) and the optional icon.
func (s *SlackSender) Validate(ch *Channel) error {
	return webChatValidate(ch, "icon_url")
}

// webChatValidate checks a chat webhook channel, whose URL is its secret;
// icon names the optional image URL setting.
func webChatValidate(ch *Channel, icon string) error {
	if ch.Config["url"] != "" {
		return errors.New("url: leave empty; the webhook URL is a secret, set it as the channel's secret")
	}
	if _, err := webURLSetting("secret", ch.Secret, true); err != nil {
		return fmt.Errorf("%w (the incoming-webhook URL)", err)
	}
	if v := ch.Config[icon]; v != "" {
		if _, err := webURLSetting(icon, v, false); err != nil {
			return err
		}
	}
	return nil
}

type slackBody struct {
	Text     string `json:"text"`
	Username string `json:"username,omitempty"`
	IconURL  string `json:"icon_url,omitempty"`
}

// Send posts the Markdown rendering: as it is to Mattermost, which reads
// Markdown, and turned into mrkdwn (*bold*, <url|label>) for Slack's own
// hooks. Incoming webhooks answer no id: the remote id is "".
func (s *SlackSender) Send(ctx context.Context, ch *Channel, out *Outgoing) (string, error) {
	if err := s.Validate(ch); err != nil {
		return "", Permanent(fmt.Errorf("channel %s: %w", ch.ID, err))
	}
	text := out.Rendered.Markdown
	if u, _ := url.Parse(ch.Secret); strings.EqualFold(u.Hostname(), slackHost) {
		text = slackMrkdwn(text)
	}
	body, err := json.Marshal(slackBody{
		Text:     webTruncate(text, slackMaxText, webFirstLink(out.Message)),
		Username: ch.Config["username"],
		IconURL:  ch.Config["icon_url"],
	})
	if err != nil {
		return "", Permanent(fmt.Errorf("channel %s: encode: %w", ch.ID, err))
	}
	_, err = s.web.post(ctx, webCall{channel: ch.ID, url: ch.Secret, body: body, secrets: webURLSecrets(ch.Secret)})
	return "", err
}

var (
	// slackLink is a Markdown link, "[label](url)", escapes allowed inside.
	slackLink = regexp.MustCompile(`\[((?:\\.|[^\]\\])*)\]\(((?:\\.|[^)\\])*)\)`)
	// slackEscaped is a backslash-escaped ASCII punctuation character.
	slackEscaped = regexp.MustCompile("\\\\([!-/:-@\\[-`{-~])")
	// slackEntities are the three characters Slack wants escaped.
	slackEntities = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")
)

// slackMrkdwn turns the Markdown rendering into Slack's mrkdwn: **bold**
// becomes *bold*, [label](url) becomes <url|label>, backslash escapes go
// (mrkdwn has none) and &, <, > become entities. Code blocks are kept as
// they are, but for the entities.
func slackMrkdwn(md string) string {
	parts := strings.Split(md, "```")
	for i, p := range parts {
		if i%2 == 1 { // inside a code block
			parts[i] = slackEntities.Replace(p)
			continue
		}
		var b strings.Builder
		last := 0
		for _, m := range slackLink.FindAllStringSubmatchIndex(p, -1) {
			b.WriteString(slackText(p[last:m[0]]))
			label := strings.ReplaceAll(slackText(p[m[2]:m[3]]), "|", "∣")
			b.WriteString("<" + slackText(p[m[4]:m[5]]) + "|" + label + ">")
			last = m[1]
		}
		b.WriteString(slackText(p[last:]))
		parts[i] = b.String()
	}
	return strings.Join(parts, "```")
}

func slackText(s string) string {
	s = strings.ReplaceAll(s, "**", "*")
	return slackEntities.Replace(slackEscaped.ReplaceAllString(s, "$1"))
}

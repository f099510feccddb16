package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// discordMaxContent is Discord's limit on a message's content.
const discordMaxContent = 2000

// DiscordSender posts to a Discord webhook. The webhook URL is the
// channel's Secret (Config "url" stays empty); Config "username" and
// "avatar_url" are optional. Mentions are never parsed: an incident title
// cannot ping @everyone.
type DiscordSender struct {
	web webPoster
}

// NewDiscordSender returns a Discord sender using client (nil: a client
// with a 10 s timeout) and now (nil: time.Now).
func NewDiscordSender(client *http.Client, now func() time.Time) *DiscordSender {
	return &DiscordSender{web: newWebPoster(client, now)}
}

// Validate checks the webhook URL (in the secret) and the optional avatar.
func (s *DiscordSender) Validate(ch *Channel) error {
	return webChatValidate(ch, "avatar_url")
}

type discordBody struct {
	Content         string          `json:"content"`
	Username        string          `json:"username,omitempty"`
	AvatarURL       string          `json:"avatar_url,omitempty"`
	AllowedMentions discordMentions `json:"allowed_mentions"`
}

type discordMentions struct {
	Parse []string `json:"parse"`
}

// Send posts the Markdown rendering, cut to Discord's 2,000 characters,
// with wait=true so that Discord answers the message: its id is the
// remote id.
func (s *DiscordSender) Send(ctx context.Context, ch *Channel, out *Outgoing) (string, error) {
	if err := s.Validate(ch); err != nil {
		return "", Permanent(fmt.Errorf("channel %s: %w", ch.ID, err))
	}
	u, _ := url.Parse(ch.Secret) // Validate parsed it
	q := u.Query()
	q.Set("wait", "true")
	u.RawQuery = q.Encode()
	body, err := json.Marshal(discordBody{
		Content:         webTruncate(out.Rendered.Markdown, discordMaxContent, webFirstLink(out.Message)),
		Username:        ch.Config["username"],
		AvatarURL:       ch.Config["avatar_url"],
		AllowedMentions: discordMentions{Parse: []string{}},
	})
	if err != nil {
		return "", Permanent(fmt.Errorf("channel %s: encode: %w", ch.ID, err))
	}
	answer, err := s.web.post(ctx, webCall{channel: ch.ID, url: u.String(), body: body, secrets: webURLSecrets(ch.Secret)})
	if err != nil || len(answer) == 0 {
		return "", err // 204: a peer that ignored wait=true
	}
	var msg struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(answer, &msg); err != nil {
		// Posted all the same: retrying would post it twice.
		return "", nil
	}
	return msg.ID, nil
}

// webFirstLink returns the first item's public link, kept when a text is
// cut so that the reader can find the rest.
func webFirstLink(m *Message) string {
	if m == nil {
		return ""
	}
	for _, it := range m.Items {
		if it.Link != "" {
			return it.Link
		}
	}
	return ""
}

// webTruncate returns s when it fits limit (counted in UTF-16 units, as
// chat services count, which is never less than runes). Otherwise it cuts
// s at a rune boundary, at a space when one is near, closes a code block
// left open, and ends with "…" and link, so the result fits limit.
func webTruncate(s string, limit int, link string) string {
	if webUTF16Len(s) <= limit {
		return s
	}
	tail := "…"
	if link != "" && webUTF16Len(link) < limit/4 {
		tail += "\n" + link
	}
	const fence = "\n```"
	budget := limit - webUTF16Len(tail) - webUTF16Len(fence)
	cut, used := 0, 0
	for cut < len(s) {
		r, size := utf8.DecodeRuneInString(s[cut:])
		n := max(utf16.RuneLen(r), 1) // an invalid byte becomes U+FFFD
		if used+n > budget {
			break
		}
		used += n
		cut += size
	}
	kept := s[:cut]
	if sp := strings.LastIndexFunc(kept, unicode.IsSpace); sp > len(kept)*4/5 {
		kept = kept[:sp]
	}
	kept = strings.TrimRightFunc(kept, unicode.IsSpace)
	if strings.Count(kept, "```")%2 == 1 {
		kept += fence
	}
	return kept + tail
}

func webUTF16Len(s string) int {
	n := 0
	for _, r := range s {
		n += max(utf16.RuneLen(r), 1)
	}
	return n
}

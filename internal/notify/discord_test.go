package notify

import (
	"context"
	"strings"
	"testing"
	"unicode/utf16"
)

func TestDiscordPostsTheDocumentedShapeAndReturnsTheMessageID(t *testing.T) {
	var got []map[string]any
	const path = "/api/webhooks/1234/discordtoken0123456789"
	srv := webJSONPeer(t, path, `{"id":"1122334455667788","channel_id":"42","content":"…"}`, &got)
	ch := &Channel{ID: "ch-1", Kind: KindDiscord, Secret: srv.URL + path + "?thread_id=99",
		Config: map[string]string{"username": "Vigie"}}
	out := webTestOutgoing("msg-1")
	out.Rendered.Markdown = strings.Repeat("Le stockage 🔥 de hv3 ne répond plus. ", 120) // > 4,000 units
	id, err := NewDiscordSender(nil, webClock).Send(context.Background(), ch, out)
	if err != nil || id != "1122334455667788" {
		t.Fatalf("Send = %q, %v; want the message id", id, err)
	}
	if len(got) != 1 {
		t.Fatalf("%d posts", len(got))
	}
	b := got[0]
	if q := b["?query"]; q != "thread_id=99&wait=true" {
		t.Errorf("query %q, want wait=true beside the URL's own", q)
	}
	content, _ := b["content"].(string)
	if n := len(utf16.Encode([]rune(content))); n > 2000 || n < 1900 {
		t.Errorf("content of %d units, want at most 2000 and not much less", n)
	}
	if !strings.HasSuffix(content, out.Message.Items[0].Link) {
		t.Errorf("the cut content lost the link")
	}
	mentions, ok := b["allowed_mentions"].(map[string]any)
	if parse, isList := mentions["parse"].([]any); !ok || !isList || len(parse) != 0 {
		t.Errorf("allowed_mentions = %v, want {parse: []}", b["allowed_mentions"])
	}
	if b["username"] != "Vigie" || len(b) != 4 { // content, username, allowed_mentions, ?query
		t.Errorf("body %v", b)
	}
}

func TestDiscordAcceptsANoContentAnswer(t *testing.T) {
	var got []map[string]any
	srv := webJSONPeer(t, "/api/webhooks/1/discordtoken0123456789", "", &got)
	ch := &Channel{ID: "ch-1", Kind: KindDiscord, Secret: srv.URL + "/api/webhooks/1/discordtoken0123456789"}
	id, err := NewDiscordSender(nil, webClock).Send(context.Background(), ch, webTestOutgoing("msg-1"))
	if err != nil || id != "" || len(got) != 1 {
		t.Errorf("Send = %q, %v after %d posts; want \"\", nil after 1", id, err, len(got))
	}
	if c := got[0]["content"]; c != webTestOutgoing("").Rendered.Markdown {
		t.Errorf("a short text was changed: %q", c)
	}
}

func TestDiscordValidateNamesTheSetting(t *testing.T) {
	const hook = "https://discord.com/api/webhooks/1/discordtoken0123456789"
	cases := []struct {
		config map[string]string
		secret string
		key    string
	}{
		{nil, hook, ""},
		{map[string]string{"avatar_url": "https://example.org/a.png"}, hook, ""},
		{map[string]string{"url": hook}, hook, "url"},
		{nil, "", "secret"},
		{nil, "http://discord.com/api/webhooks/1/discordtoken0123456789", "secret"},
		{map[string]string{"avatar_url": "a.png"}, hook, "avatar_url"},
	}
	for _, c := range cases {
		webCheckValidate(t, NewDiscordSender(nil, nil), &Channel{Config: c.config, Secret: c.secret}, c.key)
	}
}

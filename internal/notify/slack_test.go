package notify

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"
)

// webJSONPeer answers 200 with answer (204 when it is empty) to the POSTs of path, after decoding
// each JSON body into got; anything else is a 400 or a 404.
func webJSONPeer(t *testing.T, path, answer string, got *[]map[string]any) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != path {
			http.NotFound(w, r)
			return
		}
		var body map[string]any
		if r.Header.Get("Content-Type") != "application/json" || json.NewDecoder(r.Body).Decode(&body) != nil {
			http.Error(w, "invalid_payload", http.StatusBadRequest)
			return
		}
		body["?query"] = r.URL.RawQuery
		*got = append(*got, body)
		if answer == "" {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		w.Write([]byte(answer))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestSlackPostsTheDocumentedShape(t *testing.T) {
	var got []map[string]any
	srv := webJSONPeer(t, "/services/T0/B0/secretpath0123456789", "ok", &got)
	ch := &Channel{ID: "ch-1", Kind: KindSlack, Secret: srv.URL + "/services/T0/B0/secretpath0123456789",
		Config: map[string]string{"username": "Vigie", "icon_url": "https://status.example.org/icon.png"}}
	id, err := NewSlackSender(nil, webClock).Send(context.Background(), ch, webTestOutgoing("msg-1"))
	if err != nil || id != "" {
		t.Fatalf("Send = %q, %v", id, err)
	}
	want := map[string]any{
		"text":     webTestOutgoing("").Rendered.Markdown,
		"username": "Vigie", "icon_url": "https://status.example.org/icon.png", "?query": "",
	}
	if len(got) != 1 || !reflect.DeepEqual(got[0], want) {
		t.Errorf("Slack got %v, want %v", got, want)
	}
	// Without the optional settings, the keys are absent, not empty.
	ch.Config = nil
	if _, err := NewSlackSender(nil, webClock).Send(context.Background(), ch, webTestOutgoing("msg-2")); err != nil {
		t.Fatal(err)
	}
	if _, ok := got[1]["username"]; ok || len(got[1]) != 2 {
		t.Errorf("Slack got %v, want only text", got[1])
	}
}

func TestSlackValidateNamesTheSetting(t *testing.T) {
	const hook = "https://hooks.slack.com/services/T0/B0/secretpath0123456789"
	cases := []struct {
		config map[string]string
		secret string
		key    string
	}{
		{nil, hook, ""},
		{nil, "http://127.0.0.1:8065/hooks/secretpath0123456789", ""},
		{map[string]string{"username": "Vigie", "icon_url": "https://example.org/i.png"}, hook, ""},
		{map[string]string{"url": hook}, hook, "url"},
		{nil, "", "secret"},
		{nil, "http://hooks.slack.com/services/T0/B0/secretpath0123456789", "secret"},
		{nil, "not a url", "secret"},
		{map[string]string{"icon_url": "icon.png"}, hook, "icon_url"},
	}
	for _, c := range cases {
		webCheckValidate(t, NewSlackSender(nil, nil), &Channel{Config: c.config, Secret: c.secret}, c.key)
	}
}

func TestSlackMrkdwnFromTheMarkdownRendering(t *testing.T) {
	cases := []struct{ md, want string }{
		{"**Panne du stockage**", "*Panne du stockage*"},
		{"[Suivre l'incident](https://status.example.org/i/12?a=1&b=2)",
			"<https://status.example.org/i/12?a=1&amp;b=2|Suivre l'incident>"},
		{`[a \[b\] \| c](https://x.example/%28p%29)`, "<https://x.example/%28p%29|a [b] ∣ c>"},
		{`_le 1 < 2 \* 3 & co_`, "_le 1 &lt; 2 * 3 &amp; co_"},
		{"**Détail**\n```text\nC:\\vm\\**hv3** <down>\n```\n", "*Détail*\n```text\nC:\\vm\\**hv3** &lt;down&gt;\n```\n"},
	}
	for _, c := range cases {
		if got := slackMrkdwn(c.md); got != c.want {
			t.Errorf("slackMrkdwn(%q)\n got %q\nwant %q", c.md, got, c.want)
		}
	}
}

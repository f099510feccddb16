package notify

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
	"unicode/utf16"
)

// webT0 is the fixed clock of the sender tests.
var webT0 = time.Date(2026, 3, 1, 14, 5, 0, 0, time.UTC)

func webClock() time.Time { return webT0 }

// webTestOutgoing is one message of thread "incident/12" to a public channel.
func webTestOutgoing(key string) *Outgoing {
	return &Outgoing{
		Message: &Message{
			Key: key, Channel: "ch-1", Topic: TopicIncident, Thread: "incident/12", IncidentID: 12,
			Recipient: Recipient{Kind: "channel", ID: "ch-1", Lang: "fr"},
			Items: []Item{{
				Topic: TopicIncident, Event: "opened", At: webT0, IncidentID: 12,
				Title: Text{FR: "Panne du stockage", EN: "Storage outage"}, Status: "investigating",
				Severity: "major", Link: "https://status.example.org/incidents/12",
			}},
		},
		Rendered: Rendered{
			Lang: "fr", Subject: "Panne du stockage sur hv3",
			Text:     "Panne du stockage sur hv3.\nhttps://status.example.org/incidents/12",
			Short:    "Panne du stockage sur hv3. https://status.example.org/incidents/12",
			Markdown: "*Panne du stockage sur hv3*\n<https://status.example.org/incidents/12|Suivre l'incident>",
		},
		Thread: Thread{Key: "incident/12"},
	}
}

// webSenderCase is one web sender with a channel pointing at a peer; the
// secret must never appear in an error.
type webSenderCase struct {
	name   string
	sender interface {
		Sender
		Validator
	}
	channel func(base string) *Channel
	secret  string
}

func webSenderCases(client *http.Client) []webSenderCase {
	return []webSenderCase{
		{"webhook", NewWebhookSender(client, webClock), func(base string) *Channel {
			return &Channel{ID: "ch-1", Kind: KindWebhook, Config: map[string]string{"url": base + "/hook"}, Secret: "whsec-SIGNING-SECRET"}
		}, "whsec-SIGNING-SECRET"},
		{"slack", NewSlackSender(client, webClock), func(base string) *Channel {
			return &Channel{ID: "ch-1", Kind: KindSlack, Secret: base + "/services/T0/B0/SLACKSECRETPATH0123456789"}
		}, "SLACKSECRETPATH0123456789"},
		{"discord", NewDiscordSender(client, webClock), func(base string) *Channel {
			return &Channel{ID: "ch-1", Kind: KindDiscord, Secret: base + "/api/webhooks/1/DISCORDSECRETTOKEN0123456789"}
		}, "DISCORDSECRETTOKEN0123456789"},
		{"mastodon", NewMastodonSender(client, webClock), func(base string) *Channel {
			return &Channel{ID: "ch-1", Kind: KindMastodon, Config: map[string]string{"instance": base}, Secret: "MASTODON-TOKEN-SECRET"}
		}, "MASTODON-TOKEN-SECRET"},
		{"discourse", NewDiscourseSender(client, webClock), func(base string) *Channel {
			return &Channel{ID: "ch-1", Kind: KindDiscourse, Config: map[string]string{
				"url": base, "category": "7", "username": "vigie"}, Secret: "DISCOURSE-API-KEY-SECRET"}
		}, "DISCOURSE-API-KEY-SECRET"},
	}
}

// webEchoRefusal answers code with a body quoting everything the request
// carried, secrets included, as a careless peer might.
func webEchoRefusal(code int, retryAfter string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		w.WriteHeader(code)
		fmt.Fprintf(w, "you sent %s with %v and %s", r.URL, r.Header, b)
	}
}

// webAssertNoSecret checks that err quotes neither the secret nor any URL:
// errors name the channel and the host only.
func webAssertNoSecret(t *testing.T, err error, secret string) {
	t.Helper()
	if err != nil && (strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), "http://")) {
		t.Errorf("error quotes the secret or a URL: %v", err)
	}
}

func TestWebSendersSortErrorsIntoRetriedAndPermanent(t *testing.T) {
	cases := []struct {
		code       int
		retryAfter string
		permanent  bool
		after      time.Duration // > 0: a RetryAfterError of this delay
	}{
		{500, "", false, 0}, {502, "", false, 0}, {503, "", false, 0}, {408, "", false, 0},
		{429, "7", false, 7 * time.Second}, {429, "", false, 0},
		{400, "", true, 0}, {401, "", true, 0}, {403, "", true, 0}, {404, "", true, 0}, {422, "", true, 0},
	}
	for _, sc := range webSenderCases(nil) {
		for _, c := range cases {
			t.Run(fmt.Sprintf("%s/%d%s", sc.name, c.code, c.retryAfter), func(t *testing.T) {
				srv := httptest.NewServer(webEchoRefusal(c.code, c.retryAfter))
				defer srv.Close()
				_, err := sc.sender.Send(context.Background(), sc.channel(srv.URL), webTestOutgoing("msg-1"))
				if err == nil {
					t.Fatal("no error")
				}
				if IsPermanent(err) != c.permanent {
					t.Errorf("permanent = %v, want %v: %v", IsPermanent(err), c.permanent, err)
				}
				var ra *RetryAfterError
				if got := errors.As(err, &ra); got != (c.after > 0) || got && ra.After != c.after {
					t.Errorf("retry after: %v %+v, want %v", got, ra, c.after)
				}
				var hint interface{ RetryAfter() time.Duration }
				if errors.As(err, &hint) && hint.RetryAfter() != c.after || !errors.As(err, &hint) && c.after > 0 {
					t.Errorf("the outbox reads no delay of %v", c.after)
				}
				host := strings.TrimPrefix(srv.URL, "http://")
				if !strings.Contains(err.Error(), "ch-1") || !strings.Contains(err.Error(), host) {
					t.Errorf("error names neither the channel nor the host: %v", err)
				}
				webAssertNoSecret(t, err, sc.secret)
			})
		}
	}
}

func TestWebSendersRetryAConnectionRefused(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + l.Addr().String()
	l.Close() // nothing listens there any more
	for _, sc := range webSenderCases(nil) {
		_, err := sc.sender.Send(context.Background(), sc.channel(base), webTestOutgoing("msg-1"))
		if err == nil || IsPermanent(err) {
			t.Errorf("%s: got %v, want a retried error", sc.name, err)
		}
		webAssertNoSecret(t, err, sc.secret)
	}
}

func TestWebSendersRetryATimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release
	}))
	defer srv.Close()
	defer close(release)
	client := &http.Client{Timeout: 50 * time.Millisecond}
	for _, sc := range webSenderCases(client) {
		_, err := sc.sender.Send(context.Background(), sc.channel(srv.URL), webTestOutgoing("msg-1"))
		if err == nil || IsPermanent(err) {
			t.Errorf("%s: got %v, want a retried error", sc.name, err)
		}
		webAssertNoSecret(t, err, sc.secret)
	}
}

func TestWebSendersRefuseARedirectToAnotherHost(t *testing.T) {
	var elsewhere int
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { elsewhere++ }))
	defer other.Close()
	// "localhost" and "127.0.0.1" are the same machine but not the same host.
	otherURL := strings.Replace(other.URL, "127.0.0.1", "localhost", 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, otherURL+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	defer srv.Close()
	for _, sc := range webSenderCases(nil) {
		_, err := sc.sender.Send(context.Background(), sc.channel(srv.URL), webTestOutgoing("msg-1"))
		if !IsPermanent(err) {
			t.Errorf("%s: got %v, want a permanent error", sc.name, err)
		}
		webAssertNoSecret(t, err, sc.secret)
	}
	if elsewhere != 0 {
		t.Errorf("%d requests followed the redirect to another host", elsewhere)
	}
}

func TestWebRetryAfterReadsSecondsAndDates(t *testing.T) {
	cases := []struct {
		v    string
		want time.Duration
		ok   bool
	}{
		{"7", 7 * time.Second, true},
		{" 0 ", 0, true},
		{webT0.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{webT0.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{"99999999999999999", webMaxRetryAfter, true},
		{"", 0, false}, {"-3", 0, false}, {"soon", 0, false},
	}
	for _, c := range cases {
		got, ok := webRetryAfter(c.v, webT0)
		if got != c.want || ok != c.ok {
			t.Errorf("webRetryAfter(%q) = %v, %v; want %v, %v", c.v, got, ok, c.want, c.ok)
		}
	}
}

func TestWebTruncateFitsAndKeepsTheLink(t *testing.T) {
	link := "https://status.example.org/incidents/12"
	cases := []struct {
		name, s string
		limit   int
	}{
		{"words", strings.Repeat("panne du stockage ", 200), 2000},
		{"emoji", strings.Repeat("🔥", 1500), 2000}, // two UTF-16 units each
		{"code", "```\n" + strings.Repeat("log line\n", 400), 2000},
		{"one word", strings.Repeat("x", 5000), 400},
	}
	for _, c := range cases {
		got := webTruncate(c.s, c.limit, link)
		if n := len(utf16.Encode([]rune(got))); n > c.limit {
			t.Errorf("%s: %d UTF-16 units, limit %d", c.name, n, c.limit)
		}
		if !strings.HasSuffix(got, "…\n"+link) {
			t.Errorf("%s: does not end with the link: …%q", c.name, got[max(0, len(got)-80):])
		}
		if strings.Count(got, "```")%2 != 0 {
			t.Errorf("%s: leaves a code block open", c.name)
		}
	}
	if got := webTruncate("short", 2000, link); got != "short" {
		t.Errorf("a text that fits was changed: %q", got)
	}
}

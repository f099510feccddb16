package notify

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// webhookReceiver is a receiver as documented in docs/webhooks.md: it
// verifies each delivery and keeps what it accepted.
type webhookReceiver struct {
	secret string
	now    func() time.Time
	mu     sync.Mutex
	got    []webhookDelivery
}

type webhookDelivery struct {
	header  http.Header
	payload WebhookPayload
}

func (rc *webhookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, "read", http.StatusBadRequest)
		return
	}
	if err := VerifyWebhook(rc.secret, r.Header, body, rc.now(), WebhookTolerance); err != nil {
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	var p WebhookPayload
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	rc.mu.Lock()
	rc.got = append(rc.got, webhookDelivery{r.Header.Clone(), p})
	rc.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

func TestWebhookDeliveryIsSignedAndVerified(t *testing.T) {
	now := webT0
	clock := func() time.Time { return now }
	rc := &webhookReceiver{secret: "whsec-SIGNING-SECRET", now: clock}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	s := NewWebhookSender(nil, clock)
	ch := &Channel{ID: "ch-1", Kind: KindWebhook, Config: map[string]string{"url": srv.URL + "/hook"}, Secret: rc.secret}

	for range 2 { // the same message twice, as after a lost answer
		if _, err := s.Send(context.Background(), ch, webTestOutgoing("msg-42")); err != nil {
			t.Fatal(err)
		}
		now = now.Add(time.Minute)
	}
	if len(rc.got) != 2 {
		t.Fatalf("%d deliveries accepted, want 2", len(rc.got))
	}
	for i, d := range rc.got {
		h := d.header
		for k, want := range map[string]string{
			"X-Vigie-Delivery": "msg-42", "Content-Type": "application/json", "User-Agent": "Vigie",
			"X-Vigie-Timestamp": strconv.FormatInt(webT0.Add(time.Duration(i)*time.Minute).Unix(), 10),
		} {
			if got := h.Get(k); got != want {
				t.Errorf("delivery %d: %s = %q, want %q", i, k, got, want)
			}
		}
	}
	if rc.got[0].header.Get("X-Vigie-Signature") == rc.got[1].header.Get("X-Vigie-Signature") {
		t.Error("a retry at another time carries the same signature: the timestamp is not signed")
	}
	p := rc.got[0].payload
	want := WebhookPayload{
		ID: "msg-42", Type: "vigie.notification", Topic: TopicIncident, Channel: "ch-1",
		Thread: "incident/12", IncidentID: 12, Recipient: WebhookRecipient{Kind: "channel", ID: "ch-1", Lang: "fr"},
		Subject: "Panne du stockage sur hv3", Text: webTestOutgoing("").Rendered.Text, Lang: "fr", SentAt: webT0,
	}
	items := p.Items
	p.Items = nil
	if !reflect.DeepEqual(p, want) {
		t.Errorf("payload\n got %+v\nwant %+v", p, want)
	}
	if len(items) != 1 || items[0].IncidentID != 12 || items[0].Title.FR != "Panne du stockage" {
		t.Errorf("items = %+v", items)
	}
}

func TestWebhookReceiverRefusesAWrongSecret(t *testing.T) {
	rc := &webhookReceiver{secret: "the-receivers-secret", now: webClock}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	ch := &Channel{ID: "ch-1", Config: map[string]string{"url": srv.URL}, Secret: "another-secret"}
	_, err := NewWebhookSender(nil, webClock).Send(context.Background(), ch, webTestOutgoing("msg-1"))
	if !IsPermanent(err) || len(rc.got) != 0 {
		t.Errorf("got %v and %d deliveries, want a permanent 401 and none", err, len(rc.got))
	}
}

func TestVerifyWebhookRefusesForgeriesAndReplays(t *testing.T) {
	const secret = "whsec-SIGNING-SECRET"
	body := []byte(`{"id":"msg-1","type":"vigie.notification"}`)
	signed := func(secret string, ts time.Time, body []byte) http.Header {
		s := strconv.FormatInt(ts.Unix(), 10)
		return http.Header{"X-Vigie-Timestamp": {s}, "X-Vigie-Signature": {webhookSignature(secret, s, body)}}
	}
	good := signed(secret, webT0, body)
	with := func(k, v string) http.Header {
		h := good.Clone()
		h.Set(k, v)
		return h
	}
	cases := []struct {
		name   string
		secret string
		header http.Header
		body   []byte
		want   error // nil: accepted
	}{
		{"genuine", secret, good, body, nil},
		{"genuine, 4 min late", secret, signed(secret, webT0.Add(-4*time.Minute), body), body, nil},
		{"wrong secret", secret, signed("not-the-secret", webT0, body), body, ErrWebhookSignature},
		{"tampered body", secret, good, []byte(`{"id":"msg-2","type":"vigie.notification"}`), ErrWebhookSignature},
		{"replayed after 6 min", secret, signed(secret, webT0.Add(-6*time.Minute), body), body, ErrWebhookTimestamp},
		{"from the future", secret, signed(secret, webT0.Add(6*time.Minute), body), body, ErrWebhookTimestamp},
		{"timestamp changed", secret, with("X-Vigie-Timestamp", strconv.FormatInt(webT0.Unix()+1, 10)), body, ErrWebhookSignature},
		{"no signature", secret, with("X-Vigie-Signature", ""), body, ErrWebhookSignature},
		{"other algorithm", secret, with("X-Vigie-Signature", "sha1="+strings.Repeat("0", 40)), body, ErrWebhookSignature},
		{"short signature", secret, with("X-Vigie-Signature", good.Get("X-Vigie-Signature")[:70]), body, ErrWebhookSignature},
		{"no timestamp", secret, with("X-Vigie-Timestamp", ""), body, ErrWebhookTimestamp},
		{"signed timestamp", secret, with("X-Vigie-Timestamp", "+"+good.Get("X-Vigie-Timestamp")), body, ErrWebhookTimestamp},
		{"no secret", "", signed("", webT0, body), body, ErrWebhookSignature},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := VerifyWebhook(c.secret, c.header, c.body, webT0, 0)
			if c.want == nil && err != nil || c.want != nil && !errors.Is(err, c.want) {
				t.Errorf("got %v, want %v", err, c.want)
			}
		})
	}
}

func TestWebhookValidateNamesTheSetting(t *testing.T) {
	cases := []struct {
		config map[string]string
		secret string
		key    string // "": valid
	}{
		{map[string]string{"url": "https://hooks.example.org/vigie"}, "whsec-test-0123", ""},
		{map[string]string{"url": "http://10.0.0.5:8080/in"}, "whsec-test-0123", ""},
		{nil, "whsec-test-0123", "url"},
		{map[string]string{"url": "ftp://example.org/in"}, "whsec-test-0123", "url"},
		{map[string]string{"url": "https:///no-host"}, "whsec-test-0123", "url"},
		{map[string]string{"url": "https://hooks.example.org/vigie"}, "", "secret"},
	}
	s := NewWebhookSender(nil, nil)
	for _, c := range cases {
		webCheckValidate(t, s, &Channel{Config: c.config, Secret: c.secret}, c.key)
	}
}

// webCheckValidate checks that Validate accepts ch (key "") or refuses it
// with an error that starts with the setting's name and quotes no secret.
func webCheckValidate(t *testing.T, v Validator, ch *Channel, key string) {
	t.Helper()
	err := v.Validate(ch)
	switch {
	case key == "" && err != nil:
		t.Errorf("%+v refused: %v", ch.Config, err)
	case key != "" && (err == nil || !strings.HasPrefix(err.Error(), key+":")):
		t.Errorf("%+v: got %v, want an error about %s", ch.Config, err, key)
	case err != nil && ch.Secret != "" && strings.Contains(err.Error(), ch.Secret):
		t.Errorf("error quotes the secret: %v", err)
	}
}

func FuzzVerifyWebhook(f *testing.F) {
	body := []byte(`{"id":"msg-1"}`)
	ts := strconv.FormatInt(webT0.Unix(), 10)
	f.Add(ts, webhookSignature("k", ts, body), body)
	f.Add("", "", []byte{})
	f.Add("-1", "sha256=", body)
	f.Add("99999999999999999", "sha256="+strings.Repeat("zz", 32), body)
	f.Add(" 1772373900", "SHA256="+strings.Repeat("0", 64), body)
	f.Fuzz(func(t *testing.T, ts, sig string, body []byte) {
		h := http.Header{"X-Vigie-Timestamp": {ts}, "X-Vigie-Signature": {sig}}
		err := VerifyWebhook("k", h, body, webT0, 0)
		if err == nil && !strings.EqualFold(sig, webhookSignature("k", ts, body)) {
			t.Errorf("accepted %q %q without the right signature", ts, sig)
		}
	})
}

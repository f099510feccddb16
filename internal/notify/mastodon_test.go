package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

// mastodonPeer stands in for POST /api/v1/statuses of a Mastodon instance:
// a Bearer token, an optional Idempotency-Key that brings back the status
// it made, an in_reply_to_id that must name a status, and 500 characters.
type mastodonPeer struct {
	token    string
	mu       sync.Mutex
	requests int
	statuses []mastodonStatusJSON
	byKey    map[string]int // Idempotency-Key → index in statuses
}

type mastodonStatusJSON struct {
	ID          string  `json:"id"`
	Content     string  `json:"content"`
	Visibility  string  `json:"visibility"`
	Language    string  `json:"language"`
	InReplyToID *string `json:"in_reply_to_id"`
}

func (p *mastodonPeer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.requests++
	fail := func(code int, msg string) {
		w.WriteHeader(code)
		json.NewEncoder(w).Encode(map[string]string{"error": msg})
	}
	if r.Method != http.MethodPost || r.URL.Path != "/api/v1/statuses" {
		fail(http.StatusNotFound, "Record not found")
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+p.token {
		fail(http.StatusUnauthorized, "The access token is invalid")
		return
	}
	if i, ok := p.byKey[r.Header.Get("Idempotency-Key")]; ok {
		json.NewEncoder(w).Encode(p.statuses[i])
		return
	}
	var in mastodonStatus
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		fail(http.StatusBadRequest, "bad JSON")
		return
	}
	switch {
	case in.Status == "" || utf8.RuneCountInString(in.Status) > 500:
		fail(http.StatusUnprocessableEntity, "Validation failed: Text is empty or too long")
		return
	case in.Visibility != "public" && in.Visibility != "unlisted":
		fail(http.StatusUnprocessableEntity, "Validation failed: Visibility is invalid")
		return
	case in.InReplyToID != "" && p.find(in.InReplyToID) < 0:
		fail(http.StatusNotFound, "Record not found")
		return
	}
	st := mastodonStatusJSON{ID: fmt.Sprint(110000000000000000 + len(p.statuses)),
		Content: in.Status, Visibility: in.Visibility, Language: in.Language}
	if in.InReplyToID != "" {
		st.InReplyToID = &in.InReplyToID
	}
	p.statuses = append(p.statuses, st)
	if k := r.Header.Get("Idempotency-Key"); k != "" {
		p.byKey[k] = len(p.statuses) - 1
	}
	json.NewEncoder(w).Encode(st)
}

func (p *mastodonPeer) find(id string) int {
	for i, st := range p.statuses {
		if st.ID == id {
			return i
		}
	}
	return -1
}

func newMastodonPeer(t *testing.T) (*mastodonPeer, *Channel) {
	p := &mastodonPeer{token: "MASTODON-TOKEN-SECRET", byKey: map[string]int{}}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	return p, &Channel{ID: "ch-1", Kind: KindMastodon, Config: map[string]string{"instance": srv.URL + "/"}, Secret: p.token}
}

func TestMastodonThreadIsOneStatusAndChainedReplies(t *testing.T) {
	p, ch := newMastodonPeer(t)
	s := NewMastodonSender(nil, webClock)
	var ids []string
	send := func(key, after string) string {
		t.Helper()
		out := webTestOutgoing(key)
		out.Rendered.Short = "Mise à jour " + key
		out.Thread.RemoteID = after
		id, err := s.Send(context.Background(), ch, out)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	last := ""
	for _, key := range []string{"msg-1", "msg-2", "msg-3"} {
		last = send(key, last)
		ids = append(ids, last)
	}
	// msg-2 again, as after a lost answer: the same status comes back.
	if again := send("msg-2", ids[0]); again != ids[1] {
		t.Errorf("a retried message made status %s, want %s again", again, ids[1])
	}
	if len(p.statuses) != 3 {
		t.Fatalf("%d statuses, want 3", len(p.statuses))
	}
	for i, st := range p.statuses {
		if st.ID != ids[i] || st.Visibility != "public" || st.Language != "fr" || st.Content != fmt.Sprintf("Mise à jour msg-%d", i+1) {
			t.Errorf("status %d = %+v", i, st)
		}
		if i == 0 && st.InReplyToID != nil || i > 0 && (st.InReplyToID == nil || *st.InReplyToID != ids[i-1]) {
			t.Errorf("status %d replies to %v, want the previous one", i, st.InReplyToID)
		}
	}
}

func TestMastodonRefusals(t *testing.T) {
	p, ch := newMastodonPeer(t)
	s := NewMastodonSender(nil, webClock)
	long := webTestOutgoing("msg-long")
	long.Rendered.Short = strings.Repeat("é", 501)
	if _, err := s.Send(context.Background(), ch, long); !IsPermanent(err) || p.requests != 0 {
		t.Errorf("a 501-character status: %v after %d requests, want permanent before any", err, p.requests)
	}
	orphan := webTestOutgoing("msg-orphan")
	orphan.Thread.RemoteID = "404404"
	if _, err := s.Send(context.Background(), ch, orphan); !IsPermanent(err) || !strings.Contains(err.Error(), "Record not found") {
		t.Errorf("a reply to no status: %v, want permanent", err)
	}
	bad := *ch
	bad.Secret = "WRONG-TOKEN-SECRET"
	_, err := s.Send(context.Background(), &bad, webTestOutgoing("msg-1"))
	if !IsPermanent(err) || !strings.Contains(err.Error(), "401") {
		t.Errorf("a wrong token: %v, want a permanent 401", err)
	}
	webAssertNoSecret(t, err, bad.Secret)
	if len(p.statuses) != 0 {
		t.Errorf("%d statuses made", len(p.statuses))
	}
}

func TestMastodonUnlistedAndConfiguredLanguage(t *testing.T) {
	p, ch := newMastodonPeer(t)
	ch.Config["visibility"] = "unlisted"
	ch.Config["language"] = "en"
	out := webTestOutgoing("msg-1")
	out.Rendered.Lang = ""
	if _, err := NewMastodonSender(nil, webClock).Send(context.Background(), ch, out); err != nil {
		t.Fatal(err)
	}
	if st := p.statuses[0]; st.Visibility != "unlisted" || st.Language != "en" {
		t.Errorf("status %+v, want unlisted in en", st)
	}
}

func TestMastodonValidateNamesTheSetting(t *testing.T) {
	cases := []struct {
		config map[string]string
		secret string
		key    string
	}{
		{map[string]string{"instance": "https://mastodon.example"}, "tok-0123456789", ""},
		{map[string]string{"instance": "https://mastodon.example", "visibility": "unlisted", "language": "fr"}, "tok-0123456789", ""},
		{nil, "tok-0123456789", "instance"},
		{map[string]string{"instance": "http://mastodon.example"}, "tok-0123456789", "instance"},
		{map[string]string{"instance": "https://mastodon.example", "visibility": "direct"}, "tok-0123456789", "visibility"},
		{map[string]string{"instance": "https://mastodon.example", "language": "French"}, "tok-0123456789", "language"},
		{map[string]string{"instance": "https://mastodon.example"}, "", "secret"},
	}
	for _, c := range cases {
		webCheckValidate(t, NewMastodonSender(nil, nil), &Channel{Config: c.config, Secret: c.secret}, c.key)
	}
}

package app_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/notify"
)

// peers are loopback stand-ins for the services notifications go to: a
// webhook receiver that checks signatures, a Slack room, a Mastodon
// instance and a Discourse forum, each checking the documented request.
type peers struct {
	mu                       sync.Mutex
	hooks                    []notify.WebhookPayload
	badHooks                 int
	slack                    []string
	statuses                 []mastoStatus
	topics                   map[int][]string // topic id → raws, first the topic's
	titles                   []string
	hook, chat, masto, forum *httptest.Server
}

type mastoStatus struct {
	ID, ReplyTo, Text, Key string
}

func startPeers(t *testing.T) *peers {
	p := &peers{topics: map[int][]string{}}
	p.hook = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		p.mu.Lock()
		defer p.mu.Unlock()
		if err := notify.VerifyWebhook("hook-secret", r.Header, body, time.Now(), notify.WebhookTolerance); err != nil {
			p.badHooks++
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		var pl notify.WebhookPayload
		if err := json.Unmarshal(body, &pl); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		p.hooks = append(p.hooks, pl)
	}))
	p.chat = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct{ Text string }
		_ = json.NewDecoder(r.Body).Decode(&body)
		p.mu.Lock()
		p.slack = append(p.slack, body.Text)
		p.mu.Unlock()
	}))
	p.masto = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v1/statuses" || r.Header.Get("Authorization") != "Bearer masto-token" {
			http.Error(w, `{"error":"The access token is invalid"}`, http.StatusUnauthorized)
			return
		}
		var body map[string]any
		if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			_ = json.NewDecoder(r.Body).Decode(&body)
		} else {
			_ = r.ParseForm()
			body = map[string]any{"status": r.PostForm.Get("status"), "in_reply_to_id": r.PostForm.Get("in_reply_to_id")}
		}
		p.mu.Lock()
		defer p.mu.Unlock()
		key := r.Header.Get("Idempotency-Key")
		for _, s := range p.statuses {
			if s.Key == key {
				_ = json.NewEncoder(w).Encode(map[string]string{"id": s.ID})
				return
			}
		}
		reply, _ := body["in_reply_to_id"].(string)
		text, _ := body["status"].(string)
		st := mastoStatus{ID: fmt.Sprint(1000 + len(p.statuses)), ReplyTo: reply, Text: text, Key: key}
		p.statuses = append(p.statuses, st)
		_ = json.NewEncoder(w).Encode(map[string]string{"id": st.ID})
	}))
	p.forum = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/posts.json" || r.Header.Get("Api-Key") != "forum-key" || r.Header.Get("Api-Username") != "vigie" {
			http.Error(w, `{"errors":["You are not permitted to view the requested resource."]}`, http.StatusForbidden)
			return
		}
		var body struct {
			Title, Raw string
			Category   any
			TopicID    any `json:"topic_id"`
		}
		_ = json.NewDecoder(r.Body).Decode(&body)
		p.mu.Lock()
		defer p.mu.Unlock()
		var topic int
		if body.TopicID == nil {
			if body.Category == nil || len([]rune(body.Title)) < 15 {
				http.Error(w, `{"errors":["Category and a title of 15 characters are needed"]}`, http.StatusUnprocessableEntity)
				return
			}
			topic = 500 + len(p.topics)
			p.titles = append(p.titles, body.Title)
		} else if _, err := fmt.Sscan(fmt.Sprint(body.TopicID), &topic); err != nil || p.topics[topic] == nil {
			http.Error(w, `{"errors":["No such topic"]}`, http.StatusUnprocessableEntity)
			return
		}
		p.topics[topic] = append(p.topics[topic], body.Raw)
		_ = json.NewEncoder(w).Encode(map[string]int{"id": 9000 + len(p.topics[topic]), "topic_id": topic})
	}))
	t.Cleanup(func() {
		for _, s := range []*httptest.Server{p.hook, p.chat, p.masto, p.forum} {
			s.Close()
		}
	})
	return p
}

// snapshot reads the peers under their lock.
func (p *peers) snapshot(fn func(p *peers)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fn(p)
}

package notify

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"
)

// discoursePeer stands in for POST /posts.json of a Discourse forum: the
// Api-Key and Api-Username headers, a new topic (title of 15 characters or
// more, never used before, a category, an optional unique external_id) or
// a reply (topic_id of an existing topic). Refusals are 422 with "errors".
type discoursePeer struct {
	key, user string
	mu        sync.Mutex
	topics    []*discourseTopic // topic id = index + 1
	posts     int
}

type discourseTopic struct {
	title, externalID string
	category          int64
	raws              []string
}

func (p *discoursePeer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fail := func(code int, msg string) {
		w.WriteHeader(code)
		json.NewEncoder(w).Encode(map[string]any{"action": "create_post", "errors": []string{msg}})
	}
	if r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/t/external_id/") {
		// Discourse answers the topic of an external id (after a redirect).
		id := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/t/external_id/"), ".json")
		for i, t := range p.topics {
			if t.externalID == id && r.Header.Get("Api-Key") == p.key && r.Header.Get("Api-Username") == p.user {
				json.NewEncoder(w).Encode(map[string]any{"id": i + 1, "title": t.title})
				return
			}
		}
		fail(http.StatusNotFound, "The requested URL or resource could not be found.")
		return
	}
	if r.Method != http.MethodPost || r.URL.Path != "/posts.json" {
		fail(http.StatusNotFound, "The requested URL or resource could not be found.")
		return
	}
	if r.Header.Get("Api-Key") != p.key || r.Header.Get("Api-Username") != p.user {
		fail(http.StatusForbidden, "You are not permitted to view the requested resource.")
		return
	}
	var in discoursePost
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Raw == "" {
		fail(http.StatusUnprocessableEntity, "Body can't be blank")
		return
	}
	var topic int64
	if in.TopicID == 0 {
		if msg := p.refuseTopic(in); msg != "" {
			fail(http.StatusUnprocessableEntity, msg)
			return
		}
		p.topics = append(p.topics, &discourseTopic{title: in.Title, externalID: in.ExternalID, category: in.Category})
		topic = int64(len(p.topics))
	} else if in.TopicID < 1 || int(in.TopicID) > len(p.topics) {
		fail(http.StatusNotFound, "The requested URL or resource could not be found.")
		return
	} else {
		topic = in.TopicID
	}
	t := p.topics[topic-1]
	t.raws = append(t.raws, in.Raw)
	p.posts++
	json.NewEncoder(w).Encode(map[string]any{"id": 1000 + p.posts, "topic_id": topic, "post_number": len(t.raws)})
}

func (p *discoursePeer) refuseTopic(in discoursePost) string {
	if utf8.RuneCountInString(in.Title) < 15 {
		return "Title must be at least 15 characters"
	}
	if in.Category == 0 {
		return "Category can't be blank"
	}
	for _, t := range p.topics {
		if t.title == in.Title {
			return "Title has already been used"
		}
		if in.ExternalID != "" && t.externalID == in.ExternalID {
			return "External ID has already been taken"
		}
	}
	return ""
}

func newDiscoursePeer(t *testing.T) (*discoursePeer, *Channel) {
	p := &discoursePeer{key: "DISCOURSE-API-KEY-SECRET", user: "vigie"}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	return p, &Channel{ID: "ch-1", Kind: KindDiscourse, Secret: p.key,
		Config: map[string]string{"url": srv.URL, "category": "7", "username": "vigie"}}
}

func TestDiscourseThreadIsOneTopicWithReplies(t *testing.T) {
	p, ch := newDiscoursePeer(t)
	s := NewDiscourseSender(nil, webClock)
	last := ""
	for i := range 3 {
		out := webTestOutgoing("msg-" + strconv.Itoa(i))
		out.Rendered.Markdown = "Mise à jour numéro " + strconv.Itoa(i)
		out.Thread.RemoteID = last
		id, err := s.Send(context.Background(), ch, out)
		if err != nil {
			t.Fatal(err)
		}
		if last != "" && id != last {
			t.Errorf("message %d answered topic %s, want the thread's %s", i, id, last)
		}
		last = id
	}
	if len(p.topics) != 1 || last != "1" {
		t.Fatalf("%d topics, remote id %s; want one, 1", len(p.topics), last)
	}
	tp := p.topics[0]
	wantTitle := "Panne du stockage sur hv3 — 2026-03-01 14:05 UTC"
	if tp.title != wantTitle || tp.category != 7 || tp.externalID != "vigie-incident-12" {
		t.Errorf("topic %q in %d as %q", tp.title, tp.category, tp.externalID)
	}
	if strings.Join(tp.raws, "|") != "Mise à jour numéro 0|Mise à jour numéro 1|Mise à jour numéro 2" {
		t.Errorf("posts %q", tp.raws)
	}
}

func TestDiscourseSummariesOpenATopicEach(t *testing.T) {
	p, ch := newDiscoursePeer(t)
	s := NewDiscourseSender(nil, webClock)
	for i, subject := range []string{"3 pannes", "3 pannes"} {
		out := webTestOutgoing("sum-" + strconv.Itoa(i))
		out.Thread = Thread{}
		out.Rendered.Subject = subject
		out.Message.Items[0].At = webT0.Add(time.Duration(i) * time.Hour)
		if _, err := s.Send(context.Background(), ch, out); err != nil {
			t.Fatal(err)
		}
	}
	if len(p.topics) != 2 || p.topics[0].externalID != "" || !strings.HasPrefix(p.topics[0].title, "3 pannes — ") {
		t.Errorf("topics %+v %+v, want two without external id", p.topics[0], p.topics[len(p.topics)-1])
	}
}

func TestDiscourseRefusals(t *testing.T) {
	p, ch := newDiscoursePeer(t)
	s := NewDiscourseSender(nil, webClock)
	if _, err := s.Send(context.Background(), ch, webTestOutgoing("msg-1")); err != nil {
		t.Fatal(err)
	}
	// Another thread under a title already used: the forum refuses it.
	again := webTestOutgoing("msg-2")
	again.Message.Thread, again.Thread.Key = "incident/13", "incident/13"
	_, err := s.Send(context.Background(), ch, again)
	if !IsPermanent(err) || !strings.Contains(err.Error(), "422") || !strings.Contains(err.Error(), "Title has already been used") {
		t.Errorf("got %v, want a permanent 422 quoting the forum's errors", err)
	}
	lost := webTestOutgoing("msg-3")
	lost.Thread.RemoteID = "99"
	if _, err := s.Send(context.Background(), ch, lost); !IsPermanent(err) {
		t.Errorf("a reply in no topic: %v, want permanent", err)
	}
	lost.Thread.RemoteID = "not-a-number"
	if _, err := s.Send(context.Background(), ch, lost); !IsPermanent(err) {
		t.Errorf("a reply in topic %q: %v, want permanent", lost.Thread.RemoteID, err)
	}
	ch.Config["username"] = "someone"
	_, err = s.Send(context.Background(), ch, webTestOutgoing("msg-4"))
	if !IsPermanent(err) || !strings.Contains(err.Error(), "403") {
		t.Errorf("a wrong user: %v, want a permanent 403", err)
	}
	webAssertNoSecret(t, err, ch.Secret)
	if p.posts != 1 {
		t.Errorf("%d posts, want the first only", p.posts)
	}
}

func TestDiscourseTitleFitsTheForum(t *testing.T) {
	for _, subject := range []string{"", "Panne", strings.Repeat("très long ", 40)} {
		got := discourseTitle(subject, nil, webT0)
		if n := utf8.RuneCountInString(got); n < 15 || n > 255 || !strings.HasSuffix(got, "2026-03-01 14:05 UTC") {
			t.Errorf("title %q (%d characters)", got, n)
		}
	}
}

func TestDiscourseValidateNamesTheSetting(t *testing.T) {
	ok := func(k, v string) map[string]string {
		c := map[string]string{"url": "https://forum.example.org", "category": "7", "username": "vigie"}
		if k != "" {
			c[k] = v
		}
		return c
	}
	cases := []struct {
		config map[string]string
		secret string
		key    string
	}{
		{ok("", ""), "key-0123456789", ""},
		{ok("url", ""), "key-0123456789", "url"},
		{ok("url", "http://forum.example.org"), "key-0123456789", "url"},
		{ok("category", ""), "key-0123456789", "category"},
		{ok("category", "status"), "key-0123456789", "category"},
		{ok("category", "-2"), "key-0123456789", "category"},
		{ok("username", " "), "key-0123456789", "username"},
		{ok("", ""), "", "secret"},
	}
	for _, c := range cases {
		webCheckValidate(t, NewDiscourseSender(nil, nil), &Channel{Config: c.config, Secret: c.secret}, c.key)
	}
}

// A first post whose answer was lost is sent again: the forum refuses the
// duplicate topic, and the sender finds it by its external id instead of
// giving up the thread.
func TestDiscourseRetryOfALostFirstPostFindsItsTopic(t *testing.T) {
	p, ch := newDiscoursePeer(t)
	s := NewDiscourseSender(nil, webClock)
	out := webTestOutgoing("msg-lost")
	first, err := s.Send(context.Background(), ch, out)
	if err != nil {
		t.Fatal(err)
	}
	again, err := s.Send(context.Background(), ch, out)
	if err != nil || again != first {
		t.Fatalf("the retry: %q %v, want topic %q", again, err, first)
	}
	if len(p.topics) != 1 || len(p.topics[0].raws) != 1 {
		t.Errorf("the forum holds %d topics, the first with %d posts", len(p.topics), len(p.topics[0].raws))
	}
	// Another thread's duplicate title is still refused.
	other := webTestOutgoing("msg-other")
	other.Message.Thread = "incident/99"
	other.Thread.Key = "incident/99"
	other.Rendered.Subject = out.Rendered.Subject
	if _, err := s.Send(context.Background(), ch, other); !IsPermanent(err) {
		t.Errorf("a duplicate title of another thread: %v, want a permanent refusal", err)
	}
}

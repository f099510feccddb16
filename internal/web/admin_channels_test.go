package web

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/notify"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// hookDelivery is one request a test webhook receiver got.
type hookDelivery struct {
	Signature, Timestamp string
	Body                 []byte
}

// webhookReceiver is a loopback server taking webhooks: it answers 204,
// or 500 when fail is set, and keeps what it got.
type webhookReceiver struct {
	mu   sync.Mutex
	got  []hookDelivery
	fail bool
	srv  *httptest.Server
}

func newWebhookReceiver(t *testing.T, fail bool) *webhookReceiver {
	t.Helper()
	w := &webhookReceiver{fail: fail}
	w.srv = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.mu.Lock()
		w.got = append(w.got, hookDelivery{Signature: r.Header.Get("X-Vigie-Signature"), Timestamp: r.Header.Get("X-Vigie-Timestamp"), Body: body})
		w.mu.Unlock()
		if w.fail {
			http.Error(rw, "receiver broken", http.StatusInternalServerError)
			return
		}
		rw.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(w.srv.Close)
	return w
}

func (w *webhookReceiver) deliveries() []hookDelivery {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]hookDelivery(nil), w.got...)
}

// signedBy reports whether d carries the HMAC of secret.
func (d hookDelivery) signedBy(secret string) bool {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(d.Timestamp + "."))
	mac.Write(d.Body)
	return hmac.Equal([]byte(d.Signature), []byte("sha256="+hex.EncodeToString(mac.Sum(nil))))
}

const hookSecret = "whsec-console-signing-key-0451"

// TestTheChannelsPageAddsEditsTestsAndDeletesAsTheAPIDoes: an admin adds
// a webhook channel from the form, sends a test that reaches a real
// loopback receiver signed with the secret typed, changes the channel
// without retyping the secret (kept), sees a refusal named by field with
// nothing changed, and deletes it; the secret never shows on a page, and
// every action is in the audit log.
func TestTheChannelsPageAddsEditsTestsAndDeletesAsTheAPIDoes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		site := newConfigSite(t, db)
		hook := newWebhookReceiver(t, false)
		b := site.signedIn(t, "root@host.example", auth.RoleAdmin)
		var pages []string
		resp, page := b.post("/staff/admin/channels", url.Values{"id": {"ops-hook"}, "kind": {"webhook"}, "name": {"Ops hook"},
			"audience": {"public"}, "enabled": {"1"}, "config": {"url=" + hook.srv.URL + "/in\nlang=en\n"}, "secret": {hookSecret}})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/staff/admin/channels?done=added&id=ops-hook" {
			t.Fatalf("add: %d %q\n%s", resp.StatusCode, resp.Header.Get("Location"), page)
		}
		ch, err := site.d.Notify.Channel(ctx, "ops-hook")
		if err != nil || !ch.SecretSet || !ch.Enabled || ch.Config["url"] != hook.srv.URL+"/in" || ch.Config["lang"] != "en" ||
			len(ch.Audiences) != 1 || ch.Audiences[0] != notify.AudiencePublic {
			t.Fatalf("stored %+v %v", ch, err)
		}
		_, page = b.get("/staff/admin/channels?done=added&id=ops-hook")
		pages = append(pages, page)
		if !strings.Contains(page, "ops-hook") || !strings.Contains(page, "url="+hook.srv.URL) {
			t.Fatalf("list page without the channel:\n%s", page)
		}

		resp, page = b.post("/staff/admin/channels/ops-hook/test", nil)
		pages = append(pages, page)
		got := hook.deliveries()
		if resp.StatusCode != http.StatusOK || !strings.Contains(page, `id="test-result"`) || !strings.Contains(page, `class="card ok"`) {
			t.Fatalf("test: %d\n%s", resp.StatusCode, page)
		}
		if len(got) != 1 || !got[0].signedBy(hookSecret) {
			t.Fatalf("the receiver got %d deliveries (signed with the secret: %v), want 1", len(got), len(got) == 1 && got[0].signedBy(hookSecret))
		}
		var payload struct {
			Channel string `json:"channel"`
			Subject string `json:"subject"`
		}
		if err := json.Unmarshal(got[0].Body, &payload); err != nil || payload.Channel != "ops-hook" || payload.Subject == "" {
			t.Fatalf("payload %s %v", got[0].Body, err)
		}

		_, page = b.get("/staff/admin/channels/ops-hook")
		pages = append(pages, page)
		if !strings.Contains(page, `value="Ops hook"`) || !strings.Contains(page, `action="/staff/admin/channels/ops-hook"`) {
			t.Fatalf("edit page:\n%s", page)
		}
		// Changed without the secret: the stored one is kept.
		resp, _ = b.post("/staff/admin/channels/ops-hook", url.Values{"kind": {"webhook"}, "name": {"Ops webhook"},
			"audience": {"public"}, "config": {"url=" + hook.srv.URL + "/in2"}, "rate_per_minute": {"30"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("save: %d", resp.StatusCode)
		}
		ch, _ = site.d.Notify.Channel(ctx, "ops-hook")
		if ch.Name != "Ops webhook" || ch.Enabled || ch.RatePerMinute != 30 || ch.Config["url"] != hook.srv.URL+"/in2" || !ch.SecretSet {
			t.Fatalf("after the change: %+v", ch)
		}
		if resp, _ := b.post("/staff/admin/channels/ops-hook/test", nil); resp.StatusCode != http.StatusOK {
			t.Fatalf("test after the change: %d", resp.StatusCode)
		}
		if got := hook.deliveries(); len(got) != 2 || !got[1].signedBy(hookSecret) {
			t.Fatal("the second test was not signed with the secret kept")
		}

		// Refused by the service: named by field, nothing changed, the
		// secret typed not shown back.
		resp, page = b.post("/staff/admin/channels/ops-hook", url.Values{"kind": {"webhook"}, "name": {"Broken"},
			"audience": {"customers"}, "config": {"url=" + hook.srv.URL + "/in3\nno equals sign"}, "secret": {"another-secret-typed"}})
		pages = append(pages, page)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "config, line 2") {
			t.Fatalf("bad config line: %d\n%s", resp.StatusCode, page)
		}
		resp, page = b.post("/staff/admin/channels/ops-hook", url.Values{"kind": {"webhook"}, "name": {"Broken"},
			"audience": {"customers"}, "config": {"url=" + hook.srv.URL + "/in3"}, "secret": {"another-secret-typed"}})
		pages = append(pages, page)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "audiences[0]") ||
			!strings.Contains(page, "customers are reached one by one, by e-mail only") {
			t.Fatalf("bad audience: %d\n%s", resp.StatusCode, page)
		}
		if again, _ := site.d.Notify.Channel(ctx, "ops-hook"); again.Name != "Ops webhook" || again.Config["url"] != hook.srv.URL+"/in2" {
			t.Fatalf("a refused change changed %+v", again)
		}
		resp, page = b.post("/staff/admin/channels", url.Values{"id": {"ops-hook"}, "kind": {"webhook"}, "audience": {"public"},
			"config": {"url=" + hook.srv.URL}, "secret": {"x"}})
		if resp.StatusCode != http.StatusConflict || !strings.Contains(page, `already exists`) {
			t.Fatalf("the same id again: %d\n%s", resp.StatusCode, page)
		}

		// A receiver that fails: the page says so with the sender's words.
		broken := newWebhookReceiver(t, true)
		if resp, _ := b.post("/staff/admin/channels", url.Values{"id": {"broken"}, "kind": {"webhook"}, "audience": {"staff"}, "enabled": {"1"},
			"config": {"url=" + broken.srv.URL}, "secret": {hookSecret}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("add broken: %d", resp.StatusCode)
		}
		resp, page = b.post("/staff/admin/channels/broken/test", nil)
		pages = append(pages, page)
		if resp.StatusCode != http.StatusBadGateway || !strings.Contains(page, `class="card bad"`) || !strings.Contains(page, "500") ||
			len(broken.deliveries()) != 1 {
			t.Fatalf("failed test: %d, %d deliveries\n%s", resp.StatusCode, len(broken.deliveries()), page)
		}

		if resp, _ := b.post("/staff/admin/channels/broken/delete", nil); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("delete: %d", resp.StatusCode)
		}
		if _, err := site.d.Notify.Channel(ctx, "broken"); err == nil {
			t.Fatal("deleted channel still there")
		}
		for i, p := range pages {
			if strings.Contains(p, hookSecret) || strings.Contains(p, "another-secret-typed") {
				t.Fatalf("page %d shows a secret:\n%s", i, p)
			}
		}
		var actions []string
		for _, e := range site.audited(t) {
			if e.Actor == "root@host.example" && strings.HasPrefix(e.Action, "POST /staff/admin/channels") {
				actions = append(actions, e.Action+map[bool]string{true: "", false: " (refused)"}[e.OK])
			}
		}
		want := []string{"POST /staff/admin/channels", "POST /staff/admin/channels/{id}/test", "POST /staff/admin/channels/{id}",
			"POST /staff/admin/channels/{id}/test", "POST /staff/admin/channels/{id} (refused)", "POST /staff/admin/channels/{id} (refused)",
			"POST /staff/admin/channels (refused)", "POST /staff/admin/channels", "POST /staff/admin/channels/{id}/test (refused)",
			"POST /staff/admin/channels/{id}/delete"}
		if strings.Join(actions, "|") != strings.Join(want, "|") {
			t.Fatalf("audited:\n%q\nwant\n%q", actions, want)
		}
	})
}

// TestOnlyAdminsReachTheChannels: staff and viewers get 403 on the page
// and its forms, which change nothing.
func TestOnlyAdminsReachTheChannels(t *testing.T) {
	site := newConfigSite(t, storetest.Open(t, store.SQLite))
	for _, role := range []auth.Role{auth.RoleStaff, auth.RoleViewer} {
		b := site.signedIn(t, string(role)+"@host.example", role)
		if resp, _ := b.get("/staff/admin/channels"); resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s: GET %d, want 403", role, resp.StatusCode)
		}
		if resp, _ := b.post("/staff/admin/channels", url.Values{"id": {"x"}, "kind": {"webhook"}, "audience": {"public"},
			"config": {"url=http://127.0.0.1:1/"}, "secret": {"s"}}); resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s: POST %d, want 403", role, resp.StatusCode)
		}
	}
	if list, _ := site.d.Notify.Channels(context.Background()); len(list) != 0 {
		t.Fatalf("channels %+v", list)
	}
}

package web

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/notify"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// callNotify sends a request and returns the status and the raw body.
func callNotify(t *testing.T, base, method, path, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw)
}

const channelSecret = "xoxb-very-secret-token-4242"

func TestChannelSecretsAreNeverShownByTheAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		var tested []notify.Recipient
		base := serveAPI(t, db, Deps{Notify: notify.NewStore(db), NotifyTest: func(_ context.Context, id string, to notify.Recipient) error {
			tested = append(tested, to)
			if to.ID == "broken@example.org" {
				return errors.New("535 authentication failed")
			}
			return nil
		}}, "")
		var bodies []string
		expect := func(method, path, body string, want int) string {
			t.Helper()
			status, raw := callNotify(t, base, method, path, body)
			if status != want {
				t.Fatalf("%s %s: %d %s, want %d", method, path, status, raw, want)
			}
			bodies = append(bodies, raw)
			return raw
		}
		created := expect("POST", "/api/v1/channels", `{"id":"chat","kind":"slack","audiences":["public"],
			"config":{"url":"https://chat.example.org/hooks/1"},"secret":"`+channelSecret+`"}`, http.StatusCreated)
		var ch notify.Channel
		if err := json.Unmarshal([]byte(created), &ch); err != nil {
			t.Fatal(err)
		}
		if !ch.SecretSet || !ch.Enabled || ch.Name != "chat" || ch.Config["url"] == "" {
			t.Fatalf("created %s", created)
		}
		expect("GET", "/api/v1/channels", "", http.StatusOK)
		expect("GET", "/api/v1/channels/chat", "", http.StatusOK)
		updated := expect("PUT", "/api/v1/channels/chat", `{"kind":"slack","name":"Chat","audiences":["staff"],"enabled":false}`, http.StatusOK)
		if !strings.Contains(updated, `"secret_set": true`) || !strings.Contains(updated, `"enabled": false`) {
			t.Fatalf("an update without secret: %s", updated)
		}
		with, err := notify.NewStore(db).Channels(context.Background())
		if err != nil || len(with) != 1 || !with[0].SecretSet {
			t.Fatalf("stored %+v %v", with, err)
		}
		expect("PUT", "/api/v1/channels/chat", `{"id":"other","kind":"slack","audiences":["public"]}`, http.StatusUnprocessableEntity)
		expect("POST", "/api/v1/channels/chat/test", `{"to":"ops@example.org"}`, http.StatusOK)
		failed := expect("POST", "/api/v1/channels/chat/test", `{"to":"broken@example.org"}`, http.StatusBadGateway)
		if !strings.Contains(failed, "535 authentication failed") {
			t.Fatalf("a failed test: %s", failed)
		}
		expect("POST", "/api/v1/channels/chat/test", `{}`, http.StatusOK)
		if len(tested) != 3 || tested[0].Address != "ops@example.org" || tested[2].Kind != "channel" || tested[2].ID != "chat" {
			t.Fatalf("tests sent to %+v", tested)
		}
		expect("POST", "/api/v1/channels/nope/test", `{}`, http.StatusNotFound)
		expect("DELETE", "/api/v1/channels/chat", "", http.StatusNoContent)
		expect("GET", "/api/v1/channels/chat", "", http.StatusNotFound)
		for _, b := range bodies {
			if strings.Contains(b, channelSecret) || strings.Contains(b, `"secret":`) {
				t.Fatalf("a response shows the secret: %s", b)
			}
		}
	})
}

func TestChannelRefusalsNameTheField(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	base := serveAPI(t, db, Deps{Notify: notify.NewStore(db)}, "")
	for _, c := range []struct {
		body   string
		status int
		fields []string
	}{
		{`{"id":"Bad Id","kind":"sms","audiences":["public"]}`, 422, []string{"id", "kind"}},
		{`{"id":"chat","kind":"slack","audiences":["customers"]}`, 422, []string{"audiences[0]"}},
		{`{"id":"chat","kind":"slack","audiences":["public"],"rate_per_minute":-5}`, 422, []string{"rate_per_minute"}},
		{`{"id":"chat","kind":"slack","audiences":["public"],"secret_set":true}`, 400, []string{"secret_set"}},
	} {
		status, raw := callNotify(t, base, "POST", "/api/v1/channels", c.body)
		var body struct {
			Fields []struct{ Field string } `json:"fields"`
		}
		_ = json.Unmarshal([]byte(raw), &body)
		var got []string
		for _, f := range body.Fields {
			got = append(got, f.Field)
		}
		if status != c.status || fmt.Sprint(got) != fmt.Sprint(c.fields) {
			t.Errorf("%s: %d %s, want %d naming %v", c.body, status, raw, c.status, c.fields)
		}
	}
	if status, raw := callNotify(t, base, "POST", "/api/v1/channels/chat/test", `{}`); status != http.StatusNotFound {
		t.Fatalf("test of a missing channel: %d %s", status, raw)
	}
}

func TestNotificationRoutesAnswer503WithoutNotifications(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	base := serveAPI(t, db, Deps{}, "")
	for _, path := range []string{"/api/v1/channels", "/api/v1/notifications"} {
		if status, raw := callNotify(t, base, "GET", path, ""); status != http.StatusServiceUnavailable {
			t.Errorf("GET %s: %d %s", path, status, raw)
		}
	}
	st := notify.NewStore(db)
	if err := st.AddChannel(context.Background(), &notify.Channel{ID: "hook", Kind: notify.KindWebhook, Audiences: []notify.Audience{notify.AudienceStaff}}); err != nil {
		t.Fatal(err)
	}
	base = serveAPI(t, storetest.Open(t, store.SQLite), Deps{Notify: st}, "")
	if status, raw := callNotify(t, base, "POST", "/api/v1/channels/hook/test", `{}`); status != http.StatusServiceUnavailable {
		t.Fatalf("test without a tester: %d %s", status, raw)
	}
}

func TestDeadLettersAreListedAndResent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		st := notify.NewStore(db)
		for _, id := range []string{"hook", "mail"} {
			kind, aud := notify.KindWebhook, notify.AudienceStaff
			if id == "mail" {
				kind, aud = notify.KindEmail, notify.AudienceCustomers
			}
			if err := st.AddChannel(ctx, &notify.Channel{ID: id, Kind: kind, Audiences: []notify.Audience{aud}, Enabled: true}); err != nil {
				t.Fatal(err)
			}
		}
		now := time.Now()
		for i, ch := range []string{"hook", "mail", "mail"} {
			m := &notify.Message{Key: fmt.Sprint("k", i), Channel: ch, Recipient: notify.Recipient{Kind: "customer", ID: fmt.Sprint("C", i)},
				Topic: notify.TopicIncident, IncidentID: 7, NotBefore: now,
				Items: []notify.Item{{Topic: notify.TopicIncident, Event: "opened", At: now, IncidentID: 7}}}
			err := db.InTx(ctx, func(tx *sql.Tx) error { _, _, err := st.Enqueue(ctx, tx, m, 0); return err })
			if err != nil {
				t.Fatal(err)
			}
		}
		claimed, err := st.Claim(ctx, now, 10, time.Minute)
		if err != nil || len(claimed) != 3 {
			t.Fatalf("claim %d %v", len(claimed), err)
		}
		for _, c := range claimed {
			if err := st.Failed(ctx, c.Message.ID, notify.Permanent(errors.New("410 gone")), now, nil); err != nil {
				t.Fatal(err)
			}
		}
		base := serveAPI(t, db, Deps{Notify: st}, "")
		var list struct {
			Notifications []notify.Message `json:"notifications"`
			Next          string           `json:"next"`
		}
		status, raw := callNotify(t, base, "GET", "/api/v1/notifications?state=dead&incident=7", "")
		if err := json.Unmarshal([]byte(raw), &list); status != 200 || err != nil || len(list.Notifications) != 3 ||
			list.Notifications[0].LastError != "410 gone" || list.Notifications[0].State != notify.StateDead {
			t.Fatalf("dead letters: %d %s", status, raw)
		}
		status, raw = callNotify(t, base, "GET", "/api/v1/notifications?state=dead&limit=2", "")
		if err := json.Unmarshal([]byte(raw), &list); status != 200 || err != nil || len(list.Notifications) != 2 || list.Next == "" {
			t.Fatalf("first page: %d %s", status, raw)
		}
		status, raw = callNotify(t, base, "GET", "/api/v1/notifications?state=dead&limit=2&after="+list.Next, "")
		if err := json.Unmarshal([]byte(raw), &list); status != 200 || err != nil || len(list.Notifications) != 1 || list.Next != "" {
			t.Fatalf("second page: %d %s", status, raw)
		}
		for path, want := range map[string]int{
			"/api/v1/notifications?state=lost": 400, "/api/v1/notifications?incident=x": 400, "/api/v1/notifications?chanel=hook": 400,
		} {
			if status, raw := callNotify(t, base, "GET", path, ""); status != want {
				t.Errorf("GET %s: %d %s, want %d", path, status, raw, want)
			}
		}
		first := claimed[0].Message.ID
		status, raw = callNotify(t, base, "POST", fmt.Sprintf("/api/v1/notifications/%d/resend", first), "")
		if status != 200 || !strings.Contains(raw, `"state": "pending"`) || !strings.Contains(raw, `"attempts": 0`) {
			t.Fatalf("resend: %d %s", status, raw)
		}
		if status, raw := callNotify(t, base, "POST", fmt.Sprintf("/api/v1/notifications/%d/resend", first), ""); status != http.StatusConflict {
			t.Fatalf("resend a pending message: %d %s", status, raw)
		}
		if status, raw := callNotify(t, base, "POST", "/api/v1/notifications/999/resend", ""); status != http.StatusNotFound {
			t.Fatalf("resend a missing message: %d %s", status, raw)
		}
		status, raw = callNotify(t, base, "POST", "/api/v1/notifications/resend?state=dead&channel=mail", "")
		if status != 200 || !strings.Contains(raw, `"resent": 2`) {
			t.Fatalf("bulk resend: %d %s", status, raw)
		}
		if status, raw := callNotify(t, base, "POST", "/api/v1/notifications/resend?state=sent", ""); status != 400 {
			t.Fatalf("bulk resend of sent messages: %d %s", status, raw)
		}
		left, _ := st.Messages(ctx, notify.ListFilter{State: notify.StateDead})
		if len(left) != 0 {
			t.Fatalf("dead letters left: %+v", left)
		}
	})
}

package web

import (
	"context"
	"database/sql"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/notify"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// notifLeak is a secret a channel's error carried; the page never shows it.
const notifLeak = "hunter2-s3cret"

// notifSite is the configuration pages' site with a webhook channel and
// three messages on it: two dead letters (one of incident 42, its error
// holding a password), and one queued.
func notifSite(t *testing.T, db *store.DB) (site *staffSite, dead1, dead2, queued int64) {
	t.Helper()
	ctx := context.Background()
	site = newConfigSite(t, db)
	st := site.d.Notify
	st.Now = fixedClock(site.now)
	if err := st.AddChannel(ctx, &notify.Channel{ID: "hooks", Kind: notify.KindWebhook, Audiences: []notify.Audience{notify.AudienceStaff},
		Enabled: true, Config: map[string]string{"url": "https://hooks.example.org/vigie"}, Secret: "whsec-test-signing-key"}); err != nil {
		t.Fatal(err)
	}
	ids := make([]int64, 3)
	for i, who := range []string{"ops@host.example", "lead@host.example", "night@host.example"} {
		m := notify.Message{Channel: "hooks", Recipient: notify.Recipient{Kind: "staff", ID: who, Lang: "en", Zone: "UTC"}, Topic: notify.TopicIncident,
			Items: []notify.Item{{Topic: notify.TopicIncident, Event: "opened", At: *site.now, IncidentID: 42}}}
		if i == 0 {
			m.IncidentID = 42
		}
		err := db.InTx(ctx, func(tx *sql.Tx) error {
			var err error
			ids[i], _, err = st.Enqueue(ctx, tx, &m, 0)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range ids[:2] {
		if _, err := db.ExecContext(ctx, `UPDATE notify_messages SET state = 'dead', attempts = 8, last_error = $2 WHERE id = $1`,
			id, "POST https://bot:"+notifLeak+"@hooks.example.org/vigie: 502 Bad Gateway"); err != nil {
			t.Fatal(err)
		}
	}
	return site, ids[0], ids[1], ids[2]
}

// notifState reads a message's state and attempts back from the store.
func notifState(t *testing.T, site *staffSite, id int64) (notify.State, int) {
	t.Helper()
	m, err := site.d.Notify.Message(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return m.State, m.Attempts
}

// TestConsoleNotificationsShowAndResendAsTheAPI: staff see the messages by
// state, the dead letters first, with channel, recipient, incident link,
// tries and the last error with its password masked; a bad filter is a 422
// naming the field. Resending one dead letter queues it again with fresh
// tries (in the store); resending a queued one is refused, nothing changed;
// resending every dead letter needs the confirm box (422 naming it,
// nothing changed) and then queues them. A read-only viewer gets 403 and
// changes nothing; the administration's index links the page for staff.
func TestConsoleNotificationsShowAndResendAsTheAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		site, dead1, dead2, queued := notifSite(t, db)
		b := site.signedIn(t, "ops@host.example", auth.RoleStaff)
		b.setCookie(langCookie, "en")
		viewer := site.signedIn(t, "viewer@host.example", auth.RoleViewer)

		resp, body := b.get("/staff/notifications")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("page: %d\n%s", resp.StatusCode, excerpt(body))
		}
		for _, want := range []string{`id="m-` + strconv.FormatInt(dead1, 10) + `"`, `id="m-` + strconv.FormatInt(queued, 10) + `"`,
			`href="/staff/incidents/42"`, "lead@host.example", "502 Bad Gateway", `action="/staff/notifications/resend"`, `name="confirm"`} {
			if !strings.Contains(body, want) {
				t.Fatalf("page: want %q in\n%s", want, excerpt(body))
			}
		}
		if strings.Contains(body, notifLeak) {
			t.Fatalf("page shows the secret of the last error:\n%s", excerpt(body))
		}
		if d, p := strings.Index(body, `id="state-dead"`), strings.Index(body, `id="state-pending"`); d < 0 || p < 0 || d > p {
			t.Fatalf("dead letters not first (%d, %d)", d, p)
		}
		resp, body = b.get("/staff/notifications?state=dead&channel=hooks")
		if resp.StatusCode != http.StatusOK || strings.Contains(body, `id="m-`+strconv.FormatInt(queued, 10)+`"`) {
			t.Fatalf("dead filter: %d shows the queued message\n%s", resp.StatusCode, excerpt(body))
		}
		for _, bad := range []string{"state=lost", "incident=abc"} {
			resp, body = b.get("/staff/notifications?" + bad)
			field := bad[:strings.Index(bad, "=")]
			if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, field+":") {
				t.Fatalf("%s: %d, want 422 naming %s\n%s", bad, resp.StatusCode, field, excerpt(body))
			}
		}
		_, body = b.get("/staff/admin")
		if !strings.Contains(body, `href="/staff/notifications"`) {
			t.Fatalf("admin index has no link to the notifications:\n%s", excerpt(body))
		}

		// A viewer may neither read nor resend.
		for _, r := range []struct{ method, path string }{{"GET", "/staff/notifications"}, {"POST", "/staff/notifications/" + strconv.FormatInt(dead1, 10) + "/resend"},
			{"POST", "/staff/notifications/resend"}} {
			var resp *http.Response
			if r.method == "GET" {
				resp, _ = viewer.get(r.path)
			} else {
				resp, _ = viewer.post(r.path, url.Values{"confirm": {"1"}})
			}
			if resp.StatusCode != http.StatusForbidden {
				t.Fatalf("viewer %s %s: %d, want 403", r.method, r.path, resp.StatusCode)
			}
		}
		if st, _ := notifState(t, site, dead1); st != notify.StateDead {
			t.Fatalf("after the viewer: %s, want dead", st)
		}
		if _, body = viewer.get("/staff/admin"); strings.Contains(body, `href="/staff/notifications"`) {
			t.Fatal("admin index links the notifications for a viewer")
		}

		// Resend one.
		one := "/staff/notifications/" + strconv.FormatInt(dead1, 10) + "/resend"
		resp, body = b.post(one, url.Values{"channel": {"hooks"}})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/staff/notifications?channel=hooks&done=resent&id="+strconv.FormatInt(dead1, 10) {
			t.Fatalf("resend one: %d %q\n%s", resp.StatusCode, resp.Header.Get("Location"), excerpt(body))
		}
		if st, n := notifState(t, site, dead1); st != notify.StatePending || n != 0 {
			t.Fatalf("resent: %s with %d tries, want pending with 0", st, n)
		}
		_, body = b.get(resp.Header.Get("Location"))
		if !strings.Contains(body, "queued again") {
			t.Fatalf("no confirmation:\n%s", excerpt(body))
		}
		// A queued message cannot be resent.
		resp, body = b.post("/staff/notifications/"+strconv.FormatInt(queued, 10)+"/resend", nil)
		if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "only a dead or sent message") {
			t.Fatalf("resend queued: %d\n%s", resp.StatusCode, excerpt(body))
		}

		// Resend all: the box first.
		resp, body = b.post("/staff/notifications/resend", nil)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "confirm:") {
			t.Fatalf("resend all without confirm: %d\n%s", resp.StatusCode, excerpt(body))
		}
		if st, _ := notifState(t, site, dead2); st != notify.StateDead {
			t.Fatalf("unconfirmed resend changed the message: %s", st)
		}
		resp, body = b.post("/staff/notifications/resend", url.Values{"confirm": {"1"}, "incident": {"x"}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "incident:") {
			t.Fatalf("resend all with a bad incident: %d\n%s", resp.StatusCode, excerpt(body))
		}
		resp, body = b.post("/staff/notifications/resend", url.Values{"confirm": {"1"}})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/staff/notifications?done=resent-all&n=1" {
			t.Fatalf("resend all: %d %q\n%s", resp.StatusCode, resp.Header.Get("Location"), excerpt(body))
		}
		if st, n := notifState(t, site, dead2); st != notify.StatePending || n != 0 {
			t.Fatalf("resent in bulk: %s with %d tries, want pending with 0", st, n)
		}
	})
}

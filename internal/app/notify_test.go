package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/app"
	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/notify"
	"github.com/vigie/vigie/internal/notify/notifytest"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// notifyHost has three customers: Alice (French, two sites) and Bob
// (English, in Montreal) on hv01, Carla on hv02.
const notifyHost = `customers:
  - {id: C1, name: Alice Ateliers, email: alice@example.org, language: fr, timezone: Europe/Paris}
  - {id: C2, name: Bob Bakery, email: bob@example.org, language: en, timezone: America/Montreal}
  - {id: C3, name: Carla Cartes, email: carla@example.org}
assets:
  - {name: dc1, kind: datacenter}
  - {name: hv01, kind: hypervisor, depends_on: [dc1]}
  - {name: hv02, kind: hypervisor, depends_on: [dc1]}
  - {name: web-01, kind: vm, depends_on: [hv01], labels: {pool: shared}}
  - {name: web-02, kind: vm, depends_on: [hv01], labels: {pool: shared}}
  - {name: web-03, kind: vm, depends_on: [hv02], labels: {pool: shared}}
  - {name: alice-blog, kind: site, owner: C1, depends_on: [web-01]}
  - {name: alice-shop, kind: site, owner: C1, depends_on: [web-01]}
  - {name: bob-bakery, kind: site, owner: C2, depends_on: [web-02]}
  - {name: carla-cards, kind: site, owner: C3, depends_on: [web-03]}
components:
  - {name: Hébergement mutualisé, name_en: Shared hosting, covers: {kind: vm, label: pool=shared}}
`

func TestOneUpdateReachesEveryChannel(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(string(engine), func(t *testing.T) { testOneUpdateReachesEveryChannel(t, engine) })
	}
}

func testOneUpdateReachesEveryChannel(t *testing.T, engine store.Engine) {
	ctx := context.Background()
	mail := notifytest.StartSMTP(t, notifytest.SMTPOptions{Username: "relay", Password: "relay-password"})
	p := startPeers(t)
	cfg := app.Config{DB: storetest.DSN(t, engine), PublicURL: "https://status.example.org", PublicName: "Nuage Coop",
		SweepEvery: 50 * time.Millisecond, NotifyGather: -1, NotifyWindow: 300 * time.Millisecond, EscalateAfter: time.Hour,
		MailRootCAs: mail.RootCAs}
	s := startServer(t, ctx, cfg, notifyHost, "")
	must := func(code int, body string, want int) {
		t.Helper()
		if code != want {
			t.Fatalf("status %d, want %d: %s", code, want, body)
		}
	}
	mailCfg := jsonOf(t, mail.Config())
	must2 := func(method, path, body string, want int) string {
		t.Helper()
		code, out := s.call(method, path, body, nil)
		must(code, out, want)
		return out
	}
	must2("POST", "/api/v1/channels", `{"id":"mail","kind":"email","name":"Mail","audiences":["customers","staff"],"config":`+mailCfg+`,"secret":"relay-password"}`, 201)
	must2("POST", "/api/v1/channels", `{"id":"hook","kind":"webhook","name":"Hook","audiences":["public"],"config":{"url":"`+p.hook.URL+`"},"secret":"hook-secret"}`, 201)
	must2("POST", "/api/v1/channels", `{"id":"forum","kind":"discourse","name":"Forum","audiences":["public"],"config":{"url":"`+p.forum.URL+`","category":"7","username":"vigie"},"secret":"forum-key"}`, 201)
	must2("POST", "/api/v1/channels", `{"id":"social","kind":"mastodon","name":"Mastodon","audiences":["public"],"config":{"instance":"`+p.masto.URL+`"},"secret":"masto-token"}`, 201)
	must2("POST", "/api/v1/channels", `{"id":"ops","kind":"slack","name":"Ops","audiences":["staff"],"secret":"`+p.chat.URL+`/hooks/T0/B0"}`, 201)
	list := must2("GET", "/api/v1/channels", "", 200)
	for _, secret := range []string{"relay-password", "hook-secret", "forum-key", "masto-token", "/hooks/T0/B0"} {
		if strings.Contains(list, secret) {
			t.Errorf("the channel list shows a secret (%s): %s", secret, list)
		}
	}
	must2("PUT", "/api/v1/users/ops@example.org/duty", `{"duty":"always","timezone":"Europe/Paris"}`, 200)
	// A change of one field keeps the others.
	if out := must2("PUT", "/api/v1/users/ops@example.org/duty", `{"page":false}`, 200); !regexp.MustCompile(`"duty": ?"always",\s*"page": ?false`).MatchString(out) {
		t.Fatalf("paging off kept no duty hours: %s", out)
	}
	must2("PUT", "/api/v1/users/ops@example.org/duty", `{"page":true}`, 200)
	must2("PUT", "/api/v1/users/ops@example.org/duty", `{"timezone":"Local"}`, 422)
	must2("PUT", "/api/v1/users/ops@example.org/duty", `{"duty":"8h-23h"}`, 422)

	// Staff open a critical incident on hv01: staff incidents are settled
	// at once, so everyone is told at once.
	var opened struct{ ID int64 }
	code, body := s.call("POST", "/api/v1/incidents", `{"root_assets":["hv01"],"title":"hv01 down","severity":"critical"}`, &opened)
	must(code, body, 201)
	id := itoa(opened.ID)

	// The page to staff, the first word to each customer in their
	// language, and the public channels.
	mails := mail.WaitMails(t, 3, 10*time.Second)
	byTo := map[string][]*notifytest.ParsedMail{}
	for _, m := range mails {
		byTo[m.To[0]] = append(byTo[m.To[0]], notifytest.ParseMail(t, m.Data))
	}
	if len(byTo["carla@example.org"]) != 0 {
		t.Error("Carla, on hv02, was told about hv01")
	}
	alice, bob, ops := byTo["alice@example.org"], byTo["bob@example.org"], byTo["ops@example.org"]
	if len(alice) != 1 || len(bob) != 1 || len(ops) != 1 {
		t.Fatalf("mails: alice %d, bob %d, ops %d; want 1 each", len(alice), len(bob), len(ops))
	}
	if !strings.Contains(alice[0].Text, "alice-blog") || !strings.Contains(alice[0].Text, "alice-shop") || strings.Contains(alice[0].Text, "bob-bakery") {
		t.Errorf("Alice's mail does not name exactly her sites:\n%s", alice[0].Text)
	}
	if alice[0].Get("Content-Language") != "fr" || bob[0].Get("Content-Language") != "en" {
		t.Errorf("languages: alice %q, bob %q", alice[0].Get("Content-Language"), bob[0].Get("Content-Language"))
	}
	if !strings.Contains(bob[0].Text, "Shared hosting") || !strings.Contains(alice[0].Text, "Hébergement mutualisé") {
		t.Errorf("the mails do not repeat the page's text:\n%s\n---\n%s", alice[0].Text, bob[0].Text)
	}
	if !strings.Contains(ops[0].Get("Subject"), "critical") && !strings.Contains(strings.ToLower(ops[0].Get("Subject")), "critique") {
		t.Errorf("the page's subject says no severity: %q", ops[0].Get("Subject"))
	}
	waitUntil(t, 10*time.Second, "the public channels and the staff room hear of it", func() bool {
		ok := false
		p.snapshot(func(p *peers) {
			ok = len(p.hooks) == 1 && len(p.statuses) == 1 && len(p.topics) == 1 && len(p.slack) == 1
		})
		return ok
	})
	p.snapshot(func(p *peers) {
		if p.badHooks != 0 {
			t.Errorf("%d webhook deliveries had a bad signature", p.badHooks)
		}
		for _, w := range append(p.slack, p.statuses[0].Text, p.hooks[0].Text) {
			if strings.Contains(w, "hv01") && w != p.slack[0] || strings.Contains(w, "alice") || strings.Contains(w, "bob-bakery") {
				t.Errorf("a public channel names an asset or a customer: %s", w)
			}
		}
	})

	// The staff member takes the incident from the page's link.
	ack := regexp.MustCompile(`https://status\.example\.org(/ack/[A-Za-z0-9_.-]+)`).FindStringSubmatch(ops[0].Text)
	if ack == nil {
		t.Fatalf("the page has no acknowledgement link:\n%s", ops[0].Text)
	}
	if code, page := get(t, s.base+ack[1]); code != 200 || !strings.Contains(page, "Acknowledge") {
		t.Errorf("the acknowledgement page: %d\n%s", code, page)
	}
	if got := s.incident(opened.ID); got.AcknowledgedAt != nil {
		t.Fatal("opening the link's page acknowledged the incident: GET must change nothing")
	}
	resp, err := http.Post(s.base+ack[1], "application/x-www-form-urlencoded", strings.NewReader("action=ack"))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("acknowledge: %v %v", resp, err)
	}
	_ = resp.Body.Close()
	if got := s.incident(opened.ID); got.AcknowledgedAt == nil {
		t.Error("the link did not acknowledge the incident")
	}
	// A staff action like any other: the audit log says who took it, from
	// where.
	acks, err := s.app.Audit.List(ctx, auth.AuditFilter{Action: "incident.acknowledge"})
	if err != nil {
		t.Fatal(err)
	}
	if len(acks) != 1 || acks[0].Actor == "" || acks[0].Target != "id="+id || !acks[0].OK || acks[0].Addr == "" {
		t.Errorf("the acknowledgement by the page's link is not in the audit log as one staff action: %+v", acks)
	}

	// The preview shows every channel's text in both languages, sends
	// nothing.
	var prev struct{ Channels []notify.Preview }
	code, body = s.call("POST", "/api/v1/incidents/"+id+"/updates/preview",
		`{"status":"identified","message_fr":"Une alimentation a lâché ; remplacement en cours.","message_en":"A power supply failed; replacing it."}`, &prev)
	must(code, body, 200)
	kinds := map[string]bool{}
	for _, pv := range prev.Channels {
		kinds[pv.Channel] = true
		if !strings.Contains(pv.FR.Text+pv.FR.Short, "Une alimentation") || !strings.Contains(pv.EN.Text+pv.EN.Short, "A power supply") {
			t.Errorf("preview of %s lacks the update's texts: %+v", pv.Channel, pv)
		}
	}
	for _, ch := range []string{"mail", "hook", "forum", "social"} {
		if !kinds[ch] {
			t.Errorf("the preview has no %s: %s", ch, body)
		}
	}
	if kinds["ops"] {
		t.Error("the preview shows the staff room, which public updates do not reach")
	}

	// Alice stops incident e-mails by the one-click link of her mail.
	unsub := strings.Trim(alice[0].Get("List-Unsubscribe"), "<>")
	if alice[0].Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" || !strings.HasPrefix(unsub, "https://status.example.org/unsubscribe/") {
		t.Fatalf("unsubscribe headers: %q %q", alice[0].Get("List-Unsubscribe"), alice[0].Get("List-Unsubscribe-Post"))
	}
	u, _ := url.Parse(unsub)
	if code, page := get(t, s.base+u.Path); code != 200 || !strings.Contains(page, "Alice Ateliers") || !strings.Contains(page, "Ne plus recevoir") {
		t.Errorf("the opt-out page: %d\n%s", code, page)
	}
	if code, _ := get(t, s.base+"/unsubscribe/"+strings.ToUpper(path.Base(u.Path))); code != 404 {
		t.Errorf("a changed opt-out link answers %d, want 404", code)
	}
	if out := must2("GET", "/api/v1/customers/C1/notifications", "", 200); strings.Contains(out, "incident") {
		t.Fatalf("opening the opt-out page opted out: GET must change nothing: %s", out)
	}
	resp, err = http.Post(s.base+u.Path, "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("one-click unsubscribe: %v %v", resp, err)
	}
	_ = resp.Body.Close()
	if out := must2("GET", "/api/v1/customers/C1/notifications", "", 200); !regexp.MustCompile(`"topic": ?"incident"`).MatchString(out) {
		t.Errorf("Alice's opt-out is not recorded: %s", out)
	}

	// One update, posted once: the page, the feed, Bob, the public
	// channels and the forum thread; not Alice any more.
	must2("POST", "/api/v1/incidents/"+id+"/updates",
		`{"status":"identified","message_fr":"Une alimentation a lâché ; remplacement en cours.","message_en":"A power supply failed; replacing it."}`, 201)
	waitFor(t, s.base+"/en/feed.atom", 3*time.Second, "A power supply failed")
	waitFor(t, s.base+"/incidents/"+id+"/", 3*time.Second, "Une alimentation a lâché")
	mails = mail.WaitMails(t, 4, 10*time.Second)
	second := notifytest.ParseMail(t, mails[3].Data)
	if mails[3].To[0] != "bob@example.org" || !strings.Contains(second.Text, "A power supply failed") {
		t.Fatalf("the fourth mail is to %v:\n%s", mails[3].To, second.Text)
	}
	if second.Get("In-Reply-To") == "" || second.Get("In-Reply-To") != bob[0].Get("In-Reply-To") {
		t.Errorf("Bob's two mails are not one thread: %q and %q", bob[0].Get("In-Reply-To"), second.Get("In-Reply-To"))
	}
	waitUntil(t, 10*time.Second, "the public channels hear the update", func() bool {
		ok := false
		p.snapshot(func(p *peers) { ok = len(p.hooks) == 2 && len(p.statuses) == 2 && len(p.topics[500]) == 2 })
		return ok
	})
	p.snapshot(func(p *peers) {
		if p.statuses[1].ReplyTo != p.statuses[0].ID {
			t.Errorf("the second status does not reply to the first: %+v", p.statuses)
		}
		if len(p.topics) != 1 || !strings.Contains(p.topics[500][1], "power supply") && !strings.Contains(p.topics[500][1], "alimentation") {
			t.Errorf("the forum did not get the update in the incident's topic: %+v", p.topics)
		}
	})
	if n := countTo(mail.Mails(), "alice@example.org"); n != 1 {
		t.Errorf("Alice got %d mails, want only the first (she opted out)", n)
	}

	// The timeline records every message with its outcome.
	waitUntil(t, 5*time.Second, "the timeline records the messages", func() bool {
		tl := s.timeline(opened.ID)
		return strings.Count(tl, "notification-sent") >= 10
	})
	tl := s.timeline(opened.ID)
	for _, want := range []string{"on mail to C1 <alice@example.org>: sent", "on mail to C2 <bob@example.org>: sent", "on forum to forum: sent", "on social to social: sent", "on ops to ops: sent", "on mail to ops@example.org: sent"} {
		if !strings.Contains(tl, want) {
			t.Errorf("the timeline lacks %q:\n%s", want, tl)
		}
	}
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func countTo(mails []notifytest.Mail, to string) int {
	n := 0
	for _, m := range mails {
		if m.To[0] == to {
			n++
		}
	}
	return n
}

// incident reads one incident through the API.
func (s *server) incident(id int64) incident.Incident {
	s.t.Helper()
	var out struct{ Incident incident.Incident }
	if code, body := s.call("GET", "/api/v1/incidents/"+itoa(id), "", &out); code != 200 {
		s.t.Fatalf("incident %d: %d %s", id, code, body)
	}
	return out.Incident
}

// timeline returns an incident's timeline as the API shows it.
func (s *server) timeline(id int64) string {
	s.t.Helper()
	code, body := s.call("GET", "/api/v1/incidents/"+itoa(id), "", nil)
	if code != 200 {
		s.t.Fatalf("incident %d: %d %s", id, code, body)
	}
	return body
}

// A customer's link stops one kind of message, or every one, and takes
// them back, without signing in.
func TestTheOptOutPageStopsEverythingAndTakesItBack(t *testing.T) {
	ctx := context.Background()
	s := startServer(t, ctx, app.Config{DB: storetest.DSN(t, store.SQLite)}, notifyHost, "")
	tok := s.app.NotifyLinks.OptOutToken(notify.OptOut{Customer: "C2", Channel: "email", Topic: "maintenance"})
	post := func(action string) string {
		t.Helper()
		resp, err := http.PostForm(s.base+"/unsubscribe/"+tok, url.Values{"action": {action}})
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("POST %s: %v %v", action, resp, err)
		}
		_ = resp.Body.Close()
		_, out := s.call("GET", "/api/v1/customers/C2/notifications", "", nil)
		return out
	}
	if code, page := get(t, s.base+"/unsubscribe/"+tok); code != 200 || !strings.Contains(page, "Bob Bakery (C2)") ||
		!strings.Contains(page, `value="stop-all"`) || !strings.Contains(page, "maintenance notices") {
		t.Fatalf("the page in Bob's language: %d\n%s", code, page)
	}
	if out := post("stop-all"); !regexp.MustCompile(`"channel": ?"\*",\s*"topic": ?"\*"`).MatchString(out) {
		t.Fatalf("stop-all: %s", out)
	}
	if _, page := get(t, s.base+"/unsubscribe/"+tok); !strings.Contains(page, "Now: off.") || !strings.Contains(page, `value="resume"`) {
		t.Errorf("after stopping everything, the page says:\n%s", page)
	}
	if out := post("resume"); !regexp.MustCompile(`"opt_outs": ?\[\]`).MatchString(out) {
		t.Errorf("resume left opt-outs: %s", out)
	}
}

package app_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/vigie/vigie/internal/app"
	"github.com/vigie/vigie/internal/browsertest"
	"github.com/vigie/vigie/internal/heartbeat"
	"github.com/vigie/vigie/internal/notify/notifytest"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// journeyHost gives customer CA a site on a VM on a shared hypervisor, and
// the VM a nightly backup.
const journeyHost = `customers:
  - {id: CA, name: Alice Ateliers, email: alice@example.org, language: fr, timezone: Europe/Paris}
  - {id: CB, name: Bruno Boulangerie, email: bruno@example.org}
assets:
  - {name: dc1, kind: datacenter}
  - {name: hv01, kind: hypervisor, depends_on: [dc1]}
  - {name: alice-vm, kind: vm, owner: CA, depends_on: [hv01], address: "192.0.2.1:443"}
  - {name: alice-blog, kind: site, owner: CA, depends_on: [alice-vm]}
  - {name: bruno-vm, kind: vm, owner: CB, depends_on: [hv01], address: "192.0.2.2:443"}
checks:
  - {asset: alice-vm, name: backup, kind: heartbeat, period: 24h, grace: 1h}
check_defaults:
  vm: {kind: none}
  site: {kind: none}
`

// TestACustomersJourneyInABrowser follows a customer's contact in
// Chromium from the invitation mail, caught by a real SMTP server, to the
// customer area during an outage: the incident names their site, the
// ticket form shows the known incident and they follow it instead of
// writing, its public timeline, their backups' restore points, the
// monthly report and its PDF.
func TestACustomersJourneyInABrowser(t *testing.T) {
	ctx := context.Background()
	mail := notifytest.StartSMTP(t, notifytest.SMTPOptions{Username: "relay", Password: "relay-password"})
	cfg := app.Config{DB: storetest.DSN(t, store.SQLite), PublicURL: "https://status.example.org", PublicName: "Nuage Coop",
		SweepEvery: 50 * time.Millisecond, NotifyGather: -1, MailRootCAs: mail.RootCAs}
	s := startServer(t, ctx, cfg, journeyHost, "")
	if code, body := s.call("POST", "/api/v1/channels", `{"id":"mail","kind":"email","name":"Mail","audiences":["customers"],"config":`+
		jsonOf(t, mail.Config())+`,"secret":"relay-password"}`, nil); code != http.StatusCreated {
		t.Fatalf("add the mail channel: %d %s", code, body)
	}
	// The leader may have made the check's URL already: a new one then.
	backupToken, created, err := s.app.Heartbeats.Ensure(ctx, "alice-vm/backup")
	if err == nil && !created {
		backupToken, err = s.app.Heartbeats.Rotate(ctx, "alice-vm/backup")
	}
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.app.Heartbeats.Record(ctx, backupToken, heartbeat.Ping{Status: heartbeat.StatusOK, RestorePoint: "snap-2026-12-07"},
		time.Now().Add(-2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	var inc struct{ ID int64 }
	if code, body := s.call("POST", "/api/v1/incidents", `{"root_assets":["hv01"],"severity":"major"}`, &inc); code != http.StatusCreated {
		t.Fatalf("open: %d %s", code, body)
	}
	if code, body := s.call("POST", "/api/v1/incidents/"+itoa(inc.ID)+"/updates", `{"status":"identified",
		"message_fr":"Une alimentation de l'hyperviseur a lâché ; nous la remplaçons.",
		"message_en":"A power supply of the hypervisor failed; we are replacing it."}`, nil); code != http.StatusCreated {
		t.Fatalf("update: %d %s", code, body)
	}
	if code, body := s.call("POST", "/api/v1/customers/CA/contacts", `{"email":"lea@alice.example","name":"Léa"}`, nil); code != http.StatusCreated {
		t.Fatalf("invite Léa: %d %s", code, body)
	}
	// The customer's address hears of the incident too: the invitation is
	// the mail to Léa.
	var invite caughtMail
	for n := 1; n <= 4 && invite.to != "lea@alice.example"; n++ {
		invite = nextMail(t, mail, n)
	}
	if invite.to != "lea@alice.example" || invite.link == "" {
		t.Fatalf("the invitation: %+v", invite)
	}

	browser := browsertest.New(t, 2*time.Minute)
	step := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(browser, actions...); err != nil {
			text, _ := chromedp.Run(browser, chromedp.Evaluate[string](`document.body ? document.body.innerText.slice(0, 800) : ""`))
			t.Fatalf("%s: %v\npage: %s", what, err, text)
		}
	}
	mainHas := func(what string, parts ...string) {
		t.Helper()
		text, err := chromedp.Run(browser, chromedp.Text(chromedp.CSS("main")))
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		for _, p := range parts {
			if !strings.Contains(text, p) {
				t.Fatalf("%s: %q missing from the page:\n%s", what, p, text)
			}
		}
	}
	const password = "le fournil ouvre à 6 h"
	step("open the invitation and choose a password", chromedp.Navigate(s.base+invite.link),
		chromedp.WaitVisible(chromedp.CSS(`#link-password`)),
		chromedp.SendKeys(chromedp.CSS(`#link-password`), password),
		chromedp.SendKeys(chromedp.CSS(`#link-confirm`), password),
		chromedp.Click(chromedp.CSS(`main form button[type=submit]`)))
	pageHolds(t, browser, `location.pathname === "/account"`, 15*time.Second)
	shoot(t, browser, "journey-home")
	// The home names the incident and which of their sites it touches.
	mainHas("the home during the outage", "alice-blog", "alice-vm", "Une alimentation de l'hyperviseur a lâché")

	step("start a ticket about the site", chromedp.Navigate(s.base+"/account/tickets/new"),
		chromedp.WaitVisible(chromedp.CSS("select#asset")),
		chromedp.SetValue(chromedp.CSS("select#asset"), "alice-blog"), chromedp.Click(chromedp.CSS("main form button")),
		chromedp.WaitVisible(chromedp.CSS("section.known")))
	mainHas("the known incident", "Une alimentation de l'hyperviseur a lâché")
	shoot(t, browser, "journey-known")
	step("follow the incident rather than write", chromedp.Click(chromedp.CSS(`form[action="/account/tickets/follow"] button`)))
	pageHolds(t, browser, `location.pathname === "/account/incidents/`+itoa(inc.ID)+`"`, 15*time.Second)
	mainHas("the incident's timeline", "alice-blog", "Une alimentation de l'hyperviseur a lâché")
	if followed, _, err := s.app.Support.Deflections(ctx); err != nil || followed != 1 {
		t.Fatalf("deflections after following: %d, %v", followed, err)
	}

	step("the backups", chromedp.Navigate(s.base+"/account/backups"), chromedp.WaitVisible(chromedp.CSS("section.backups-asset")))
	mainHas("the backups", "alice-vm", "snap-2026-12-07")
	shoot(t, browser, "journey-backups")

	step("the reports", chromedp.Navigate(s.base+"/account/reports"), chromedp.WaitVisible(chromedp.CSS("ul.area-months a")),
		chromedp.Click(chromedp.CSS(`ul.area-months a:not(.area-pdf)`)))
	pageHolds(t, browser, `location.pathname.startsWith("/account/reports/")`, 15*time.Second)
	mainHas("the monthly report", "alice-")
	shoot(t, browser, "journey-report")
	pdf, err := chromedp.Run(browser, chromedp.Evaluate[string](`document.querySelector('a[download]').href`))
	if err != nil || !strings.HasSuffix(pdf, ".pdf") {
		t.Fatalf("the report's PDF link: %q, %v", pdf, err)
	}
	// The browser downloads it with its session: a PDF, as an attachment.
	got, err := chromedp.Run(browser, chromedp.Evaluate[string]("fetch("+jsString(pdf)+`).then(async r =>
		r.status + " " + r.headers.get("Content-Disposition").split(";")[0] + " " +
		new TextDecoder().decode((await r.arrayBuffer()).slice(0, 5)))`, chromedp.EvalAwaitPromise))
	if err != nil || got != "200 attachment %PDF-" {
		t.Fatalf("the PDF: %q, %v", got, err)
	}
}

// jsString quotes s for a script.
func jsString(s string) string { return strconv.Quote(s) }

package web

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/browsertest"
	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
	"github.com/vigie/vigie/internal/support"
)

// TestStaffRunAnIncidentFromTheConsoleInChromium: in a real browser, in
// French and in English, a staff member signs in with password and TOTP,
// opens an incident from the list, acknowledges it, takes the lead, posts a
// public update after previewing what each channel sends, resolves it,
// then writes the post-mortem with a preview, sends it to review, publishes
// it and shows it on the status page. With VIGIE_SCREENSHOTS set to a
// folder, the pages are saved there (the incident also at phone width).
func TestStaffRunAnIncidentFromTheConsoleInChromium(t *testing.T) {
	site := newIncSite(t, storetest.Open(t, store.SQLite))
	browser := browsertest.New(t, 120*time.Second)
	for lang, root := range map[string]string{"fr": "hv01", "en": "hv02"} {
		t.Run(lang, func(t *testing.T) {
			ctx := context.Background()
			email := "oncall-" + lang + "@host.example"
			site.addStaff(t, email, auth.RoleStaff)
			secret, _ := site.enrol(t, email)
			inc := site.open(t, "Panne "+root, root)
			if root == "hv01" { // a customer of hv01 wrote: the ticket is linked
				if _, err := site.tickets.Open(ctx, support.NewTicket{Customer: "C1", Asset: "alice-blog", Subject: "Mon blog ne répond plus",
					Body: "Depuis 01:45, erreur 502.", By: support.Actor{Kind: support.ByCustomer, ID: "alice@example.org"}}); err != nil {
					t.Fatal(err)
				}
			}
			page := "/staff/incidents/" + strconv.FormatInt(inc.ID, 10)
			tab := browsertest.Tab(t, browser)
			shots := screenshots(t, tab, lang)
			step := func(what string, actions ...chromedp.Action[chromedp.Void]) {
				t.Helper()
				if err := chromedp.Do(tab, actions...); err != nil {
					t.Fatalf("%s: %v", what, err)
				}
			}
			step("sign in with the password", chromedp.Navigate(site.base+"/staff/signin?lang="+lang+"&next=/staff/incidents"),
				chromedp.WaitVisible(chromedp.CSS("#email")), chromedp.SendKeys(chromedp.CSS("#email"), email),
				chromedp.SendKeys(chromedp.CSS("#password"), staffPassword), chromedp.Submit(chromedp.CSS("#password")),
				chromedp.WaitVisible(chromedp.CSS(`form[action="/staff/totp"]`)))
			step("type the TOTP code", chromedp.SendKeys(chromedp.CSS("#code"), site.code(t, secret)), chromedp.Submit(chromedp.CSS("#code")),
				chromedp.WaitVisible(chromedp.CSS("table.inc-list")))
			shots("inc-list")
			step("open the incident", chromedp.Click(chromedp.CSS(`td.inc-id a[href="`+page+`"]`)), chromedp.WaitVisible(chromedp.CSS("#ack")))
			shots("inc-new")
			step("acknowledge", chromedp.Click(chromedp.CSS("#ack")), chromedp.WaitVisible(chromedp.CSS("#done")))
			step("take the lead", chromedp.Click(chromedp.CSS("#take-lead")),
				chromedp.WaitVisible(chromedp.CSS(`form[action="`+page+`/lead"] button[name="step_down"]`)))
			step("write a public update", chromedp.SendKeys(chromedp.CSS("#message_fr"), "Une alimentation de "+root+" est en panne ; remplacement en cours."),
				chromedp.SendKeys(chromedp.CSS("#message_en"), "A power supply of "+root+" failed; it is being replaced."),
				chromedp.Click(chromedp.CSS("#preview")), chromedp.WaitVisible(chromedp.CSS("#channels")))
			shots("inc-preview")
			preview, err := chromedp.Run(tab, chromedp.Text(chromedp.CSS("#channels")))
			if err != nil || !strings.Contains(preview, "Courriel : Une alimentation de "+root) || !strings.Contains(preview, "Toot: A power supply of "+root) {
				t.Fatalf("the preview shows:\n%s\n%v", preview, err)
			}
			if ups, _ := site.d.Incidents.PublicUpdates(ctx, []int64{inc.ID}); len(ups[inc.ID]) != 0 {
				t.Fatal("the preview posted the update")
			}
			step("send it", chromedp.Click(chromedp.CSS("#send")), chromedp.WaitVisible(chromedp.CSS(".inc-updates")))
			step("resolve", chromedp.SetValue(chromedp.CSS("#status"), "resolved"), chromedp.Click(chromedp.CSS("#move")),
				chromedp.WaitVisible(chromedp.CSS(".inc-pills .st-resolved")))
			shots("inc-resolved")
			if root == "hv01" {
				step("open the linked ticket", chromedp.Click(chromedp.CSS(`#tickets a[href^="/staff/tickets/"]`)), chromedp.WaitVisible(chromedp.CSS("#body")))
				step("answer it", chromedp.SendKeys(chromedp.CSS("#body"), "C'est réparé, votre blog répond à nouveau."),
					chromedp.Submit(chromedp.CSS("#body")), chromedp.WaitVisible(chromedp.CSS("#done")))
				shots("inc-ticket")
				step("back to the incident", chromedp.Navigate(site.base+page), chromedp.WaitVisible(chromedp.CSS("#pm-link")))
			}
			step("open the post-mortem", chromedp.Click(chromedp.CSS("#pm-link")), chromedp.WaitVisible(chromedp.CSS("#pm-root_cause")))
			step("write and preview it", chromedp.SetValue(chromedp.CSS("#pm-root_cause"), "A **worn** power supply in "+root+"."),
				chromedp.SetValue(chromedp.CSS("#pm-resolution"), "Replaced the supply; the VMs restarted."),
				chromedp.Click(chromedp.CSS("#pm-preview-btn")), chromedp.WaitVisible(chromedp.CSS("#pm-preview")))
			shots("inc-pm-preview")
			bold, err := chromedp.Run(tab, chromedp.Evaluate[bool](`[...document.querySelectorAll("#pm-preview strong")].some(e => e.textContent === "worn")`))
			if err != nil || !bold {
				t.Fatalf("the preview does not render the root cause's Markdown (%v)", err)
			}
			step("save it", chromedp.Click(chromedp.CSS("#pm-save")), chromedp.WaitVisible(chromedp.CSS("#done, #problem")))
			if said, err := chromedp.Run(tab, chromedp.Text(chromedp.CSS("#done, #problem"))); err != nil || strings.Contains(said, "Rien") || strings.Contains(said, "Nothing") {
				t.Fatalf("saving the post-mortem: %q %v", said, err)
			}
			step("send it to review", chromedp.Click(chromedp.CSS("#to-review")), chromedp.WaitVisible(chromedp.CSS("#publish")))
			step("publish it", chromedp.Click(chromedp.CSS("#publish")), chromedp.WaitVisible(chromedp.CSS("#make-public")))
			step("show it on the status page", chromedp.Click(chromedp.CSS("#make-public")),
				chromedp.WaitVisible(chromedp.CSS(`button[name="public"][value="false"]`)))
			shots("inc-pm-published")
			step("back to the incident at phone width", chromedp.EmulateViewport(390, 844), chromedp.Navigate(site.base+page),
				chromedp.WaitVisible(chromedp.CSS(".inc-pills")))
			shots("inc-phone")
			step("the list at phone width", chromedp.Navigate(site.base+"/staff/incidents?state=all"), chromedp.WaitVisible(chromedp.CSS("table.inc-list")))
			shots("inc-list-phone")
			step("back to desktop width", chromedp.EmulateViewport(1280, 1024))

			got := site.incident(t, inc.ID)
			if got.Status != incident.Resolved || got.Lead != email || got.AcknowledgedAt == nil {
				t.Fatalf("the incident after the journey: %+v", got)
			}
			pm, err := site.d.PostMortems.Get(ctx, inc.ID, time.UTC)
			if err != nil || pm.State != incident.PMPublished || !pm.Public || !strings.Contains(pm.RootCause, "worn") {
				t.Fatalf("the post-mortem after the journey: %+v %v", pm, err)
			}
		})
	}
}

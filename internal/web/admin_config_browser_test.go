package web

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/browsertest"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// TestAnAdminConfiguresTheHostInChromium: in a real browser, an admin
// signs in with password and TOTP, adds a webhook channel, sends it a
// test that reaches a loopback receiver, is refused a night window that
// ends before it starts, then moves it; the components and compliance
// pages are shown too. With VIGIE_SCREENSHOTS set, each page is saved
// there, in French and in English, and at a phone's width.
func TestAnAdminConfiguresTheHostInChromium(t *testing.T) {
	site := newConfigSite(t, storetest.Open(t, store.SQLite))
	reportFacts(t, site.d.Compliance)
	hook := newWebhookReceiver(t, false)
	browser := browsertest.New(t, 120*time.Second)
	ctx := browsertest.Tab(t, browser)
	step := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	email := "root@host.example"
	site.addStaff(t, email, auth.RoleAdmin)
	secret, _ := site.enrol(t, email)
	step("sign in with the password", chromedp.Navigate(site.base+"/staff/signin?lang=fr"), chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), email), chromedp.SendKeys(chromedp.CSS("#password"), staffPassword),
		chromedp.Submit(chromedp.CSS("#password")), chromedp.WaitVisible(chromedp.CSS(`form[action="/staff/totp"]`)))
	step("type the code", chromedp.SendKeys(chromedp.CSS("#code"), site.code(t, secret)), chromedp.Submit(chromedp.CSS("#code")),
		chromedp.WaitVisible(chromedp.CSS(".staff-links")))

	shots := screenshots(t, ctx, "fr")
	step("open the channels", chromedp.Navigate(site.base+"/staff/admin/channels"), chromedp.WaitVisible(chromedp.CSS("#channel-form")))
	shots("admin-channels-empty")
	step("fill in a webhook channel",
		chromedp.SendKeys(chromedp.CSS("#ch-id"), "ops-hook"),
		chromedp.SetValue(chromedp.CSS("#ch-kind"), "webhook"),
		chromedp.SendKeys(chromedp.CSS("#ch-name"), "Salon de l'équipe"),
		chromedp.Click(chromedp.CSS(`input[name="audience"][value="staff"]`)),
		chromedp.SendKeys(chromedp.CSS("#ch-config"), "url="+hook.srv.URL+"/in\nlang=fr\n"),
		chromedp.SendKeys(chromedp.CSS("#ch-secret"), hookSecret))
	shots("admin-channels-form")
	step("add it", chromedp.Submit(chromedp.CSS("#ch-secret")), chromedp.WaitVisible(chromedp.CSS(".card.ok")))
	shots("admin-channels")
	step("send a test", chromedp.Click(chromedp.CSS(`form[action="/staff/admin/channels/ops-hook/test"] button`)),
		chromedp.WaitVisible(chromedp.CSS("#test-result.card.ok")))
	shots("admin-channels-tested")
	if got := hook.deliveries(); len(got) != 1 || !got[0].signedBy(hookSecret) {
		t.Fatalf("the receiver got %d deliveries, want 1 signed with the secret typed", len(got))
	}
	html, err := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("html")))
	if err != nil || strings.Contains(html, hookSecret) {
		t.Fatalf("the page shows the secret (%v)", err)
	}

	step("open the settings", chromedp.Navigate(site.base+"/staff/admin/settings"), chromedp.WaitVisible(chromedp.CSS("#settings-form")))
	shots("admin-settings")
	step("type a window ending before it starts",
		chromedp.SetValue(chromedp.CSS("#set-night_start"), "04:30"), chromedp.SetValue(chromedp.CSS("#set-night_end"), "03:00"),
		chromedp.Submit(chromedp.CSS("#set-night_end")), chromedp.WaitVisible(chromedp.CSS("#problems")))
	shots("admin-settings-refused")
	if start, end, _ := site.d.Settings.NightWindow(context.Background()); start != "02:00" || end != "04:00" {
		t.Fatalf("a refused window changed it to %s-%s", start, end)
	}
	step("move the night window",
		chromedp.SetValue(chromedp.CSS("#set-night_start"), "01:30"), chromedp.SetValue(chromedp.CSS("#set-night_end"), "05:00"),
		chromedp.SetValue(chromedp.CSS("#set-night_zone"), "America/Montreal"),
		chromedp.Submit(chromedp.CSS("#set-night_end")), chromedp.WaitVisible(chromedp.CSS(".card.ok")))
	shots("admin-settings-saved")
	site.d.Settings.Fresh = 0
	if start, end, zone := site.d.Settings.NightWindow(context.Background()); start != "01:30" || end != "05:00" || zone.String() != "America/Montreal" {
		t.Fatalf("night window %s-%s %s", start, end, zone)
	}

	step("open the components", chromedp.Navigate(site.base+"/staff/admin/components"), chromedp.WaitVisible(chromedp.CSS("#component-form")))
	step("add one", chromedp.SendKeys(chromedp.CSS("#co-name"), "Hébergement mutualisé"), chromedp.SendKeys(chromedp.CSS("#co-name-en"), "Shared hosting"),
		chromedp.SendKeys(chromedp.CSS("#co-group"), "Web"), chromedp.SendKeys(chromedp.CSS("#co-kind"), "site"),
		chromedp.SendKeys(chromedp.CSS("#co-label"), "pool=shared"), chromedp.Submit(chromedp.CSS("#co-label")),
		chromedp.WaitVisible(chromedp.CSS(".card.ok")))
	shots("admin-components")
	step("open compliance", chromedp.Navigate(site.base+"/staff/admin/compliance"), chromedp.WaitVisible(chromedp.CSS("#rules-form")))
	shots("admin-compliance")

	en := screenshots(t, ctx, "en")
	for _, page := range []string{"channels", "components", "compliance", "settings"} {
		step("open "+page+" in English", chromedp.Navigate(site.base+"/staff/admin/"+page+"?lang=en"), chromedp.WaitVisible(chromedp.CSS("main h1")))
		en("admin-" + page)
	}
	phone := screenshots(t, ctx, "en-phone")
	step("narrow the window", chromedp.EmulateViewport(390, 844))
	for _, page := range []string{"channels", "settings", "compliance"} {
		step("open "+page+" on a phone", chromedp.Navigate(site.base+"/staff/admin/"+page), chromedp.WaitVisible(chromedp.CSS("main h1")))
		phone("admin-" + page)
	}
}

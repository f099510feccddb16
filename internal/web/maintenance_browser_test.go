package web

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/browsertest"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// TestStaffPlanAMaintenanceFromSearchToCalendarInChromium: in a real
// browser, a staff member signs in with password and TOTP code, opens the
// planner, finds the hypervisor by part of its name, adds it, reads its
// impact and the suggested night, types the texts, previews the notices
// in both languages, saves, and finds the window on the calendar. Then
// the same pages at a phone's width. With VIGIE_SCREENSHOTS set to a
// folder, each page is saved there.
func TestStaffPlanAMaintenanceFromSearchToCalendarInChromium(t *testing.T) {
	site := newMaintSite(t, storetest.Open(t, store.SQLite))
	browser := browsertest.New(t, 90*time.Second)
	const email = "ops@host.example"
	site.addStaff(t, email, auth.RoleStaff)
	secret, _ := site.enrol(t, email)
	ctx := browsertest.Tab(t, browser)
	shots := screenshots(t, ctx, "fr")
	step := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("read %s: %v", sel, err)
		}
		return s
	}

	step("sign in with the password", chromedp.Navigate(site.base+"/staff/signin?lang=fr&next=/staff/maintenance"),
		chromedp.WaitVisible(chromedp.CSS("#email")), chromedp.SendKeys(chromedp.CSS("#email"), email),
		chromedp.SendKeys(chromedp.CSS("#password"), staffPassword), chromedp.Submit(chromedp.CSS("#password")),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/staff/totp"]`)))
	step("type the code", chromedp.SendKeys(chromedp.CSS("#code"), site.code(t, secret)), chromedp.Submit(chromedp.CSS("#code")),
		chromedp.WaitVisible(chromedp.CSS(".maint-grid")))
	shots("maint-calendar-empty")

	step("open the planner", chromedp.Click(chromedp.CSS("#maint-plan")), chromedp.WaitVisible(chromedp.CSS("#maint-q")))
	step("search part of a name", chromedp.SendKeys(chromedp.CSS("#maint-q"), "par1-0"), chromedp.Submit(chromedp.CSS("#maint-q")),
		chromedp.WaitVisible(chromedp.CSS(`#maint-results a[data-asset="hv-par1-01"]`)))
	shots("maint-search")
	step("add the hypervisor", chromedp.Click(chromedp.CSS(`#maint-results a[data-asset="hv-par1-01"]`)),
		chromedp.WaitVisible(chromedp.CSS("#maint-impact")))
	if got := text("#maint-impact p"); !strings.Contains(got, "Touche 5 éléments · 3 sites · 2 clients") {
		t.Errorf("impact shown: %q", got)
	}
	if got := text("#maint-slot"); !strings.Contains(got, "28 mars 2099, 02:00 (Paris, UTC+1)") {
		t.Errorf("suggested night: %q", got)
	}
	step("type the texts", chromedp.SendKeys(chromedp.CSS("#maint-title"), "Noyau de hv-par1-01"),
		chromedp.SendKeys(chromedp.CSS("#maint-title-en"), "hv-par1-01 kernel"),
		chromedp.SendKeys(chromedp.CSS("#maint-desc"), "Redémarrage de l'hyperviseur, une dizaine de minutes."),
		chromedp.SendKeys(chromedp.CSS("#maint-desc-en"), "The hypervisor restarts, for about ten minutes."))
	shots("maint-new")
	step("preview the notices", chromedp.Click(chromedp.CSS("#maint-preview")), chromedp.WaitVisible(chromedp.CSS("#maint-previews")))
	shots("maint-preview")
	mail := text(`.maint-preview[data-channel="mail"]`)
	if !strings.Contains(mail, "Redémarrage de l'hyperviseur") || !strings.Contains(mail, "The hypervisor restarts") {
		t.Errorf("the e-mail's preview lacks a language:\n%s", mail)
	}
	if n := len(site.windows(t)); n != 0 {
		t.Fatalf("the preview saved %d windows", n)
	}
	step("save", chromedp.Click(chromedp.CSS("#maint-save")), chromedp.WaitVisible(chromedp.CSS("#maint-done")))
	shots("maint-window")
	all := site.windows(t)
	if len(all) != 1 || all[0].Start != "2099-03-28T02:00" || all[0].Title != "Noyau de hv-par1-01" {
		t.Fatalf("saved: %+v", all)
	}
	step("back to the calendar", chromedp.Click(chromedp.CSS(`main a[href="/staff/maintenance"]`)),
		chromedp.WaitVisible(chromedp.CSS(`td[data-date="2099-03-28"] a.maint-entry`)))
	if got := text(`td[data-date="2099-03-28"] a.maint-entry`); got != "02:00–04:00 Noyau de hv-par1-01" {
		t.Errorf("calendar entry: %q", got)
	}
	shots("maint-calendar")

	// At a phone's width, in English.
	phone := screenshots(t, ctx, "en-phone")
	step("narrow the window", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2)))
	step("the calendar on a phone", chromedp.Navigate(site.base+"/staff/maintenance?lang=en"), chromedp.WaitVisible(chromedp.CSS(`td[data-date="2099-03-28"] a.maint-entry`)))
	phone("maint-calendar")
	step("the planner on a phone", chromedp.Navigate(site.base+"/staff/maintenance/new?asset=hv-par1-01&q=vm"), chromedp.WaitVisible(chromedp.CSS("#maint-impact")))
	phone("maint-new")
	step("the window on a phone", chromedp.Navigate(site.base+"/staff/maintenance/"+all[0].ID), chromedp.WaitVisible(chromedp.CSS("#maint-edit")))
	phone("maint-window")
}

package web

import (
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/browsertest"
	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/notify"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// TestStaffResendDeadLettersInChromium: in a real browser a staff member
// signs in with password and TOTP, opens the notifications from the
// administration, resends one dead letter, then, ticking the box, every
// other one; the store has them queued again. With VIGIE_SCREENSHOTS set,
// the page is saved there, also at phone width.
func TestStaffResendDeadLettersInChromium(t *testing.T) {
	site, dead1, dead2, _ := notifSite(t, storetest.Open(t, store.SQLite))
	browser := browsertest.New(t, 90*time.Second)
	const email = "night@host.example"
	site.addStaff(t, email, auth.RoleStaff)
	secret, _ := site.enrol(t, email)
	tab := browsertest.Tab(t, browser)
	shots := screenshots(t, tab, "en")
	step := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(tab, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	step("sign in with the password", chromedp.Navigate(site.base+"/staff/signin?lang=en&next=/staff/admin"),
		chromedp.WaitVisible(chromedp.CSS("#email")), chromedp.SendKeys(chromedp.CSS("#email"), email),
		chromedp.SendKeys(chromedp.CSS("#password"), staffPassword), chromedp.Submit(chromedp.CSS("#password")),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/staff/totp"]`)))
	step("type the TOTP code", chromedp.SendKeys(chromedp.CSS("#code"), site.code(t, secret)), chromedp.Submit(chromedp.CSS("#code")),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/staff/notifications"]`)))
	step("open the notifications", chromedp.Click(chromedp.CSS(`a[href="/staff/notifications"]`)), chromedp.WaitVisible(chromedp.CSS("#state-dead")))
	shots("notif")
	one := `#m-` + strconv.FormatInt(dead1, 10) + ` button`
	step("resend one dead letter", chromedp.Click(chromedp.CSS(one)), chromedp.WaitVisible(chromedp.CSS("#done")))
	if st, _ := notifState(t, site, dead1); st != notify.StatePending {
		t.Fatalf("resent one: %s", st)
	}
	step("resend the others without the box", chromedp.Click(chromedp.CSS("#resend-dead")), chromedp.WaitVisible(chromedp.CSS("#problem")))
	shots("notif-unconfirmed")
	if st, _ := notifState(t, site, dead2); st != notify.StateDead {
		t.Fatalf("resent without the box: %s", st)
	}
	step("tick the box and resend", chromedp.Click(chromedp.CSS("#confirm")), chromedp.Click(chromedp.CSS("#resend-dead")),
		chromedp.WaitVisible(chromedp.CSS("#done")))
	if st, _ := notifState(t, site, dead2); st != notify.StatePending {
		t.Fatalf("resent in bulk: %s", st)
	}
	shots("notif-resent")
	step("at phone width", chromedp.EmulateViewport(390, 844), chromedp.Navigate(site.base+"/staff/notifications?state=pending"),
		chromedp.WaitVisible(chromedp.CSS("#state-pending")))
	shots("notif-phone")
}

// TestStaffCorrectAnIncidentFromTheConsoleInChromium: in a real browser a
// staff member renames an incident, corrects its sent public update and
// sets a public component's status from the incident page. With
// VIGIE_SCREENSHOTS set, the page is saved there.
func TestStaffCorrectAnIncidentFromTheConsoleInChromium(t *testing.T) {
	site := newIncSite(t, storetest.Open(t, store.SQLite))
	ctx := t.Context()
	if _, err := site.d.Inventory.SaveComponent(ctx, inventory.Component{Name: "Web hosting", Assets: []string{"hv01"}}, inventory.Create); err != nil {
		t.Fatal(err)
	}
	inc := site.open(t, "hv01 down", "hv01")
	u := incident.PublicUpdate{IncidentID: inc.ID, Status: inc.Status, MessageFR: "Panne en cours.", MessageEN: "Outage ongoing.", Author: "oncall@host.example"}
	if err := site.d.Incidents.AddPublicUpdate(ctx, &u, *site.now); err != nil {
		t.Fatal(err)
	}
	browser := browsertest.New(t, 90*time.Second)
	const email = "day@host.example"
	site.addStaff(t, email, auth.RoleStaff)
	secret, _ := site.enrol(t, email)
	tab := browsertest.Tab(t, browser)
	shots := screenshots(t, tab, "en")
	step := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(tab, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	page := "/staff/incidents/" + strconv.FormatInt(inc.ID, 10)
	step("sign in with the password", chromedp.Navigate(site.base+"/staff/signin?lang=en&next="+page),
		chromedp.WaitVisible(chromedp.CSS("#email")), chromedp.SendKeys(chromedp.CSS("#email"), email),
		chromedp.SendKeys(chromedp.CSS("#password"), staffPassword), chromedp.Submit(chromedp.CSS("#password")),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/staff/totp"]`)))
	step("type the TOTP code", chromedp.SendKeys(chromedp.CSS("#code"), site.code(t, secret)), chromedp.Submit(chromedp.CSS("#code")),
		chromedp.WaitVisible(chromedp.CSS("#title-form")))
	step("rename", chromedp.SetValue(chromedp.CSS("#title"), "hv01 power loss"), chromedp.Submit(chromedp.CSS("#title")),
		chromedp.WaitVisible(chromedp.CSS(`#done[data-done="title"]`)))
	edit := "#edit-update-" + strconv.FormatInt(u.ID, 10)
	step("correct the update", chromedp.Click(chromedp.CSS(".incx-edit summary")), chromedp.WaitVisible(chromedp.CSS(edit+" textarea[name=message_en]")),
		chromedp.SetValue(chromedp.CSS(edit+" textarea[name=message_en]"), "hv01 lost power; replacing its supply."))
	shots("inc-extras-edit")
	// Each confirmation names its action: the one of the page before
	// must not pass for the next.
	step("save the correction", chromedp.Submit(chromedp.CSS(edit+" textarea[name=message_en]")), chromedp.WaitVisible(chromedp.CSS(`#done[data-done="update-edited"]`)))
	step("set the component", chromedp.SetValue(chromedp.CSS("#comp-web-hosting"), "partial_outage"),
		chromedp.Submit(chromedp.CSS("#comp-web-hosting")), chromedp.WaitVisible(chromedp.CSS(`#done[data-done="component"]`)))
	shots("inc-extras")
	set, err := site.d.Incidents.ComponentOverrides(ctx, []int64{inc.ID})
	ups, err2 := site.d.Incidents.PublicUpdates(ctx, []int64{inc.ID})
	if err != nil || err2 != nil || len(set[inc.ID]) != 1 || set[inc.ID][0].Status != "partial_outage" ||
		ups[inc.ID][0].MessageEN != "hv01 lost power; replacing its supply." || site.incident(t, inc.ID).Title != "hv01 power loss" {
		t.Fatalf("after: %v %v %v %v", set, ups, err, err2)
	}
}

package web

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/browsertest"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
	"github.com/vigie/vigie/internal/support"
)

// TestStaffWorkTheTicketsFromTheConsoleInChromium: in a real browser, a
// staff member signs in with password and TOTP, goes from the dashboard to
// the tickets, keeps those no one took, opens one, takes it and makes it
// urgent; the list then shows it as theirs. With VIGIE_SCREENSHOTS set to a
// folder, the pages are saved there (the list and the ticket also at phone
// width).
func TestStaffWorkTheTicketsFromTheConsoleInChromium(t *testing.T) {
	site := newIncSite(t, storetest.Open(t, store.SQLite))
	browser := browsertest.New(t, 120*time.Second)
	ctx := context.Background()
	const email = "oncall@host.example"
	site.addStaff(t, email, auth.RoleStaff)
	site.addStaff(t, "bob@host.example", auth.RoleStaff)
	secret, _ := site.enrol(t, email)
	site.openTicket(t, "C2", "bob-bakery", "Le site de la boulangerie est lent")
	site.tick(5 * time.Minute)
	inc := site.open(t, "hv01 down", "hv01")
	if _, err := site.tickets.Follow(ctx, 10); err != nil {
		t.Fatal(err)
	}
	png := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 32)...)
	blog := site.openTicket(t, "C1", "alice-blog", "Mon blog ne répond plus", support.Upload{Name: "capture.png", Data: png})
	taken := site.openTicket(t, "C4", "dan-site", "Question about mail")
	bob := "bob@host.example"
	if _, err := site.tickets.Change(ctx, taken, support.Actor{Kind: support.ByStaff, ID: bob}, support.Change{Assignee: &bob}); err != nil {
		t.Fatal(err)
	}
	page := "/staff/tickets/" + strconv.FormatInt(blog, 10)

	tab := browsertest.Tab(t, browser)
	shots := screenshots(t, tab, "en")
	step := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(tab, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	step("sign in with the password", chromedp.EmulateViewport(1280, 900), chromedp.Navigate(site.base+"/staff/signin?lang=en&next=/staff"),
		chromedp.WaitVisible(chromedp.CSS("#email")), chromedp.SendKeys(chromedp.CSS("#email"), email),
		chromedp.SendKeys(chromedp.CSS("#password"), staffPassword), chromedp.Submit(chromedp.CSS("#password")),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/staff/totp"]`)))
	step("type the TOTP code", chromedp.SendKeys(chromedp.CSS("#code"), site.code(t, secret)), chromedp.Submit(chromedp.CSS("#code")),
		chromedp.WaitVisible(chromedp.CSS("#dash-tickets-all")))
	step("scroll to the dashboard's tickets", chromedp.ScrollIntoView(chromedp.CSS("#dash-tickets-h")))
	shots("tix-dash")
	step("go to the tickets", chromedp.Click(chromedp.CSS("#dash-tickets-all")), chromedp.WaitVisible(chromedp.CSS("table.tix-list")))
	shots("tix-list")
	step("keep those no one took", chromedp.SetValue(chromedp.CSS("#f-assignee"), "unassigned"), chromedp.SetValue(chromedp.CSS("#f-status"), "open"),
		chromedp.Click(chromedp.CSS("#f-go")), chromedp.WaitReady(chromedp.CSS(`#f-assignee option[value="unassigned"][selected]`)))
	shown, err := chromedp.Run(tab, chromedp.Evaluate[[]string](`[...document.querySelectorAll("td.inc-id a")].map(a => a.getAttribute("href"))`))
	if err != nil || len(shown) != 2 || shown[0] != page {
		t.Fatalf("unassigned open tickets: %v %v", shown, err)
	}
	shots("tix-list-unassigned")
	step("open the blog's ticket", chromedp.Click(chromedp.CSS(`td.inc-id a[href="`+page+`"]`)), chromedp.WaitVisible(chromedp.CSS("#take")))
	step("take it", chromedp.Click(chromedp.CSS("#take")), chromedp.WaitVisible(chromedp.CSS("#done")))
	step("make it urgent", chromedp.SetValue(chromedp.CSS("#t-priority"), "urgent"), chromedp.Click(chromedp.CSS("#set-priority")),
		chromedp.WaitReady(chromedp.CSS(`#t-priority option[value="urgent"][selected]`)))
	shots("tix-ticket")
	if tk, err := site.tickets.Ticket(ctx, blog); err != nil || tk.Assignee != email || tk.Priority != support.Urgent {
		t.Fatalf("the ticket after the forms: %+v %v", tk, err)
	}
	step("list my tickets", chromedp.Navigate(site.base+"/staff/tickets?assignee=me&incident="+strconv.FormatInt(inc.ID, 10)),
		chromedp.WaitVisible(chromedp.CSS(`td.inc-id a[href="`+page+`"]`)))
	shots("tix-list-mine")
	step("the list at phone width", chromedp.EmulateViewport(390, 844), chromedp.Navigate(site.base+"/staff/tickets"),
		chromedp.WaitVisible(chromedp.CSS("table.tix-list")))
	shots("tix-list-phone")
	step("the ticket at phone width", chromedp.Navigate(site.base+page), chromedp.WaitVisible(chromedp.CSS("#t-priority")))
	shots("tix-ticket-phone")
}

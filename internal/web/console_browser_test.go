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
)

// TestStaffLandOnTheDashboardAndSeeItLiveInChromium: in a real browser,
// in French and in English, a staff member signs in with password and
// TOTP code, lands on the dashboard, reads what happened during the night
// in the digest, and sees an incident opened meanwhile appear without
// reloading. With VIGIE_SCREENSHOTS set to a folder, the dashboard is saved
// there, at 1280 px and at a phone's width.
func TestStaffLandOnTheDashboardAndSeeItLiveInChromium(t *testing.T) {
	site := newDashSite(t, storetest.Open(t, store.SQLite))
	paris, _ := time.LoadLocation("Europe/Paris")
	dashFixture(t, site, paris)
	night := openIncident(t, site.d, incident.Incident{Title: "vm01 unreachable from two locations", Status: incident.Monitoring,
		Severity: incident.Critical, Cause: incident.CauseOutage, RootAssets: []string{"vm01"},
		Impact:          incident.Impact{Assets: 2, Sites: 1, Customers: []string{"C1"}},
		ImpactStartedAt: site.now.Add(-3 * time.Hour), DetectedAt: site.now.Add(-3*time.Hour + time.Minute),
		AcknowledgedAt: at(site.now.Add(-3*time.Hour + 4*time.Minute)), Lead: "ops@host.example", Comms: "lea@host.example"})
	browser := browsertest.New(t, 120*time.Second)
	for _, lang := range []string{"fr", "en"} {
		t.Run(lang, func(t *testing.T) {
			email := "night-" + lang + "@host.example"
			site.addStaff(t, email, auth.RoleStaff)
			secret, _ := site.enrol(t, email)
			ctx := browsertest.Tab(t, browser)
			shots := screenshots(t, ctx, lang)
			step := func(what string, actions ...chromedp.Action[chromedp.Void]) {
				t.Helper()
				if err := chromedp.Do(ctx, actions...); err != nil {
					t.Fatalf("%s: %v", what, err)
				}
			}
			step("open the sign-in page", chromedp.Navigate(site.base+"/staff/signin?lang="+lang),
				chromedp.WaitVisible(chromedp.CSS(`form[action="/staff/signin"]`)))
			step("sign in with the password", chromedp.SendKeys(chromedp.CSS("#email"), email),
				chromedp.SendKeys(chromedp.CSS("#password"), staffPassword), chromedp.Submit(chromedp.CSS("#password")),
				chromedp.WaitVisible(chromedp.CSS(`form[action="/staff/totp"]`)))
			step("type the code and land on the dashboard", chromedp.SendKeys(chromedp.CSS("#code"), site.code(t, secret)),
				chromedp.Submit(chromedp.CSS("#code")), chromedp.WaitVisible(chromedp.CSS(".dash-digest")),
				chromedp.WaitVisible(chromedp.CSS(".dash.live-on .dash-live-on")))
			digest, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".dash-digest")))
			if err != nil {
				t.Fatal(err)
			}
			heading := map[string]string{"fr": "Les dernières 24 heures", "en": "The last 24 hours"}[lang]
			if !strings.Contains(digest, heading) || !strings.Contains(digest, "#"+strconv.FormatInt(night, 10)+" critical: vm01 unreachable") {
				t.Fatalf("the digest:\n%s", digest)
			}
			shots("dashboard")

			// An incident opens while the page is open: it appears alone.
			id := openIncident(t, site.d, incident.Incident{Title: "storage-" + lang + " latency", Status: incident.Investigating,
				Severity: incident.Major, Cause: incident.CauseOutage, RootAssets: []string{"storage-" + lang},
				Impact:          incident.Impact{Assets: 3, Sites: 1, Customers: []string{"C1"}},
				ImpactStartedAt: *site.now, DetectedAt: *site.now})
			live, cancel := context.WithTimeout(ctx, 20*time.Second)
			defer cancel()
			if err := chromedp.Do(live, chromedp.WaitVisible(chromedp.CSS(`tr[data-incident="`+strconv.FormatInt(id, 10)+`"]`))); err != nil {
				t.Fatalf("the new incident did not appear without reload: %v", err)
			}
			// Still the page first loaded: the digest did not move.
			if again, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".dash-digest"))); err != nil || again != digest {
				t.Fatalf("the digest moved on a live update: %v\n%s", err, again)
			}
			shots("dashboard-live")
			step("narrow to a phone", chromedp.EmulateViewport(390, 844))
			shots("dashboard-phone")
			step("back to a desk", chromedp.EmulateViewport(1280, 1024))
		})
	}
}

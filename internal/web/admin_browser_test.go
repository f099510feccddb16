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

// TestAnAdminAddsAUserATokenAndALocationInChromium: in a real browser, in
// French and in English, an admin signed in with password and TOTP adds a
// staff user (the password shown once works), sets their duty hours, makes
// them a scoped API token and adds a probe location, each secret read off
// its answer page and checked against the store. With VIGIE_SCREENSHOTS
// set to a folder, each page is saved there, the lists also at a phone's
// width.
func TestAnAdminAddsAUserATokenAndALocationInChromium(t *testing.T) {
	site := newAdminSite(t, storetest.Open(t, store.SQLite))
	browser := browsertest.New(t, 120*time.Second)
	for _, lang := range []string{"fr", "en"} {
		t.Run(lang, func(t *testing.T) {
			bg := context.Background()
			admin, member := "root-"+lang+"@host.example", "ana-"+lang+"@host.example"
			site.addStaff(t, admin, auth.RoleAdmin)
			key, _ := site.enrol(t, admin)
			ctx := browsertest.Tab(t, browser)
			shots := screenshots(t, ctx, lang)
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
				return strings.TrimSpace(s)
			}
			phone := func(name string) {
				t.Helper()
				step("a phone's width", chromedp.EmulateViewport(390, 844))
				shots(name + "-phone")
				step("back to a desktop's width", chromedp.EmulateViewport(1280, 1024))
			}

			step("sign in with the password", chromedp.Navigate(site.base+"/staff/signin?lang="+lang+"&next=/staff/admin"),
				chromedp.SendKeys(chromedp.CSS("#email"), admin), chromedp.SendKeys(chromedp.CSS("#password"), staffPassword),
				chromedp.Submit(chromedp.CSS("#password")), chromedp.WaitVisible(chromedp.CSS(`form[action="/staff/totp"]`)))
			step("type the TOTP code", chromedp.SendKeys(chromedp.CSS("#code"), site.code(t, key)), chromedp.Submit(chromedp.CSS("#code")),
				chromedp.WaitVisible(chromedp.CSS(".adm-sections")))
			shots("admin")

			step("open the users", chromedp.Click(chromedp.CSS(`a[href="/staff/admin/users"]`)), chromedp.WaitVisible(chromedp.CSS(".adm-users")))
			step("add a user", chromedp.SendKeys(chromedp.CSS("#email"), member), chromedp.SetValue(chromedp.CSS("#role"), "staff"),
				chromedp.SetValue(chromedp.CSS("#timezone"), "America/Montreal"), chromedp.Submit(chromedp.CSS("#email")),
				chromedp.WaitVisible(chromedp.CSS("#secret")))
			shots("admin-password")
			password := text("#secret")
			if u, err := site.d.Auth.CheckPassword(bg, member, password); err != nil || u.Timezone != "America/Montreal" {
				t.Fatalf("the password shown: %+v %v", u, err)
			}
			step("go to the user", chromedp.Click(chromedp.CSS("main a.button")), chromedp.WaitVisible(chromedp.CSS("#duty-form")))
			step("set duty hours", chromedp.Click(chromedp.CSS(`input[name=mode][value=hours]`)),
				chromedp.SetValue(chromedp.CSS("#from"), "12:00"), chromedp.SetValue(chromedp.CSS("#to"), "20:00"),
				chromedp.Click(chromedp.CSS("#duty-form button")), chromedp.WaitVisible(chromedp.CSS(".card.ok")))
			shots("admin-user")
			phone("admin-user")
			staff, err := site.d.NotifyPrefs.StaffList(bg)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range staff {
				if s.Email == member && s.Duty != "12:00-20:00" {
					t.Fatalf("duty hours stored: %+v", s)
				}
			}
			step("open the users", chromedp.Navigate(site.base+"/staff/admin/users"), chromedp.WaitVisible(chromedp.CSS(".adm-users")))
			if list := text(".adm-users tbody"); !strings.Contains(list, member) || !strings.Contains(list, "12:00–20:00") {
				t.Fatalf("the list of users:\n%s", list)
			}
			shots("admin-users")
			phone("admin-users")

			step("make a token", chromedp.Navigate(site.base+"/staff/admin/tokens?user="+member), chromedp.WaitVisible(chromedp.CSS("#name")),
				chromedp.SendKeys(chromedp.CSS("#name"), "panel"), chromedp.Click(chromedp.CSS(`input[name=scopes][value=overview]`)),
				chromedp.Submit(chromedp.CSS("#name")), chromedp.WaitVisible(chromedp.CSS("#secret")))
			shots("admin-token")
			p, err := site.d.Auth.Authenticate(bg, text("#secret"))
			if err != nil || p.Email != member || p.TokenName != "panel" || !p.Can(auth.PermOverview) || p.Can(auth.PermRead) {
				t.Fatalf("the token shown: %+v %v", p, err)
			}
			step("back to the tokens", chromedp.Click(chromedp.CSS("main a.button")), chromedp.WaitVisible(chromedp.CSS(".adm-tokens")))
			shots("admin-tokens")

			location := "montreal-" + lang
			step("add a location", chromedp.Navigate(site.base+"/staff/admin/locations"), chromedp.WaitVisible(chromedp.CSS("#location-name")),
				chromedp.SendKeys(chromedp.CSS("#location-name"), location), chromedp.Submit(chromedp.CSS("#location-name")),
				chromedp.WaitVisible(chromedp.CSS("#secret")))
			shots("admin-location-token")
			if l, err := site.d.Locations.Authenticate(bg, text("#secret")); err != nil || l.Name != location {
				t.Fatalf("the location's token shown: %+v %v", l, err)
			}
			step("back to the locations", chromedp.Click(chromedp.CSS("main a.button")), chromedp.WaitVisible(chromedp.CSS(".adm-locations")))
			if list := text(".adm-locations tbody"); !strings.Contains(list, location) {
				t.Fatalf("the locations:\n%s", list)
			}
			shots("admin-locations")
			phone("admin-locations")
		})
	}
}

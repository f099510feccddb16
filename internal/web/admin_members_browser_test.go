package web

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/browsertest"
	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/notify"
	"github.com/vigie/vigie/internal/probe"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// TestTheLocationsPageShowsEachProbeProcessAndItsShare: in Chromium, the
// staff page of locations lists the probe processes of paris, the two
// alive with their shares of its 30 checks, the one gone without. With
// VIGIE_SCREENSHOTS set to a folder, the page is saved there.
func TestTheLocationsPageShowsEachProbeProcessAndItsShare(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	now := time.Now().UTC().Add(time.Hour).Truncate(time.Second)
	clock := fixedClock(&now)
	sessions := auth.NewSessions(db)
	sessions.Now = clock
	members := probe.NewMemberStore(db)
	var yaml strings.Builder
	yaml.WriteString("assets:\n  - {name: shop, kind: site}\nchecks:\n")
	for i := range 30 {
		fmt.Fprintf(&yaml, "  - {asset: shop, name: page%02d, kind: http, url: \"https://shop.example/%d\", locations: [paris]}\n", i, i)
	}
	d := sessionDeps(t, db, Deps{Now: clock, Sessions: sessions, PublicName: "Hébergeur Test",
		Locations: probe.NewLocationStore(db), Agents: probe.NewAgentStore(db), Members: members,
		NotifyPrefs: notify.NewPrefs(db, clock), Logger: slog.New(slog.DiscardHandler)}, yaml.String())
	site := &staffSite{d: d, base: serveSessions(t, d, nil), now: &now}
	ctx := context.Background()
	if _, err := d.Locations.Add(ctx, "paris"); err != nil {
		t.Fatal(err)
	}
	at := now.Add(-time.Minute)
	members.SetClock(func() time.Time { return at })
	for _, m := range []probe.Hello{{ID: "9f2c4e1a0b7d3e55", Name: "probe-old-4711", Heartbeat: time.Second}} {
		if err := members.Touch(ctx, "paris", m); err != nil {
			t.Fatal(err)
		}
	}
	at = now
	for _, m := range []probe.Hello{{ID: "0a1b2c3d4e5f6071", Name: "paris-a-1234", Heartbeat: time.Second},
		{ID: "7e6d5c4b3a291807", Name: "paris-b-5678", Heartbeat: time.Second}} {
		if err := members.Touch(ctx, "paris", m); err != nil {
			t.Fatal(err)
		}
	}

	admin := "root@host.example"
	site.addStaff(t, admin, auth.RoleAdmin)
	key, _ := site.enrol(t, admin)
	browser := browsertest.New(t, 60*time.Second)
	shots := screenshots(t, browser, "en")
	if err := chromedp.Do(browser,
		chromedp.Navigate(site.base+"/staff/signin?lang=en&next=/staff/admin/locations"),
		chromedp.SendKeys(chromedp.CSS("#email"), admin), chromedp.SendKeys(chromedp.CSS("#password"), staffPassword),
		chromedp.Submit(chromedp.CSS("#password")), chromedp.WaitVisible(chromedp.CSS(`form[action="/staff/totp"]`)),
		chromedp.SendKeys(chromedp.CSS("#code"), site.code(t, key)), chromedp.Submit(chromedp.CSS("#code")),
		chromedp.WaitVisible(chromedp.CSS(".adm-members"))); err != nil {
		t.Fatalf("sign in and open the locations: %v", err)
	}
	text, err := chromedp.Run(browser, chromedp.Text(chromedp.CSS(".adm-members")))
	if err != nil {
		t.Fatal(err)
	}
	view, err := members.View(ctx, "paris")
	if err != nil {
		t.Fatal(err)
	}
	list, err := d.Inventory.Checks(ctx, inventory.CheckFilter{Effective: true})
	if err != nil {
		t.Fatal(err)
	}
	counts := probe.Shares(list, view.Alive)
	for _, want := range []string{
		fmt.Sprintf("paris-a-1234 alive %d checks, %.1f %%", counts["0a1b2c3d4e5f6071"], 100*float64(counts["0a1b2c3d4e5f6071"])/30),
		fmt.Sprintf("paris-b-5678 alive %d checks, %.1f %%", counts["7e6d5c4b3a291807"], 100*float64(counts["7e6d5c4b3a291807"])/30),
		"probe-old-4711 gone",
	} {
		if !strings.Contains(strings.Join(strings.Fields(text), " "), want) {
			t.Errorf("the members shown:\n%s\nwant %q", text, want)
		}
	}
	shots("admin-locations-members")
}

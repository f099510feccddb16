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

// TestStaffImportsSearchesAndOpensAnAssetInChromium: in a real browser, in
// French and in English, an admin signs in with password and TOTP, pastes
// an inventory file with mistakes and reads them by line, fixes it, reads
// the dry run's plan and applies it, finds the new assets by typing part
// of their name (the live search), and opens an asset's page, then one
// whose dependents are collapsed by kind. With VIGIE_SCREENSHOTS set, each
// page is saved there, the asset page also at a phone's width.
func TestStaffImportsSearchesAndOpensAnAssetInChromium(t *testing.T) {
	site, _ := inventorySite(t, storetest.Open(t, store.SQLite), auth.RoleAdmin)
	seedAssetData(t, site)
	browser := browsertest.New(t, 120*time.Second)
	for _, lang := range []string{"fr", "en"} {
		t.Run(lang, func(t *testing.T) {
			email := "admin-" + lang + "@host.example"
			site.addStaff(t, email, auth.RoleAdmin)
			secret, _ := site.enrol(t, email)
			ctx := browsertest.Tab(t, browser)
			shots := screenshots(t, ctx, lang)
			step := func(what string, actions ...chromedp.Action[chromedp.Void]) {
				t.Helper()
				if err := chromedp.Do(ctx, actions...); err != nil {
					text, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText.slice(0, 1500) : ""`))
					t.Fatalf("%s: %v\n%s", what, err, text)
				}
			}
			step("sign in", chromedp.EmulateViewport(1280, 900), chromedp.Navigate(site.base+"/staff/signin?lang="+lang+"&next=/staff/import"),
				chromedp.SendKeys(chromedp.CSS("#email"), email), chromedp.SendKeys(chromedp.CSS("#password"), staffPassword),
				chromedp.Submit(chromedp.CSS("#password")), chromedp.WaitVisible(chromedp.CSS(`form[action="/staff/totp"]`)))
			step("type the code", chromedp.SendKeys(chromedp.CSS("#code"), site.code(t, secret)), chromedp.Submit(chromedp.CSS("#code")),
				chromedp.WaitVisible(chromedp.CSS("#inv-content")))
			shots("import")

			bad := "assets:\n  - {name: new-" + lang + "-1, kind: site, owner: C1, depends_on: [vm9]}\n  - {name: new-" + lang + "-2, kind: site, owner: C404, depends_on: [vm1]}\n"
			step("dry-run a file with mistakes", chromedp.SetValue(chromedp.CSS("#inv-content"), bad), chromedp.SetValue(chromedp.CSS("#inv-name"), "new-shops.yaml"),
				chromedp.Click(chromedp.CSS("#inv-dry-run")), chromedp.WaitVisible(chromedp.CSS(".inv-problems")))
			shots("import-problems")
			problems, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".inv-problems")))
			if err != nil || !strings.Contains(problems, "new-shops.yaml:2: ") || !strings.Contains(problems, "new-shops.yaml:3: ") {
				t.Fatalf("problems shown: %q %v", problems, err)
			}
			good := strings.NewReplacer("vm9", "vm1", "C404", "C2").Replace(bad) + "  - {name: new-" + lang + "-3, kind: site, owner: C2, depends_on: [vm2]}\n"
			step("dry-run the fixed file", chromedp.SetValue(chromedp.CSS("#inv-content"), good), chromedp.Click(chromedp.CSS("#inv-dry-run")),
				chromedp.WaitVisible(chromedp.CSS("#inv-apply")))
			shots("import-plan")
			if _, err := site.d.Inventory.Asset(t.Context(), "new-"+lang+"-1"); err == nil {
				t.Fatal("the dry run wrote")
			}
			step("apply the plan", chromedp.Click(chromedp.CSS("#inv-apply")), chromedp.WaitVisible(chromedp.CSS("main .card.ok")))
			shots("import-applied")
			if a, err := site.d.Inventory.Asset(t.Context(), "new-"+lang+"-3"); err != nil || a.Owner != "C2" {
				t.Fatalf("after apply: %+v %v", a, err)
			}

			step("search as one types", chromedp.Navigate(site.base+"/staff/inventory"), chromedp.WaitVisible(chromedp.CSS("#inv-q")),
				chromedp.SendKeys(chromedp.CSS("#inv-q"), "new-"+lang),
				chromedp.WaitVisible(chromedp.CSS(`#inv-results a[href="/staff/assets/new-`+lang+`-3"]`)))
			shots("inventory-search")
			count, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".inv-count")))
			if err != nil || !strings.HasPrefix(count, "3 ") {
				t.Fatalf("live count: %q %v", count, err)
			}
			step("open an asset", chromedp.Click(chromedp.CSS(`#inv-results a[href="/staff/assets/new-`+lang+`-1"]`)),
				chromedp.WaitVisible(chromedp.CSS(".inv-graph")))
			shots("asset")
			step("go up the graph to vm1", chromedp.Navigate(site.base+"/staff/assets/vm1"), chromedp.WaitVisible(chromedp.CSS(".inv-graph .inv-group")))
			shots("asset-vm1")
			step("a hypervisor with a check down", chromedp.Navigate(site.base+"/staff/assets/hv1"), chromedp.WaitVisible(chromedp.CSS("figure.inv-chart svg")))
			shots("asset-hv1")
			step("the same on a phone", chromedp.EmulateViewport(390, 844), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(".inv-graph")))
			shots("asset-hv1-phone")
			step("the collapsed shops", chromedp.EmulateViewport(1280, 900),
				chromedp.Navigate(site.base+"/staff/inventory?of=vm1&kind=site"), chromedp.WaitVisible(chromedp.CSS(`a[href="/staff/assets/shop-12"]`)))
			shots("inventory-dependents")
		})
	}
}

package web

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/browsertest"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// TestAnAdminEnrolsAndSignsInWithTOTPInChromium: in a real browser, in
// French and in English, an admin signs in with a password, is made to
// enrol an authenticator app (the test computes the code from the key the
// page shows), keeps the recovery codes, signs out, signs in again with
// password and code, and reads its sign-ins in the audit log. With
// VIGIE_SCREENSHOTS set to a folder, each page is saved there.
func TestAnAdminEnrolsAndSignsInWithTOTPInChromium(t *testing.T) {
	site := newStaffSite(t, storetest.Open(t, store.SQLite))
	browser := browsertest.New(t, 90*time.Second)
	for _, lang := range []string{"fr", "en"} {
		t.Run(lang, func(t *testing.T) {
			email := "root-" + lang + "@host.example"
			site.addStaff(t, email, auth.RoleAdmin)
			ctx := browsertest.Tab(t, browser)
			shots := screenshots(t, ctx, lang)
			step := func(what string, actions ...chromedp.Action[chromedp.Void]) {
				t.Helper()
				if err := chromedp.Do(ctx, actions...); err != nil {
					t.Fatalf("%s: %v", what, err)
				}
			}
			signIn := func() {
				t.Helper()
				step("open the sign-in page", chromedp.Navigate(site.base+"/staff/signin?lang="+lang),
					chromedp.WaitVisible(chromedp.CSS(`form[action="/staff/signin"]`)))
				shots("signin")
				step("sign in with the password", chromedp.SendKeys(chromedp.CSS("#email"), email),
					chromedp.SendKeys(chromedp.CSS("#password"), staffPassword), chromedp.Submit(chromedp.CSS("#password")))
			}
			signIn()
			step("be sent to enrol", chromedp.WaitVisible(chromedp.CSS("#secret")))
			shots("setup")
			secret, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#secret")))
			if err != nil {
				t.Fatal(err)
			}
			step("confirm the app's code", chromedp.SendKeys(chromedp.CSS("#code"), site.code(t, strings.ReplaceAll(secret, " ", ""))),
				chromedp.Submit(chromedp.CSS("#code")), chromedp.WaitVisible(chromedp.CSS("#recovery-codes")))
			shots("codes")
			codes, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#recovery-codes")))
			if err != nil || len(strings.Fields(codes)) != auth.RecoveryCodeCount {
				t.Fatalf("recovery codes shown: %q %v", codes, err)
			}
			step("go on", chromedp.Click(chromedp.CSS("main a.button")), chromedp.WaitVisible(chromedp.CSS(".staff-links")))
			shots("home")
			step("sign out", chromedp.Click(chromedp.CSS(`form[action="/staff/signout"] button`)),
				chromedp.WaitVisible(chromedp.CSS(`form[action="/staff/signin"]`)))

			site.tick(30 * time.Second) // the next code
			signIn()
			step("be asked for a code", chromedp.WaitVisible(chromedp.CSS(`form[action="/staff/totp"]`)))
			shots("totp")
			step("type the code", chromedp.SendKeys(chromedp.CSS("#code"), site.code(t, strings.ReplaceAll(secret, " ", ""))),
				chromedp.Submit(chromedp.CSS("#code")), chromedp.WaitVisible(chromedp.CSS(".staff-links")))
			step("open the security page", chromedp.Navigate(site.base+"/staff/security"), chromedp.WaitVisible(chromedp.CSS(".staff-sessions")))
			shots("security")
			step("open the audit log", chromedp.Click(chromedp.CSS(`nav a[href="/staff/audit"]`)), chromedp.WaitVisible(chromedp.CSS(".staff-audit")))
			shots("audit")
			log, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".staff-audit tbody")))
			if err != nil {
				t.Fatal(err)
			}
			var signIns int
			for line := range strings.SplitSeq(log, "\n") {
				if strings.Contains(line, email) && strings.Contains(line, "sign-in") && strings.Contains(line, "127.0.0.1") {
					signIns++
				}
			}
			if signIns != 2 || !strings.Contains(log, "POST /staff/totp/setup") || !strings.Contains(log, "POST /staff/totp\t") {
				t.Fatalf("the audit log shows %d sign-ins of %s:\n%s", signIns, email, log)
			}
		})
	}
}

// screenshots returns what saves the page of ctx as staff-NAME-LANG.png
// in the folder VIGIE_SCREENSHOTS names, and does nothing without it.
func screenshots(t *testing.T, ctx context.Context, lang string) func(name string) {
	dir := os.Getenv("VIGIE_SCREENSHOTS")
	return func(name string) {
		t.Helper()
		if dir == "" {
			return
		}
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, "staff-"+name+"-"+lang+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

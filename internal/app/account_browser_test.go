package app_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/vigie/vigie/internal/browsertest"
	"github.com/vigie/vigie/internal/notify/notifytest"
	"github.com/vigie/vigie/internal/store"
)

// TestTheInvitationJourneyInABrowser follows a contact in Chromium: the
// invitation is caught by the SMTP server, its link opened, a password
// chosen twice, the customer area reached, then signing out and in again
// with the password. With VIGIE_SCREENSHOTS set to a directory, every
// page of the account is also captured there in French and English.
func TestTheInvitationJourneyInABrowser(t *testing.T) {
	s, mail := accountServer(t, store.SQLite)
	ctx := browsertest.New(t, 90*time.Second)
	if code, body := s.call("POST", "/api/v1/customers/C1/contacts", `{"email":"lea@alpha.example","name":"Léa"}`, nil); code != http.StatusCreated {
		t.Fatalf("invite Léa: %d %s", code, body)
	}
	invite := nextMail(t, mail, 1)
	const password = "la boulangerie ouvre à 6 h"
	step := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	step("open the invitation", chromedp.Navigate(s.base+invite.link))
	pageHolds(t, ctx, `document.querySelector("h1").innerText === "Bienvenue dans votre espace client"`, 10*time.Second)
	step("choose a password",
		chromedp.SendKeys(chromedp.CSS(`#link-password`), password),
		chromedp.SendKeys(chromedp.CSS(`#link-confirm`), password),
		chromedp.Click(chromedp.CSS(`main form button[type=submit]`)))
	pageHolds(t, ctx, `location.pathname === "/account"`, 10*time.Second)

	pageHolds(t, ctx, `document.querySelector("header .me").innerText === "Léa"`, 10*time.Second)
	step("sign out", chromedp.Click(chromedp.CSS(`header form button[type=submit]`)))
	pageHolds(t, ctx, `location.pathname === "/account/signin" && document.querySelector("main").innerText.includes("Vous êtes déconnecté.")`, 10*time.Second)
	step("back to the area", chromedp.Navigate(s.base+"/account"))
	pageHolds(t, ctx, `location.pathname === "/account/signin"`, 10*time.Second)

	step("sign in with the password",
		chromedp.SendKeys(chromedp.CSS(`#signin-email`), "lea@alpha.example"),
		chromedp.SendKeys(chromedp.CSS(`#signin-password`), password),
		chromedp.Click(chromedp.CSS(`form[action="/account/signin"] button[type=submit]`)))
	pageHolds(t, ctx, `location.pathname === "/account" && document.querySelector("header .me") !== null`, 10*time.Second)
	step("open the sessions by the name", chromedp.Click(chromedp.CSS(`header a.me`)))
	pageHolds(t, ctx, `location.pathname === "/account/sessions" && document.querySelector("main").innerText.includes("cet appareil")`, 10*time.Second)

	if dir := os.Getenv("VIGIE_SCREENSHOTS"); dir != "" {
		screenshotAccountPages(t, ctx, s, mail, dir)
	}
}

// screenshotAccountPages captures each page of the account in French and
// English into dir, as the reader sees it in a 1280-pixel-wide window.
func screenshotAccountPages(t *testing.T, ctx context.Context, s *server, mail *notifytest.SMTP, dir string) {
	t.Helper()
	if code, body := s.call("POST", "/api/v1/customers/C2/contacts", `{"email":"max@beta.example","name":"Max"}`, nil); code != http.StatusCreated {
		t.Fatalf("invite Max: %d %s", code, body)
	}
	invite := nextMail(t, mail, 2).link
	used := nextMail(t, mail, 1).link
	do := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	shot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	ask := func(form, email string) {
		t.Helper()
		page := map[string]string{"magic": "/account/signin", "forgot": "/account/forgot"}[form]
		do("ask "+form, chromedp.Navigate(s.base+page),
			chromedp.SendKeys(chromedp.CSS(`#`+form+`-email`), email),
			chromedp.Click(chromedp.CSS(`form[action="/account/`+form+`"] button`)))
		pageHolds(t, ctx, `location.pathname === "/account/`+form+`" && document.querySelector("h1") !== null`, 10*time.Second)
	}
	ask("magic", "lea@alpha.example")
	magic := nextMail(t, mail, 3).link
	ask("forgot", "lea@alpha.example")
	reset := nextMail(t, mail, 4).link
	for _, lang := range []string{"fr", "en"} {
		do("the language", chromedp.Navigate(s.base+"/account/sessions?lang="+lang))
		shot(lang + "-sessions")
		do("sign-in page", chromedp.Navigate(s.base+"/account/signin"))
		shot(lang + "-signin")
		do("a wrong password", chromedp.SendKeys(chromedp.CSS(`#signin-email`), "lea@alpha.example"),
			chromedp.SendKeys(chromedp.CSS(`#signin-password`), "not the password"),
			chromedp.Click(chromedp.CSS(`form[action="/account/signin"] button`)))
		pageHolds(t, ctx, `document.querySelector(".card.bad") !== null`, 10*time.Second)
		shot(lang + "-signin-failed")
		do("forgot page", chromedp.Navigate(s.base+"/account/forgot"))
		shot(lang + "-forgot")
		ask("magic", "someone@example.org")
		shot(lang + "-sent")
		for name, link := range map[string]string{"invite": invite, "magic": magic, "reset": reset, "used": used} {
			do(name+" link", chromedp.Navigate(s.base+inLang(link, lang)))
			shot(lang + "-link-" + name)
		}
		do("a mismatch", chromedp.Navigate(s.base+inLang(invite, lang)),
			chromedp.SendKeys(chromedp.CSS(`#link-password`), "twelve chars long"),
			chromedp.SendKeys(chromedp.CSS(`#link-confirm`), "twelve chars lung"),
			chromedp.Click(chromedp.CSS(`main form button`)))
		pageHolds(t, ctx, `document.querySelector(".card.bad") !== null`, 10*time.Second)
		shot(lang + "-link-mismatch")
		do("a bad hand-off", chromedp.Navigate(s.base+"/handoff?customer=C1&ts=1&nonce=nonce-0000000000000001&sig=00&lang="+lang))
		shot(lang + "-handoff-refused")
	}
}

// inLang is a mailed link's path asking for the page in lang.
func inLang(link, lang string) string {
	path, _, _ := strings.Cut(link, "?")
	return path + "?lang=" + lang
}

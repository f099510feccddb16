package app_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/vigie/vigie/internal/app"
	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/browsertest"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// shoot saves a full-page screenshot under $VIGIE_SCREENSHOTS, when set,
// for people to look at the pages; the test does not depend on it.
func shoot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("VIGIE_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestTicketPagesWorkInABrowser walks the ticket pages in Chromium, in
// French then English, without JavaScript: the asset step, the incident
// already known on it, writing anyway with a file, the thread with staff's
// answer, and the list.
func TestTicketPagesWorkInABrowser(t *testing.T) {
	ctx := context.Background()
	s := startServer(t, ctx, app.Config{DB: storetest.DSN(t, store.SQLite), PublicName: "Nuage Coop"}, notifyHost, "")
	var inc struct{ ID int64 }
	if code, body := s.call("POST", "/api/v1/incidents", `{"root_assets":["hv01"],"severity":"major"}`, &inc); code != http.StatusCreated {
		t.Fatalf("open: %d %s", code, body)
	}
	if code, body := s.call("POST", "/api/v1/incidents/"+itoa(inc.ID)+"/updates", `{"status":"identified",
		"message_fr":"Un disque de l'hyperviseur est en panne ; nous le remplaçons.",
		"message_en":"A disk of the hypervisor failed; we are replacing it."}`, nil); code != http.StatusCreated {
		t.Fatalf("update: %d %s", code, body)
	}
	file := filepath.Join(t.TempDir(), "capture.png")
	if err := os.WriteFile(file, append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 2000)...), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ lang, customer, email, asset, known, subject string }{
		{"fr", "C1", "alice.martin@example.org", "alice-blog", "Nous sommes déjà sur le coup", "Blog en panne depuis 01:45"},
		{"en", "C2", "bob.baker@example.org", "bob-bakery", "We are already on it", "Shop down since 01:45"},
	} {
		t.Run(c.lang, func(t *testing.T) {
			browser := browsertest.New(t, 60*time.Second)
			who := signInContact(t, s, c.customer, c.email, c.lang)
			if err := chromedp.Do(browser, emulate(emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}),
				emulate(network.SetCookie, network.SetCookieParams{Name: auth.SessionCookieName, Value: who.cookie, URL: s.base})); err != nil {
				t.Fatal(err)
			}
			walkTicketPages(t, browser, s, c.lang, c.asset, c.known, c.subject, file)
		})
	}
}

func walkTicketPages(t *testing.T, browser context.Context, s *server, lang, asset, known, subject, file string) {
	t.Helper()
	must := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(browser, steps...); err != nil {
			text, _ := chromedp.Run(browser, chromedp.Evaluate[string](`document.body ? document.body.innerText.slice(0, 800) : ""`))
			t.Fatalf("%s: %v\npage: %s", what, err, text)
		}
	}
	main := func() string {
		t.Helper()
		text, err := chromedp.Run(browser, chromedp.Text(chromedp.CSS("main")))
		if err != nil {
			t.Fatal(err)
		}
		return text
	}
	must("the asset step", chromedp.Navigate(s.base+"/account/tickets/new?lang="+lang), chromedp.WaitVisible(chromedp.CSS("select#asset")))
	shoot(t, browser, "support-new-asset-"+lang)
	must("choose the asset", chromedp.SetValue(chromedp.CSS("select#asset"), asset), chromedp.Click(chromedp.CSS("main form button")),
		chromedp.WaitVisible(chromedp.CSS("section.known")))
	if text := main(); !strings.Contains(text, known) || strings.Contains(text, "hv01") {
		t.Fatalf("the known step:\n%s", text)
	}
	shoot(t, browser, "support-new-known-"+lang)
	must("write anyway", chromedp.Click(chromedp.CSS("section.known a.button")), chromedp.WaitVisible(chromedp.CSS("input#subject")))
	shoot(t, browser, "support-new-form-"+lang)
	must("send", chromedp.SendKeys(chromedp.CSS("input#subject"), subject),
		chromedp.SendKeys(chromedp.CSS("textarea#body"), "502 Bad Gateway on every page.\nThe admin area too."),
		chromedp.SetUploadFiles(chromedp.CSS("input#files"), []string{file}),
		chromedp.Click(chromedp.CSS("main form button[type=submit]")), chromedp.WaitVisible(chromedp.CSS("ol.thread")))
	url, err := chromedp.Run(browser, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	id := strings.TrimSuffix(url[strings.LastIndex(url, "/")+1:], "?sent=1")
	if code, body := s.call("POST", "/api/v1/tickets/"+id+"/replies", `{"body":"`+map[string]string{
		"fr": "Bonjour, nous voyons la panne : elle vient de l'incident en cours. Nous vous écrivons dès que c'est réparé.",
		"en": "Hello, we see it: it comes from the incident in progress. We will write as soon as it is fixed."}[lang]+`"}`, nil); code != http.StatusCreated {
		t.Fatalf("answer: %d %s", code, body)
	}
	must("the thread", chromedp.Navigate(s.base+"/account/tickets/"+id), chromedp.WaitVisible(chromedp.CSS("ol.thread li.staff")))
	if text := main(); !strings.Contains(text, "capture.png") || !strings.Contains(text, "502 Bad Gateway") {
		t.Fatalf("the thread:\n%s", text)
	}
	shoot(t, browser, "support-show-"+lang)
	must("the list", chromedp.Navigate(s.base+"/account/tickets"), chromedp.WaitVisible(chromedp.CSS("table.tickets")))
	if text := main(); !strings.Contains(text, subject) {
		t.Fatalf("the list:\n%s", text)
	}
	shoot(t, browser, "support-list-"+lang)
}

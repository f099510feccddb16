package app_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/vigie/vigie/internal/app"
	"github.com/vigie/vigie/internal/browsertest"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// browse starts a server over publicHost and a browser; the server's pages
// render in Paris time.
func browse(t *testing.T) (*server, context.Context) {
	t.Helper()
	s := startServer(t, context.Background(), app.Config{DB: storetest.DSN(t, store.SQLite), PublicName: "Nuage Coop"}, publicHost, "")
	return s, browsertest.New(t, 60*time.Second)
}

// evaluate runs a JavaScript expression in the page and returns its value.
func evaluate[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return v
}

// pageHolds polls a JavaScript condition in the page, across navigations
// (while one runs, the page has no context to evaluate in).
func pageHolds(t *testing.T, ctx context.Context, expr string, limit time.Duration) {
	t.Helper()
	var err error
	if within(limit, func() bool {
		var ok bool
		ok, err = chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
		return err == nil && ok
	}) {
		return
	}
	text, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText.slice(0, 800) : ""`))
	t.Fatalf("%s never held within %v (last error %v)\npage: %s", expr, limit, err, text)
}

func emulate[P any](c cdp.Command[P, cdp.Empty], params P) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, c, params)
		return err
	})
}

func TestAnIncidentAppearsOnAnOpenPageWithoutReload(t *testing.T) {
	s, ctx := browse(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(s.base+"/?lang=fr")); err != nil {
		t.Fatal(err)
	}
	pageHolds(t, ctx, `document.getElementById("banner") && document.getElementById("banner").innerText.includes("Tous les services fonctionnent")`, 10*time.Second)
	// A mark on the window: a reload would lose it.
	evaluate[bool](t, ctx, `window.vigieMark = true`)
	if code, body := s.call("POST", "/api/v1/incidents", `{"root_assets":["hv01"],"title":"hv01 down","severity":"major"}`, nil); code != 201 {
		t.Fatalf("open incident: %d %s", code, body)
	}
	pageHolds(t, ctx, `document.getElementById("main").innerText.includes("Perturbation majeure en cours")`, 15*time.Second)
	if !evaluate[bool](t, ctx, `window.vigieMark === true`) {
		t.Fatal("the page was reloaded, not updated in place")
	}
	main := evaluate[string](t, ctx, `document.getElementById("main").innerText`)
	if !strings.Contains(main, "Hébergement mutualisé") || strings.Contains(main, "hv01") {
		t.Errorf("the updated page:\n%s", main)
	}
	pageHolds(t, ctx, `document.getElementById("live").textContent.toLowerCase().includes("mise à jour")`, 5*time.Second)
}

func TestTheLanguageSwitchIsRemembered(t *testing.T) {
	s, ctx := browse(t)
	if err := chromedp.Do(ctx, emulate(emulation.SetUserAgentOverride, emulation.SetUserAgentOverrideParams{
		UserAgent: "Mozilla/5.0 vigie-test", AcceptLanguage: "en-CA,en"})); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(s.base+"/")); err != nil {
		t.Fatal(err)
	}
	if lang := evaluate[string](t, ctx, `document.documentElement.lang`); lang != "en" {
		t.Fatalf("an English browser got lang %q at %s", lang, evaluate[string](t, ctx, `location.pathname`))
	}
	// Follow the switch to French, then come back to / later.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`header a[hreflang="fr"]`))); err != nil {
		t.Fatal(err)
	}
	pageHolds(t, ctx, `document.documentElement.lang === "fr"`, 10*time.Second)
	if err := chromedp.Do(ctx, chromedp.Navigate(s.base+"/")); err != nil {
		t.Fatal(err)
	}
	if lang := evaluate[string](t, ctx, `document.documentElement.lang`); lang != "fr" {
		t.Errorf("the choice of French was forgotten: lang %q", lang)
	}
	if h1 := evaluate[string](t, ctx, `document.querySelector("h1").innerText`); !strings.Contains(h1, "Nuage Coop") {
		t.Errorf("h1 %q", h1)
	}
}

func TestTimesAreInTheViewersZoneWithTheZoneNamed(t *testing.T) {
	s, ctx := browse(t)
	if code, body := s.call("POST", "/api/v1/incidents", `{"root_assets":["mx1"],"title":"mail","severity":"minor"}`, nil); code != 201 {
		t.Fatalf("open incident: %d %s", code, body)
	}
	// The server writes Paris time and names it; a reader in Montreal
	// sees Montreal time, named.
	server := waitFor(t, s.base+"/en/", 5*time.Second, "Minor disruption")
	if !strings.Contains(server, "Paris time, UTC&#43;1") && !strings.Contains(server, "Paris time, UTC&#43;2") {
		t.Fatalf("the server's page names no Paris offset:\n%.2000s", server)
	}
	if err := chromedp.Do(ctx, emulate(emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: "America/Montreal"})); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(s.base+"/en/")); err != nil {
		t.Fatal(err)
	}
	pageHolds(t, ctx, `document.querySelectorAll("time[data-fmt]").length > 0`, 10*time.Second)
	shown := evaluate[[]string](t, ctx, `Array.from(document.querySelectorAll("time[data-fmt]")).map(e => e.textContent)`)
	named := 0
	for _, text := range shown {
		if strings.Contains(text, "UTC+1") || strings.Contains(text, "UTC+2") {
			t.Errorf("a time still in Paris: %q", text)
		}
		if strings.Contains(text, "EST") || strings.Contains(text, "EDT") || strings.Contains(text, "GMT-5") || strings.Contains(text, "GMT-4") {
			named++
		}
	}
	if named == 0 {
		t.Errorf("no time names the reader's zone: %q", shown)
	}
}

func TestThePageIsWholeWithoutJavaScript(t *testing.T) {
	s, ctx := browse(t)
	if code, body := s.call("POST", "/api/v1/incidents", `{"root_assets":["hv01"],"title":"hv01 down","severity":"major"}`, nil); code != 201 {
		t.Fatalf("open incident: %d %s", code, body)
	}
	waitFor(t, s.base+"/", 5*time.Second, "Perturbation majeure en cours")
	if err := chromedp.Do(ctx, emulate(emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(s.base+"/?lang=fr")); err != nil {
		t.Fatal(err)
	}
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Perturbation majeure en cours", "Hébergement mutualisé", "Nous enquêtons", "heure de Paris", "Messagerie"} {
		if !strings.Contains(text, want) {
			t.Errorf("without JavaScript the page lacks %q:\n%s", want, text)
		}
	}
}

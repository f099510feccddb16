package web

import (
	"context"
	"html"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/detect"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// areaHas fails unless the page holds every text (compared unescaped).
func areaHas(t *testing.T, what, body string, texts ...string) {
	t.Helper()
	plain := html.UnescapeString(body)
	for _, s := range texts {
		if !strings.Contains(plain, s) {
			t.Errorf("%s lacks %q", what, s)
		}
	}
}

// areaLacks fails if the page holds any of the texts.
func areaLacks(t *testing.T, what, body string, texts ...string) {
	t.Helper()
	plain := html.UnescapeString(body)
	for _, s := range texts {
		if strings.Contains(plain, s) {
			t.Errorf("%s holds %q", what, s)
		}
	}
}

func TestTheHomeTellsACustomerTheirOwnProblemsInPlainWords(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := areaServe(t, db)
		resp, body := f.customer(t, "C1").get("/account")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("home: %d %s", resp.StatusCode, body)
		}
		areaHas(t, "the home", body,
			"Vos services, Café Crème",
			// The blog's own problem, its time in Paris with the zone, and what to check.
			"blog.cafe-creme.fr</a></strong> — répond par une erreur 500 depuis 10:02 CET.",
			"vérifiez votre application",
			// The hypervisor's incident names exactly which of their services it reaches.
			"Panne", "Une alimentation de l'hyperviseur a lâché.",
			"/account/incidents/"+strconv.FormatInt(f.shared, 10),
			"Mise à jour de vm1", "/account/incidents/m"+f.window, "Le 9 décembre 2026, de 02:00 à 03:00 CET",
			"En panne", "En service", "Disponibilité sur 30 jours",
			// A certificate ending soon is a warning, its days counted from now.
			"boutique.cafe-creme.fr</a></strong> — le certificat expire dans 6 jours (le 13 décembre 2026).",
			"À surveiller", "Renouvelez le certificat avant cette date.")
		// The window on vm1 reaches both sites, not the VPS (on hv1 itself).
		_, win, _ := strings.Cut(html.UnescapeString(body), "Mise à jour de vm1")
		win, _, _ = strings.Cut(win, "</li>")
		if !strings.Contains(win, "boutique.cafe-creme.fr") || strings.Contains(win, "cafe-vps") {
			t.Errorf("the window on vm1 names %q", win)
		}
		areaLacks(t, "the home", body, "bob-bakery", "Bob Bakery", "bob-secret-detail", "/account/incidents/"+strconv.FormatInt(f.bobsOwn, 10))
	})
}

func TestAnotherCustomersAssetIncidentOrReportIsNotFound(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := areaServe(t, db)
		c1 := f.customer(t, "C1")
		// What is theirs answers: the check that the refusals below are
		// about the owner, not the address.
		for _, path := range []string{"/account/assets/blog.cafe-creme.fr", "/account/incidents/" + strconv.FormatInt(f.shared, 10),
			"/account/incidents/" + strconv.FormatInt(f.cafesOwn, 10), // on their own page alone
			"/account/incidents/m" + f.window, "/account/reports/blog.cafe-creme.fr/2026-11", "/account/reports/blog.cafe-creme.fr/2026-11.pdf"} {
			if resp, body := c1.get(path); resp.StatusCode != http.StatusOK {
				t.Fatalf("%s: %d %.300s", path, resp.StatusCode, body)
			}
		}
		const nobody = "/account/assets/no-such-site.example"
		_, missing := c1.get(nobody)
		missing = strings.ReplaceAll(missing, nobody, "PATH")
		for _, path := range []string{"/account/assets/bob-bakery.example", "/account/assets/vm1", "/account/assets/no-such-site.example",
			"/account/incidents/" + strconv.FormatInt(f.bobsOwn, 10), "/account/incidents/99999", "/account/incidents/m99",
			"/account/incidents/x", "/account/reports/bob-bakery.example/2026-11", "/account/reports/bob-bakery.example/2026-11.pdf",
			"/account/reports/blog.cafe-creme.fr/2025-10", "/account/reports/blog.cafe-creme.fr/2027-01",
			"/account/reports/blog.cafe-creme.fr/novembre"} {
			resp, body := c1.get(path)
			// The page repeats the address asked (its language switch):
			// what it says besides must be the same for every one.
			body = strings.ReplaceAll(body, path, "PATH")
			if resp.StatusCode != http.StatusNotFound {
				t.Errorf("%s: %d, want 404", path, resp.StatusCode)
			}
			areaLacks(t, path, body, "bob-bakery", "Bob Bakery", "bob-secret-detail", "bob@example.org")
			if body != missing {
				t.Errorf("%s answers otherwise than a name nobody has: it tells that something is there", path)
			}
		}
	})
}

func TestTheAssetPageShowsItsProblemUptimeAndLatency(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := areaServe(t, db)
		resp, body := f.customer(t, "C1").get("/account/assets/blog.cafe-creme.fr")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("asset: %d", resp.StatusCode)
		}
		areaHas(t, "the asset page", body, "répond par une erreur 500 depuis 10:02 CET.", "À vérifier :",
			"HTTP/1.1 500 Internal Server Error", "Disponibilité sur 90 jours", "Rapport du mois en cours",
			"/account/reports/blog.cafe-creme.fr/2026-12", `<svg xmlns="http://www.w3.org/2000/svg" class="lat-chart"`,
			"<title id=\"latency-t\">Temps de réponse sur 24 heures</title>", "Aucune réponse réussie ces dernières 24 heures.")
		if strings.Contains(body, "style=") {
			t.Error("the page has an inline style attribute, which the CSP blocks")
		}
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "style-src 'self'") {
			t.Errorf("CSP %q", csp)
		}
	})
}

func TestTheAreaSpeaksTheViewersLanguageAndZone(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := areaServe(t, db)
		_, body := f.customer(t, "C2").get("/account")
		// 08:00 UTC is 03:00 in Montreal.
		areaHas(t, "Bob's home", body, "Your services, Bob Bakery",
			"bob-bakery.example</a></strong> — does not answer (timeout after 10 s) since 03:00 EST.",
			"Your services affected:")
		areaLacks(t, "Bob's home", body, "blog.cafe-creme.fr", "Café Crème")
	})
}

func TestAnIncidentShowsItsPublicTimeline(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := areaServe(t, db)
		resp, body := f.customer(t, "C1").get("/account/incidents/" + strconv.FormatInt(f.shared, 10) + "?lang=en")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("incident: %d", resp.StatusCode)
		}
		areaHas(t, "the incident", body, "A power supply of the hypervisor failed.", "Identified</strong> — 7 December 2026, 10:10 CET",
			"Your services affected:", "blog.cafe-creme.fr", "boutique.cafe-creme.fr", "cafe-vps")
		areaLacks(t, "the incident", body, "bob-bakery")
	})
}

// A site failing because of an ongoing incident upstream is told as the
// incident's doing, not as something for the customer to check; a site
// whose failure correlation judged its own keeps the advice.
func TestAProblemAnIncidentCoversSaysSo(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := areaServe(t, db)
		err := f.d.Detection.SaveStates(context.Background(), []detect.StateRow{
			{Check: "boutique.cafe-creme.fr/http", State: detect.Down, Since: time.Date(2026, 12, 7, 8, 50, 0, 0, time.UTC),
				Reason: check.ReasonHTTPStatus, Message: "HTTP/1.1 502 Bad Gateway, want 200-299"}})
		if err != nil {
			t.Fatal(err)
		}
		for _, path := range []string{"/account?lang=en", "/account/assets/boutique.cafe-creme.fr?lang=en"} {
			resp, body := f.customer(t, "C1").get(path)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("%s: %d", path, resp.StatusCode)
			}
			text := html.UnescapeString(body)
			_, boutique, _ := strings.Cut(text, "answers with error 502")
			boutique, _, _ = strings.Cut(boutique, "</li>")
			if !strings.Contains(boutique, "there is nothing to check on your side") || strings.Contains(boutique, "What to check") {
				t.Errorf("%s: the boutique's problem is not told as the incident's doing: %q", path, boutique)
			}
		}
		_, body := f.customer(t, "C1").get("/account?lang=en")
		_, blog, _ := strings.Cut(html.UnescapeString(body), "blog.cafe-creme.fr</a></strong> —")
		blog, _, _ = strings.Cut(blog, "</li>")
		if strings.Contains(blog, "nothing to check") || blog == "" {
			t.Errorf("the blog's own problem is told as an incident's doing: %q", blog)
		}
	})
}

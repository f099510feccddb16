package web

import (
	"bytes"
	"context"
	"github.com/vigie/vigie/internal/auth"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/notify"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

func (f *areaFixture) customerRow(t *testing.T, id string) inventory.Customer {
	t.Helper()
	c, err := f.d.Inventory.Customer(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (f *areaFixture) optOuts(t *testing.T, id string) []string {
	t.Helper()
	list, err := f.d.NotifyPrefs.OptOuts(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, o := range list {
		out = append(out, o.Channel+"/"+o.Topic)
	}
	slices.Sort(out)
	return out
}

func TestLanguageAndZoneChangeThroughTheInventoryOrNotAtAll(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := areaServe(t, db)
		c1 := f.customer(t, "C1")
		before := f.customerRow(t, "C1")

		// Without the form token, or from another site, nothing changes.
		resp, _ := c1.post("/account/preferences/locale", url.Values{"csrf": {"forged"}, "language": {"en"}, "timezone": {"America/Montreal"}})
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("no form token: %d, want 403", resp.StatusCode)
		}
		for _, zone := range []string{"Mars/Olympus_Mons", "", "Local"} {
			resp, body := c1.post("/account/preferences/locale", url.Values{"language": {"en"}, "timezone": {zone}})
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("zone %q: %d, want 422", zone, resp.StatusCode)
			}
			areaHas(t, "the refusal", body, "Fuseau horaire : « "+zone+" » n'est pas un fuseau connu", "Rien n'a été changé.")
		}
		resp, body := c1.post("/account/preferences/locale", url.Values{"language": {"de"}, "timezone": {"Europe/Berlin"}})
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("language de: %d", resp.StatusCode)
		}
		areaHas(t, "the refusal", body, "Langue : « de » n'est pas proposée")
		if got := f.customerRow(t, "C1"); got != before {
			t.Fatalf("a refused change changed the customer: %+v", got)
		}

		resp, _ = c1.post("/account/preferences/locale", url.Values{"language": {"en"}, "timezone": {"America/Montreal"}})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/account/preferences?saved=locale" {
			t.Fatalf("change: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		got := f.customerRow(t, "C1")
		if got.Language != "en" || got.Timezone != "America/Montreal" || got.Name != before.Name || got.Email != before.Email {
			t.Fatalf("stored %+v", got)
		}
		// The next page speaks the new language.
		_, body = c1.get("/account/preferences?saved=locale")
		areaHas(t, "the preferences", body, "Saved: your language and time zone are up to date.", `value="America/Montreal"`)

		// A contact's own language and zone change with it, even after a
		// link asked for French.
		ctx := context.Background()
		contact, err := f.d.Auth.AddContact(ctx, auth.Contact{Customer: "C1", Email: "lea@c1.example", Lang: "fr"})
		if err != nil {
			t.Fatal(err)
		}
		lea := newBrowser(t, f.base)
		lea.signIn(f.d.Sessions, auth.SubjectContact, auth.ContactSubject(contact.ID), auth.LevelPassword)
		lea.get("/account/preferences?lang=fr")
		if resp, _ := lea.post("/account/preferences/locale", url.Values{"language": {"en"}, "timezone": {"Asia/Tokyo"}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("contact's change: %d", resp.StatusCode)
		}
		if got, err := f.d.Auth.Contact(ctx, contact.ID); err != nil || got.Lang != "en" || got.Zone != "Asia/Tokyo" {
			t.Fatalf("contact after the change: %+v, %v", got, err)
		}
		_, body = lea.get("/account/preferences?saved=locale")
		areaHas(t, "the contact's preferences", body, "Saved: your language and time zone are up to date.")
	})
}

func TestNotificationChoicesAreOptOutsAsTheSignedLinkMakesThem(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := areaServe(t, db)
		ctx := context.Background()
		c1 := f.customer(t, "C1")
		// Stop-all by an opt-out link earlier.
		if err := f.d.NotifyPrefs.SetOptOut(ctx, notify.OptOut{Customer: "C1", Channel: "*", Topic: "*"}, true); err != nil {
			t.Fatal(err)
		}
		_, body := c1.get("/account/preferences")
		if n := strings.Count(body, " checked>"); n != 0 {
			t.Fatalf("after stop-all, %d topics show as on", n)
		}
		resp, _ := c1.post("/account/preferences/notifications", url.Values{"csrf": {"forged"}, "incident": {"on"}})
		if resp.StatusCode != http.StatusForbidden || !slices.Equal(f.optOuts(t, "C1"), []string{"*/*"}) {
			t.Fatalf("a forged form: %d, opt-outs %v", resp.StatusCode, f.optOuts(t, "C1"))
		}
		// Incidents on again: the stop-all is lifted, the others stay off.
		resp, _ = c1.post("/account/preferences/notifications", url.Values{"incident": {"on"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("save: %d", resp.StatusCode)
		}
		if got := f.optOuts(t, "C1"); !slices.Equal(got, []string{"email/maintenance", "email/site-problem"}) {
			t.Fatalf("opt-outs %v", got)
		}
		resp, _ = c1.post("/account/preferences/notifications", url.Values{"incident": {"on"}, "maintenance": {"on"}, "site-problem": {"on"}})
		if resp.StatusCode != http.StatusSeeOther || len(f.optOuts(t, "C1")) != 0 {
			t.Fatalf("all on: %d, opt-outs %v", resp.StatusCode, f.optOuts(t, "C1"))
		}
		_, body = c1.get("/account/preferences?saved=notifications")
		areaHas(t, "the preferences", body, "C'est enregistré : vos choix de messages sont à jour.")
		if n := strings.Count(body, " checked>"); n != 3 {
			t.Fatalf("%d topics show as on, want 3", n)
		}
		if got := f.optOuts(t, "C2"); len(got) != 0 {
			t.Fatalf("another customer's opt-outs changed: %v", got)
		}
	})
}

func TestPrivateLinksAreShownOnceAndReplaceTheOldOnes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := areaServe(t, db)
		ctx := context.Background()
		c1 := f.customer(t, "C1")
		_, body := c1.get("/account/preferences")
		areaHas(t, "the preferences", body, "Créer mes liens privés")
		tokenRe := regexp.MustCompile(`https://status\.example\.org/c/(vst_[A-Za-z0-9_-]+)/`)
		issue := func() string {
			t.Helper()
			resp, body := c1.post("/account/preferences/links", nil)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("links: %d", resp.StatusCode)
			}
			m := tokenRe.FindStringSubmatch(body)
			if m == nil {
				t.Fatalf("no link in %.2000s", body)
			}
			areaHas(t, "the new links", body, m[0]+"feed.atom", m[0]+"maintenance.ics", m[0]+"api/v2/summary.json", "Remplacer mes liens")
			return m[1]
		}
		first := issue()
		tokens, err := f.d.StatusTokens.Load(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if who, ok := tokens.Customer(first); !ok || who != "C1" {
			t.Fatalf("the link is %q's (%v)", who, ok)
		}
		_, body = c1.get("/account/preferences")
		if strings.Contains(body, first) {
			t.Fatal("the secret is shown again")
		}
		areaHas(t, "the preferences", body, "Vos liens actuels datent du 7 décembre 2026, 10:30 CET.", "Remplacer mes liens")
		second := issue()
		if tokens, err = f.d.StatusTokens.Load(ctx); err != nil {
			t.Fatal(err)
		}
		if _, ok := tokens.Customer(first); ok || second == first {
			t.Fatal("the old link still works after it was replaced")
		}
	})
}

func TestMonthlyReportsArePagesAndPDFs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := areaServe(t, db)
		c1 := f.customer(t, "C1")
		_, body := c1.get("/account/reports")
		areaHas(t, "the list", body, "blog.cafe-creme.fr", "décembre 2026", "décembre 2025",
			"/account/reports/cafe-vps/2026-11.pdf")
		areaLacks(t, "the list", body, "novembre 2025", "bob-bakery")

		resp, body := c1.get("/account/reports/blog.cafe-creme.fr/2026-12")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("report: %d", resp.StatusCode)
		}
		// Down since 10:02 Paris time on the 7th, up before: 28 min down of
		// the 9 h 30 measured that day.
		areaHas(t, "the report", body, "Rapport de disponibilité", "blog.cafe-creme.fr — décembre 2026",
			"Mois en cours : mesuré jusqu'au 7 décembre 2026, 10:30 CET.", "Client : Café Crème",
			"7 décembre 2026", "28\u00a0min", "Panne : Hébergement mutualisé")
		areaLacks(t, "the report", body, "Mise à jour de vm1") // to come, not in the month so far
		resp, pdf := c1.get("/account/reports/blog.cafe-creme.fr/2026-11.pdf")
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/pdf" ||
			resp.Header.Get("Content-Disposition") != `attachment; filename="availability-blog.cafe-creme.fr-2026-11.pdf"` {
			t.Fatalf("PDF: %d %q %q", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"))
		}
		if !strings.HasPrefix(pdf, "%PDF-") || !bytes.Contains([]byte(pdf), []byte("/Title (")) && !strings.Contains(pdf, "/Title <") {
			t.Fatalf("not a PDF with a title: %.40q", pdf)
		}
	})
}

package web

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/heartbeat"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// backupsHost gives C1 a VM and a site with four backup checks in every
// state, C2 a VM with one backup, and C3 nothing backed up.
const backupsHost = `
customers:
  - {id: C1, name: Alpha Bakery, email: alpha@example.org, language: fr, timezone: Europe/Paris}
  - {id: C2, name: Beta Books, email: beta@example.org}
  - {id: C3, name: Gamma Garden, email: gamma@example.org}
assets:
  - {name: hv1, kind: hypervisor}
  - {name: alpha-vm, kind: vm, owner: C1, depends_on: [hv1]}
  - {name: alpha-shop, kind: site, owner: C1, depends_on: [alpha-vm]}
  - {name: beta-vm, kind: vm, owner: C2, depends_on: [hv1]}
  - {name: gamma-site, kind: site, owner: C3, depends_on: [beta-vm]}
checks:
  - {asset: alpha-vm, name: nightly, kind: heartbeat, period: 24h, grace: 1h}
  - {asset: alpha-vm, name: archive, kind: heartbeat, period: 168h}
  - {asset: alpha-shop, name: database, kind: heartbeat, period: 24h, grace: 1h}
  - {asset: alpha-shop, name: files, kind: heartbeat, period: 24h}
  - {asset: beta-vm, name: nightly, kind: heartbeat, period: 24h, grace: 1h}
check_defaults:
  vm: {kind: none}
  site: {kind: none}
  hypervisor: {kind: none}
`

// backupsFixture serves the backups page over db with the pings of
// backupsHost recorded relative to now.
func backupsFixture(t *testing.T, db *store.DB, now time.Time) (Deps, string) {
	t.Helper()
	ctx := context.Background()
	d := sessionDeps(t, db, Deps{Now: func() time.Time { return now }}, backupsHost)
	size, dur := int64(7_516_192_768), heartbeat.Duration(24*time.Minute+20*time.Second)
	pings := map[string][]struct {
		p  heartbeat.Ping
		at time.Duration
	}{
		// Good, then a failure, then good again: up to date.
		"alpha-vm/nightly": {{heartbeat.Ping{Status: heartbeat.StatusOK, RestorePoint: "alpha-snap-1"}, -26 * time.Hour},
			{heartbeat.Ping{Status: heartbeat.StatusFail, Message: "repository locked by another run"}, -3 * time.Hour},
			{heartbeat.Ping{Status: heartbeat.StatusOK, RestorePoint: "alpha-snap-2", Size: &size, Duration: &dur}, -2 * time.Hour}},
		// Good 30 hours ago, failing since: late.
		"alpha-shop/database": {{heartbeat.Ping{Status: heartbeat.StatusOK}, -30 * time.Hour},
			{heartbeat.Ping{Status: heartbeat.StatusFail, Message: "pg_dump: disk full"}, -time.Hour}},
		// A URL but no ping yet: waiting.
		"alpha-shop/files": {},
		"beta-vm/nightly":  {{heartbeat.Ping{Status: heartbeat.StatusOK, RestorePoint: "beta-secret-point"}, -time.Hour}},
	}
	for key, list := range pings {
		token, _, err := d.Heartbeats.Ensure(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range list {
			if _, err := d.Heartbeats.Record(ctx, token, p.p, now.Add(p.at)); err != nil {
				t.Fatal(err)
			}
		}
	}
	return d, serveSessions(t, d, nil)
}

// card returns the HTML of the card of check name on a backups page.
func card(t *testing.T, page, name string) string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<article class="([^"]*)">\s*<h3>` + regexp.QuoteMeta(name) + `.*?</article>`).FindString(page)
	if m == "" {
		t.Fatalf("no card for %s in:\n%s", name, page)
	}
	return m
}

func TestTheBackupsPageShowsTheCustomersOwnBackupsInEveryState(t *testing.T) {
	// Pings are dated from the real clock, as their tokens are.
	now := time.Now().UTC().Truncate(time.Second)
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		d, base := backupsFixture(t, db, now)
		contact, err := d.Auth.AddContact(ctx, auth.Contact{Customer: "C1", Email: "ana@alpha.example", Lang: "fr", Zone: "Europe/Paris"})
		if err != nil {
			t.Fatal(err)
		}
		b := newBrowser(t, base)
		if resp, _ := b.get("/account/backups"); resp.StatusCode != http.StatusSeeOther ||
			!strings.HasPrefix(resp.Header.Get("Location"), "/account/signin?next=") {
			t.Fatalf("without a session: %d %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		b.signIn(d.Sessions, auth.SubjectContact, auth.ContactSubject(contact.ID), auth.LevelPassword)
		resp, page := b.get("/account/backups")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("backups page: %d\n%s", resp.StatusCode, page)
		}
		const nb = "\u00a0"
		for _, want := range []string{"<h1>Sauvegardes</h1>", "alpha-vm", "alpha-shop", "1 sauvegarde en retard", "1 sauvegarde à jour",
			"1 en attente de sa première sauvegarde", "1 pas encore en service"} {
			if !strings.Contains(page, want) {
				t.Errorf("the page lacks %q", want)
			}
		}
		fresh := card(t, page, "nightly")
		for _, want := range []string{`class="card backup ok"`, "À jour", "alpha-snap-2", "7,5" + nb + "Go", "24" + nb + "min 20" + nb + "s",
			"repository locked by another run", "une sauvegarde a réussi depuis", "2 points de restauration", "alpha-snap-1"} {
			if !strings.Contains(fresh, want) {
				t.Errorf("the up-to-date card lacks %q:\n%s", want, fresh)
			}
		}
		late := card(t, page, "database")
		for _, want := range []string{`class="card backup bad"`, "⚠", "En retard", "Aucune sauvegarde réussie depuis le", "pg_dump: disk full",
			"ne nomme pas ses points de restauration"} {
			if !strings.Contains(late, want) {
				t.Errorf("the late card lacks %q:\n%s", want, late)
			}
		}
		if strings.Contains(late, "une sauvegarde a réussi depuis") {
			t.Errorf("the late card says a backup succeeded after its failure:\n%s", late)
		}
		if waiting := card(t, page, "files"); !strings.Contains(waiting, "En attente") || !strings.Contains(waiting, "La première sauvegarde est attendue") {
			t.Errorf("the waiting card:\n%s", waiting)
		}
		if off := card(t, page, "archive"); !strings.Contains(off, "Pas encore en service") {
			t.Errorf("the card without a URL:\n%s", off)
		}
		for _, theirs := range []string{"beta", "Beta", "gamma", "C2"} {
			if strings.Contains(page, theirs) {
				t.Errorf("C1's page holds %q", theirs)
			}
		}

		if _, en := b.get("/account/backups?lang=en"); !strings.Contains(en, "1 backup late") || !strings.Contains(card(t, en, "nightly"), "7.5"+nb+"GB") ||
			!strings.Contains(card(t, en, "database"), "No successful backup since") {
			t.Errorf("in English:\n%s", en)
		}

		// A session from the host's panel sees its own customer's only.
		hb := newBrowser(t, base)
		hb.signIn(d.Sessions, auth.SubjectCustomer, "C2", auth.LevelHandOff)
		_, beta := hb.get("/account/backups")
		if !strings.Contains(beta, "beta-secret-point") || strings.Contains(beta, "alpha") {
			t.Errorf("C2's page:\n%s", beta)
		}
		gb := newBrowser(t, base)
		gb.signIn(d.Sessions, auth.SubjectCustomer, "C3", auth.LevelHandOff)
		if _, gamma := gb.get("/account/backups"); !strings.Contains(gamma, "Aucune sauvegarde de vos services") || strings.Contains(gamma, "<article") {
			t.Errorf("C3's page:\n%s", gamma)
		}
	})
}

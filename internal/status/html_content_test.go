package status

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/vigie/vigie/internal/i18n"
)

func TestHTMLMatchesGoldenFiles(t *testing.T) {
	public, customer := renderHTML(t, fixturePage(t)), renderHTML(t, fixtureCustomerPage(t))
	for _, c := range []struct {
		golden string
		files  map[string]*File
		path   string
	}{
		{"home.fr.html", public, "/"},
		{"home.en.html", public, "/en/"},
		{"incident-40.fr.html", public, "/incidents/40/"},
		{"incident-42.en.html", public, "/en/incidents/42/"},
		{"history-2026-10.fr.html", public, "/history/2026-10/"},
		{"customer-home.fr.html", customer, "/c/k7Qx2mZp/"},
	} {
		t.Run(c.golden, func(t *testing.T) {
			f, ok := c.files[c.path]
			if !ok {
				t.Fatalf("%s not rendered", c.path)
			}
			golden := filepath.Join("testdata", "html", c.golden)
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, f.Body, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to write it)", err)
			}
			if !bytes.Equal(f.Body, want) {
				t.Errorf("%s differs from %s; run with -update and review the diff", c.path, golden)
			}
		})
	}
}

// bars are the day rects of each component's bar on a page, in order,
// with the link around each when there is one.
type dayRect struct {
	class, title, href string
}

func bars(t *testing.T, f *File) [][]dayRect {
	t.Helper()
	var out [][]dayRect
	for _, svg := range elements(parse(t, f), "svg") {
		if class, _ := attr(svg, "class"); class != "bar" {
			continue
		}
		var days []dayRect
		for _, rect := range elements(svg, "rect") {
			d := dayRect{}
			d.class, _ = attr(rect, "class")
			holder := rect
			if p := rect.Parent; p.Data == "a" {
				holder = p
				d.href, _ = attr(p, "href")
			}
			for _, title := range elements(holder, "title") {
				d.title = textOf(title)
			}
			days = append(days, d)
		}
		out = append(out, days)
	}
	return out
}

func TestEveryComponentHasNinetyDaysColouredByTheirWorstStatus(t *testing.T) {
	files := renderHTML(t, fixturePage(t))
	got := bars(t, files["/"])
	if len(got) != 3 {
		t.Fatalf("%d bars, want 3 (one per component)", len(got))
	}
	for i, days := range got {
		if len(days) != 90 {
			t.Errorf("bar %d: %d days, want 90", i, len(days))
		}
		for j, d := range days {
			if d.title == "" {
				t.Errorf("bar %d, day %d: no title", i, j)
			}
		}
	}
	// Days ago → class, per bar (web, db, mail).
	for i, want := range []map[int]string{
		{0: "d-major", 1: "d-op", 20: "d-major", 45: "d-maint", 60: "d-part", 89: "d-op"},
		{0: "d-deg", 30: "d-op", 31: "d-none", 89: "d-none"},
		{0: "d-maint", 20: "d-major", 59: "d-op", 60: "d-none", 89: "d-none"},
	} {
		for ago, class := range want {
			if d := got[i][89-ago]; d.class != class {
				t.Errorf("bar %d, %d days ago: class %q, want %q (%s)", i, ago, d.class, class, d.title)
			}
		}
	}
	web := got[0]
	for _, c := range []struct {
		ago         int
		href, title string
	}{
		{0, "incidents/42/", "6 déc. 2026 — Panne majeure. 43 min d'indisponibilité. Incidents\u00a0: Serveurs web lents ou injoignables"},
		{20, "incidents/40/", "16 nov. 2026 — Panne majeure. 1 h 35 min d'indisponibilité. Incidents\u00a0: Coupure du réseau du datacentre"},
		{45, "history/2026-10/", "22 oct. 2026 — En maintenance. Maintenance\u00a0: Mises à jour du noyau des hyperviseurs"},
		{60, "history/2026-10/", "7 oct. 2026 — Panne partielle. 1 h 00 min d'indisponibilité. Incidents\u00a0: Erreurs PHP sur le mutualisé ; Certificats expirés sur deux serveurs"},
		{1, "", "5 déc. 2026 — Opérationnel"},
	} {
		d := web[89-c.ago]
		if d.href != c.href || d.title != c.title {
			t.Errorf("web, %d days ago: href %q title %q, want %q %q", c.ago, d.href, d.title, c.href, c.title)
		}
	}
	// A linked day is reachable by keyboard and named.
	for _, a := range elements(parse(t, files["/"]), "a") {
		if a.Parent != nil && a.Parent.Data == "svg" {
			if tab, _ := attr(a, "tabindex"); tab != "0" {
				t.Errorf("day link %v without tabindex=0", a.Attr)
			}
			if label, _ := attr(a, "aria-label"); label == "" {
				t.Errorf("day link %v without a name", a.Attr)
			}
		}
	}
}

func TestUpdateBodiesAreEscaped(t *testing.T) {
	p := fixturePage(t)
	evil := `<script>alert("x")</script><img src=x onerror=alert(1)>`
	p.Active[0].Updates[0].Body = Text{FR: evil, EN: evil}
	p.Active[0].Name = Text{FR: `</title><script>alert(2)</script>`}
	p.Incidents[0] = p.Active[0]
	files := renderHTML(t, p)
	for _, path := range []string{"/", "/en/", "/incidents/42/"} {
		body := string(files[path].Body)
		if strings.Contains(body, "<script>alert") || strings.Contains(body, "<img src=x") {
			t.Errorf("%s: an update's body or name is not escaped", path)
		}
		if !strings.Contains(body, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;") {
			t.Errorf("%s: the escaped body is missing", path)
		}
	}
}

func TestAFallbackTextIsMarkedAndInItsLanguage(t *testing.T) {
	files := renderHTML(t, fixturePage(t))
	for _, c := range []struct {
		path, lang, text, marker string
	}{
		{"/", "en", "Some sites answer with errors 502; the team is on it.", "(English)"},
		{"/en/", "fr", "Nous enquêtons sur des lenteurs des sites hébergés.", "(en français)"},
		{"/en/", "fr", "Les courriels arrivent avec du retard pendant la migration ; aucun n'est perdu.", "(en français)"},
	} {
		found := false
		each(parse(t, files[c.path]), func(n *html.Node) {
			if lang, _ := attr(n, "lang"); lang == c.lang && strings.Contains(textOf(n), c.text) {
				found = found || strings.Contains(textOf(n), c.text+" "+c.marker)
			}
		})
		if !found {
			t.Errorf("%s: no lang=%s element with %q marked %q", c.path, c.lang, c.text, c.marker)
		}
	}
}

func TestUpdatesAreNewestFirstAndSaySo(t *testing.T) {
	files := renderHTML(t, fixturePage(t))
	body := string(files["/incidents/40/"].Body)
	u3, u2, u1 := strings.Index(body, `id="update-u3"`), strings.Index(body, `id="update-u2"`), strings.Index(body, `id="update-u1"`)
	if u3 < 0 || u3 > u2 || u2 > u1 {
		t.Errorf("updates at %d, %d, %d: not newest first", u3, u2, u1)
	}
	if !strings.Contains(body, "la plus récente en premier") {
		t.Error("the timeline does not say its order")
	}
	if !strings.Contains(body, "<h2 id=\"postmortem\">Post-mortem</h2>\n<p>Une pelleteuse a coupé la fibre principale") {
		t.Error("the post-mortem is not shown as HTML under its heading")
	}
}

func TestTimesAreInThePageZoneAndNameIt(t *testing.T) {
	files := renderHTML(t, fixturePage(t))
	for path, want := range map[string][]string{
		"/": {
			`<time datetime="2026-12-06T00:52:00Z" data-fmt="full">6 déc. 2026 à 01:52 (heure de Paris, UTC+1)</time>`,
			`<time datetime="2026-12-06T01:35:00Z" data-fmt="full">6 déc. 2026 à 02:35 (heure de Paris, UTC+1)</time>`,
			// A window within a day names the zone once, at its end.
			`<time datetime="2026-12-08T01:00:00Z" data-fmt="start">8 déc. 2026 à 02:00</time> – <time datetime="2026-12-08T03:00:00Z" data-fmt="time">04:00 (heure de Paris, UTC+1)</time>`,
			`<time datetime="2026-12-12T21:00:00Z" data-fmt="start">12 déc. 2026 à 22:00</time> – <time datetime="2026-12-13T05:00:00Z" data-fmt="full">13 déc. 2026 à 06:00 (heure de Paris, UTC+1)</time>`,
		},
		"/en/": {
			`<time datetime="2026-12-06T00:52:00Z" data-fmt="full">6 Dec 2026 at 01:52 (Paris time, UTC+1)</time>`,
		},
	} {
		// html/template writes "+" as "&#43;", which reads the same.
		body := bytes.ReplaceAll(files[path].Body, []byte("&#43;"), []byte("+"))
		for _, w := range want {
			if !bytes.Contains(body, []byte(w)) {
				t.Errorf("%s: no %s", path, w)
			}
		}
	}
}

func TestTheBannerSaysTheStatusInWordsAndIcon(t *testing.T) {
	for _, c := range []struct {
		indicator  Indicator
		inProgress bool
		class      string
		fr, en     string
	}{
		{IndicatorNone, false, "b-op", "Tous les services fonctionnent", "All systems operational"},
		{IndicatorNone, true, "b-maint", "Maintenance en cours", "Maintenance in progress"},
		{IndicatorMinor, false, "b-minor", "Perturbation mineure en cours", "Minor disruption in progress"},
		{IndicatorMajor, false, "b-major", "Perturbation majeure en cours", "Major disruption in progress"},
		{IndicatorCritical, false, "b-critical", "Panne critique en cours", "Critical outage in progress"},
	} {
		p := fixturePage(t)
		p.Indicator = c.indicator
		if !c.inProgress {
			p.InProgress = nil
		}
		files := renderHTML(t, p)
		for path, words := range map[string]string{"/": c.fr, "/en/": c.en} {
			body := string(files[path].Body)
			want := `<div class="banner ` + c.class + `" id="banner">` + "\n" + `<svg class="ic"`
			if !strings.Contains(body, want) || !strings.Contains(body, "<p>"+words+"</p>") {
				t.Errorf("%s with %s: banner is not %s %q", path, c.indicator, c.class, words)
			}
			if !strings.Contains(body, "<title>"+words+" — ") {
				t.Errorf("%s with %s: the title does not start with %q", path, c.indicator, words)
			}
		}
	}
}

// siteLists are the customer's sites listed on a page, one list per
// incident or window, in order, with the words before each list.
func siteLists(t *testing.T, f *File) (heads []string, lists [][]string) {
	t.Helper()
	each(parse(t, f), func(n *html.Node) {
		if class, _ := attr(n, "class"); class != "sites" {
			return
		}
		var sites []string
		for _, li := range elements(n, "li") {
			sites = append(sites, textOf(li))
		}
		head := textOf(n)
		if c := n.FirstChild; n.Data != "p" && c != nil && c.Type == html.ElementNode {
			head = textOf(c)
		}
		heads, lists = append(heads, head), append(lists, sites)
	})
	return heads, lists
}

func TestACustomerPageIsTheirOwnAndListsTheirSites(t *testing.T) {
	p := fixtureCustomerPage(t)
	files := renderHTML(t, p)
	for path := range files {
		if !strings.HasPrefix(path, "/c/k7Qx2mZp/") {
			t.Errorf("%s is not under the customer's base", path)
		}
	}
	home := files["/c/k7Qx2mZp/"]
	if !bytes.Contains(home.Body, []byte("<h1>Vos services chez Nuage Coop</h1>")) {
		t.Error("customer home: the heading does not say it is their own view")
	}
	heads, lists := siteLists(t, home)
	many := p.Upcoming[0].Sites
	wantHeads := []string{"Vos sites concernés\u00a0:", "Vos sites concernés\u00a0:", "Vos sites concernés (12)", "Touche toute la plateforme."}
	wantLists := [][]string{{"atelier-velo.example.fr", "boulangerie-martin.example.fr"}, {"atelier-velo.example.fr"}, many, nil}
	if len(lists) != len(wantLists) {
		t.Fatalf("customer home: site lists %q under %q, want %q", lists, heads, wantLists)
	}
	for i := range wantLists {
		if heads[i] != wantHeads[i] || strings.Join(lists[i], ",") != strings.Join(wantLists[i], ",") {
			t.Errorf("customer home, list %d: %q %q, want %q %q", i, heads[i], lists[i], wantHeads[i], wantLists[i])
		}
	}
	heads, lists = siteLists(t, files["/c/k7Qx2mZp/en/incidents/42/"])
	if len(lists) != 1 || heads[0] != "Your affected sites:" || len(lists[0]) != 2 {
		t.Errorf("customer incident page in English: sites %q under %q", lists, heads)
	}
	if _, lists := siteLists(t, renderHTML(t, fixturePage(t))["/"]); len(lists) != 0 {
		t.Error("the public page speaks of a customer's sites")
	}
}

func TestHistoryLinksTheMonthsAroundAndItsIncidents(t *testing.T) {
	files := renderHTML(t, fixturePage(t))
	nov := string(files["/history/2026-11/"].Body)
	for _, want := range []string{
		`<a href="../../history/2026-10/" rel="prev">← octobre 2026</a>`,
		`<a href="../../history/2026-12/" rel="next">décembre 2026 →</a>`,
		`<a href="../../incidents/40/">Coupure du réseau du datacentre</a>`,
		"Aucune maintenance ce mois-ci.",
	} {
		if !strings.Contains(nov, want) {
			t.Errorf("history of November: no %q", want)
		}
	}
	oct := string(files["/en/history/2026-10/"].Body)
	if strings.Contains(oct, `rel="prev"`) || !strings.Contains(oct, "Hypervisor kernel updates") || !strings.Contains(oct, "PHP errors on shared hosting") {
		t.Error("history of October: wrong links or missing events")
	}
}

func TestLocaleFormatsNumbersAndDurations(t *testing.T) {
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	fr, en := newLocale(b, French).in(parisZone(t)), newLocale(b, English).in(parisZone(t))
	for _, c := range []struct{ got, want string }{
		{fr.percent(0.99873), "99,87\u00a0%"},
		{en.percent(0.99873), "99.87%"},
		{en.percent(0.99999), "99.99%"},
		{en.percent(1), "100%"},
		{fr.percent(1.2), "100\u00a0%"},
		{en.percent(0), "0.00%"},
		{fr.duration(25 * time.Minute), "25 min"},
		{fr.duration(2*time.Hour + 5*time.Minute), "2 h 05 min"},
		{fr.duration(51 * time.Hour), "2 j 3 h"},
		{en.duration(51 * time.Hour), "2 d 3 h"},
		{en.duration(-time.Minute), "0 min"},
		{offsetLabel(time.Date(2026, 7, 1, 0, 0, 0, 0, parisZone(t))), "UTC+2"},
		{offsetLabel(time.Date(2026, 7, 1, 0, 0, 0, 0, time.FixedZone("", -(3*3600+1800)))), "UTC\u22123:30"},
		{offsetLabel(time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)), "UTC"},
		{newLocale(b, English).at(fixtureNow).Text, "6 Dec 2026 at 01:35 (UTC)"},
		{fr.month(fixtureNow), "décembre 2026"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

package web

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

var (
	resultNames = regexp.MustCompile(`<li><code>([^<]+)</code>`)
	resultsList = regexp.MustCompile(`(?s)<ul class="maint-results" id="maint-results">(.*?)</ul>`)
)

// TestThePlannerFindsAssetsByPrefixThenSubstring: the search box finds
// names starting with the words first, then containing them, ignoring
// case; each result links to the planner with it added, the others kept.
func TestThePlannerFindsAssetsByPrefixThenSubstring(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		site := newMaintSite(t, db)
		b := site.staffBrowser(t, "ops@host.example", auth.RoleStaff)
		for q, want := range map[string][]string{
			"hv-par":   {"hv-par1-01", "hv-par1-02"},
			"ALICE":    {"shop-alice", "site-alice"},
			"site":     {"site-alice", "site-bob"},
			"bob":      {"site-bob"},
			"par1-0":   {"hv-par1-01", "hv-par1-02"},
			"web":      {"vm-web-01"},
			"nowhere!": nil,
		} {
			resp, page := b.get("/staff/maintenance/new?asset=vm-mail-01&q=" + url.QueryEscape(q))
			mustStatus(t, "search "+q, resp, page, http.StatusOK)
			var got []string
			if m := resultsList.FindStringSubmatch(page); m != nil {
				for _, n := range resultNames.FindAllStringSubmatch(m[1], -1) {
					got = append(got, n[1])
				}
			}
			if !slices.Equal(got, want) {
				t.Errorf("search %q found %v, want %v", q, got, want)
			}
			if want == nil && !strings.Contains(page, "nowhere!") {
				t.Errorf("search %q: the page does not say nothing was found", q)
			}
		}
		_, page := b.get("/staff/maintenance/new?asset=vm-mail-01&q=hv-par1-01&title=T")
		link := html.UnescapeString(regexp.MustCompile(`href="([^"]+)" data-asset="hv-par1-01"`).FindStringSubmatch(page)[1])
		u, err := url.Parse(link)
		if err != nil {
			t.Fatal(err)
		}
		if q := u.Query(); !slices.Equal(q["asset"], []string{"vm-mail-01", "hv-par1-01"}) || q.Get("title") != "T" || q.Get("q") != "hv-par1-01" {
			t.Errorf("the result's link %s does not add it to the chosen assets, keeping the rest", link)
		}
	})
}

// TestThePlannerShowsTheImpactTheImpactAPIComputes: for each chosen asset
// the page gives the numbers GET /api/v1/impact/{name} gives; the total
// is the union, with the customers and sites listed.
func TestThePlannerShowsTheImpactTheImpactAPIComputes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		site := newMaintSite(t, db)
		api := serveAPI(t, db, Deps{Inventory: site.d.Inventory}, "")
		b := site.staffBrowser(t, "ops@host.example", auth.RoleStaff)
		_, page := b.get("/staff/maintenance/new?asset=hv-par1-01&asset=hv-par1-02&lang=en")
		for _, name := range []string{"hv-par1-01", "hv-par1-02"} {
			resp, err := http.Get(api + "/api/v1/impact/" + name)
			if err != nil {
				t.Fatal(err)
			}
			var imp inventory.Impact
			err = json.NewDecoder(resp.Body).Decode(&imp)
			_ = resp.Body.Close()
			if err != nil || resp.StatusCode != http.StatusOK {
				t.Fatalf("impact API of %s: %d %v", name, resp.StatusCode, err)
			}
			want := fmt.Sprintf("<code>%s</code>\n<span class=\"hint\">hypervisor · %d depending · %d sites · %d customers</span>",
				name, imp.Assets, imp.Sites, len(imp.Customers))
			if !strings.Contains(page, want) {
				t.Errorf("the page does not show the API's impact of %s (%+v): want %q in\n%s", name, imp, want, page)
			}
		}
		if !strings.Contains(page, "Reaches 7 assets · 3 sites · 2 customers") {
			t.Errorf("the total impact is not the union of both hypervisors':\n%s", page)
		}
		for _, name := range []string{"C1", "C2", "site-alice", "shop-alice", "site-bob"} {
			if !strings.Contains(page, "<code>"+name+"</code> ") {
				t.Errorf("the impact does not list %s", name)
			}
		}
	})
}

// TestThePlannerSuggestsTheFirstFreeNightInParis: with nothing planned,
// Saturday's night; with a window on it, Monday's, since Sunday's night
// loses an hour to the clocks going forward; shown in the viewer's zone.
// A configured night is used instead of the default.
func TestThePlannerSuggestsTheFirstFreeNightInParis(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		site := newMaintSite(t, db)
		b := site.staffBrowser(t, "ops@host.example", auth.RoleStaff)
		_, page := b.get("/staff/maintenance/new?asset=hv-par1-01")
		if s, e := fieldValue(page, "maint-start"), fieldValue(page, "maint-end"); s != "2099-03-28T02:00" || e != "2099-03-28T04:00" || fieldValue(page, "maint-zone") != "Europe/Paris" {
			t.Errorf("first free night %s – %s, want Saturday 02:00–04:00", s, e)
		}
		busy := incident.Window{Title: "Other", Assets: []string{"vm-mail-01"}, Start: "2099-03-28T03:00", End: "2099-03-28T05:00", Zone: "Europe/Paris"}
		if err := site.d.Maintenance.Create(ctx, &busy, "test"); err != nil {
			t.Fatal(err)
		}
		_, page = b.get("/staff/maintenance/new?asset=hv-par1-01")
		page = html.UnescapeString(page)
		if s, e := fieldValue(page, "maint-start"), fieldValue(page, "maint-end"); s != "2099-03-30T02:00" || e != "2099-03-30T04:00" {
			t.Errorf("with Saturday's night taken, the slot is %s – %s, want Monday's (Sunday's is an hour short)", s, e)
		}
		if !strings.Contains(page, "30 mars 2099, 02:00 (Paris, UTC+2) → 30 mars 2099, 04:00 (Paris, UTC+2)") {
			t.Errorf("the slot is not shown in summer time:\n%s", page)
		}
		// A viewer in Montreal reads it in their own time.
		mtl := site.staffBrowser(t, "mtl@host.example", auth.RoleStaff)
		if err := site.d.Auth.SetTimezone(ctx, "mtl@host.example", "America/Montreal"); err != nil {
			t.Fatal(err)
		}
		if _, page = mtl.get("/staff/maintenance/new?asset=hv-par1-01&lang=en"); !strings.Contains(html.UnescapeString(page), "29 Mar 2099, 20:00 (Montreal, UTC-4)") {
			t.Errorf("the slot is not shown in the viewer's zone:\n%s", page)
		}
		// Times already typed are kept.
		if _, page = b.get("/staff/maintenance/new?asset=hv-par1-01&start=2099-04-02T01:00&end=2099-04-02T03:00"); fieldValue(page, "maint-start") != "2099-04-02T01:00" {
			t.Error("the suggestion replaced the times typed")
		}
	})
}

// TestAConfiguredNightIsTheOneSuggested: the night comes from the
// settings when the server has them.
func TestAConfiguredNightIsTheOneSuggested(t *testing.T) {
	site := newMaintSite(t, storetest.Open(t, store.SQLite), func(d *Deps) {
		d.NightWindow = func(context.Context) (string, string, *time.Location) {
			loc, _ := time.LoadLocation("America/Montreal")
			return "23:30", "01:00", loc
		}
	})
	b := site.staffBrowser(t, "ops@host.example", auth.RoleStaff)
	_, page := b.get("/staff/maintenance/new?asset=hv-par1-01")
	if s, e, z := fieldValue(page, "maint-start"), fieldValue(page, "maint-end"), fieldValue(page, "maint-zone"); s != "2099-03-27T23:30" || e != "2099-03-28T01:00" || z != "America/Montreal" {
		t.Errorf("configured night: %s – %s %s, want tonight 23:30–01:00 in Montreal", s, e, z)
	}
}

// TestThePreviewShowsBothLanguagesAndSendsNothing: the notices of every
// channel the window reaches, in French and English, the customers'
// e-mail naming their sites; no window is saved, no message queued.
func TestThePreviewShowsBothLanguagesAndSendsNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		site := newMaintSite(t, db)
		b := site.staffBrowser(t, "ops@host.example", auth.RoleStaff)
		resp, page := b.post("/staff/maintenance/preview", planForm())
		mustStatus(t, "preview", resp, page, http.StatusOK)
		previews := regexp.MustCompile(`(?s)<article class="card maint-preview" data-channel="([a-z]+)">(.*?)</article>`).FindAllStringSubmatch(page, -1)
		channels := map[string]string{}
		for _, p := range previews {
			channels[p[1]] = html.UnescapeString(p[2])
		}
		if len(channels) != 2 || channels["mail"] == "" || channels["hook"] == "" {
			t.Fatalf("previews of %v, want mail and hook:\n%s", channels, page)
		}
		for ch, text := range channels {
			fr, en, _ := strings.Cut(text, `<div lang="en"`)
			if !strings.Contains(fr, "Redémarrage de l'hyperviseur.") || !strings.Contains(en, "The hypervisor restarts.") {
				t.Errorf("%s: the preview is not in French then English:\n%s", ch, text)
			}
		}
		if !strings.Contains(channels["mail"], "2 destinataires") || !strings.Contains(channels["mail"], "Alice Ateliers") ||
			!strings.Contains(channels["mail"], "shop-alice") {
			t.Errorf("the customers' e-mail is not previewed as Alice's, naming her sites:\n%s", channels["mail"])
		}
		if fieldValue(page, "maint-title") != "Noyau de hv-par1-01" || fieldValue(page, "maint-start") != "2099-03-30T02:00" {
			t.Error("the form is not shown again as typed")
		}
		if n := len(site.windows(t)); n != 0 {
			t.Errorf("the preview saved %d windows", n)
		}
		if n := len(site.messages(t)); n != 0 {
			t.Errorf("the preview queued %d messages", n)
		}
	})
}

// TestSavingCreatesExactlyTheWindowShownOnTheCalendar: the window saved
// is the one typed; its page shows it, the calendar of its month has it
// on its day in the viewer's zone; it can be changed, then cancelled.
func TestSavingCreatesExactlyTheWindowShownOnTheCalendar(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		site := newMaintSite(t, db)
		b := site.staffBrowser(t, "ops@host.example", auth.RoleStaff)
		form := planForm()
		form.Add("asset", "vm-mail-01")
		form.Set("verify", "30m")
		resp, page := b.post("/staff/maintenance", form)
		mustStatus(t, "save", resp, page, http.StatusSeeOther)
		all := site.windows(t)
		if len(all) != 1 {
			t.Fatalf("%d windows saved, want 1", len(all))
		}
		w := all[0]
		want := incident.Window{ID: w.ID, Title: "Noyau de hv-par1-01", TitleEN: "hv-par1-01 kernel", Description: "Redémarrage de l'hyperviseur.",
			DescriptionEN: "The hypervisor restarts.", Assets: []string{"hv-par1-01", "vm-mail-01"}, Start: "2099-03-30T02:00", End: "2099-03-30T04:00",
			Zone: "Europe/Paris", Verify: 30 * time.Minute, UpdatedAt: w.UpdatedAt, CreatedAt: w.CreatedAt}
		if fmt.Sprint(w) != fmt.Sprint(want) {
			t.Errorf("saved %+v\nwant  %+v", w, want)
		}
		if loc := resp.Header.Get("Location"); loc != "/staff/maintenance/"+w.ID+"?done=created" {
			t.Errorf("saved, sent to %q", loc)
		}
		_, page = b.get("/staff/maintenance/" + w.ID + "?done=created&lang=en")
		page = html.UnescapeString(page)
		for _, s := range []string{"The window is saved.", "Reaches 6 assets · 3 sites · 2 customers", `data-channel="mail"`, "30 Mar 2099, 02:00 (Paris, UTC+2)"} {
			if !strings.Contains(page, s) {
				t.Errorf("the window's page lacks %q", s)
			}
		}
		// The calendar of a Montreal viewer has it the evening before.
		mtl := site.staffBrowser(t, "mtl@host.example", auth.RoleViewer)
		if err := site.d.Auth.SetTimezone(ctx, "mtl@host.example", "America/Montreal"); err != nil {
			t.Fatal(err)
		}
		_, page = mtl.get("/staff/maintenance?month=2099-03")
		entry := regexp.MustCompile(`data-date="2099-03-29">\n<span class="maint-day">29</span>[^\n]*\n` +
			`<a class="maint-entry maint-scheduled" href="/staff/maintenance/` + w.ID + `"><span class="maint-hours">20:00–22:00</span> Noyau de hv-par1-01</a>`)
		if !entry.MatchString(page) {
			t.Errorf("the calendar lacks the window on the 29th, 20:00–22:00 Montreal time:\n%s", page)
		}
		if strings.Contains(page, `id="maint-plan"`) {
			t.Error("a viewer is offered to plan maintenance")
		}
		if resp, _ := mtl.post("/staff/maintenance", planForm()); resp.StatusCode != http.StatusForbidden {
			t.Errorf("a viewer saved a window: %d", resp.StatusCode)
		}

		// Changed, then cancelled, through the same store.
		edit := planForm()
		edit.Del("asset")
		edit.Set("assets", "hv-par1-01, vm-mail-01")
		edit.Set("end", "2099-03-30T05:00")
		resp, page = b.post("/staff/maintenance/"+w.ID, edit)
		mustStatus(t, "change", resp, page, http.StatusSeeOther)
		got, err := site.d.Maintenance.Get(ctx, w.ID)
		if err != nil || got.End != "2099-03-30T05:00" || got.Sequence != 1 || !slices.Equal(got.Assets, want.Assets) || got.Verify != 0 {
			t.Errorf("changed to %+v %v", got, err)
		}
		resp, page = b.post("/staff/maintenance/"+w.ID+"/cancel", nil)
		mustStatus(t, "cancel unconfirmed", resp, page, http.StatusUnprocessableEntity)
		if all := site.windows(t); all[0].Cancelled || !strings.Contains(page, `id="maint-confirm-error"`) {
			t.Error("a cancellation not confirmed cancelled the window, or did not say why it did not")
		}
		resp, page = b.post("/staff/maintenance/"+w.ID+"/cancel", url.Values{"confirm": {"1"}})
		mustStatus(t, "cancel", resp, page, http.StatusSeeOther)
		if all := site.windows(t); len(all) != 1 || !all[0].Cancelled {
			t.Errorf("cancelled: %+v", all)
		}
		_, page = b.get("/staff/maintenance?month=2099-03")
		if !strings.Contains(page, "maint-entry maint-completed maint-cancelled") || strings.Contains(page, `id="maint-upcoming"`) {
			t.Error("the cancelled window is not shown struck out, out of the upcoming list")
		}
	})
}

// TestBadInputNamesTheFieldAndChangesNothing: each bad form is refused
// with its field named by its input, on saving, previewing and changing;
// no window is saved or changed, no message queued.
func TestBadInputNamesTheFieldAndChangesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		site := newMaintSite(t, db)
		b := site.staffBrowser(t, "ops@host.example", auth.RoleStaff)
		existing := incident.Window{Title: "Kept", Assets: []string{"vm-mail-01"}, Start: "2099-04-10T02:00", End: "2099-04-10T04:00", Zone: "Europe/Paris"}
		if err := site.d.Maintenance.Create(context.Background(), &existing, "test"); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name, field, key, value, message string
		}{
			{"end before start", "end", "end", "2099-03-30T01:00", "must be after start"},
			{"unknown asset", "assets", "asset", "nope", `assets[0]</code>: no asset &#34;nope&#34; in the inventory`},
			{"no time", "start", "start", "tomorrow", `want a local time such as 2026-11-27T02:00, got &#34;tomorrow&#34;`},
			{"unknown zone", "zone", "zone", "Mars/Olympus", `unknown time zone &#34;Mars/Olympus&#34;`},
			{"no duration", "verify", "verify", "soon", `want a duration such as 15m, got soon`},
		} {
			for _, path := range []string{"/staff/maintenance", "/staff/maintenance/preview", "/staff/maintenance/" + existing.ID} {
				form := planForm()
				form.Set(tc.key, tc.value)
				if strings.HasSuffix(path, existing.ID) {
					form.Set("assets", strings.Join(form["asset"], " "))
					form.Del("asset")
					if tc.key == "asset" {
						form.Set("assets", tc.value)
					}
				}
				resp, page := b.post(path, form)
				if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, `id="maint-`+tc.field+`-error"`) ||
					!strings.Contains(page, tc.message) || !strings.Contains(page, `id="maint-problems"`) {
					t.Errorf("%s on %s: %d, the field is not named with %q:\n%s", tc.name, path, resp.StatusCode, tc.message, page)
				}
				if !strings.HasSuffix(path, existing.ID) && strings.Contains(page, `class="card maint-preview"`) {
					t.Errorf("%s on %s: notices previewed anyway", tc.name, path)
				}
			}
		}
		all := site.windows(t)
		if len(all) != 1 || all[0].Sequence != 0 || all[0].End != "2099-04-10T04:00" {
			t.Errorf("bad input changed the windows: %+v", all)
		}
		if n := len(site.messages(t)); n != 0 {
			t.Errorf("bad input queued %d messages", n)
		}
		if resp, page := b.get("/staff/maintenance/new?asset=nope"); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "maint-unknown") {
			t.Errorf("an unknown asset in the link: %d", resp.StatusCode)
		}
		if resp, _ := b.get("/staff/maintenance?month=13-2099"); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("a bad month: %d", resp.StatusCode)
		}
		if resp, _ := b.get("/staff/maintenance/999"); resp.StatusCode != http.StatusNotFound {
			t.Errorf("no such window: %d", resp.StatusCode)
		}
	})
}

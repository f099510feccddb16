package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/detect"
	"github.com/vigie/vigie/internal/facts"
	"github.com/vigie/vigie/internal/heartbeat"
	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/probe"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
	"github.com/vigie/vigie/internal/support"
)

// inventoryHost is a host whose vm1 carries twelve shops of Alice's (a
// layer to collapse), db1, and a backup check.
func inventoryHost() string {
	var b strings.Builder
	b.WriteString(`customers:
  - {id: C1, name: Alice Martin, email: alice@example.org}
  - {id: C2, name: Bob Durand, email: bob@example.org}
assets:
  - {name: dc1, kind: datacenter}
  - {name: net1, kind: network}
  - {name: hv1, kind: hypervisor, depends_on: [dc1, net1], address: "127.0.0.10:22"}
  - {name: vm1, kind: vm, depends_on: [hv1]}
  - {name: vm2, kind: vm, owner: C2, depends_on: [hv1]}
  - {name: db1, kind: service, depends_on: [vm1]}
  - {name: bob-blog, kind: site, owner: C2, depends_on: [vm2], url: "https://blog.bob.example/"}
`)
	for i := 1; i <= 12; i++ {
		fmt.Fprintf(&b, "  - {name: shop-%02d, kind: site, owner: C1, depends_on: [vm1], url: \"https://shop%d.alice.example/\"}\n", i, i)
	}
	b.WriteString(`checks:
  - {asset: vm1, name: nightly, kind: heartbeat, period: 24h, grace: 1h}
`)
	return b.String()
}

// inventorySite serves the console over db with inventoryHost and a
// staff member signed in with role at the password+TOTP level.
func inventorySite(t *testing.T, db *store.DB, role auth.Role) (*staffSite, *browser) {
	t.Helper()
	now := time.Now().UTC().Add(time.Hour).Truncate(time.Second)
	clock := fixedClock(&now)
	sessions := auth.NewSessions(db)
	sessions.Now = clock
	d := sessionDeps(t, db, Deps{Now: clock, Sessions: sessions, PublicName: "Hébergeur Test"}, inventoryHost())
	d.Compliance = probe.NewCompliance(db, d.Inventory)
	d.Support = support.NewStore(db, support.Options{Incidents: d.Incidents, Maintenance: d.Maintenance, Inventory: d.Inventory,
		Auth: d.Auth, Texts: d.Texts, Attachments: t.TempDir(), PublicURL: "https://vigie.example.org"})
	site := &staffSite{d: d, base: serveSessions(t, d, nil), now: &now}
	return site, site.signedIn(t, "ops@host.example", role)
}

func TestInventorySearchFindsByPrefixThenSubstringAndFollowsImports(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		_, b := inventorySite(t, db, auth.RoleAdmin)
		resp, body := b.get("/staff/inventory/search?q=SHOP-1")
		var res inventory.SearchResult
		if resp.StatusCode != http.StatusOK || json.Unmarshal([]byte(body), &res) != nil {
			t.Fatalf("search: %d %s", resp.StatusCode, body)
		}
		var names []string
		for _, a := range res.Assets {
			names = append(names, a.Name)
		}
		if strings.Join(names, " ") != "shop-10 shop-11 shop-12" || res.Total != 3 || res.Assets[0].Owner != "C1" || res.Assets[0].Kind != "site" {
			t.Fatalf("search shop-1: %+v", res)
		}
		// Prefix matches first, then the names holding it elsewhere.
		_, body = b.get("/staff/inventory/search?q=b&limit=3")
		res = inventory.SearchResult{}
		if err := json.Unmarshal([]byte(body), &res); err != nil || len(res.Assets) != 2 || res.Assets[0].Name != "bob-blog" || !res.Assets[0].Prefix ||
			res.Assets[1].Name != "db1" || res.Assets[1].Prefix || len(res.Customers) != 1 || res.Customers[0].ID != "C2" {
			t.Fatalf("search b: %+v %v", res, err)
		}
		if resp, _ := b.get("/staff/inventory/search?q=a&limit=0"); resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("limit 0: %d", resp.StatusCode)
		}
		// The page, without JavaScript, and after an import from the browser.
		resp, page := b.get("/staff/inventory?q=shop-1")
		if resp.StatusCode != http.StatusOK || !strings.Contains(page, `<a href="/staff/assets/shop-12">shop-12</a>`) ||
			strings.Contains(page, `href="/staff/assets/shop-09"`) || !strings.Contains(page, `src="/assets/console_search.js"`) {
			t.Fatalf("search page: %d\n%s", resp.StatusCode, page)
		}
		plan := dryRun(t, b, "more.yaml", "assets:\n  - {name: shop-13, kind: site, owner: C1, depends_on: [vm1]}\n")
		apply(t, b, plan)
		if _, page := b.get("/staff/inventory?q=shop-1"); !strings.Contains(page, `href="/staff/assets/shop-13"`) {
			t.Fatalf("the search did not see the import:\n%s", page)
		}
		// A customer's assets, and a kind of an asset's dependents.
		if _, page := b.get("/staff/inventory?owner=C2"); !strings.Contains(page, `href="/staff/assets/bob-blog"`) || !strings.Contains(page, `href="/staff/assets/vm2"`) ||
			strings.Contains(page, "shop-01") {
			t.Fatalf("C2's assets:\n%s", page)
		}
		if _, page := b.get("/staff/inventory?of=vm1&kind=service"); !strings.Contains(page, `href="/staff/assets/db1"`) || strings.Contains(page, "shop-01") {
			t.Fatalf("vm1's services:\n%s", page)
		}
	})
}

// importForm is a dry run's confirmation form.
var importForm = regexp.MustCompile(`name="version" value="(\d+)"`)

// dryRun posts a file to /staff/import as an upload and returns the
// confirmation form it answers with.
func dryRun(t *testing.T, b *browser, name, content string) url.Values {
	t.Helper()
	resp, page := b.postFile("/staff/import", map[string]string{}, name, content)
	m := importForm.FindStringSubmatch(page)
	if resp.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("dry run of %s: %d\n%s", name, resp.StatusCode, page)
	}
	return url.Values{"name": {name}, "content": {content}, "version": {m[1]}, "confirm": {"1"}}
}

func apply(t *testing.T, b *browser, form url.Values) string {
	t.Helper()
	resp, page := b.post("/staff/import", form)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "card ok") {
		t.Fatalf("apply: %d\n%s", resp.StatusCode, page)
	}
	return page
}

// postFile sends one file in the field "file" with fields, as a
// same-origin browser form.
func (b *browser) postFile(path string, fields map[string]string, name, content string) (*http.Response, string) {
	b.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("csrf", b.csrf())
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		b.t.Fatal(err)
	}
	_, _ = fw.Write([]byte(content))
	_ = mw.Close()
	req, err := http.NewRequest(http.MethodPost, b.base+path, &body)
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", b.base)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return b.do(req)
}

func TestImportFromTheBrowserShowsThePlanThenAppliesExactlyIt(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		site, b := inventorySite(t, db, auth.RoleAdmin)
		inv := site.d.Inventory
		before, _ := inv.Version(ctx)
		// Errors: line-numbered as the CLI prints them, nothing written.
		bad := "assets:\n  - {name: new1, kind: site, depends_on: [nowhere]}\n  - {name: new2, kind: site, owner: C404}\n"
		resp, page := b.post("/staff/import", url.Values{"content": {bad}, "name": {"bad.yaml"}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "bad.yaml:2: ") || !strings.Contains(page, "bad.yaml:3: ") ||
			strings.Contains(page, `name="confirm"`) {
			t.Fatalf("bad file: %d\n%s", resp.StatusCode, page)
		}
		if v, _ := inv.Version(ctx); v != before {
			t.Fatalf("a file with problems changed the inventory: version %d → %d", before, v)
		}
		// A dry run shows the plan and writes nothing.
		good := "assets:\n  - {name: shop-20, kind: site, owner: C2, depends_on: [vm2]}\n  - {name: vm1, kind: vm, depends_on: [hv1], address: \"127.0.0.20:22\"}\n"
		form := dryRun(t, b, "good.yaml", good)
		if _, err := inv.Asset(ctx, "shop-20"); err == nil {
			t.Fatal("the dry run wrote shop-20")
		}
		// Someone changes the inventory in between: apply refuses, plans again.
		if _, err := inv.ImportFiles(ctx, []inventory.File{{Name: "x.yaml", Data: []byte("assets:\n  - {name: other, kind: vm, depends_on: [hv1]}\n")}}, inventory.ImportOptions{}); err != nil {
			t.Fatal(err)
		}
		resp, page = b.post("/staff/import", form)
		m := importForm.FindStringSubmatch(page)
		if resp.StatusCode != http.StatusOK || !strings.Contains(page, "card warn") || m == nil || m[1] == form.Get("version") {
			t.Fatalf("apply after a change: %d\n%s", resp.StatusCode, page)
		}
		if _, err := inv.Asset(ctx, "shop-20"); err == nil {
			t.Fatal("an apply on a changed inventory wrote shop-20")
		}
		form.Set("version", m[1])
		page = apply(t, b, form)
		if !strings.Contains(page, "<th scope=\"row\">site</th><td class=\"num\">1</td>") {
			t.Fatalf("applied plan:\n%s", page)
		}
		if a, err := inv.Asset(ctx, "shop-20"); err != nil || a.Owner != "C2" {
			t.Fatalf("shop-20 after apply: %+v %v", a, err)
		}
		if a, _ := inv.Asset(ctx, "vm1"); a.Address != "127.0.0.20:22" {
			t.Fatalf("vm1 after apply: %+v", a)
		}
		// Without the import permission: no page.
		viewer := site.signedIn(t, "viewer@host.example", auth.RoleViewer)
		if resp, _ := viewer.get("/staff/import"); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("import page for a viewer: %d", resp.StatusCode)
		}
	})
}

func TestAssetGraphNamesNeighboursAndCollapsesLargeLayers(t *testing.T) {
	doc, ps := inventory.Parse("host.yaml", []byte(inventoryHost()))
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	inv := &inventory.Inventory{}
	for _, c := range doc.Customers {
		inv.Customers = append(inv.Customers, c.Customer)
	}
	for _, a := range doc.Assets {
		inv.Assets = append(inv.Assets, a.Asset)
	}
	g := inventory.NewGraph(inv, 1)
	words := graphWords{Title: "Dependencies", Maintenance: "plan maintenance", Group: graphGroup}
	svg := string(buildAssetGraph(g, "vm1").svg(words))
	for _, want := range []string{
		`<a href="/staff/assets/hv1">`, `<a href="/staff/assets/dc1">`, `<a href="/staff/assets/net1">`, // above, two layers
		`<a href="/staff/inventory?kind=site&amp;of=vm1">`, ">12 × site<", // twelve shops in one node
		`<a href="/staff/inventory?kind=service&amp;of=vm1">`, ">1 × service<",
		`href="/staff/maintenance/new?asset=hv1"`,
	} {
		if !strings.Contains(svg, want) {
			t.Errorf("vm1's graph lacks %s:\n%s", want, svg)
		}
	}
	if strings.Contains(svg, "shop-01") || strings.Contains(svg, "vm2") {
		t.Errorf("vm1's graph shows what it should not:\n%s", svg)
	}
	// A small layer keeps its names: vm2 has one site below.
	svg = string(buildAssetGraph(g, "vm2").svg(words))
	if !strings.Contains(svg, `<a href="/staff/assets/bob-blog">`) || strings.Contains(svg, "1 × site") {
		t.Errorf("vm2's graph:\n%s", svg)
	}
	ag := buildAssetGraph(g, "vm1")
	if len(ag.Layers) != 4 || len(ag.Layers[3]) != 2 || !ag.Layers[2][0].Center || len(ag.edges) != 5 {
		t.Errorf("vm1's layers: %+v, %d edges", ag.Layers, len(ag.edges))
	}
}

func TestTheAssetPageShowsWhatIsKnownOfTheAsset(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		site, b := inventorySite(t, db, auth.RoleStaff)
		id, ticket := seedAssetData(t, site)
		resp, page := b.get("/staff/assets/hv1")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("hv1: %d\n%s", resp.StatusCode, page)
		}
		for _, want := range []string{"<h1>hv1 ", "<code>127.0.0.10:22</code>", `class="inv-graph"`, `href="/staff/assets/vm1"`, `href="/staff/assets/dc1"`,
			`class="pill bad">down</span>`, "connection refused", `class="inv-bars"`, `class="inv-bar-ok"`, `id="latency`, "6.1.0-test",
			"16 actifs en dépendent, dont 13 sites, de 2 clients"} {
			if !strings.Contains(page, want) {
				t.Errorf("hv1's page lacks %q", want)
			}
		}
		// The incident on vm1 reaches what depends on vm1, not hv1.
		if strings.Contains(page, "/staff/incidents/") {
			t.Error("hv1's page shows the incident of vm1, which does not reach it")
		}
		_, page = b.get("/staff/assets/shop-03")
		for _, want := range []string{`href="/staff/customers/C1">C1</a> — Alice Martin`, `href="/staff/incidents/` + fmt.Sprint(id) + `"`,
			`href="/staff/tickets/` + fmt.Sprint(ticket) + `"`, "Shop slow", `href="/staff/maintenance/new?asset=shop-03"`} {
			if !strings.Contains(page, want) {
				t.Errorf("shop-03's page lacks %q", want)
			}
		}
		_, page = b.get("/staff/assets/vm1")
		if !strings.Contains(page, `<td>nightly `) || !strings.Contains(page, `<td>1</td>`) || !strings.Contains(page, `href="/staff/incidents/`+fmt.Sprint(id)+`"`) {
			t.Errorf("vm1's page lacks its backup or its incident:\n%s", page)
		}
		if _, page = b.get("/staff/assets/vm2"); strings.Contains(page, "/staff/incidents/") || strings.Contains(page, "Shop slow") {
			t.Errorf("vm2's page shows another asset's incident or ticket")
		}
		if resp, _ := b.get("/staff/assets/nowhere"); resp.StatusCode != http.StatusNotFound {
			t.Errorf("unknown asset: %d", resp.StatusCode)
		}
	})
}

// seedAssetData gives hv1 a check with three hours of results, down for
// ten minutes, and host facts; opens an incident on vm1 and a ticket on
// shop-03; and sends vm1's backup a good run. It returns the incident's
// and the ticket's ids.
func seedAssetData(t *testing.T, site *staffSite) (incidentID, ticketID int64) {
	t.Helper()
	ctx := context.Background()
	d, now := site.d, *site.now
	// A check with results over the last hours, down now.
	checks, err := d.Inventory.Checks(ctx, inventory.CheckFilter{Asset: "hv1", Effective: true})
	if err != nil || len(checks) == 0 {
		t.Fatalf("hv1's checks: %v %v", checks, err)
	}
	key := checks[0].Key()
	var buckets []detect.Bucket
	for m := now.Add(-3 * time.Hour).Truncate(time.Minute); m.Before(now); m = m.Add(time.Minute) {
		buckets = append(buckets, detect.Bucket{Check: key, Minute: m, Count: 2, Failures: 0, LatencySum: 80 * time.Millisecond, Min: 30 * time.Millisecond, Max: 50 * time.Millisecond})
	}
	if err := d.Detection.SaveBuckets(ctx, buckets); err != nil {
		t.Fatal(err)
	}
	if err := d.Detection.SaveStates(ctx, []detect.StateRow{{Check: key, State: detect.Down, Since: now.Add(-10 * time.Minute), Message: "connection refused"}}); err != nil {
		t.Fatal(err)
	}
	// Facts, an open incident on vm1 (which reaches shop-03), a ticket.
	if _, err := d.Compliance.ReportAgent(ctx, "hv1", probe.AgentFacts{Facts: facts.Facts{Kernel: "6.1.0-test"}}); err != nil {
		t.Fatal(err)
	}
	inc := incident.Incident{Title: "vm1 down", Status: incident.Investigating, Severity: incident.Major, Cause: incident.CauseOutage,
		RootAssets: []string{"vm1"}, ImpactStartedAt: now, DetectedAt: now}
	id, err := d.Incidents.Create(ctx, &inc, incident.Event{At: now, Type: incident.EventOpened, Text: "opened"})
	if err != nil {
		t.Fatal(err)
	}
	th, err := d.Support.Open(ctx, support.NewTicket{Customer: "C1", Asset: "shop-03", Subject: "Shop slow", Body: "Since this morning.",
		By: support.Actor{Kind: support.ByCustomer, ID: "alice@example.org", Name: "Alice"}})
	if err != nil {
		t.Fatal(err)
	}
	token, _, err := d.Heartbeats.Ensure(ctx, "vm1/nightly")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Heartbeats.Record(ctx, token, heartbeat.Ping{Status: heartbeat.StatusOK, RestorePoint: "snap-1"}, time.Now().UTC().Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	return id, th.Ticket.ID
}

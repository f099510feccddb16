package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/facts"
	"github.com/vigie/vigie/internal/probe"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// TestTheComponentsPageSavesAsTheAPIDoes: an admin adds a component
// covering the shared pool's sites and one asset by name, sees what it
// covers, is refused an unknown asset and a rename (nothing changed),
// changes its description and deletes it; a viewer sees the list only.
func TestTheComponentsPageSavesAsTheAPIDoes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		site := newConfigSite(t, db)
		b := site.signedIn(t, "root@host.example", auth.RoleAdmin)
		resp, page := b.post("/staff/admin/components", url.Values{"name": {"Hébergement mutualisé"}, "name_en": {"Shared hosting"},
			"group": {"Web"}, "covers_kind": {"site"}, "covers_label": {"pool=shared"}, "assets": {"st1"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("add: %d\n%s", resp.StatusCode, page)
		}
		list, err := site.d.Inventory.Components(ctx)
		if err != nil || len(list) != 1 || list[0].NameEN != "Shared hosting" || list[0].Covers == nil || list[0].Covers.Label != "pool=shared" {
			t.Fatalf("stored %+v %v", list, err)
		}
		id := list[0].ID()
		_, page = b.get("/staff/admin/components")
		covered := page[strings.Index(page, `class="admin-covered"`):]
		covered = covered[:strings.Index(covered, "</td>")]
		if !strings.Contains(covered, "site-a") || !strings.Contains(covered, "st1") || strings.Contains(covered, "site-b") {
			t.Fatalf("covered: %s", covered)
		}
		resp, page = b.post("/staff/admin/components", url.Values{"name": {"Stockage"}, "assets": {"st1, nowhere"}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, `unknown asset &#34;nowhere&#34;`) {
			t.Fatalf("unknown asset: %d\n%s", resp.StatusCode, page)
		}
		resp, page = b.post("/staff/admin/components/"+id, url.Values{"name": {"Autre nom"}})
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, "a new name with a new id is a new component") {
			t.Fatalf("rename: %d\n%s", resp.StatusCode, page)
		}
		if again, _ := site.d.Inventory.Components(ctx); len(again) != 1 || again[0].Name != "Hébergement mutualisé" {
			t.Fatalf("refused changes changed %+v", again)
		}
		resp, _ = b.post("/staff/admin/components/"+id, url.Values{"name": {"Hébergement mutualisé"}, "description": {"Les sites"},
			"covers_kind": {"site"}, "covers_label": {"pool=shared"}})
		if c, _ := site.d.Inventory.Component(ctx, id); resp.StatusCode != http.StatusSeeOther || c.Description != "Les sites" || len(c.Assets) != 0 {
			t.Fatalf("save: %d %+v", resp.StatusCode, c)
		}
		viewer := site.signedIn(t, "vic@host.example", auth.RoleViewer)
		if resp, page := viewer.get("/staff/admin/components"); resp.StatusCode != http.StatusOK || strings.Contains(page, "component-form") ||
			!strings.Contains(page, "Hébergement mutualisé") {
			t.Fatalf("viewer: %d", resp.StatusCode)
		}
		if resp, _ := viewer.post("/staff/admin/components/"+id+"/delete", nil); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("viewer deletes: %d", resp.StatusCode)
		}
		if resp, _ := b.post("/staff/admin/components/"+id+"/delete", nil); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("delete: %d", resp.StatusCode)
		}
		if left, _ := site.d.Inventory.Components(ctx); len(left) != 0 {
			t.Fatalf("left %+v", left)
		}
	})
}

// reportFacts reports hv2 in a power-saving profile and hv1 as it should be.
func reportFacts(t *testing.T, c *probe.Compliance) {
	t.Helper()
	ctx := context.Background()
	for asset, gov := range map[string]string{"hv1": "performance", "hv2": "powersave"} {
		f := facts.Facts{Policies: []facts.Policy{{Name: "policy0", Governor: gov}}, Disks: []facts.Disk{{Mount: "/", FSType: "ext4", TotalBytes: 100, UsedPct: 95}}}
		if asset == "hv1" {
			f.Disks[0].UsedPct = 10
		}
		if _, err := c.ReportAgent(ctx, asset, probe.AgentFacts{Facts: f}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestTheCompliancePageShowsThePowerProfileFirstAndEditsRules: hv2 in
// powersave is listed first with its governor violation before its disk
// one; the rules editor refuses a bad rule with its line (nothing
// changed), then saves a rule replacing a built-in one and a new one, and
// removes them when left out. Staff may read but not edit.
func TestTheCompliancePageShowsThePowerProfileFirstAndEditsRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		site := newConfigSite(t, db)
		reportFacts(t, site.d.Compliance)
		b := site.signedIn(t, "root@host.example", auth.RoleAdmin)
		resp, page := b.get("/staff/admin/compliance")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("page: %d", resp.StatusCode)
		}
		hosts := page[strings.Index(page, "<tbody>"):]
		hv2, hv1 := strings.Index(hosts, "<strong>hv2</strong>"), strings.Index(hosts, "<strong>hv1</strong>")
		gov, disk := strings.Index(hosts, "cpu.governor is"), strings.Index(hosts, "disk./.used_pct is")
		if hv2 < 0 || hv1 < hv2 || gov < hv2 || disk < gov || gov > hv1 {
			t.Fatalf("hosts not in order (hv2 %d, its governor %d then disk %d, hv1 %d):\n%s", hv2, gov, disk, hv1, hosts)
		}
		// A bad rule: its line, nothing changed.
		bad := "rules:\n  - {name: smt, kind: hypervisor, fact: cpu.smt, op: \"==\", value: on}\n  - {name: broken, kind: hypervisor, fact: cpu.governor, op: \"~\"}\n"
		resp, page = b.post("/staff/admin/compliance/rules", url.Values{"rules": {bad}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "<code>rules.yaml:3</code>: op: unknown operator") {
			t.Fatalf("bad rule: %d\n%s", resp.StatusCode, page)
		}
		if !strings.Contains(page, "name: smt") {
			t.Fatal("the text typed is not shown back")
		}
		if own, _ := site.d.Inventory.InventoryRules(ctx); len(own) != 0 {
			t.Fatalf("a refused edit saved %+v", own)
		}
		good := "rules:\n  - {name: smt, kind: hypervisor, fact: cpu.smt, op: \"==\", value: \"on\", optional: true}\n  - {name: disk-space, kind: \"*\", fact: disk.*.used_pct, op: \"<\", value: \"98\"}\n"
		resp, _ = b.post("/staff/admin/compliance/rules", url.Values{"rules": {good}})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/staff/admin/compliance?done=rules&added=2&changed=0&removed=0" {
			t.Fatalf("save: %d %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		in, err := site.d.Inventory.ComplianceRules(ctx)
		if err != nil {
			t.Fatal(err)
		}
		byName := map[string]facts.Rule{}
		for _, r := range in {
			byName[r.Name] = r
		}
		if byName["disk-space"].Value != "98" || byName["smt"].Fact != "cpu.smt" || byName["hypervisor-performance-governor"].Value != "performance" {
			t.Fatalf("rules in force %+v", in)
		}
		_, page = b.get("/staff/admin/compliance?done=rules&added=2&changed=0&removed=0")
		if !strings.Contains(page, "Rules saved: 2 added") && !strings.Contains(page, "Règles enregistrées : 2 ajoutées") {
			t.Fatalf("no confirmation:\n%s", page)
		}
		if !strings.Contains(page, "name: smt") {
			t.Fatalf("the editor does not hold the saved rules:\n%s", page)
		}
		resp, _ = b.post("/staff/admin/compliance/rules", url.Values{"rules": {"rules:\n"}})
		if own, _ := site.d.Inventory.InventoryRules(ctx); resp.StatusCode != http.StatusSeeOther || len(own) != 0 {
			t.Fatalf("emptied: %d %+v", resp.StatusCode, own)
		}
		staff := site.signedIn(t, "sam@host.example", auth.RoleStaff)
		if resp, page := staff.get("/staff/admin/compliance"); resp.StatusCode != http.StatusOK || strings.Contains(page, "rules-form") {
			t.Fatalf("staff reads: %d, with the editor: %v", resp.StatusCode, strings.Contains(page, "rules-form"))
		}
		if resp, _ := staff.post("/staff/admin/compliance/rules", url.Values{"rules": {good}}); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("staff edits rules: %d", resp.StatusCode)
		}
	})
}

// TestTheSettingsPageValidatesByNameAndChangesNothingOnBadInput: bad
// values are each named and nothing is stored; good ones are stored with
// who changed them, shown, and the night window follows; staff may read
// but not change; a reset gives the default back.
func TestTheSettingsPageValidatesByNameAndChangesNothingOnBadInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		site := newConfigSite(t, db)
		b := site.signedIn(t, "root@host.example", auth.RoleAdmin)
		_, page := b.get("/staff/admin/settings")
		if !strings.Contains(page, `name="settle" value="45s"`) || !strings.Contains(page, `name="night_zone" value="Europe/Paris"`) {
			t.Fatalf("defaults not shown:\n%s", page)
		}
		form := url.Values{"night_start": {"04:00"}, "night_end": {"02:30"}, "night_zone": {"Mars/Olympus"}, "settle": {"-5s"},
			"quiet": {"15m"}, "escalate_after": {"10m"}, "maintenance_notice": {"72h"}}
		resp, page := b.post("/staff/admin/settings", form)
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("bad settings: %d", resp.StatusCode)
		}
		for _, want := range []string{"<code>night_end</code>: the night window must end after it starts", "<code>night_zone</code>: want an IANA time zone",
			"<code>settle</code>: want from 1s to 1h, got -5s", `name="night_zone" value="Mars/Olympus" class="admin-value admin-zone" spellcheck="false" autocomplete="off" list="zones" aria-invalid="true"`} {
			if !strings.Contains(page, want) {
				t.Errorf("refusal page lacks %q", want)
			}
		}
		if _, rows, _ := site.d.Settings.Read(ctx); len(rows) != 0 {
			t.Fatalf("a refused form stored %v", rows)
		}
		form = url.Values{"night_start": {"01:00"}, "night_end": {"05:00"}, "night_zone": {"America/Montreal"}, "settle": {"2m"},
			"quiet": {"10m"}, "escalate_after": {"10m"}, "maintenance_notice": {"72h"}}
		if resp, _ := b.post("/staff/admin/settings", form); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("save: %d", resp.StatusCode)
		}
		v, rows, err := site.d.Settings.Read(ctx)
		if err != nil || v.Settle != 2*time.Minute || len(rows) != 4 || rows["settle"].UpdatedBy != "root@host.example" {
			t.Fatalf("stored %+v %+v %v", v, rows, err)
		}
		start, end, zone := site.d.Settings.NightWindow(ctx)
		if start != "01:00" || end != "05:00" || zone.String() != "America/Montreal" {
			t.Fatalf("night window %s-%s %s", start, end, zone)
		}
		staff := site.signedIn(t, "sam@host.example", auth.RoleStaff)
		if resp, page := staff.get("/staff/admin/settings"); resp.StatusCode != http.StatusOK || !strings.Contains(page, `value="2m"`) || !strings.Contains(page, "readonly") {
			t.Fatalf("staff reads: %d", resp.StatusCode)
		}
		if resp, _ := staff.post("/staff/admin/settings", url.Values{"settle": {"5m"}}); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("staff changes settings: %d", resp.StatusCode)
		}
		if resp, _ := b.post("/staff/admin/settings/settle/reset", nil); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("reset: %d", resp.StatusCode)
		}
		if resp, _ := b.post("/staff/admin/settings/colour/reset", nil); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("reset of no setting: %d", resp.StatusCode)
		}
		if v, _ := site.d.Settings.Get(ctx); v.Settle != 45*time.Second || v.NightZone != "America/Montreal" {
			t.Fatalf("after reset %+v", v)
		}
		var actions []string
		for _, e := range site.audited(t) {
			if strings.HasPrefix(e.Action, "POST /staff/admin/settings") {
				actions = append(actions, e.Actor+" "+e.Action+map[bool]string{true: "", false: " (refused)"}[e.OK])
			}
		}
		want := []string{"root@host.example POST /staff/admin/settings (refused)", "root@host.example POST /staff/admin/settings",
			"sam@host.example POST /staff/admin/settings (refused)", "root@host.example POST /staff/admin/settings/{name}/reset",
			"root@host.example POST /staff/admin/settings/{name}/reset (refused)"}
		if strings.Join(actions, "|") != strings.Join(want, "|") {
			t.Fatalf("audited:\n%q\nwant\n%q", actions, want)
		}
	})
}

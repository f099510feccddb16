package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// incExtrasState is what the extras change: the title, the texts of the
// one public update and the component statuses set.
func incExtrasState(t *testing.T, site *incSite, id int64) (title, fr, en string, comps []incident.ComponentOverride) {
	t.Helper()
	ctx := context.Background()
	ups, err := site.d.Incidents.PublicUpdates(ctx, []int64{id})
	if err != nil {
		t.Fatal(err)
	}
	set, err := site.d.Incidents.ComponentOverrides(ctx, []int64{id})
	if err != nil {
		t.Fatal(err)
	}
	u := ups[id][0]
	return site.incident(t, id).Title, u.MessageFR, u.MessageEN, set[id]
}

// TestConsoleIncidentExtrasDoWhatTheAPIDoes: from the incident page staff
// rename the incident (the API's PATCH title), correct a sent public
// update (PUT …/updates/{update}) and set then give back a public
// component's status (PUT …/components/{component}); each is a 303 back
// with its confirmation and the change in the store. Bad input is a 422
// naming the field, nothing changed; a read-only viewer gets 403 and
// changes nothing.
func TestConsoleIncidentExtrasDoWhatTheAPIDoes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		site := newIncSite(t, db)
		if _, err := site.d.Inventory.SaveComponent(ctx, inventory.Component{Name: "Web hosting", Assets: []string{"hv01"}}, inventory.Create); err != nil {
			t.Fatal(err)
		}
		inc := site.open(t, "hv01 down", "hv01")
		u := incident.PublicUpdate{IncidentID: inc.ID, Status: inc.Status, MessageFR: "Panne en cours.", MessageEN: "Outage ongoing.", Author: "oncall@host.example"}
		if err := site.d.Incidents.AddPublicUpdate(ctx, &u, *site.now); err != nil {
			t.Fatal(err)
		}
		b := site.staffBrowser(t, "ana@host.example", auth.RoleStaff)
		viewer := site.staffBrowser(t, "val@host.example", auth.RoleViewer)
		page := "/staff/incidents/" + strconv.FormatInt(inc.ID, 10)
		upd := page + "/updates/" + strconv.FormatInt(u.ID, 10)
		comp := page + "/components/web-hosting"

		resp, body := b.get(page)
		for _, want := range []string{`action="` + page + `/title"`, `action="` + upd + `"`, `action="` + comp + `"`, "Web hosting"} {
			if resp.StatusCode != http.StatusOK || !strings.Contains(body, want) {
				t.Fatalf("page: %d, want %q in\n%s", resp.StatusCode, want, excerpt(body))
			}
		}

		// A viewer changes nothing.
		for _, p := range []struct {
			path string
			form url.Values
		}{{page + "/title", url.Values{"title": {"Renamed"}}}, {upd, url.Values{"message_fr": {"x"}, "message_en": {"y"}}}, {comp, url.Values{"status": {"major_outage"}}}} {
			if resp, _ := viewer.post(p.path, p.form); resp.StatusCode != http.StatusForbidden {
				t.Fatalf("viewer %s: %d, want 403", p.path, resp.StatusCode)
			}
		}
		if title, fr, en, comps := incExtrasState(t, site, inc.ID); title != "hv01 down" || fr != "Panne en cours." || en != "Outage ongoing." || len(comps) != 0 {
			t.Fatalf("viewer changed %q %q %q %v", title, fr, en, comps)
		}

		// Bad input names its field and changes nothing.
		for _, bad := range []struct {
			path  string
			form  url.Values
			field string
		}{
			{page + "/title", url.Values{"title": {"   "}}, "title:"},
			{upd, url.Values{"message_fr": {""}, "message_en": {" "}}, "message_fr:"},
			{comp, url.Values{"status": {"on_fire"}}, "status:"},
			{comp, url.Values{}, "status:"},
		} {
			resp, body := b.post(bad.path, bad.form)
			if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, bad.field) {
				t.Fatalf("%s: %d, want 422 naming %s\n%s", bad.path, resp.StatusCode, bad.field, excerpt(body))
			}
		}
		if title, fr, en, comps := incExtrasState(t, site, inc.ID); title != "hv01 down" || fr != "Panne en cours." || en != "Outage ongoing." || len(comps) != 0 {
			t.Fatalf("refused input changed %q %q %q %v", title, fr, en, comps)
		}
		if resp, _ := b.post(page+"/components/no-such-thing", url.Values{"status": {"major_outage"}}); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("unknown component: %d, want 404", resp.StatusCode)
		}

		// The changes.
		resp, body = b.post(page+"/title", url.Values{"title": {"  hv01 power loss "}})
		wantRedirect(t, "title", resp, body, page, "title")
		resp, body = b.post(upd, url.Values{"message_fr": {"Panne d'alimentation de hv01."}, "message_en": {"hv01 lost power."}})
		wantRedirect(t, "update", resp, body, page, "update-edited")
		resp, body = b.post(comp, url.Values{"status": {"major_outage"}})
		wantRedirect(t, "component", resp, body, page, "component")
		title, fr, en, comps := incExtrasState(t, site, inc.ID)
		if title != "hv01 power loss" || fr != "Panne d'alimentation de hv01." || en != "hv01 lost power." ||
			len(comps) != 1 || comps[0].Component != "web-hosting" || comps[0].Status != "major_outage" {
			t.Fatalf("after: %q %q %q %v", title, fr, en, comps)
		}
		_, body = b.get(page + "?done=component")
		if !strings.Contains(body, "Component status set.") || !strings.Contains(body, `<option value="major_outage" selected>`) {
			t.Fatalf("page after: no confirmation or status\n%s", excerpt(body))
		}
		resp, body = b.post(comp, url.Values{"status": {"auto"}})
		wantRedirect(t, "component auto", resp, body, page, "component")
		if _, _, _, comps := incExtrasState(t, site, inc.ID); len(comps) != 0 {
			t.Fatalf("auto kept %v", comps)
		}
	})
}

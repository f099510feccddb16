package web

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// maintenanceServer serves the API over db on loopback.
func maintenanceServer(t *testing.T, db *store.DB) *httptest.Server {
	t.Helper()
	return &httptest.Server{URL: serveAPI(t, db, Deps{}, "assets:\n  - {name: hv03, kind: hypervisor}\n  - {name: hv04, kind: hypervisor}\n")}
}

func callMaintenance(t *testing.T, srv *httptest.Server, method, path, body string, wantStatus int, out any) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != wantStatus {
		t.Fatalf("%s %s: %d %s, want %d", method, path, resp.StatusCode, raw, wantStatus)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, raw)
		}
	}
}

func TestMaintenanceAPIRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		srv := maintenanceServer(t, db)
		var created maintenanceView
		callMaintenance(t, srv, "POST", "/api/v1/maintenance", `{"title":"hv03 kernel","assets":["hv03"],
			"start":"2026-11-27T02:00","end":"2026-11-27T04:00","zone":"Europe/Paris","verify":"30m"}`, http.StatusCreated, &created)
		if created.ID == "" || created.Zone != incident.DefaultZone || created.Verify != "30m0s" || created.State == "" {
			t.Fatalf("created %+v", created)
		}
		var list struct {
			Maintenance []maintenanceView `json:"maintenance"`
		}
		callMaintenance(t, srv, "GET", "/api/v1/maintenance", "", http.StatusOK, &list)
		if len(list.Maintenance) != 1 || list.Maintenance[0].Title != "hv03 kernel" || list.Maintenance[0].ID != created.ID {
			t.Fatalf("list %+v", list)
		}
		path := "/api/v1/maintenance/" + created.ID
		var updated maintenanceView
		callMaintenance(t, srv, "PUT", path, `{"title":"hv03 and hv04","assets":["hv03","hv04"],
			"start":"2099-01-04T02:00","end":"2099-01-04T03:00","zone":"Europe/Paris","weekly":true}`, http.StatusOK, &updated)
		var shown maintenanceView
		callMaintenance(t, srv, "GET", path, "", http.StatusOK, &shown)
		if shown.Title != "hv03 and hv04" || len(shown.Assets) != 2 || !shown.Weekly || shown.State != incident.Scheduled ||
			shown.NextStart == nil || shown.NextEnd == nil || shown.NextEnd.Sub(*shown.NextStart).Hours() != 1 {
			t.Fatalf("shown %+v", shown)
		}
		callMaintenance(t, srv, "DELETE", path, "", http.StatusNoContent, nil)
		callMaintenance(t, srv, "GET", path, "", http.StatusNotFound, nil)
		callMaintenance(t, srv, "DELETE", path, "", http.StatusNotFound, nil)
		callMaintenance(t, srv, "GET", "/api/v1/maintenance", "", http.StatusOK, &list)
		if len(list.Maintenance) != 0 {
			t.Fatalf("after delete %+v", list)
		}
	})
}

func TestMaintenanceAPIRefusesInvalidWindowsWithFields(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		srv := maintenanceServer(t, db)
		cases := []struct {
			name, method, body string
			status             int
			fields             []string
		}{
			{"end before start", "POST", `{"assets":["hv03"],"start":"2026-11-27T04:00","end":"2026-11-27T02:00","zone":"Europe/Paris"}`, 422, []string{"end"}},
			{"no assets, bad verify", "POST", `{"start":"2026-11-27T02:00","end":"2026-11-27T04:00","verify":"soon"}`, 422, []string{"assets", "zone", "verify"}},
			{"unknown field", "POST", `{"assets":["hv03"],"begin":"2026-11-27T02:00"}`, 400, []string{"begin"}},
		}
		for _, c := range cases {
			var body struct {
				Fields []struct{ Field, Message string } `json:"fields"`
			}
			callMaintenance(t, srv, c.method, "/api/v1/maintenance", c.body, c.status, &body)
			var got []string
			for _, f := range body.Fields {
				got = append(got, f.Field)
			}
			if strings.Join(got, ",") != strings.Join(c.fields, ",") {
				t.Errorf("%s: fields %v, want %v", c.name, got, c.fields)
			}
		}
		var list struct {
			Maintenance []maintenanceView `json:"maintenance"`
		}
		callMaintenance(t, srv, "GET", "/api/v1/maintenance", "", http.StatusOK, &list)
		if len(list.Maintenance) != 0 {
			t.Fatalf("an invalid window was stored: %+v", list)
		}
	})
}

func TestMaintenanceAPITakesPublicTextsAndCountsChanges(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		srv := maintenanceServer(t, db)
		window := `"assets":["hv03"],"start":"2026-11-27T02:00","end":"2026-11-27T04:00","zone":"Europe/Paris"`
		var created maintenanceView
		callMaintenance(t, srv, "POST", "/api/v1/maintenance", `{"title":"Noyau de hv03","title_en":"hv03 kernel",
			"description":"Redémarrage des sites.","description_en":"Sites restart.",`+window+`}`, http.StatusCreated, &created)
		if created.TitleEN != "hv03 kernel" || created.Description != "Redémarrage des sites." || created.DescriptionEN != "Sites restart." ||
			created.Sequence != 0 || created.UpdatedAt.IsZero() {
			t.Fatalf("created %+v", created)
		}
		path := "/api/v1/maintenance/" + created.ID
		var same maintenanceView
		callMaintenance(t, srv, "PUT", path, `{"title":"Noyau de hv03","title_en":"hv03 kernel",
			"description":"Redémarrage des sites.","description_en":"Sites restart.",`+window+`}`, http.StatusOK, &same)
		if same.Sequence != 0 || !same.UpdatedAt.Equal(created.UpdatedAt) {
			t.Fatalf("unchanged window moved: %+v", same)
		}
		var changed maintenanceView
		callMaintenance(t, srv, "PUT", path, `{"title":"Noyau de hv03","description":"Redémarrage.",`+window+`}`, http.StatusOK, &changed)
		if changed.Sequence != 1 || changed.TitleEN != "" || changed.Description != "Redémarrage." {
			t.Fatalf("changed %+v", changed)
		}
		for _, field := range []string{`"sequence":5`, `"cancelled":true`, `"updated_at":"2026-11-27T02:00:00Z"`} {
			var body struct {
				Fields []struct{ Field string } `json:"fields"`
			}
			callMaintenance(t, srv, "PUT", path, `{"title":"x",`+field+`,`+window+`}`, http.StatusBadRequest, &body)
			if len(body.Fields) != 1 || !strings.Contains(field, `"`+body.Fields[0].Field+`"`) {
				t.Errorf("%s: %+v, want it refused as read-only", field, body)
			}
		}
		var shown maintenanceView
		callMaintenance(t, srv, "GET", path, "", http.StatusOK, &shown)
		if shown.Sequence != 1 || shown.Title != "Noyau de hv03" {
			t.Fatalf("read-only fields changed the window: %+v", shown)
		}
	})
}

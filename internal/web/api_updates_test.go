package web

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// send calls the API and decodes a JSON answer into out (when not nil),
// failing unless the status is want.
func send(t *testing.T, method, url, body string, want int, out any) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: %d %s, want %d", method, url, resp.StatusCode, raw, want)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, url, err, raw)
		}
	}
}

// refusal is the body of a refused request.
type refusal struct {
	Message string `json:"message"`
	Fields  []struct {
		Field string `json:"field"`
	} `json:"fields"`
}

func (r refusal) fields() string {
	var names []string
	for _, f := range r.Fields {
		names = append(names, f.Field)
	}
	return strings.Join(names, ",")
}

func TestPublicUpdatesAPIAddsEditsAndMovesTheIncident(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		clock := time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)
		base, st := startIncidentWriter(t, db, &clock)
		var inc incident.Incident
		send(t, "POST", base+"/api/v1/incidents", `{"root_assets": ["hv1"]}`, http.StatusCreated, &inc)
		other := incident.Incident{}
		send(t, "POST", base+"/api/v1/incidents", `{"root_assets": ["s1"]}`, http.StatusCreated, &other)
		path := base + "/api/v1/incidents/" + jsonNumber(inc.ID)

		var none struct {
			Updates []incident.PublicUpdate `json:"updates"`
		}
		send(t, "GET", path+"/updates", "", http.StatusOK, &none)
		if none.Updates == nil || len(none.Updates) != 0 {
			t.Fatalf("no updates yet: %+v", none)
		}

		clock = clock.Add(10 * time.Minute)
		var u incident.PublicUpdate
		send(t, "POST", path+"/updates", `{"status": "identified", "message_fr": "Un hyperviseur est en panne.",
			"message_en": "A hypervisor is down."}`, http.StatusCreated, &u)
		if u.ID == 0 || u.IncidentID != inc.ID || u.Status != incident.Identified || u.Author != "ops@example.org" ||
			u.ReplacesEvent == 0 || !u.At.Equal(clock) {
			t.Fatalf("added %+v", u)
		}
		var shown struct {
			Incident incident.Incident `json:"incident"`
			Timeline []incident.Event  `json:"timeline"`
		}
		send(t, "GET", path, "", http.StatusOK, &shown)
		statusEvents := 0
		for _, e := range shown.Timeline {
			if e.Type == incident.EventStatus {
				statusEvents++
				if e.ID != u.ReplacesEvent || !e.Public {
					t.Fatalf("status event %+v, update replaces %d", e, u.ReplacesEvent)
				}
			}
		}
		if shown.Incident.Status != incident.Identified || statusEvents != 1 {
			t.Fatalf("incident %+v with %d status events", shown.Incident, statusEvents)
		}

		clock = clock.Add(5 * time.Minute)
		var edited incident.PublicUpdate
		send(t, "PUT", path+"/updates/"+jsonNumber(u.ID), `{"message_fr": "L'hyperviseur hv1 est en panne.", "message_en": "Hypervisor hv1 is down."}`,
			http.StatusOK, &edited)
		if edited.ID != u.ID || edited.Status != incident.Identified || edited.MessageEN != "Hypervisor hv1 is down." ||
			!edited.UpdatedAt.Equal(clock) || !edited.At.Equal(u.At) {
			t.Fatalf("edited %+v", edited)
		}
		var list struct {
			Updates []incident.PublicUpdate `json:"updates"`
		}
		send(t, "GET", path+"/updates", "", http.StatusOK, &list)
		if len(list.Updates) != 1 || list.Updates[0] != edited {
			t.Fatalf("updates %+v", list.Updates)
		}

		otherEvents, err := st.Events(context.Background(), other.ID)
		if err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			name, method, path, body string
			status                   int
			fields                   string
		}{
			{"unknown status", "POST", path + "/updates", `{"status": "fixed", "message_fr": "x"}`, 422, "status"},
			{"no message", "POST", path + "/updates", `{"status": "identified"}`, 422, "message_fr"},
			{"too long", "POST", path + "/updates", `{"status": "identified", "message_fr": "x", "message_en": "` + strings.Repeat("a", 5001) + `"}`, 422, "message_en"},
			{"another incident's event", "POST", path + "/updates", `{"status": "identified", "message_fr": "x", "replaces_event": ` + jsonNumber(otherEvents[0].ID) + `}`, 422, "replaces_event"},
			{"unknown field", "POST", path + "/updates", `{"status": "identified", "message_fr": "x", "author": "eve"}`, 400, "author"},
			{"no incident", "POST", base + "/api/v1/incidents/999/updates", `{"status": "identified", "message_fr": "x"}`, 404, ""},
			{"no incident to list", "GET", base + "/api/v1/incidents/999/updates", "", 404, ""},
			{"status is not edited", "PUT", path + "/updates/" + jsonNumber(u.ID), `{"status": "resolved", "message_fr": "x"}`, 400, "status"},
			{"emptied", "PUT", path + "/updates/" + jsonNumber(u.ID), `{"message_fr": ""}`, 422, "message_fr"},
			{"no such update", "PUT", path + "/updates/999", `{"message_fr": "x"}`, 404, ""},
			{"update of another incident", "PUT", base + "/api/v1/incidents/" + jsonNumber(other.ID) + "/updates/" + jsonNumber(u.ID), `{"message_fr": "x"}`, 404, ""},
			{"update not a number", "PUT", path + "/updates/first", `{"message_fr": "x"}`, 400, ""},
		}
		for _, c := range cases {
			var body refusal
			send(t, c.method, c.path, c.body, c.status, &body)
			if body.fields() != c.fields {
				t.Errorf("%s: fields %q (%s), want %q", c.name, body.fields(), body.Message, c.fields)
			}
		}
		send(t, "GET", path+"/updates", "", http.StatusOK, &list)
		send(t, "GET", path, "", http.StatusOK, &shown)
		if len(list.Updates) != 1 || list.Updates[0] != edited || shown.Incident.Status != incident.Identified {
			t.Fatalf("refusals changed something: %+v, %+v", list.Updates, shown.Incident)
		}
	})
}

func TestComponentOverridesAPISetsAndRemoves(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		clock := time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)
		base, st := startIncidentWriter(t, db, &clock)
		var inc incident.Incident
		send(t, "POST", base+"/api/v1/incidents", `{"root_assets": ["hv1"]}`, http.StatusCreated, &inc)
		path := base + "/api/v1/incidents/" + jsonNumber(inc.ID) + "/components"
		var set incident.ComponentOverride
		send(t, "PUT", path+"/shared-hosting", `{"status": "partial_outage"}`, http.StatusOK, &set)
		if set != (incident.ComponentOverride{IncidentID: inc.ID, Component: "shared-hosting", Status: "partial_outage"}) {
			t.Fatalf("set %+v", set)
		}
		send(t, "PUT", path+"/dns", `{"status": "operational"}`, http.StatusOK, nil)
		var list struct {
			Components []incident.ComponentOverride `json:"components"`
		}
		send(t, "GET", path, "", http.StatusOK, &list)
		if len(list.Components) != 2 || list.Components[0].Component != "dns" || list.Components[1] != set {
			t.Fatalf("overrides %+v", list.Components)
		}
		send(t, "PUT", path+"/dns", `{"status": "auto"}`, http.StatusNoContent, nil)
		send(t, "GET", path, "", http.StatusOK, &list)
		if len(list.Components) != 1 || list.Components[0] != set {
			t.Fatalf("after removal %+v", list.Components)
		}
		events, err := st.Events(context.Background(), inc.ID)
		if err != nil {
			t.Fatal(err)
		}
		last := events[len(events)-1]
		if last.Type != incident.EventNote || last.Public || last.Author != "ops@example.org" || last.Text != "component dns set to auto by staff" {
			t.Fatalf("last event %+v", last)
		}
		for _, c := range []struct {
			name, path, body string
			status           int
			fields           string
		}{
			{"unknown status", path + "/dns", `{"status": "down"}`, 422, "status"},
			{"not a component id", path + "/Shared%20hosting", `{"status": "operational"}`, 422, "component"},
			{"no incident", base + "/api/v1/incidents/999/components/dns", `{"status": "operational"}`, 404, ""},
			{"no such component", path + "/mail", `{"status": "operational"}`, 404, ""},
		} {
			var body refusal
			send(t, "PUT", c.path, c.body, c.status, &body)
			if body.fields() != c.fields {
				t.Errorf("%s: fields %q (%s), want %q", c.name, body.fields(), body.Message, c.fields)
			}
		}
		send(t, "GET", base+"/api/v1/incidents/999/components", "", http.StatusNotFound, nil)
	})
}

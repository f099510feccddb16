package app_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/app"
	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/detect"
	"github.com/vigie/vigie/internal/heartbeat"
	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// overviewHost gives each of two customers a VM and a site on a shared
// hypervisor; customer A's VM has a web check and a backup heartbeat.
const overviewHost = `customers:
  - {id: CA, name: Alice Ateliers, email: alice@example.org, language: en, timezone: Europe/Paris}
  - {id: CB, name: Bruno Boulangerie, email: bruno@example.org}
assets:
  - {name: dc1, kind: datacenter}
  - {name: hv01, kind: hypervisor, depends_on: [dc1]}
  - {name: alice-vm, kind: vm, owner: CA, depends_on: [hv01], address: "192.0.2.1:443"}
  - {name: bruno-vm, kind: vm, owner: CB, depends_on: [hv01], address: "192.0.2.2:443"}
  - {name: alice-blog, kind: site, owner: CA, depends_on: [alice-vm]}
  - {name: bruno-pains, kind: site, owner: CB, depends_on: [bruno-vm]}
checks:
  - {asset: alice-vm, name: web, kind: tcp}
  - {asset: alice-vm, name: backup, kind: heartbeat, period: 24h, grace: 1h}
  - {asset: bruno-vm, name: backup, kind: heartbeat, period: 24h, grace: 1h}
check_defaults:
  vm: {kind: none}
  site: {kind: none}
`

// overview is the part of the answer the test reads.
type overview struct {
	Customer struct{ ID, Name, Language, Timezone string }
	Assets   []struct {
		Name, Kind, State string
		Since             *time.Time
		Checks            int
	}
	Incidents []struct {
		ID       int64
		Status   string
		Impact   string
		Sites    []string
		Platform bool
		Latest   *struct {
			Text struct{ FR, EN string }
		} `json:"latest_update"`
	}
	Maintenance []struct {
		ID     string
		Name   struct{ FR, EN string }
		Status string
		Sites  []string
	}
	Backups []struct {
		Asset, Check  string
		LastPingAt    *time.Time `json:"last_ping_at"`
		Status        string
		LastGoodAt    *time.Time `json:"last_good_at"`
		RestorePoints []struct {
			ID       string
			At       time.Time
			Size     *int64
			Duration *float64
		} `json:"restore_points"`
		DueBy *time.Time `json:"due_by"`
		Stale bool
	}
}

func TestACustomersOverviewHoldsTheirOwnAndNothingElse(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(string(engine), func(t *testing.T) { testOverview(t, engine) })
	}
}

func testOverview(t *testing.T, engine store.Engine) {
	ctx := context.Background()
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	cfg := app.Config{DB: storetest.DSN(t, engine), PublicURL: "https://status.example.org", Now: func() time.Time { return now }}
	s := startServer(t, ctx, cfg, overviewHost, "")

	// A's web check is down; both backups ran well yesterday and two hours
	// ago, naming their restore points; A's failed an hour ago.
	downSince := now.Add(-20 * time.Minute)
	if err := s.app.Detection.SaveStates(ctx, []detect.StateRow{{Check: "alice-vm/web", State: detect.Down, Since: downSince}}); err != nil {
		t.Fatal(err)
	}
	pinged, failed := now.Add(-2*time.Hour), now.Add(-time.Hour)
	size, dur := int64(7<<30), heartbeat.Duration(90*time.Second)
	for _, owner := range []string{"alice", "bruno"} {
		token, _, err := s.app.Heartbeats.Ensure(ctx, owner+"-vm/backup")
		if err != nil {
			t.Fatal(err)
		}
		pings := []heartbeat.Ping{{Status: heartbeat.StatusOK, RestorePoint: owner + "-snap-1"},
			{Status: heartbeat.StatusOK, RestorePoint: owner + "-snap-2", Size: &size, Duration: &dur}}
		for i, p := range pings {
			if _, err := s.app.Heartbeats.Record(ctx, token, p, pinged.Add(time.Duration(i-1)*24*time.Hour)); err != nil {
				t.Fatal(err)
			}
		}
		if owner == "alice" {
			if _, err := s.app.Heartbeats.Record(ctx, token, heartbeat.Ping{Status: heartbeat.StatusFail, Message: "disk full"}, failed); err != nil {
				t.Fatal(err)
			}
		}
	}
	// The hypervisor fails: both customers' sites are reached.
	if code, body := s.call("POST", "/api/v1/incidents", `{"root_assets":["hv01"],"title":"hv01 down","severity":"major"}`, nil); code != 201 {
		t.Fatalf("open incident: %d %s", code, body)
	}
	inc := s.incidents("open")[0]
	if code, body := s.call("POST", "/api/v1/incidents/"+itoa(inc.ID)+"/updates",
		`{"status":"identified","message_fr":"Une alimentation a lâché.","message_en":"A power supply failed."}`, nil); code != 201 {
		t.Fatalf("public update: %d %s", code, body)
	}
	win := incident.Window{Title: "Mémoire de hv01", TitleEN: "hv01 memory", Assets: []string{"hv01"},
		Start: "2026-11-28T02:00", End: "2026-11-28T03:00", Zone: "Europe/Paris"}
	if err := s.app.Maintenance.Create(ctx, &win, "ops@example.org"); err != nil {
		t.Fatal(err)
	}

	token, _, err := s.app.Auth.CreateToken(ctx, "ops@example.org", auth.TokenSpec{Name: "panel", Scopes: []auth.Scope{auth.ScopeOverview}})
	if err != nil {
		t.Fatal(err)
	}
	panel := &server{t: t, app: s.app, base: s.base, bearer: token}
	var got overview
	code, raw := panel.call("GET", "/api/v1/customers/CA/overview", "", &got)
	if code != http.StatusOK {
		t.Fatalf("overview: %d %s", code, raw)
	}
	if got.Customer.ID != "CA" || got.Customer.Name != "Alice Ateliers" || got.Customer.Language != "en" || got.Customer.Timezone != "Europe/Paris" {
		t.Errorf("customer: %+v", got.Customer)
	}
	var names []string
	for _, a := range got.Assets {
		names = append(names, a.Name)
		if a.Name == "alice-vm" && (a.State != "down" || a.Since == nil || !a.Since.Equal(downSince) || a.Checks != 2) {
			t.Errorf("alice-vm: %+v", a)
		}
		if a.Name == "alice-blog" && (a.State != "unknown" || a.Kind != "site") {
			t.Errorf("alice-blog: %+v", a)
		}
	}
	if !slices.Equal(names, []string{"alice-blog", "alice-vm"}) {
		t.Errorf("assets %v, want A's site and VM", names)
	}
	if len(got.Incidents) != 1 || !slices.Equal(got.Incidents[0].Sites, []string{"alice-blog"}) || got.Incidents[0].Status != "identified" ||
		got.Incidents[0].Latest == nil || got.Incidents[0].Latest.Text.EN != "A power supply failed." || got.Incidents[0].Latest.Text.FR != "Une alimentation a lâché." {
		t.Errorf("incidents: %+v", got.Incidents)
	}
	if len(got.Maintenance) != 1 || got.Maintenance[0].ID != win.ID || got.Maintenance[0].Status != "scheduled" ||
		got.Maintenance[0].Name.EN != "hv01 memory" || !slices.Equal(got.Maintenance[0].Sites, []string{"alice-blog"}) {
		t.Errorf("maintenance: %+v", got.Maintenance)
	}
	if len(got.Backups) != 1 {
		t.Fatalf("backups: %+v", got.Backups)
	}
	b := got.Backups[0]
	if b.Asset != "alice-vm" || b.Check != "backup" || b.LastPingAt == nil || !b.LastPingAt.Equal(failed) || b.Status != "fail" ||
		b.LastGoodAt == nil || !b.LastGoodAt.Equal(pinged) || b.DueBy == nil || !b.DueBy.Equal(pinged.Add(25*time.Hour)) || b.Stale {
		t.Errorf("backup: %+v", b)
	}
	if rp := b.RestorePoints; len(rp) != 2 || rp[0].ID != "alice-snap-2" || !rp[0].At.Equal(pinged) || rp[0].Size == nil || *rp[0].Size != size ||
		rp[0].Duration == nil || *rp[0].Duration != 90 || rp[1].ID != "alice-snap-1" || !rp[1].At.Equal(pinged.Add(-24*time.Hour)) || rp[1].Size != nil {
		t.Errorf("restore points: %+v", rp)
	}
	for _, theirs := range []string{"bruno", "Bruno", "CB"} {
		if strings.Contains(raw, theirs) {
			t.Errorf("A's overview holds %q:\n%s", theirs, raw)
		}
	}

	// A day and more later, without a good run since, the backup is stale.
	now = now.Add(26 * time.Hour)
	got = overview{}
	if code, raw := panel.call("GET", "/api/v1/customers/CA/overview", "", &got); code != 200 || len(got.Backups) != 1 || !got.Backups[0].Stale {
		t.Errorf("a day later: %d %+v %s", code, got.Backups, raw)
	}

	if code, raw := panel.call("GET", "/api/v1/customers/nobody/overview", "", nil); code != http.StatusNotFound {
		t.Errorf("unknown customer: %d %s", code, raw)
	}
	if code, raw := panel.call("GET", "/api/v1/incidents", "", nil); code != http.StatusForbidden {
		t.Errorf("the overview token lists incidents: %d %s", code, raw)
	}
	if code, raw := panel.call("GET", "/api/v1/customers/CA", "", nil); code != http.StatusForbidden {
		t.Errorf("the overview token reads the customer: %d %s", code, raw)
	}
	// A staff token without scopes reads the overview too.
	if code, raw := s.call("GET", "/api/v1/customers/CB/overview", "", nil); code != 200 || !strings.Contains(raw, "bruno-pains") {
		t.Errorf("staff reading B's overview: %d %s", code, raw)
	}
}

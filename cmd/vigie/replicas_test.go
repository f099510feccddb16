package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

const replicaInventory = `assets:
  - {name: dc1, kind: datacenter}
  - {name: hv03, kind: hypervisor, depends_on: [dc1]}
  - {name: web-017, kind: vm, depends_on: [hv03]}
  - {name: db-02, kind: vm, depends_on: [hv03]}
  - {name: s0000123, kind: site, depends_on: [web-017]}
  - {name: s0000124, kind: site, depends_on: [web-017, db-02]}
`

// incidentView is what the tests read of GET /api/v1/incidents/{id}.
type incidentView struct {
	Incident incident.Incident `json:"incident"`
	Timeline []incident.Event  `json:"timeline"`
}

// incidentsOf lists the incidents of a status through the API.
func incidentsOf(p *proc, token, status string) ([]incident.Incident, error) {
	var out struct {
		Incidents []incident.Incident `json:"incidents"`
	}
	err := p.getJSON("/api/v1/incidents?status="+status, token, &out)
	return out.Incidents, err
}

// TestTwoServersOnePostgresLeaderKilled runs two servers on one PostgreSQL
// database: one leads, both take alerts, and when the leader is killed
// (no chance to clean up) the other takes over and carries the same
// incident to its end, without opening it twice or resolving it twice.
func TestTwoServersOnePostgresLeaderKilled(t *testing.T) {
	dsn := storetest.DSN(t, store.Postgres)
	importYAML(t, dsn, replicaInventory)
	token := staffToken(t, dsn)
	flags := []string{"--probe=false", "--settle", "1s", "--quiet", "3s", "--sweep", "200ms"}
	servers := []*proc{startServe(t, "server A", dsn, flags...), startServe(t, "server B", dsn, flags...)}

	var leader, follower *proc
	waitFor(t, 15*time.Second, "exactly one server leads", func() bool {
		leading := 0
		for _, p := range servers {
			r, err := p.readyz()
			if err != nil {
				return false
			}
			if r.Leader {
				leading++
				leader = p
			} else {
				follower = p
			}
		}
		return leading == 1
	})
	t.Logf("%s leads, %s follows", leader.name, follower.name)

	// An intake on the follower appends to the shared log: the leader's
	// engine opens the incident.
	postAlert(t, follower, token, alertmanagerBody("hv03", "fp-hv03", false))
	var opened incident.Incident
	waitFor(t, 15*time.Second, "one incident open on hv03", func() bool {
		open, err := incidentsOf(follower, token, "open")
		if err != nil || len(open) != 1 {
			return false
		}
		opened = open[0]
		return len(opened.RootAssets) == 1 && opened.RootAssets[0] == "hv03"
	})

	leader.signal(t, syscall.SIGKILL)
	killed := time.Now()
	leader.wait(t, 5*time.Second)
	waitFor(t, 15*time.Second, follower.name+" leads after the leader was killed", func() bool {
		r, err := follower.readyz()
		return err == nil && r.Leader
	})
	takeover := time.Since(killed)
	t.Logf("takeover: %s took the lead %s after %s was killed", follower.name, takeover.Round(time.Millisecond), leader.name)
	if takeover > 15*time.Second {
		t.Fatalf("takeover took %s", takeover)
	}

	postAlert(t, follower, token, alertmanagerBody("hv03", "fp-hv03", true))
	path := fmt.Sprintf("/api/v1/incidents/%d", opened.ID)
	seen := map[incident.Status]bool{}
	var last incidentView
	waitFor(t, 20*time.Second, "the incident resolves after monitoring", func() bool {
		if err := follower.getJSON(path, token, &last); err != nil {
			return false
		}
		seen[last.Incident.Status] = true
		return last.Incident.Status == incident.Resolved
	})
	if !seen[incident.Monitoring] {
		t.Errorf("the incident was never seen in monitoring: %v", seen)
	}

	all, err := incidentsOf(follower, token, "all")
	if err != nil || len(all) != 1 || all[0].ID != opened.ID {
		t.Fatalf("incidents in all: %+v %v, want only #%d", all, err, opened.ID)
	}
	resolved, monitoring := 0, 0
	for _, e := range last.Timeline {
		if e.Type != incident.EventStatus {
			continue
		}
		switch {
		case strings.Contains(e.Text, "resolved"):
			resolved++
		case strings.Contains(e.Text, "monitoring"):
			monitoring++
		}
	}
	if resolved != 1 || monitoring != 1 {
		b, _ := json.MarshalIndent(last.Timeline, "", "  ")
		t.Fatalf("%d resolved and %d monitoring status events, want one each:\n%s", resolved, monitoring, b)
	}
	follower.stop(t)
}

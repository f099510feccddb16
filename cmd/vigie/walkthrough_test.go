package main

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// walkthroughSites is the smallest generated host with a hv03: nine web
// VMs per hypervisor, 120 sites per VM.
const walkthroughSites = "2200"

// TestREADMEOutageWalkthrough runs the README's outage walkthrough with
// real processes: a simulated host written with 'simulate inventory
// --farm', imported, served by 'simulate serve' and watched by 'vigie
// serve' with its probe. Stopping hv03 must give one incident on hv03 with
// its customers and no other; clearing the faults must bring it to
// monitoring, then resolved.
func TestREADMEOutageWalkthrough(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a simulated host for a minute or two")
	}
	dsn := storetest.DSN(t, store.SQLite)
	port := freePort(t)
	control := freeAddr(t)
	host := filepath.Join(t.TempDir(), "host.yaml")

	if r := vigie(t, dsn, "", "simulate", "inventory", "--farm", "--port", port, "--sites", walkthroughSites, "--out", host); r.code != 0 {
		t.Fatalf("simulate inventory: %+v", r)
	}
	if r := vigie(t, dsn, "", "import", host); r.code != 0 {
		t.Fatalf("import: %+v", r)
	}
	token := staffToken(t, dsn)
	farm := startVigie(t, "simulate serve", dsn, "simulate", "serve", "--port", port, "--sites", walkthroughSites, "--control", control)
	waitFor(t, 30*time.Second, "the farm's control API answers", func() bool {
		if farm.exited() {
			t.Fatalf("simulate serve exited with %d:\n%s", farm.exitCode(), farm.out.String())
		}
		status, _, err := farmCall(control, "GET", "")
		return err == nil && status == http.StatusOK
	})
	server := startServe(t, "vigie serve", dsn, "--settle", "10s", "--quiet", "10s", "--sweep", "500ms")

	// Before the outage, hv03 is seen up where the inventory checks it.
	waitFor(t, 60*time.Second, "hv03's check is up", func() bool {
		return stateOf(t, server, token, "hv03") == "up"
	})
	if status, body, err := farmCall(control, "POST", `{"fault":"stop-hypervisor","target":"hv03"}`); err != nil || status != http.StatusCreated {
		t.Fatalf("inject stop-hypervisor hv03: %d %s %v", status, body, err)
	}
	stopped := time.Now()

	// The incident opens at the first root confirmed (a VM may be seen
	// before hv03), is re-targeted to hv03 within its settle window, and
	// settles: then it is the one incident open, on hv03.
	var first, opened incident.Incident
	waitFor(t, 2*time.Minute, "an incident open", func() bool {
		open, err := incidentsOf(server, token, "open")
		if err != nil || len(open) == 0 {
			return false
		}
		first = open[len(open)-1] // the oldest: the list is newest first
		return true
	})
	firstAfter := time.Since(stopped)
	waitFor(t, 2*time.Minute, "a settled incident", func() bool {
		open, err := incidentsOf(server, token, "open")
		if err != nil || len(open) == 0 || open[len(open)-1].SettledAt == nil {
			return false
		}
		if len(open) > 1 || !slices.Equal(open[0].RootAssets, []string{"hv03"}) {
			t.Fatalf("open incidents once settled: %s", describeIncidents(open))
		}
		opened = open[0]
		return true
	})
	t.Logf("incident #%d opened on %v %s after hv03 stopped; #%d %q settled %s after: %d sites, %d customers",
		first.ID, first.RootAssets, firstAfter.Round(time.Second), opened.ID, opened.Title,
		time.Since(stopped).Round(time.Second), opened.Impact.Sites, len(opened.Impact.Customers))
	if opened.Impact.Sites == 0 || len(opened.Impact.Customers) == 0 {
		t.Errorf("the incident on hv03 names no sites or customers: %+v", opened.Impact)
	}

	if status, body, err := farmCall(control, "DELETE", ""); err != nil || status != http.StatusNoContent {
		t.Fatalf("clear faults: %d %s %v", status, body, err)
	}
	cleared := time.Now()
	seen := map[incident.Status]bool{}
	path := fmt.Sprintf("/api/v1/incidents/%d", opened.ID)
	waitFor(t, 2*time.Minute, "the incident resolves after monitoring", func() bool {
		var v incidentView
		if err := server.getJSON(path, token, &v); err != nil {
			return false
		}
		seen[v.Incident.Status] = true
		return v.Incident.Status == incident.Resolved
	})
	t.Logf("resolved %s after the faults were cleared", time.Since(cleared).Round(time.Second))
	if !seen[incident.Monitoring] {
		t.Errorf("the incident was never seen in monitoring: %v", seen)
	}
	// One incident: the first one opened is it, re-targeted, or merged
	// into it, as is any other opened meanwhile on a lower root.
	all, err := incidentsOf(server, token, "all")
	if err != nil {
		t.Fatal(err)
	}
	for _, inc := range all {
		if inc.ID != opened.ID && (inc.Status != incident.Merged || inc.MergedInto != opened.ID) {
			t.Fatalf("incidents of the walkthrough: %s, want #%d and those merged into it", describeIncidents(all), opened.ID)
		}
	}

}

// freePort returns, as text, a port that was free on loopback a moment ago.
func freePort(t *testing.T) string {
	t.Helper()
	_, port, err := net.SplitHostPort(freeAddr(t))
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := strconv.Atoi(port); n < 1024 {
		t.Fatalf("free port %s is privileged", port)
	}
	return port
}

// farmCall makes one request to the farm's /faults.
func farmCall(control, method, body string) (int, string, error) {
	req, err := http.NewRequest(method, "http://"+control+"/faults", strings.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer func() { _ = resp.Body.Close() }()
	var b strings.Builder
	_, err = fmt.Fprint(&b, resp.Status)
	return resp.StatusCode, b.String(), err
}

// stateOf returns the state of an asset's tcp check, or "" while it has
// none.
func stateOf(t *testing.T, p *proc, token, asset string) string {
	t.Helper()
	var out struct {
		States []struct {
			Check string `json:"check"`
			State string `json:"state"`
		} `json:"states"`
	}
	if err := p.getJSON("/api/v1/states?asset="+url.QueryEscape(asset), token, &out); err != nil {
		return ""
	}
	for _, s := range out.States {
		if s.Check == asset+"/tcp" {
			return s.State
		}
	}
	return ""
}

// describeIncidents lists incidents by id, root and title for a failure.
func describeIncidents(list []incident.Incident) string {
	var b strings.Builder
	for _, in := range list {
		fmt.Fprintf(&b, "\n  #%d %s roots %v %q", in.ID, in.Status, in.RootAssets, in.Title)
	}
	return fmt.Sprintf("%d incidents:%s", len(list), b.String())
}

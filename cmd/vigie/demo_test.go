package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// TestDemoPlaysTheScriptedOutage runs 'vigie demo --speed 60' in-process,
// as a newcomer would, and checks through what it prints and serves:
// hv03's failure is one incident (others merged into it), the site
// answering 500 a private site problem of its customer; the affected
// customers were mailed, the site problem to its customer only; the
// customer's area shows the incident; the ticket was deflected; the
// night's maintenance is planned with its notices; the post-mortem is
// drafted; and Ctrl-C stops it all.
func TestDemoPlaysTheScriptedOutage(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the demo's reference host for a minute")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errs syncBuffer
	e := &env{stdout: &out, stderr: &errs, getenv: func(string) string { return "" }}
	var code int
	finished := make(chan struct{})
	go func() {
		code = run(ctx, []string{"demo", "--speed", "60", "--listen", "127.0.0.1:0", "--mail-listen", "127.0.0.1:0"}, e)
		close(finished)
	}()
	// Even when the test fails, the demo stops and removes its files.
	t.Cleanup(func() {
		cancel()
		select {
		case <-finished:
		case <-time.After(30 * time.Second):
		}
	})
	waitFor(t, 3*time.Minute, "the script is over", func() bool {
		select {
		case <-finished:
			t.Fatalf("the demo exited with %d:\n%s\n%s", code, out.String(), errs.String())
		default:
		}
		return strings.Contains(out.String(), "the script is over")
	})
	printed := out.String()
	t.Logf("the demo printed:\n%s", printed)
	find := func(what, pattern string) []string {
		t.Helper()
		m := regexp.MustCompile(pattern).FindStringSubmatch(printed)
		if m == nil {
			t.Fatalf("%s (%s) not printed", what, pattern)
		}
		return m[1:]
	}
	base := strings.TrimSuffix(find("the status page", `Status page\s+(http://\S+)`)[0], "/")
	mails := strings.TrimSuffix(find("the mail page", `Mails sent\s+(http://\S+)`)[0], "/")
	token := find("the read token", `read token: (\S+)\)`)[0]
	contact := find("the customer's account", `Customer\s+(\S+@\S+) / (.+?)   \(`)
	broken := find("the site answering 500", `site (s\d+) of customer (C\d+) now answers 500`)
	deflected := find("the deflected ticket", `began a ticket about (s\d+)`)[0]
	customerMail := find("the customer's address", `\?to=(\S+) for the customer's`)[0]
	for _, want := range []string{"Staff console", "/staff", "staff@demo.example", "admin@demo.example", "recovery codes"} {
		if !strings.Contains(printed, want) {
			t.Errorf("the demo does not print %q", want)
		}
	}
	api := &demoClient{t: t, base: base, token: token}

	// One incident for hv03, and the site problem apart; what was seen
	// first of hv03's failure (its VMs, its sites) merged into it.
	var all struct{ Incidents []demoIncident }
	api.get("/api/v1/incidents?status=all", &all)
	var outage, problem []demoIncident
	for _, inc := range all.Incidents {
		switch {
		case inc.Status == "merged":
		case inc.Cause == "site-problem":
			problem = append(problem, inc)
		default:
			outage = append(outage, inc)
		}
	}
	if len(outage) != 1 || !slices.Equal(outage[0].RootAssets, []string{"hv03"}) || outage[0].Status != "resolved" {
		t.Fatalf("incidents besides site problems: %+v; want one on hv03, resolved", outage)
	}
	hv := outage[0]
	for _, inc := range all.Incidents {
		if inc.Status == "merged" && inc.MergedInto != hv.ID {
			t.Errorf("incident #%d on %v merged into #%d, not into hv03's #%d", inc.ID, inc.RootAssets, inc.MergedInto, hv.ID)
		}
	}
	// On a starved machine a check may time out and give a site problem
	// of its own: those are no concern here, the broken site's is.
	i := slices.IndexFunc(problem, func(inc demoIncident) bool { return slices.Equal(inc.RootAssets, broken[:1]) })
	if i < 0 || !slices.Equal(problem[i].Impact.Customers, broken[1:]) {
		t.Fatalf("site problems not merged: %+v; want one on %s, of customer %s", problem, broken[0], broken[1])
	}
	if len(problem) > 1 {
		t.Logf("%d other site problems, the machine being slow", len(problem)-1)
	}
	if len(hv.Impact.Customers) < 50 || !slices.Contains(hv.Impact.Customers, broken[1]) {
		t.Fatalf("hv03's incident touches %d customers, %v among them", len(hv.Impact.Customers), broken[1])
	}

	// The customers were told by mail, the site problem privately.
	var caught struct {
		Mails []struct {
			To            []string
			Subject, Text string
		}
	}
	getJSON(t, mails+"/mails.json", "", &caught)
	to := map[string][]string{} // address → subjects and texts
	for _, m := range caught.Mails {
		for _, r := range m.To {
			to[r] = append(to[r], m.Subject+"\n"+m.Text)
		}
		if strings.Contains(m.Text, broken[0]) && !slices.Equal(m.To, []string{customerMail}) {
			t.Errorf("a mail to %v names %s, the site problem of %s only: %q", m.To, broken[0], customerMail, m.Subject)
		}
	}
	for _, c := range hv.Impact.Customers {
		// The generated customers' addresses (see internal/simulate).
		if addr := "contact@" + strings.ToLower(c) + ".example"; len(to[addr]) == 0 {
			t.Errorf("customer %s of hv03's incident got no mail at %s", c, addr)
		}
	}
	// The notice may come alone or in a summary with the incident.
	if !slices.ContainsFunc(to[customerMail], func(s string) bool {
		return strings.Contains(s, "power supply of hv03") || strings.Contains(s, "alimentation de hv03")
	}) {
		t.Errorf("the customer got no maintenance notice: %q", to[customerMail])
	}

	// The status page tells the incident with its public update.
	if code, body := demoGet(t, http.DefaultClient, fmt.Sprintf("%s/en/incidents/%d/", base, hv.ID)); code != 200 ||
		!strings.Contains(body, "we are working on the machine") {
		t.Errorf("the incident on the status page: %d %.300s", code, body)
	}

	// The customer's area shows it, naming their site, in their language.
	browser := signInCustomer(t, base, contact[0], contact[1])
	if code, body := demoGet(t, browser, fmt.Sprintf("%s/account/incidents/%d", base, hv.ID)); code != 200 || !strings.Contains(body, deflected) ||
		(!strings.Contains(body, "we are working on the machine") && !strings.Contains(body, "nous intervenons sur la machine")) {
		t.Errorf("the incident in the customer's area: %d %.500s", code, body)
	}

	// The ticket deflected, the maintenance planned, the post-mortem
	// drafted.
	var stats struct{ Deflections int }
	api.get("/api/v1/support/stats", &stats)
	if stats.Deflections != 1 {
		t.Errorf("deflections: %d, want 1", stats.Deflections)
	}
	var windows struct {
		Maintenance []struct {
			Assets      []string
			State, Zone string
			Start       string
		}
	}
	api.get("/api/v1/maintenance", &windows)
	if len(windows.Maintenance) != 1 || !slices.Equal(windows.Maintenance[0].Assets, []string{"hv03"}) ||
		windows.Maintenance[0].State != "scheduled" || !strings.HasSuffix(windows.Maintenance[0].Start, "T02:00") {
		t.Errorf("maintenance: %+v; want one on hv03 at 02:00, scheduled", windows.Maintenance)
	}
	var pm struct {
		PostMortem struct {
			State, Timeline, Trigger string
			Actions                  []struct{ Title string }
		}
	}
	api.get(fmt.Sprintf("/api/v1/incidents/%d/postmortem", hv.ID), &pm)
	if p := pm.PostMortem; p.State != "draft" || p.Timeline == "" || !strings.Contains(p.Trigger, "power supply") || len(p.Actions) != 1 {
		t.Errorf("post-mortem: %+v; want a draft with its timeline, trigger and one action", p)
	}

	cancel()
	select {
	case <-finished:
		if code != 0 {
			t.Fatalf("the demo stopped with %d: %s", code, errs.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the demo did not stop within 30 s of Ctrl-C")
	}
	if !strings.Contains(out.String(), "Demo stopped.") {
		t.Errorf("the demo did not say it stopped")
	}
}

// demoIncident is what the test reads of an incident.
type demoIncident struct {
	ID         int64
	Status     string
	Cause      string
	RootAssets []string `json:"root_assets"`
	MergedInto int64    `json:"merged_into"`
	Impact     struct{ Customers []string }
}

// demoClient calls the demo's API with its read token.
type demoClient struct {
	t           *testing.T
	base, token string
}

func (c *demoClient) get(path string, v any) {
	c.t.Helper()
	getJSON(c.t, c.base+path, c.token, v)
}

// getJSON decodes the JSON answer of a GET, with a bearer token if given.
func getJSON(t *testing.T, u, token string, v any) {
	t.Helper()
	req, _ := http.NewRequest("GET", u, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", u, resp.StatusCode, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
}

// demoGet returns the status and body of a page.
func demoGet(t *testing.T, c *http.Client, u string) (int, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// signInCustomer signs a contact in through the sign-in form and returns
// a client holding their session.
func signInCustomer(t *testing.T, base, email, password string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	_, form := demoGet(t, c, base+"/account/signin")
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(form)
	if m == nil {
		t.Fatalf("no CSRF token on the sign-in form: %.300s", form)
	}
	resp, err := c.PostForm(base+"/account/signin", url.Values{"csrf": {m[1]}, "email": {email}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.Request.URL.Path != "/account" {
		t.Fatalf("signing in as %s ended on %s (%d)", email, resp.Request.URL, resp.StatusCode)
	}
	return c
}

// TestDemoRefusesADatabaseWithAHost keeps the script off real data: a
// database that already holds assets is refused, changed in nothing; so
// is a speed out of bounds.
func TestDemoRefusesADatabaseWithAHost(t *testing.T) {
	dsn := storetest.DSN(t, store.SQLite)
	host := filepath.Join(t.TempDir(), "host.yaml")
	if err := os.WriteFile(host, []byte("assets:\n  - {name: hv01, kind: hypervisor}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if r := vigie(t, dsn, "", "import", host); r.code != 0 {
		t.Fatalf("import: %+v", r)
	}
	r := vigie(t, "", "", "demo", "--db", dsn, "--listen", "127.0.0.1:0", "--mail-listen", "127.0.0.1:0")
	if r.code != 1 || !strings.Contains(r.stderr, "already holds 1 assets; the demo needs an empty one") {
		t.Fatalf("demo on a database with a host: %+v", r)
	}
	if r := vigie(t, dsn, "", "user", "list"); r.code != 0 || strings.Contains(r.stdout, "demo.example") {
		t.Fatalf("the demo changed the database: %+v", r)
	}
	if r := vigie(t, "", "", "demo", "--speed", "0"); r.code != 2 || !strings.Contains(r.stderr, "--speed") {
		t.Fatalf("demo --speed 0: %+v", r)
	}
	if r := vigie(t, "", "", "demo", "--listen", "192.0.2.1:8080"); r.code != 1 || !strings.Contains(r.stderr, "not a loopback address") {
		t.Fatalf("demo on a public address: %+v", r)
	}
}

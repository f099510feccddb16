package inventory_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/inventory"
)

// optionsYAML sets every field of a check, whatever its kind, plus a check
// that sets an option to nothing and a default check with one option.
const optionsYAML = `checks:
  - name: all
    asset: a
    kind: http
    interval: 30s
    timeout: 5s
    attempts: 2
    locations: [par, fra]
    quorum: 1
    url: https://www.site.example/x?a=1&b=<2>
    method: POST
    expect_status: 200-299,304
    body_contains: ok
    body_regex: ^ok$
    max_latency: 2s
    follow_redirects: false
    headers: {Host: www.site.example, X-Token: t}
    tls_verify: true
    address: 10.0.0.1:443
    banner: SSH-
    server: "[2001:db8::53]:5353"
    query: www.site.example
    query_type: MX
    expect_rcode: NXDOMAIN
    expect_answers: [mx1.site.example, mx2.site.example]
    server_name: site.example
    min_days: 14
    period: 1h
    grace: 5m
  - {asset: s1, kind: http, method: ""}
check_defaults:
  site: {kind: http, expect_status: "200"}
`

// Every field of a check, options included, is read from an inventory
// file and written back as before options existed: the expected texts
// were written by that version.
func TestCheckOptionsYAMLKeepTheirForm(t *testing.T) {
	doc, ps := inventory.Parse("checks.yaml", []byte(optionsYAML))
	if len(ps) > 0 {
		t.Fatalf("problems: %v", ps)
	}
	var got []string
	for _, e := range doc.Checks {
		b, err := json.Marshal(e.Check)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, string(b))
	}
	want := []string{
		`{"name":"all","asset":"a","kind":"http","interval":"30s","timeout":"5s","attempts":2,"locations":["par","fra"],"quorum":1,"url":"https://www.site.example/x?a=1\u0026b=\u003c2\u003e","method":"POST","expect_status":"200-299,304","body_contains":"ok","body_regex":"^ok$","max_latency":"2s","follow_redirects":false,"headers":{"Host":"www.site.example","X-Token":"t"},"tls_verify":true,"address":"10.0.0.1:443","banner":"SSH-","server":"[2001:db8::53]:5353","query":"www.site.example","query_type":"MX","expect_rcode":"NXDOMAIN","expect_answers":["mx1.site.example","mx2.site.example"],"server_name":"site.example","min_days":14,"period":"1h0m0s","grace":"5m0s"}`,
		`{"asset":"s1","kind":"http"}`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("read as\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// A method set to nothing is no method: the check is the one that
	// does not mention it.
	if bare := (check.Check{Asset: "s1", Kind: check.HTTP}); !doc.Checks[1].Equal(&bare) {
		t.Errorf("an empty method makes a different check: %+v", doc.Checks[1].Check)
	}

	var buf bytes.Buffer
	inv := &inventory.Inventory{CheckDefaults: []inventory.CheckDefault{doc.CheckDefaults[0].CheckDefault}}
	for _, e := range doc.Checks {
		inv.Checks = append(inv.Checks, e.Check)
	}
	inv.Checks = append(inv.Checks, check.Check{Asset: "backup", Kind: check.Heartbeat,
		HeartbeatOptions: &check.HeartbeatOptions{Period: check.Duration(24 * time.Hour), Grace: check.Duration(time.Hour)}})
	if err := inventory.WriteChecksYAML(&buf, inv); err != nil {
		t.Fatal(err)
	}
	wantYAML := `checks:
  - {"name":"all","asset":"a","kind":"http","interval":"30s","timeout":"5s","attempts":2,"locations":["par","fra"],"quorum":1,"url":"https://www.site.example/x?a=1&b=<2>","method":"POST","expect_status":"200-299,304","body_contains":"ok","body_regex":"^ok$","max_latency":"2s","follow_redirects":false,"headers":{"Host":"www.site.example","X-Token":"t"},"tls_verify":true,"address":"10.0.0.1:443","banner":"SSH-","server":"[2001:db8::53]:5353","query":"www.site.example","query_type":"MX","expect_rcode":"NXDOMAIN","expect_answers":["mx1.site.example","mx2.site.example"],"server_name":"site.example","min_days":14,"period":"1h0m0s","grace":"5m0s"}
  - {"asset":"s1","kind":"http"}
  - {"asset":"backup","kind":"heartbeat","period":"24h0m0s","grace":"1h0m0s"}
check_defaults:
  "site": {"asset":"","kind":"http","expect_status":"200"}
`
	if buf.String() != wantYAML {
		t.Fatalf("written as\n%s\nwant\n%s", buf.String(), wantYAML)
	}
	// What was written reads back as the same checks.
	back, ps := inventory.Parse("checks.yaml", buf.Bytes())
	if len(ps) > 0 {
		t.Fatalf("problems reading back: %v", ps)
	}
	for i := range inv.Checks {
		if !back.Checks[i].Equal(&inv.Checks[i]) {
			t.Errorf("check %d read back as %+v, want %+v", i, back.Checks[i].Check, inv.Checks[i])
		}
	}
}

// Two inventories read from the same file give checks that are Equal,
// options included, so that a reload sees no check as changed.
func TestReloadedChecksWithOptionsAreEqual(t *testing.T) {
	a, _ := inventory.Parse("checks.yaml", []byte(optionsYAML))
	b, _ := inventory.Parse("checks.yaml", []byte(optionsYAML))
	for i := range a.Checks {
		if a.Checks[i].HTTPOptions == b.Checks[i].HTTPOptions && a.Checks[i].HTTPOptions != nil {
			t.Fatal("two reads share their options: the test proves nothing")
		}
		if !a.Checks[i].Equal(&b.Checks[i].Check) {
			t.Errorf("check %d differs from itself read again", i)
		}
	}
}

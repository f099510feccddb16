package main

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/notify"
	"github.com/vigie/vigie/internal/notify/notifytest"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// killCustomers is how many customers an incident on the hypervisor
// touches in TestNotifyKillMidDelivery, one mail each.
const killCustomers = 60

// killInventory is a hypervisor with a few VMs and killCustomers
// customers, each owning a site on one of them.
func killInventory() string {
	var b strings.Builder
	b.WriteString("customers:\n")
	for i := range killCustomers {
		fmt.Fprintf(&b, "  - {id: C%03d, name: Client %d, email: c%03d@customers.example, language: %s}\n",
			i, i, i, []string{"fr", "en"}[i%2])
	}
	b.WriteString("assets:\n  - {name: hv01, kind: hypervisor}\n")
	for v := range 3 {
		fmt.Fprintf(&b, "  - {name: vm%d, kind: vm, depends_on: [hv01]}\n", v)
	}
	for i := range killCustomers {
		fmt.Fprintf(&b, "  - {name: s%03d, kind: site, owner: C%03d, depends_on: [vm%d]}\n", i, i, i%3)
	}
	return b.String()
}

// TestNotifyKillMidDelivery kills the server with SIGKILL while it mails
// the customers of an incident, one slow mail after another, and starts
// it again on the same database: every customer gets the mail (at least
// once), a mail sent twice carries the same idempotency key both times,
// and the outbox and the incident's timeline end with every message sent.
func TestNotifyKillMidDelivery(t *testing.T) {
	if testing.Short() {
		t.Skip("runs vigie serve twice and mails 60 customers slowly")
	}
	for _, e := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(e), func(t *testing.T) { testNotifyKill(t, storetest.DSN(t, e)) })
	}
}

func testNotifyKill(t *testing.T, dsn string) {
	smtp := notifytest.StartSMTP(t, notifytest.SMTPOptions{Delay: 150 * time.Millisecond})
	caFile := filepath.Join(t.TempDir(), "mail-ca.pem")
	if err := os.WriteFile(caFile, smtp.CertPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	importYAML(t, dsn, killInventory())
	token := staffToken(t, dsn)
	args := []string{"channel", "add", "mail", "--kind", "email", "--audience", "customers"}
	for k, v := range smtp.Config() {
		args = append(args, "--config", k+"="+v)
	}
	if r := vigie(t, dsn, "", args...); r.code != 0 {
		t.Fatalf("channel add: %+v", r)
	}
	flags := []string{"--probe=false", "--sweep", "200ms", "--notify-gather", "0", "--notify-lease", "3s",
		"--mail-ca", caFile, "--public-url", "https://status.host.example"}
	first := startServe(t, "first server", dsn, flags...)
	waitLeader(t, first)

	status, body, err := first.call("POST", "/api/v1/incidents", token,
		`{"root_assets":["hv01"],"title":"hv01 is down","severity":"critical"}`)
	if err != nil || status != http.StatusCreated {
		t.Fatalf("open the incident: %d %s %v", status, body, err)
	}
	var inc incident.Incident
	if err := json.Unmarshal(body, &inc); err != nil {
		t.Fatalf("open the incident: %v: %s", err, body)
	}

	// Kill once a few mails are in, long before the last.
	waitFor(t, 20*time.Second, "the first mails are accepted", func() bool { return len(smtp.Mails()) >= 6 })
	first.signal(t, syscall.SIGKILL)
	first.wait(t, 5*time.Second)
	atKill := len(smtp.Mails())
	t.Logf("killed with %d of %d mails accepted", atKill, killCustomers)
	if atKill >= killCustomers {
		t.Fatalf("every mail was accepted before the kill: the test did not kill mid-delivery")
	}

	second := startServe(t, "second server", dsn, flags...)
	waitFor(t, 30*time.Second, "every customer has a mail", func() bool {
		return len(mailsByRecipient(t, smtp.Mails())) == killCustomers
	})
	checkMailKeys(t, smtp.Mails())
	waitFor(t, 15*time.Second, "every message is sent", func() bool { return allSent(t, second, token) })
	checkTimeline(t, second, token, inc.ID)
	second.stop(t)
}

// waitLeader waits until p leads, so that its workers run.
func waitLeader(t *testing.T, p *proc) {
	t.Helper()
	waitFor(t, 15*time.Second, p.name+" leads", func() bool {
		r, err := p.readyz()
		return err == nil && r.Leader
	})
}

// mailsByRecipient parses the mails and groups them by recipient.
func mailsByRecipient(t *testing.T, mails []notifytest.Mail) map[string][]*notifytest.ParsedMail {
	t.Helper()
	out := map[string][]*notifytest.ParsedMail{}
	for _, m := range mails {
		if len(m.To) != 1 {
			t.Fatalf("a mail went to %v, want one recipient", m.To)
		}
		out[m.To[0]] = append(out[m.To[0]], notifytest.ParseMail(t, m.Data))
	}
	return out
}

// checkMailKeys requires every customer to have mail, every mail to carry
// an idempotency key, and a customer's mails to share one key: a second
// delivery is the same message again, never another.
func checkMailKeys(t *testing.T, mails []notifytest.Mail) {
	t.Helper()
	byRcpt := mailsByRecipient(t, mails)
	perKey := map[string]int{}
	dups := 0
	for i := range killCustomers {
		rcpt := fmt.Sprintf("c%03d@customers.example", i)
		got := byRcpt[rcpt]
		if len(got) == 0 {
			t.Errorf("%s got no mail", rcpt)
			continue
		}
		key := got[0].Get("X-Vigie-Key")
		for _, p := range got {
			k := p.Get("X-Vigie-Key")
			if k == "" {
				t.Errorf("a mail to %s has no X-Vigie-Key", rcpt)
			}
			if k != key {
				t.Errorf("%s got mails with keys %q and %q: a duplicate is not the same message", rcpt, key, k)
			}
			perKey[k]++
		}
		dups += len(got) - 1
	}
	if len(perKey) != killCustomers {
		t.Errorf("%d distinct keys over %d customers, want one each", len(perKey), killCustomers)
	}
	t.Logf("%d mails for %d customers: %d duplicates", len(mails), killCustomers, dups)
}

// allSent reports whether the outbox has no dead letter and one message
// per customer, every one sent.
func allSent(t *testing.T, p *proc, token string) bool {
	t.Helper()
	var dead, all struct {
		Notifications []notify.Message `json:"notifications"`
	}
	if err := p.getJSON("/api/v1/notifications?state=dead", token, &dead); err != nil {
		t.Fatal(err)
	}
	if len(dead.Notifications) > 0 {
		t.Fatalf("dead letters after the restart: %+v", dead.Notifications)
	}
	if err := p.getJSON("/api/v1/notifications?limit=1000", token, &all); err != nil {
		t.Fatal(err)
	}
	sent, retried := 0, 0
	for _, m := range all.Notifications {
		if m.State == notify.StateSent {
			sent++
		}
		if m.Attempts > 1 {
			retried++
		}
	}
	if sent == len(all.Notifications) && sent != killCustomers {
		t.Fatalf("%d messages sent, want one per customer (%d)", sent, killCustomers)
	}
	if sent != killCustomers {
		return false
	}
	// The kill left messages claimed: the second server took them again
	// once their lease ran out.
	if retried == 0 {
		t.Fatalf("no message was claimed twice: the kill interrupted no delivery")
	}
	t.Logf("%d messages sent, %d of them claimed more than once", sent, retried)
	return true
}

// checkTimeline requires the incident's timeline to record one message
// sent to each customer.
func checkTimeline(t *testing.T, p *proc, token string, id int64) {
	t.Helper()
	var v incidentView
	if err := p.getJSON("/api/v1/incidents/"+strconv.FormatInt(id, 10), token, &v); err != nil {
		t.Fatal(err)
	}
	sent := map[string]int{}
	for _, e := range v.Timeline {
		if e.Type != incident.EventNotification {
			continue
		}
		// "incident on mail to C007 <c007@customers.example>: sent"
		_, to, ok := strings.Cut(e.Text, " on mail to ")
		who, _, _ := strings.Cut(to, " ")
		if !ok || !strings.HasSuffix(e.Text, ": sent") {
			t.Errorf("timeline entry %q is not a mail sent", e.Text)
			continue
		}
		sent[who]++
	}
	for i := range killCustomers {
		if c := fmt.Sprintf("C%03d", i); sent[c] != 1 {
			t.Errorf("the timeline records %d mails sent to %s, want 1", sent[c], c)
		}
	}
}

// TestServeMailCA refuses a --mail-ca file that holds no certificate,
// before the server starts.
func TestServeMailCA(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "not-a-ca.pem")
	if err := os.WriteFile(bad, []byte("not a certificate\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// The address is taken: a server that went past the check would stop
	// there, at once, rather than serve.
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = taken.Close() }()
	listen := taken.Addr().String()
	r := vigie(t, storetest.DSN(t, store.SQLite), "", "serve", "--listen", listen, "--mail-ca", bad)
	if r.code != 2 || !strings.Contains(r.stderr, "holds no PEM certificate") {
		t.Fatalf("serve --mail-ca with no certificate: %+v", r)
	}
	r = vigie(t, storetest.DSN(t, store.SQLite), "", "serve", "--listen", listen, "--mail-ca", bad+".missing")
	if r.code != 1 || !strings.Contains(r.stderr, "--mail-ca") {
		t.Fatalf("serve --mail-ca with a missing file: %+v", r)
	}
}

package web_test

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/vigie/vigie/internal/account"
	"github.com/vigie/vigie/internal/app"
	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// Staff add a customer's contacts through the API, each with an
// invitation mailed in the same transaction: without an e-mail channel
// for customers nothing is created and the answer says what to do.
func TestStaffInviteContactsThroughTheAPI(t *testing.T) {
	for _, e := range storetest.Engines {
		t.Run(string(e), func(t *testing.T) { testStaffInviteContacts(t, e) })
	}
}

func testStaffInviteContacts(t *testing.T, e store.Engine) {
	c := startServer(t, e)
	must := func(method, path, body string, want int) map[string]any {
		t.Helper()
		status, out := c.json(method, path, body)
		if status != want {
			t.Fatalf("%s %s: %d, want %d: %v", method, path, status, want, out)
		}
		return out
	}
	must("POST", "/api/v1/customers", `{"id": "C1", "name": "Alpha Bakery", "email": "alpha@example.org", "language": "en", "timezone": "America/Montreal"}`, 201)
	must("POST", "/api/v1/customers", `{"id": "C2", "name": "Beta Books", "email": "beta@example.org"}`, 201)
	out := must("POST", "/api/v1/customers/C1/contacts", `{"email": "Lea@Alpha.example", "name": "Léa"}`, 409)
	if msg := out["message"].(string); !strings.Contains(msg, "configure an e-mail channel for customers: vigie channel add") {
		t.Errorf("no mail channel: %q", msg)
	}
	if out := must("GET", "/api/v1/customers/C1/contacts", "", 200); len(out["contacts"].([]any)) != 0 {
		t.Fatalf("a contact was created without their invitation: %v", out)
	}
	must("POST", "/api/v1/channels", `{"id": "mail", "kind": "email", "name": "Mail", "audiences": ["customers"], "config": {"host": "smtp.example.org", "port": "587", "from": "status@example.org"}}`, 201)

	out = must("POST", "/api/v1/customers/C1/contacts", `{"email": "Lea@Alpha.example", "name": "Léa"}`, 201)
	lea := out["contact"].(map[string]any)
	if lea["email"] != "lea@alpha.example" || lea["language"] != "en" || lea["timezone"] != "America/Montreal" || lea["invited_at"] == nil || lea["activated_at"] != nil {
		t.Fatalf("the contact added: %v", out)
	}
	for _, bad := range []struct{ path, body string }{
		{"/api/v1/customers/C1/contacts", `{"email": "lea@alpha.example"}`},
		{"/api/v1/customers/C2/contacts", `{"email": "LEA@alpha.example"}`},
	} {
		if out := must("POST", bad.path, bad.body, 409); !strings.Contains(out["message"].(string), "already a contact") {
			t.Errorf("an address already a contact: %v", out)
		}
	}
	out = must("POST", "/api/v1/customers/C1/contacts", `{"email": "max@alpha.example", "language": "de", "timezone": "Mars/Olympus"}`, 422)
	if got := fieldsOf(out); got != "language,timezone" {
		t.Errorf("bad language and zone: fields %q: %v", got, out)
	}
	if out := must("POST", "/api/v1/customers/C1/contacts", `{"name": "Max"}`, 422); fieldsOf(out) != "email" {
		t.Errorf("no address: %v", out)
	}
	must("POST", "/api/v1/customers/C9/contacts", `{"email": "max@alpha.example"}`, 404)
	must("GET", "/api/v1/customers/C9/contacts", "", 404)

	id := itoaJSON(lea["id"])
	must("POST", "/api/v1/customers/C1/contacts/"+id+"/invite", "", 200)
	must("POST", "/api/v1/customers/C1/contacts/lea@alpha.example/invite", "", 200)
	must("POST", "/api/v1/customers/C2/contacts/"+id+"/invite", "", 404)
	must("DELETE", "/api/v1/customers/C2/contacts/lea@alpha.example", "", 404)
	if out := must("GET", "/api/v1/notifications", "", 200); strings.Count(jsonText(t, out), "lea@alpha.example") < 3 {
		t.Errorf("three invitations queued for Léa, the outbox says: %v", out)
	}

	// Removing a contact ends their sessions.
	a := openApp(t, c)
	token, _, err := a.Sessions.Start(context.Background(), auth.SubjectContact, id, auth.LevelPassword, "", "")
	if err != nil {
		t.Fatal(err)
	}
	must("DELETE", "/api/v1/customers/C1/contacts/"+id, "", 204)
	if _, err := a.Sessions.Check(context.Background(), token, a.Sessions.Now()); err == nil {
		t.Error("a removed contact's session still works")
	}
	if out := must("GET", "/api/v1/customers/C1/contacts", "", 200); len(out["contacts"].([]any)) != 0 {
		t.Errorf("after the removal: %v", out)
	}
	entries, err := a.Audit.List(context.Background(), auth.AuditFilter{Actor: "ops@example.org (token test)"})
	if err != nil {
		t.Fatal(err)
	}
	var (
		actions []string
		first   *auth.AuditEntry
	)
	for i := len(entries) - 1; i >= 0; i-- {
		if e := entries[i]; strings.Contains(e.Action, "/contacts") {
			if first == nil {
				first = &entries[i]
			}
			verb, _, _ := strings.Cut(e.Action, " ")
			if strings.HasSuffix(e.Action, "/invite") {
				verb = "INVITE"
			}
			actions = append(actions, verb+map[bool]string{true: "", false: "(refused)"}[e.OK])
		}
	}
	want := "POST(refused) POST POST(refused) POST(refused) POST(refused) POST(refused) POST(refused) INVITE INVITE INVITE(refused) DELETE(refused) DELETE"
	if got := strings.Join(actions, " "); got != want {
		t.Errorf("the audit log of the staff's actions:\n%s\nwant\n%s", got, want)
	}
	if first == nil || first.Detail != "contact lea@alpha.example: nothing was changed: the invitation cannot be mailed; "+account.NoMailChannelHelp ||
		first.Target != "id=C1" {
		t.Errorf("the first refusal's entry: %+v", first)
	}
}

// fieldsOf lists the fields of a 422's problems, comma-separated.
func fieldsOf(out map[string]any) string {
	fields, _ := out["fields"].([]any)
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i], _ = f.(map[string]any)["field"].(string)
	}
	return strings.Join(names, ",")
}

// itoaJSON is a JSON number as a path segment.
func itoaJSON(v any) string {
	f, _ := v.(float64)
	return strconv.FormatInt(int64(f), 10)
}

// jsonText is v as JSON text.
func jsonText(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// openApp opens another app on the test server's database, to look at
// what the server cannot show.
func openApp(t *testing.T, c *client) *app.App {
	t.Helper()
	a, err := app.Open(context.Background(), app.Config{DB: c.dsn})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close() })
	return a
}

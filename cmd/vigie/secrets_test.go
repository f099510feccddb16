package main

import (
	"crypto/rand"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// TestNoSecretReachesTheLogs runs a whole server with debug logs on a
// PostgreSQL URL carrying a password, creates every kind of secret Vigie
// has (a password, staff tokens, a revoked one, location, agent and
// heartbeat tokens, a credential in a check's header), uses each of them,
// right and wrong, and then greps everything the server and the commands
// wrote for every one of them.
func TestNoSecretReachesTheLogs(t *testing.T) {
	t.Setenv("VIGIE_LOG", "debug")
	base, err := url.Parse(storetest.DSN(t, store.Postgres))
	if err != nil {
		t.Fatal(err)
	}
	dbPassword := "dbpw" + rand.Text()
	// PostgreSQL here trusts loopback: the password travels, unchecked.
	base.User = url.UserPassword(base.User.Username(), dbPassword)
	dsn := base.String()
	secrets := map[string]string{"database password": dbPassword}
	var logs strings.Builder // what commands wrote for people, not what they printed as output
	run := func(stdin string, args ...string) result {
		t.Helper()
		r := vigie(t, dsn, stdin, args...)
		logs.WriteString(r.stderr)
		if r.code != 0 {
			t.Fatalf("vigie %s: %+v", strings.Join(args, " "), r)
		}
		return r
	}

	password := "pw-" + rand.Text()
	secrets["user password"] = password
	run(password+"\n", "user", "add", "--email", "ops@example.org", "--role", "admin")
	token := strings.TrimSpace(run("", "token", "create", "--user", "ops@example.org", "--name", "laptop").stdout)
	revoked := strings.TrimSpace(run("", "token", "create", "--user", "ops@example.org", "--name", "old").stdout)
	run("", "token", "revoke", "--user", "ops@example.org", "--name", "old")
	secrets["staff token"], secrets["revoked token"] = token, revoked
	dir := t.TempDir()
	host := filepath.Join(dir, "host.yaml")
	if err := os.WriteFile(host, []byte("assets:\n  - {name: hv03, kind: hypervisor, address: \"127.0.0.1:1\"}\n  - {name: backups, kind: service}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	run("", "import", host)
	secrets["location token"] = strings.TrimSpace(run("", "location", "add", "paris").stdout)
	secrets["agent token"] = strings.TrimSpace(run("", "agent", "add", "hv03").stdout)
	secrets["made-up staff token"] = "vigie_0123456789abcdef_" + strings.Repeat("Q", 43)

	p := startServe(t, "serve", dsn, "--probe=false")
	call := func(method, path, bearer, body string, want int) []byte {
		t.Helper()
		status, b, err := p.call(method, path, bearer, body)
		if err != nil || status != want {
			t.Fatalf("%s %s: %d %s %v, want %d", method, path, status, b, err, want)
		}
		return b
	}
	header := "Bearer hdr-" + rand.Text()
	secrets["check header"] = header
	call("POST", "/api/v1/checks", token, `{"asset":"hv03","name":"api","kind":"http","url":"http://127.0.0.1:1/","locations":["paris"],"headers":{"Authorization":"`+header+`"}}`, 201)
	call("POST", "/api/v1/checks", token, `{"asset":"backups","name":"nightly","kind":"heartbeat","period":"24h"}`, 201)
	var rotated struct{ Token string }
	if err := json.Unmarshal(call("POST", "/api/v1/checks/backups/nightly/token", token, "", 200), &rotated); err != nil {
		t.Fatal(err)
	}
	secrets["heartbeat token"] = rotated.Token
	// Each secret used, right and wrong.
	call("GET", "/api/v1/assets?token="+token, token, "", 400) // refused, and its value never logged
	call("GET", "/api/v1/assets", revoked, "", 401)
	call("GET", "/api/v1/assets", secrets["made-up staff token"], "", 401)
	call("GET", "/api/v1/checks/hv03/api", token, "", 200)
	call("POST", "/api/v1/heartbeats/"+rotated.Token, "", `{"status":"fail","message":"disk full"}`, 202)
	call("POST", "/api/v1/heartbeats/"+rotated.Token, "", `{"status":"nope"}`, 400)
	call("GET", "/api/v1/heartbeats/"+rotated.Token+"x", "", "", 404)
	call("GET", "/api/v1/heartbeat/"+rotated.Token, "", "", 404) // a typo in the path
	call("GET", "/api/v1/probe/assignments", secrets["location token"], "", 200)
	call("POST", "/api/v1/probe/results", secrets["location token"], `{"epoch":"`+secrets["location token"]+`"`, 400)
	call("GET", "/api/v1/probe/assignments", token, "", 401)
	call("POST", "/api/v1/agent/facts", secrets["agent token"], `{"asset":"backups","facts":{}}`, 403)
	call("POST", "/api/v1/agent/facts", secrets["location token"], `{"facts":{}}`, 401)
	call("POST", "/api/v1/users/ops@example.org/tokens", token, `{"name":"`+token+`"}`, 422)
	p.signal(t, syscall.SIGTERM)
	p.wait(t, 15*time.Second)
	run("", "migrate") // a command that names its database

	all := logs.String() + p.out.String()
	if !strings.Contains(all, `"request"`) && !strings.Contains(all, "msg=request") {
		t.Fatalf("the server logged no request: debug logs are off, the test proves nothing:\n%s", all)
	}
	for what, s := range secrets {
		if s == "" {
			t.Fatalf("no %s was created", what)
		}
		for _, part := range []string{s, s[len(s)-16:]} {
			if strings.Contains(all, part) {
				t.Errorf("the logs hold the %s (%q)", what, part)
			}
		}
	}
	if t.Failed() {
		t.Logf("logs:\n%s", all)
	}
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// TestMain lets the test binary act as the vigie command when asked to, so
// that tests can run it as a real process (signals, exit codes).
func TestMain(m *testing.M) {
	if os.Getenv("VIGIE_TEST_AS_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

type result struct {
	code           int
	stdout, stderr string
}

// vigie runs one command in-process.
func vigie(t *testing.T, dsn, stdin string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb, getenv: func(k string) string {
		if k == "VIGIE_DB" {
			return dsn
		}
		return ""
	}}
	code := run(context.Background(), args, e)
	return result{code, out.String(), errb.String()}
}

func TestEveryCommandHasHelp(t *testing.T) {
	for _, c := range commands() {
		r := vigie(t, "", "", c.name, "--help")
		if r.code != 0 || !strings.Contains(r.stdout, "Usage: vigie "+c.name) {
			t.Errorf("vigie %s --help: code %d, stdout %q, stderr %q", c.name, r.code, r.stdout, r.stderr)
		}
	}
	r := vigie(t, "", "", "frobnicate")
	if r.code != 2 || !strings.Contains(r.stderr, `unknown command "frobnicate"`) {
		t.Fatalf("unknown command: %+v", r)
	}
}

func TestImportExportRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		dir := t.TempDir()
		src := filepath.Join(dir, "host.yaml")
		dsn := dsnOf(t, db)
		if r := vigie(t, dsn, "", "simulate", "inventory", "--sites", "600", "--out", src); r.code != 0 {
			t.Fatalf("simulate: %+v", r)
		}
		r := vigie(t, dsn, "", "import", "--dry-run", src)
		if r.code != 0 || !strings.Contains(r.stdout, "dry run, nothing written") || !strings.Contains(r.stdout, "site") {
			t.Fatalf("dry run: %+v", r)
		}
		if r := vigie(t, dsn, "", "export"); r.code != 0 || strings.Contains(r.stdout, "kind:") {
			t.Fatalf("dry run wrote something: %+v", r)
		}
		if r := vigie(t, dsn, "", "import", src); r.code != 0 || !strings.Contains(r.stdout, "imported:") {
			t.Fatalf("import: %+v", r)
		}
		if r := vigie(t, dsn, "", "import", src); r.code != 0 || !strings.Contains(r.stdout, "no changes") {
			t.Fatalf("second import: %+v", r)
		}
		yamlOut := filepath.Join(dir, "export.yaml")
		csvOut := filepath.Join(dir, "csv")
		if r := vigie(t, dsn, "", "export", "--out", yamlOut); r.code != 0 {
			t.Fatalf("export yaml: %+v", r)
		}
		if r := vigie(t, dsn, "", "export", "--format", "csv", "--out", csvOut); r.code != 0 {
			t.Fatalf("export csv: %+v", r)
		}
		want := exportJSON(t, dsn)
		for name, files := range map[string][]string{
			"yaml": {yamlOut},
			"csv":  {filepath.Join(csvOut, "customers.csv"), filepath.Join(csvOut, "assets.csv"), filepath.Join(csvOut, "checks.yaml")},
			// The folder as export wrote it, every file of it.
			"csv folder": {csvOut},
		} {
			fresh := storetest.DSN(t, db.Engine)
			if r := vigie(t, fresh, "", append([]string{"import"}, files...)...); r.code != 0 {
				t.Fatalf("import %s export into an empty database: %+v", name, r)
			}
			if got := exportJSON(t, fresh); got != want {
				t.Fatalf("%s round trip changed the inventory", name)
			}
			r := vigie(t, fresh, "", "impact", "--json", "hv01")
			var imp inventory.Impact
			if err := json.Unmarshal([]byte(r.stdout), &imp); err != nil || imp.Sites == 0 || len(imp.Customers) == 0 {
				t.Fatalf("impact after %s round trip: %+v (%v)", name, r, err)
			}
		}
	})
}

// dsnOf recovers the address a storetest database was opened with.
func dsnOf(t *testing.T, db *store.DB) string {
	t.Helper()
	var dsn string
	if db.Engine == store.SQLite {
		dsn = db.Where
	} else {
		dsn = storetest.DSN(t, store.Postgres)
	}
	return dsn
}

func exportJSON(t *testing.T, dsn string) string {
	t.Helper()
	d, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	inv, err := inventory.NewService(d, nil).Export(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(inv)
	return string(b)
}

func TestImportReportsEveryProblemAndChangesNothing(t *testing.T) {
	dsn := storetest.DSN(t, store.SQLite)
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	if err := os.WriteFile(good, []byte("assets:\n  - name: hv1\n    kind: hypervisor\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := vigie(t, dsn, "", "import", good); r.code != 0 {
		t.Fatalf("%+v", r)
	}
	bad := filepath.Join(dir, "bad.yaml")
	text := `customers:
  - id: C1
    name: Alice
    email: alice@
    timezone: Mars/Olympus
assets:
  - name: vm1
    kind: vm
    depends_on: [hv1, hv9]
  - name: vm1
    kind: VM
`
	if err := os.WriteFile(bad, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	r := vigie(t, dsn, "", "import", bad)
	if r.code != 1 {
		t.Fatalf("exit %d, want 1: %+v", r.code, r)
	}
	for _, want := range []string{bad + ":4: ", bad + ":5: ", bad + ":9: ", bad + ":10: ", bad + ":11: ", "nothing changed"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	if r := vigie(t, dsn, "", "export"); strings.Contains(r.stdout, "vm1") {
		t.Fatalf("a failed import wrote: %s", r.stdout)
	}
}

func TestUserAndTokenCommands(t *testing.T) {
	dsn := storetest.DSN(t, store.SQLite)
	r := vigie(t, dsn, "", "user", "add", "--email", "ops@example.org", "--role", "admin")
	if r.code != 0 || !strings.Contains(r.stdout, "password (shown once): ") {
		t.Fatalf("generated password: %+v", r)
	}
	r = vigie(t, dsn, "correct horse battery staple\n", "user", "add", "--email", "b@example.org", "--role", "staff")
	if r.code != 0 || strings.Contains(r.stdout, "password") {
		t.Fatalf("password from stdin: %+v", r)
	}
	r = vigie(t, dsn, "", "user", "add", "--email", "c@example.org", "--role", "root")
	if r.code != 2 {
		t.Fatalf("bad role: %+v", r)
	}
	r = vigie(t, dsn, "", "user", "add", "--email", "mtl@example.org", "--timezone", "America/Montreal")
	if r.code != 0 || !strings.Contains(r.stdout, "(America/Montreal)") {
		t.Fatalf("time zone: %+v", r)
	}
	if r := vigie(t, dsn, "", "user", "add", "--email", "x@example.org", "--timezone", "Mars/Olympus"); r.code != 2 {
		t.Fatalf("bad time zone: %+v", r)
	}
	r = vigie(t, dsn, "", "token", "create", "--user", "ops@example.org", "--name", "ci")
	token := strings.TrimSpace(r.stdout)
	if r.code != 0 || !strings.HasPrefix(token, "vigie_") {
		t.Fatalf("token create: %+v", r)
	}
	r = vigie(t, dsn, "", "token", "list", "--user", "ops@example.org")
	if r.code != 0 || !strings.Contains(r.stdout, "ci") || strings.Contains(r.stdout, token) {
		t.Fatalf("token list: %+v", r)
	}
	if r := vigie(t, dsn, "", "token", "create", "--user", "ops@example.org", "--name", "ci"); r.code != 1 {
		t.Fatalf("duplicate token name: %+v", r)
	}
}

func TestMigrateReportsTheSchema(t *testing.T) {
	dsn := storetest.DSN(t, store.SQLite)
	if r := vigie(t, dsn, "", "migrate"); r.code != 0 || !strings.Contains(r.stdout, "applied") {
		t.Fatalf("%+v", r)
	}
	if r := vigie(t, dsn, "", "migrate"); r.code != 0 || !strings.Contains(r.stdout, "up to date") {
		t.Fatalf("%+v", r)
	}
	if r := vigie(t, "mysql://x", "", "migrate"); r.code != 1 || !strings.Contains(r.stderr, "want sqlite:PATH") {
		t.Fatalf("%+v", r)
	}
}

// TestServeShutsDownOnSIGTERM runs vigie serve as a real process, calls the
// API with a token made by the CLI, then stops it with SIGTERM.
func TestServeShutsDownOnSIGTERM(t *testing.T) {
	dsn := storetest.DSN(t, store.SQLite)
	if r := vigie(t, dsn, "a long enough password\n", "user", "add", "--email", "ops@example.org"); r.code != 0 {
		t.Fatalf("%+v", r)
	}
	token := strings.TrimSpace(vigie(t, dsn, "", "token", "create", "--user", "ops@example.org", "--name", "t").stdout)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	cmd := exec.Command(os.Args[0], "serve", "--listen", addr)
	cmd.Env = append(os.Environ(), "VIGIE_TEST_AS_MAIN=1", "VIGIE_DB="+dsn)
	var logs bytes.Buffer
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill() }()
	var resp *http.Response
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		req, _ := http.NewRequest("GET", fmt.Sprintf("http://%s/api/v1/assets", addr), nil)
		req.Header.Set("Authorization", "Bearer "+token)
		if resp, err = http.DefaultClient.Do(req); err == nil {
			break
		}
	}
	if resp == nil {
		t.Fatalf("server never answered: %v\n%s", err, logs.String())
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"assets"`) {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, logs.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("server did not stop after SIGTERM")
	}
	if !slices.ContainsFunc(strings.Split(logs.String(), "\n"), func(l string) bool { return strings.Contains(l, "shutting down") }) {
		t.Fatalf("no shutdown log:\n%s", logs.String())
	}
}

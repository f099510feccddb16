package web_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// panelDoc is the page of docs these tests keep honest.
const panelDoc = "../../docs/panel.md"

// docBlock returns the code of the fenced block between the markers
// <!-- panel-test:name --> and <!-- /panel-test:name --> of docs/panel.md.
func docBlock(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(panelDoc)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	_, rest, ok := strings.Cut(doc, "<!-- panel-test:"+name+" -->")
	block, _, ok2 := strings.Cut(rest, "<!-- /panel-test:"+name+" -->")
	if !ok || !ok2 {
		t.Fatalf("%s: no block marked panel-test:%s", panelDoc, name)
	}
	block = strings.TrimSpace(block)
	_, code, ok := strings.Cut(block, "\n")
	if !ok || !strings.HasPrefix(block, "```") || !strings.HasSuffix(code, "```") {
		t.Fatalf("%s: the panel-test:%s block is not one fenced block", panelDoc, name)
	}
	return strings.TrimSuffix(code, "```")
}

// docSecret is the hand-off secret of these tests, as the doc makes one
// (openssl rand -hex 32): 64 characters used as text.
const docSecret = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

// handOffStub stands for Vigie's GET /handoff: it checks the link with
// auth.HandOffs.Check and sends the browser to next, or /account.
type handOffStub struct {
	offs     *auth.HandOffs
	mu       sync.Mutex
	accepted []auth.HandOff
}

func (s *handOffStub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h, err := s.offs.Check(r.Context(), r.URL.Query())
	if err != nil {
		http.Error(w, err.Error(), http.StatusForbidden)
		return
	}
	s.mu.Lock()
	s.accepted = append(s.accepted, h)
	s.mu.Unlock()
	next := h.Next
	if next == "" {
		next = "/account"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func TestThePanelDocsShellExampleMakesLinksVigieAccepts(t *testing.T) {
	for _, tool := range []string{"bash", "openssl", "curl"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is needed to run the shell example of %s", tool, panelDoc)
			}
			t.Skipf("%s not installed: %v", tool, err)
		}
	}
	script := docBlock(t, "sh")
	dir := t.TempDir()
	secretFile := filepath.Join(dir, "handoff.secret")
	if err := os.WriteFile(secretFile, []byte(docSecret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// The script asks `date +%s` for the time: a stand-in answers a fixed
	// one, which is also the checker's clock.
	at := time.Date(2026, 11, 26, 2, 0, 0, 0, time.UTC)
	shim := "#!/bin/sh\necho " + strconv.FormatInt(at.Unix(), 10) + "\n"
	if err := os.WriteFile(filepath.Join(dir, "date"), []byte(shim), 0o700); err != nil {
		t.Fatal(err)
	}
	offs, err := auth.NewHandOffs(storetest.Open(t, store.SQLite), []byte(docSecret), 0, 0, func() time.Time { return at.Add(40 * time.Second) })
	if err != nil {
		t.Fatal(err)
	}
	stub := &handOffStub{offs: offs}
	mux := http.NewServeMux()
	mux.Handle("GET /handoff", stub)
	srv := httptest.NewServer(mux)
	defer srv.Close()

	for _, tc := range []struct{ customer, next, lands string }{
		{"C00042", "/account/backups", "/account/backups"},
		{"C&42/é+1", "/account/tickets?state=open&page=2", "/account/tickets?state=open&page=2"},
		{"C00043", "", "/account"},
	} {
		t.Run(tc.customer, func(t *testing.T) {
			cmd := exec.Command("bash", "-euo", "pipefail", "-c", script)
			cmd.Env = append(os.Environ(), "PATH="+dir+string(os.PathListSeparator)+os.Getenv("PATH"),
				"VIGIE_URL="+srv.URL+"/", "HANDOFF_SECRET_FILE="+secretFile, "CUSTOMER="+tc.customer, "NEXT="+tc.next)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("the shell example failed: %v\n%s", err, out)
			}
			lines := strings.Split(strings.TrimSpace(string(out)), "\n")
			if len(lines) != 2 {
				t.Fatalf("want the link and curl's answer, got:\n%s", out)
			}
			if want := "303 " + srv.URL + tc.lands; lines[1] != want {
				t.Errorf("curl printed %q, want %q", lines[1], want)
			}
			stub.mu.Lock()
			last := stub.accepted[len(stub.accepted)-1]
			stub.mu.Unlock()
			if last.Customer != tc.customer || last.Next != tc.next || !last.At.Equal(at) {
				t.Errorf("accepted %+v, want customer %q next %q at %v", last, tc.customer, tc.next, at)
			}
			// The link printed is the one curl followed: spent.
			u, err := url.Parse(lines[0])
			if err != nil || !strings.HasPrefix(lines[0], srv.URL+"/handoff?") {
				t.Fatalf("the link %q: %v", lines[0], err)
			}
			if _, err := offs.Check(context.Background(), u.Query()); !errors.Is(err, auth.ErrHandOff) {
				t.Errorf("the link passed twice: %v", err)
			}
		})
	}
}

// The PHP example is checked by reading it, not by running it: PHP is no
// tool of this project, and installing it for one test would make the
// suite depend on a language runtime only this page uses. The test
// evaluates the PHP lines that build the signed text (string literals,
// variables and the concatenation operator, nothing else, or it fails)
// and compares their HMAC with Vigie's own signature.
func TestThePanelDocsPHPExampleSignsWhatVigieChecks(t *testing.T) {
	php := docBlock(t, "php")
	// One statement per pattern, each found exactly once.
	find := func(pattern string) []string {
		t.Helper()
		re := regexp.MustCompile(pattern)
		if n := len(re.FindAllString(php, -1)); n != 1 {
			t.Fatalf("the PHP example has %d matches of %s, want 1", n, pattern)
		}
		return re.FindStringSubmatch(php)
	}
	first := find(`\$msg = ([^;]+);`)[1]
	more := find(`if \(\$next !== ''\) \{\s*\$msg \.= ([^;]+);`)[1]
	find(`\$query\['sig'\] = hash_hmac\('sha256', \$msg, \$secret\);`)
	find(`\$query = \['customer' => \$customer, 'ts' => \$ts, 'nonce' => \$nonce\];`)
	find(`\$query\['next'\] = \$next;`)
	find(`'/handoff\?' \. http_build_query\(`)
	find(`\$ts = \(string\) time\(\);`)
	if n, _ := strconv.Atoi(find(`\$nonce = bin2hex\(random_bytes\((\d+)\)\);`)[1]); 2*n < 16 || 2*n > 64 {
		t.Errorf("the PHP nonce has %d characters, Vigie takes 16 to 64", 2*n)
	}

	at := time.Date(2026, 11, 26, 2, 0, 0, 0, time.UTC)
	for _, next := range []string{"", "/account/backups"} {
		vars := map[string]string{"customer": "C00042", "ts": strconv.FormatInt(at.Unix(), 10),
			"nonce": "0123456789abcdef0123456789abcdef", "next": next}
		msg := phpConcat(t, first, vars)
		if next != "" {
			msg += phpConcat(t, more, vars)
		}
		m := hmac.New(sha256.New, []byte(docSecret))
		m.Write([]byte(msg))
		got := hex.EncodeToString(m.Sum(nil))
		if want := auth.SignHandOff([]byte(docSecret), "C00042", at, vars["nonce"], next).Get("sig"); got != want {
			t.Errorf("next %q: the PHP example signs %q, whose MAC %s is not Vigie's %s", next, msg, got, want)
		}
	}
}

// phpConcat evaluates a PHP concatenation of double-quoted literals (with
// \n as their only escape) and variables.
func phpConcat(t *testing.T, expr string, vars map[string]string) string {
	t.Helper()
	var out strings.Builder
	for part := range strings.SplitSeq(expr, " . ") {
		part = strings.TrimSpace(part)
		switch {
		case len(part) >= 2 && part[0] == '"' && part[len(part)-1] == '"':
			lit := part[1 : len(part)-1]
			if strings.ContainsAny(strings.ReplaceAll(lit, `\n`, ""), `\$"`) {
				t.Fatalf("the PHP literal %s has escapes or variables this test does not read", part)
			}
			out.WriteString(strings.ReplaceAll(lit, `\n`, "\n"))
		case strings.HasPrefix(part, "$"):
			v, ok := vars[part[1:]]
			if !ok {
				t.Fatalf("the PHP example signs %s, which is none of the link's parameters", part)
			}
			out.WriteString(v)
		default:
			t.Fatalf("the PHP example builds its text with %q, which this test does not read", part)
		}
	}
	return out.String()
}

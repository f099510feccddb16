package web

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/heartbeat"
	"github.com/vigie/vigie/internal/probe"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// sendHead opens a connection, writes a request's head and the first
// bytes of its body, and returns the connection with a 5 s deadline: the
// answer must come before, the rest of the body never does.
func sendHead(t *testing.T, addr, head, firstBytes string) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	if err := conn.SetDeadline(time.Now().Add(5 * time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(conn, head+"\r\n"+firstBytes); err != nil {
		t.Fatal(err)
	}
	return conn
}

// TestBadCredentialsAreRefusedBeforeTheBody: on every surface, a request
// whose credential is wrong is answered without waiting for its body.
func TestBadCredentialsAreRefusedBeforeTheBody(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	srv := httptest.NewServer(NewServer(Deps{Heartbeats: heartbeat.NewStore(db), Locations: probe.NewLocationStore(db)}).Handler())
	t.Cleanup(srv.Close)
	for _, tc := range []struct{ name, head string }{
		{"made-up heartbeat token", "POST /api/v1/heartbeats/hb_0123456789abcdef_" + strings.Repeat("A", 43) + " HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n"},
		{"no staff token", "POST /api/v1/import HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n"},
		{"no location token", "POST /api/v1/probe/results HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conn := sendHead(t, srv.Listener.Addr().String(), tc.head, "{")
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatalf("no answer before the body: %v", err)
			}
			_ = resp.Body.Close()
			if (resp.StatusCode != http.StatusUnauthorized && resp.StatusCode != http.StatusNotFound) || !resp.Close {
				t.Fatalf("status %d, close %v; want a refusal and the connection closed", resp.StatusCode, resp.Close)
			}
		})
	}
}

// TestASlowBodyIsCutAtItsClassDeadline sends a valid heartbeat whose body
// stops after one byte: the ping class's read deadline (shortened here)
// ends the request instead of letting it hold the connection.
func TestASlowBodyIsCutAtItsClassDeadline(t *testing.T) {
	saved := classPing
	classPing.read = 300 * time.Millisecond
	t.Cleanup(func() { classPing = saved })
	db := storetest.Open(t, store.SQLite)
	s := heartbeat.NewStore(db)
	token := ensureToken(t, s, "backup/nightly")
	srv := httptest.NewServer(NewServer(Deps{Heartbeats: s}).Handler())
	t.Cleanup(srv.Close)
	start := time.Now()
	conn := sendHead(t, srv.Listener.Addr().String(),
		"POST /api/v1/heartbeats/"+token+" HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n", "{")
	// Whatever the server answers, it must be done with the connection
	// well before the 5 s this side waits.
	_, err := io.Copy(io.Discard, conn)
	if err != nil {
		t.Fatalf("the server held the connection: %v (after %v)", err, time.Since(start))
	}
	if _, last, err := s.Last(context.Background(), "backup/nightly"); err != nil || !last.IsZero() {
		t.Fatalf("a cut ping was recorded: %v %v", last, err)
	}
}

// TestImportsRunFewAtATimeFromTemporaryFiles holds one import open with a
// body that has not all arrived: a second is refused with 429 and
// Retry-After; once the first ends, imports run again, and their spooled
// files are gone.
func TestImportsRunFewAtATimeFromTemporaryFiles(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	db := storetest.Open(t, store.SQLite)
	base := serveAPI(t, db, Deps{MaxImports: 1}, "")
	yaml := "assets:\n  - {name: hv01, kind: hypervisor}\n"
	pr, pw := io.Pipe()
	first := make(chan int, 1)
	go func() {
		req, _ := http.NewRequest("POST", base+"/api/v1/import?name=slow.yaml", pr)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			first <- 0
			return
		}
		_ = resp.Body.Close()
		first <- resp.StatusCode
	}()
	if _, err := io.WriteString(pw, yaml[:10]); err != nil {
		t.Fatal(err)
	}
	// The first import holds the only slot once its body is spooling.
	deadline := time.Now().Add(5 * time.Second)
	for {
		entries, _ := filepath.Glob(filepath.Join(tmp, "vigie-import-*"))
		if len(entries) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the first import never started spooling")
		}
		time.Sleep(10 * time.Millisecond)
	}
	resp, err := http.Post(base+"/api/v1/import", "application/yaml", strings.NewReader(yaml))
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("a second import while one runs: %d (Retry-After %q), want 429", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if _, err := io.WriteString(pw, yaml[10:]); err != nil {
		t.Fatal(err)
	}
	_ = pw.Close()
	if got := <-first; got != http.StatusOK {
		t.Fatalf("the first import: %d", got)
	}
	resp, err = http.Post(base+"/api/v1/import", "application/yaml", strings.NewReader(yaml))
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("an import after the first ended: %d", resp.StatusCode)
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Fatalf("spooled files left behind: %v", fmt.Sprint(left))
	}
}

package check

import (
	"bufio"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestHTTPDoesWhatAClientWould proves a run does what net/http's client
// did for it: gzip asked for and undone, the URL's credentials sent,
// informational answers skipped, the method a redirect leads to, the
// Referer, and credentials kept from another site.
func TestHTTPDoesWhatAClientWould(t *testing.T) {
	var mu sync.Mutex
	var seen []string // what the other site received
	other := startHTTP(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, fmt.Sprintf("auth=%q cookie=%q x=%q", r.Header.Get("Authorization"), r.Header.Get("Cookie"), r.Header.Get("X-Check")))
		mu.Unlock()
		io.WriteString(w, "elsewhere")
	}))
	mux := http.NewServeMux()
	mux.HandleFunc("/gzip", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Accept-Encoding") != "gzip" {
			http.Error(w, "gzip not asked for", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w)
		io.WriteString(zw, "a compressed welcome")
		zw.Close()
	})
	mux.HandleFunc("/auth", func(w http.ResponseWriter, r *http.Request) {
		user, pass, ok := r.BasicAuth()
		fmt.Fprintf(w, "auth=%v user=%s pass=%s", ok, user, pass)
	})
	mux.HandleFunc("/early", func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusEarlyHints)
		w.WriteHeader(http.StatusEarlyHints)
		io.WriteString(w, "after hints")
	})
	mux.HandleFunc("/see-other", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/method", http.StatusSeeOther)
	})
	mux.HandleFunc("/temporary", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/method", http.StatusTemporaryRedirect)
	})
	mux.HandleFunc("/method", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "method=%s referer=%s", r.Method, r.Referer())
	})
	mux.HandleFunc("/away", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/", http.StatusFound)
	})
	mux.HandleFunc("/ftp", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "ftp://files.example/", http.StatusFound)
	})
	srv := startHTTP(t, mux)
	e := NewEngine(Options{})
	tests := []struct {
		name string
		c    Check
		want want
	}{
		{"gzip asked for and undone", Check{URL: srv.URL + "/gzip", HTTPOptions: &HTTPOptions{BodyContains: "compressed welcome"}},
			want{OK: true, Phase: PhaseDone, Message: "HTTP/1.1 200 OK"}},
		{"the URL's credentials", Check{URL: strings.Replace(srv.URL, "://", "://ops:s3cret@", 1) + "/auth", HTTPOptions: &HTTPOptions{BodyContains: "auth=true user=ops pass=s3cret"}},
			want{OK: true, Phase: PhaseDone, Message: "HTTP/1.1 200 OK"}},
		{"the check's own authorization wins", Check{
			URL:         strings.Replace(srv.URL, "://", "://ops:s3cret@", 1) + "/auth",
			HTTPOptions: &HTTPOptions{Headers: map[string]string{"Authorization": "Basic b3RoZXI6b25l"}, BodyContains: "user=other pass=one"},
		},
			want{OK: true, Phase: PhaseDone, Message: "HTTP/1.1 200 OK"}},
		{"informational answers skipped", Check{URL: srv.URL + "/early", HTTPOptions: &HTTPOptions{BodyContains: "after hints"}},
			want{OK: true, Phase: PhaseDone, Message: "HTTP/1.1 200 OK"}},
		{"303 turns a POST into a GET", Check{URL: srv.URL + "/see-other", HTTPOptions: &HTTPOptions{Method: http.MethodPost, BodyContains: "method=GET referer=" + srv.URL + "/see-other"}},
			want{OK: true, Phase: PhaseDone, Message: "HTTP/1.1 200 OK"}},
		{"307 keeps the method", Check{URL: srv.URL + "/temporary", HTTPOptions: &HTTPOptions{Method: http.MethodDelete, BodyContains: "method=DELETE"}},
			want{OK: true, Phase: PhaseDone, Message: "HTTP/1.1 200 OK"}},
		{"redirect to another site", Check{
			URL:         srv.URL + "/away",
			HTTPOptions: &HTTPOptions{BodyContains: "elsewhere", Headers: map[string]string{"Authorization": "Bearer t", "Cookie": "s=1", "X-Check": "yes"}},
		},
			want{OK: true, Phase: PhaseDone, Message: "HTTP/1.1 200 OK"}},
		{"redirect to another scheme", Check{URL: srv.URL + "/ftp"},
			want{Phase: PhaseResponse, Reason: ReasonNetwork, Message: `unsupported protocol scheme "ftp"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.c
			c.Kind = HTTP
			checkResult(t, run(t, e, &c), tt.want)
		})
	}
	mu.Lock()
	defer mu.Unlock()
	if want := []string{`auth="" cookie="" x="yes"`}; strings.Join(seen, "|") != want[0] {
		t.Errorf("the other site received %q, want %q: credentials go to their own site only", seen, want)
	}
}

// TestHTTPAnswersThatCannotBeRead proves a site cannot make a run read
// headers without end, and that a run given up ends at once.
func TestHTTPAnswersThatCannotBeRead(t *testing.T) {
	endless := startTCP(t, func(conn net.Conn) {
		_, _ = bufio.NewReader(conn).ReadString('\n')
		_, _ = io.WriteString(conn, "HTTP/1.1 200 OK\r\n")
		for i := 0; ; i++ {
			if _, err := fmt.Fprintf(conn, "X-Filler-%d: %s\r\n", i, strings.Repeat("f", 1000)); err != nil {
				return
			}
		}
	})
	res := run(t, NewEngine(Options{}), &Check{Kind: HTTP, URL: "http://" + endless + "/"})
	checkResult(t, res, want{Phase: PhaseResponse, Reason: ReasonNetwork, Message: "the answer's headers are longer than 64 KiB"})

	// A site that reads the request and never answers, nor hangs up
	// before the test ends.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	accepted := make(chan net.Conn, 1)
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		_, _ = bufio.NewReader(conn).ReadString('\n') // the request is written
		accepted <- conn
	}()
	t.Cleanup(func() {
		ln.Close()
		select {
		case conn := <-accepted:
			conn.Close()
		default:
		}
	})
	silent := ln.Addr().String()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	done := make(chan Result, 1)
	go func() {
		done <- NewEngine(Options{}).Run(ctx, &Check{Kind: HTTP, URL: "http://" + silent + "/", Timeout: Duration(30 * time.Second)})
	}()
	conn := <-accepted
	accepted <- conn // closed at the end
	cancel()
	select {
	case res := <-done:
		checkResult(t, res, want{Phase: PhaseResponse, Reason: ReasonTimeout, Message: "context canceled"})
	case <-time.After(10 * time.Second):
		t.Fatal("a cancelled run still waits for its answer")
	}
}

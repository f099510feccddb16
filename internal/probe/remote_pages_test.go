package probe

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/check"
)

// pagedServer serves assignments in pages as the server does: a cursor
// names the version of its listing, and a page of a version gone is a 409.
// Before answering the first page after the first one it may move to the
// next version (change), as a write between two pages would.
type pagedServer struct {
	mu       sync.Mutex
	versions [][]string // the checks' keys of each version
	version  int
	change   bool
	// seen is what the probe held when a page after the first was asked.
	seen      []string
	probe     *Remote
	refuse    bool // as a server older than pages: limit is unknown
	requests  []string
	conflicts int
}

func (s *pagedServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := r.URL.Query()
	s.requests = append(s.requests, r.URL.RawQuery)
	if s.refuse && q.Has("limit") {
		http.Error(w, `{"message": "unknown query parameter limit: this route takes wait"}`, http.StatusBadRequest)
		return
	}
	keys := s.versions[s.version]
	limit, from := len(keys), 0
	if v := q.Get("limit"); v != "" {
		limit, _ = strconv.Atoi(v)
	}
	if c := q.Get("cursor"); c != "" {
		if s.change {
			s.change = false
			s.version++
			s.probe.mu.Lock()
			for k := range s.probe.checks {
				s.seen = append(s.seen, k)
			}
			s.probe.mu.Unlock()
		}
		v, i, _ := strings.Cut(c, ":")
		if v != strconv.Itoa(s.version) {
			s.conflicts++
			http.Error(w, `{"message": "cursor: no longer served"}`, http.StatusConflict)
			return
		}
		from, _ = strconv.Atoi(i)
		keys = s.versions[s.version]
	}
	to := min(from+limit, len(keys))
	body := map[string]any{"version": s.version}
	var list []check.Check
	for _, k := range keys[from:to] {
		asset, name, _ := strings.Cut(k, "/")
		list = append(list, check.Check{Asset: asset, Name: name, Kind: check.TCP, Address: "127.0.0.1:1", Interval: check.Duration(time.Hour)})
	}
	body["checks"] = list
	if to < len(keys) {
		body["next"] = fmt.Sprintf("%d:%d", s.version, to)
	}
	w.Header().Set("ETag", fmt.Sprintf(`"v%d"`, s.version))
	_ = json.NewEncoder(w).Encode(body)
}

func keysN(prefix string, n int) []string {
	var out []string
	for i := range n {
		out = append(out, fmt.Sprintf("%s/c%02d", prefix, i))
	}
	return out
}

// TestARemoteProbeReadsItsChecksInPages reads a whole assignment in pages
// of 3: the version changes between the first two, the next page is
// refused, and the probe reads again from the first page, ending with the
// new version's checks, which it took only once all its pages were in. A
// server older than pages refuses limit: the probe asks for everything.
func TestARemoteProbeReadsItsChecksInPages(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	v0, v1 := keysN("web1", 10), append(keysN("web1", 5), keysN("web2", 6)...)
	srv := &pagedServer{versions: [][]string{v0, v1}, change: true}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	r, err := NewRemote(RemoteOptions{Server: ts.URL, Token: "t", BufferDir: t.TempDir(), PageSize: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = r.buf.Close() }()
	srv.probe = r
	for range 2 {
		if _, err := r.pull(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if got := r.Assigned(); !slices.Equal(got, v1) || r.etag != `"v1"` {
		t.Fatalf("after a change between pages, the probe holds %v at %s; want the new version's %v", got, r.etag, v1)
	}
	if full, _ := r.Pulls(); full != 1 || r.Restarts() != 1 || srv.conflicts != 1 {
		t.Fatalf("%d whole lists taken, %d restarts, %d pages refused; want 1, 1, 1", full, r.Restarts(), srv.conflicts)
	}
	if len(srv.seen) != 0 {
		t.Fatalf("the probe took %d checks before all the pages of a version were in", len(srv.seen))
	}
	// Pages of 3 of 11 checks: 4 requests after the first, refused one.
	if len(srv.requests) != 6 || !strings.Contains(srv.requests[0], "limit=3") {
		t.Fatalf("requests %v", srv.requests)
	}

	old := &pagedServer{versions: [][]string{v0}, refuse: true}
	ts2 := httptest.NewServer(old)
	defer ts2.Close()
	r2, err := NewRemote(RemoteOptions{Server: ts2.URL, Token: "t", BufferDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = r2.buf.Close() }()
	for range 2 {
		if _, err := r2.pull(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if got := r2.Assigned(); !slices.Equal(got, v0) || len(old.requests) != 2 || strings.Contains(old.requests[1], "limit") {
		t.Fatalf("from a server without pages: %v after requests %v", got, old.requests)
	}
}

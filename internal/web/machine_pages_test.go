package web_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/app"
	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/probe"
	"github.com/vigie/vigie/internal/store/storetest"
)

// assignmentsPageAnswer is a page of assignments as a probe reads it.
type assignmentsPageAnswer struct {
	Version    int64         `json:"version"`
	Checks     []check.Check `json:"checks"`
	Members    []string      `json:"members"`
	HandoverAt time.Time     `json:"handover_at"`
	Next       string        `json:"next"`
	Message    string        `json:"message"`
}

// assignedHost has 30 checks run from paris: 10 pinned there and 20 run
// everywhere, among checks pinned to tokyo, with asset names whose keys
// sort apart from the names ("a-b/…" before "a/…").
func assignedHost() string {
	var b strings.Builder
	b.WriteString("assets:\n")
	for _, n := range []string{"a", "a-b", "b"} {
		fmt.Fprintf(&b, "  - {name: %s, kind: vm}\n", n)
	}
	b.WriteString("checks:\n")
	for i := range 10 {
		for _, n := range []string{"a", "a-b", "b"} {
			loc := "[paris]"
			if n == "b" && i%2 == 0 {
				loc = "[tokyo]"
			}
			if n == "a-b" {
				loc = "[]"
			}
			fmt.Fprintf(&b, "  - {asset: %s, name: c%d, kind: tcp, address: \"127.0.0.1:1\", locations: %s}\n", n, i, loc)
		}
	}
	return b.String()
}

// serveAssigned opens a server on dsn with assignedHost and the location
// paris, and returns it with a client of paris.
func serveAssigned(t *testing.T, dsn string) (*app.App, assignmentsClient) {
	t.Helper()
	ctx := context.Background()
	a, err := app.Open(ctx, app.Config{DB: dsn})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close() })
	if _, err := a.Inventory.ImportFiles(ctx, []inventory.File{{Name: "h.yaml", Data: []byte(assignedHost())}}, inventory.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	token, err := a.Locations.Add(ctx, "paris")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(srv.Close)
	return a, assignmentsClient{t: t, base: srv.URL, token: token}
}

// assignmentsClient calls the assignments of a location on one server.
type assignmentsClient struct {
	t     *testing.T
	base  string
	token string
}

func (c assignmentsClient) get(query, member string) (int, http.Header, assignmentsPageAnswer) {
	c.t.Helper()
	req, _ := http.NewRequest("GET", c.base+"/api/v1/probe/assignments"+query, nil)
	req.Header.Set("Authorization", "Bearer "+c.token)
	if member != "" {
		req.Header.Set(probe.MemberHeader, member)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	raw, _ := io.ReadAll(resp.Body)
	var out assignmentsPageAnswer
	if err := json.Unmarshal(raw, &out); err != nil {
		c.t.Fatalf("assignments%s: %d %s", query, resp.StatusCode, raw)
	}
	return resp.StatusCode, resp.Header, out
}

// pages follows the cursors from a first page of limit, checking that each
// page names the listing's ETag and links to the next, and returns the
// checks and that ETag.
func (c assignmentsClient) pages(limit int, member string) ([]check.Check, string) {
	c.t.Helper()
	status, h, page := c.get(fmt.Sprintf("?limit=%d", limit), member)
	etag := h.Get("ETag")
	var out []check.Check
	for n := 0; ; n++ {
		if status != 200 || len(page.Checks) > limit {
			c.t.Fatalf("page %d: %d, %d checks (limit %d) %s", n, status, len(page.Checks), limit, page.Message)
		}
		if h.Get("ETag") != etag {
			c.t.Fatalf("page %d: ETag %s, the first page's %s", n, h.Get("ETag"), etag)
		}
		out = append(out, page.Checks...)
		if page.Next == "" {
			if h.Get("Link") != "" {
				c.t.Fatalf("the last page links to %s", h.Get("Link"))
			}
			return out, etag
		}
		if !strings.Contains(h.Get("Link"), "cursor="+page.Next) || !strings.Contains(h.Get("Link"), fmt.Sprintf("limit=%d", limit)) {
			c.t.Fatalf("page %d: Link %q does not name the next cursor and the limit", n, h.Get("Link"))
		}
		status, h, page = c.get(fmt.Sprintf("?limit=%d&cursor=%s", limit, page.Next), member)
	}
}

func keysOfList(list []check.Check) []string {
	out := []string{}
	for i := range list {
		out = append(out, list[i].Key())
	}
	return out
}

// TestAssignmentsComeInPages reads the assignments of paris in pages of
// several sizes: they make the unpaged answer, in the same order, with its
// ETag. A change between two pages leaves the listing at its version; a
// second server on the same database serves the next page at that version
// too, and refuses it with a 409 naming the cursor once its version moved
// on. Bad limits and cursors are refused with what is wrong, and change
// nothing: the member that sent them is not seen.
func TestAssignmentsComeInPages(t *testing.T) {
	for _, e := range storetest.Engines {
		t.Run(string(e), func(t *testing.T) {
			ctx := context.Background()
			dsn := storetest.DSN(t, e)
			a, c := serveAssigned(t, dsn)
			srv, token := c.base, c.token

			status, h, whole := c.get("", "")
			if status != 200 || len(whole.Checks) != 25 || whole.Next != "" {
				t.Fatalf("unpaged: %d, %d checks, next %q", status, len(whole.Checks), whole.Next)
			}
			for _, limit := range []int{1, 4, 25, 10000} {
				got, etag := c.pages(limit, "")
				if !reflect.DeepEqual(got, whole.Checks) || etag != h.Get("ETag") {
					t.Fatalf("pages of %d (ETag %s):\n %v\nwant the unpaged answer (ETag %s):\n %v", limit, etag, keysOfList(got), h.Get("ETag"), keysOfList(whole.Checks))
				}
			}

			// A change between two pages: the listing stays at its version.
			_, h1, first := c.get("?limit=10", "")
			if _, err := a.Inventory.SaveCheck(ctx, check.Check{Asset: "b", Name: "c1", Kind: check.TCP, Address: "127.0.0.1:2", Locations: []string{"paris"}}, inventory.Update); err != nil {
				t.Fatal(err)
			}
			got := first.Checks
			for next := first.Next; next != ""; {
				status, h2, page := c.get("?limit=10&cursor="+next, "")
				if status != 200 || h2.Get("ETag") != h1.Get("ETag") || page.Version != first.Version {
					t.Fatalf("a page after a change: %d, ETag %s version %d; want the listing's %s", status, h2.Get("ETag"), page.Version, h1.Get("ETag"))
				}
				got, next = append(got, page.Checks...), page.Next
			}
			if !reflect.DeepEqual(got, whole.Checks) {
				t.Fatalf("pages across a change:\n %v\nwant the version they started from:\n %v", keysOfList(got), keysOfList(whole.Checks))
			}
			_, h, whole = c.get("", "")
			if h.Get("ETag") == h1.Get("ETag") {
				t.Fatal("the change did not move the ETag on")
			}

			// Another server on the same database, as behind a load
			// balancer: it serves the next page of a listing at its own
			// version, and refuses it once its version moved on.
			b, err := app.Open(ctx, app.Config{DB: dsn})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = b.Close() })
			srvB := httptest.NewServer(b.Handler())
			t.Cleanup(srvB.Close)
			cb := assignmentsClient{t: t, base: srvB.URL, token: token}
			_, hA, pageA := c.get("?limit=3", "")
			if _, err := b.Inventory.SaveCheck(ctx, check.Check{Asset: "b", Name: "c1", Kind: check.TCP, Address: "127.0.0.1:3", Locations: []string{"paris"}}, inventory.Update); err != nil {
				t.Fatal(err)
			}
			status, _, refused := cb.get("?limit=3&cursor="+pageA.Next, "")
			if status != 409 || !strings.Contains(refused.Message, "cursor: the assignments it continues ("+hA.Get("ETag")+") are no longer served") ||
				!strings.Contains(refused.Message, "start again without cursor") {
				t.Fatalf("a page of a version the server no longer has: %d %q", status, refused.Message)
			}
			// The first server catches up (as its watch would): the next
			// page of its new listing comes from the second.
			if err := a.Inventory.Refresh(ctx); err != nil {
				t.Fatal(err)
			}
			_, _, whole = c.get("", "")
			_, hA, pageA = c.get("?limit=10", "")
			status, hB, pageB := cb.get("?limit=10&cursor="+pageA.Next, "")
			if status != 200 || hB.Get("ETag") != hA.Get("ETag") || !reflect.DeepEqual(append(pageA.Checks, pageB.Checks...), whole.Checks[:20]) {
				t.Fatalf("the next page from another server at the same version: %d %s %v", status, pageB.Message, keysOfList(pageB.Checks))
			}

			m := "cccc0003; name=probe-3; heartbeat=1m"
			stale := base64.RawURLEncoding.EncodeToString([]byte(`["states","x","y"]`))
			bad := []struct{ query, want string }{
				{"?limit=0", `limit: want a number from 1 to 10000, got \"0\"`},
				{"?limit=10001", `limit: want a number from 1 to 10000, got \"10001\"`},
				{"?limit=ten", `limit: want a number from 1 to 10000, got \"ten\"`},
				{"?limit=5&cursor=not.a.cursor", "cursor: not a cursor of this list"},
				{"?limit=5&cursor=" + stale, "cursor: not a cursor of this list"},
				{"?limit=5&cursor=" + url.QueryEscape(pageA.Next), "cursor: it continues the assignments of a location, not of a member"},
			}
			for _, x := range bad {
				req, _ := http.NewRequest("GET", srv+"/api/v1/probe/assignments"+x.query, nil)
				req.Header.Set("Authorization", "Bearer "+token)
				req.Header.Set(probe.MemberHeader, m)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				raw, _ := io.ReadAll(resp.Body)
				_ = resp.Body.Close()
				if resp.StatusCode != 400 || !strings.Contains(string(raw), x.want) {
					t.Errorf("assignments%s: %d %s; want 400 saying %s", x.query, resp.StatusCode, raw, x.want)
				}
			}
			if list, err := a.Members.List(ctx, "paris"); err != nil || len(list) != 0 {
				t.Fatalf("after bad requests only, members %+v %v; want none seen", list, err)
			}
		})
	}
}

// TestAMembersPagesAreItsShare reads the assignments of two members of
// paris in pages: each member's pages make its unpaged share, and the two
// shares make the location's checks.
func TestAMembersPagesAreItsShare(t *testing.T) {
	for _, e := range storetest.Engines {
		t.Run(string(e), func(t *testing.T) {
			_, c := serveAssigned(t, storetest.DSN(t, e))
			_, _, all := c.get("", "")
			m1, m2 := "aaaa0001; name=probe-1; heartbeat=1m", "bbbb0002; name=probe-2; heartbeat=1m"
			c.get("", m1)
			// The members are read at most every quarter of a second: wait
			// until both are seen.
			for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
				_, _, got := c.get("", m2)
				if len(got.Members) == 2 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("the second member not seen within 10s: %v", got.Members)
				}
			}
			alive := []string{"aaaa0001", "bbbb0002"}
			var union []string
			for _, m := range []struct{ hello, id string }{{m1, "aaaa0001"}, {m2, "bbbb0002"}} {
				_, h, share := c.get("", m.hello)
				got, etag := c.pages(3, m.hello)
				if etag != h.Get("ETag") || !strings.Contains(etag, "-m") || !reflect.DeepEqual(got, share.Checks) {
					t.Fatalf("%s in pages of 3 (ETag %s):\n %v\nwant its share (ETag %s):\n %v", m.id, etag, keysOfList(got), h.Get("ETag"), keysOfList(share.Checks))
				}
				for _, k := range keysOfList(got) {
					if owner := probe.OwnerOf(k, alive); owner != m.id {
						t.Errorf("%s got %s in its pages; its owner is %s", m.id, k, owner)
					}
				}
				union = append(union, keysOfList(got)...)
			}
			if len(union) != len(all.Checks) || len(keysOfList(all.Checks)) == 0 {
				t.Fatalf("the shares hold %d checks, the location %d", len(union), len(all.Checks))
			}
		})
	}
}

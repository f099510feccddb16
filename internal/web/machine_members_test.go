package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/app"
	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/probe"
	"github.com/vigie/vigie/internal/store/storetest"
)

// assignmentsAnswer is what a member reads of its assignments.
type assignmentsAnswer struct {
	Checks     []check.Check `json:"checks"`
	Of         int           `json:"of"`
	Members    []string      `json:"members"`
	HandoverAt time.Time     `json:"handover_at"`
}

// TestMembersOfALocationShareItsChecks runs the whole server: two probe
// processes of paris name themselves; each gets its rendezvous share, the
// first's long poll wakes when the second joins, any member's results for
// any check of the location are taken, an empty batch is a heartbeat, and
// a malformed member header is refused with what is wrong.
func TestMembersOfALocationShareItsChecks(t *testing.T) {
	for _, e := range storetest.Engines {
		t.Run(string(e), func(t *testing.T) {
			ctx := context.Background()
			a, err := app.Open(ctx, app.Config{DB: storetest.DSN(t, e)})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = a.Close() })
			var host strings.Builder
			host.WriteString("assets:\n  - {name: web1, kind: vm}\nchecks:\n")
			for i := range 40 {
				fmt.Fprintf(&host, "  - {asset: web1, name: c%02d, kind: tcp, address: \"127.0.0.1:1\", locations: [paris]}\n", i)
			}
			if _, err := a.Inventory.ImportFiles(ctx, []inventory.File{{Name: "h.yaml", Data: []byte(host.String())}}, inventory.ImportOptions{}); err != nil {
				t.Fatal(err)
			}
			token, err := a.Locations.Add(ctx, "paris")
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(a.Handler())
			t.Cleanup(srv.Close)
			call := func(method, path, member, etag, body string) (int, http.Header, string) {
				t.Helper()
				req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+token)
				if member != "" {
					req.Header.Set(probe.MemberHeader, member)
				}
				if etag != "" {
					req.Header.Set("If-None-Match", etag)
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Error(err)
					return 0, nil, ""
				}
				defer func() { _ = resp.Body.Close() }()
				b, _ := io.ReadAll(resp.Body)
				return resp.StatusCode, resp.Header, string(b)
			}
			poll := func(member, etag string) (assignmentsAnswer, string) {
				t.Helper()
				status, h, body := call("GET", "/api/v1/probe/assignments?wait=20s", member, etag, "")
				var out assignmentsAnswer
				if err := json.Unmarshal([]byte(body), &out); status != 200 || err != nil {
					t.Fatalf("assignments of %s: %d %s", member, status, body)
				}
				return out, h.Get("ETag")
			}
			keys := func(a assignmentsAnswer) []string {
				var out []string
				for i := range a.Checks {
					out = append(out, a.Checks[i].Key())
				}
				slices.Sort(out)
				return out
			}
			m1, m2 := "aaaa0001; name=probe-1; heartbeat=500ms", "bbbb0002; name=probe-2; heartbeat=500ms"

			alone, tag1 := poll(m1, "")
			if len(alone.Checks) != 40 || alone.Of != 40 || !slices.Equal(alone.Members, []string{"aaaa0001"}) {
				t.Fatalf("the first member alone: %d checks of %d, members %v", len(alone.Checks), alone.Of, alone.Members)
			}
			// The first member waits on its ETag; the second joins: the
			// wait ends with the first's new share.
			woke := make(chan assignmentsAnswer, 1)
			go func() {
				got, _ := poll(m1, tag1)
				woke <- got
			}()
			time.Sleep(300 * time.Millisecond) // let the poll start waiting; its answer is checked, not timed
			joinedAt := time.Now()
			second, _ := poll(m2, "")
			var first assignmentsAnswer
			select {
			case first = <-woke:
			case <-time.After(10 * time.Second):
				t.Fatal("the first member's poll did not wake when the second joined")
			}
			t.Logf("the first member's poll woke %s after the join", time.Since(joinedAt))
			alive := []string{"aaaa0001", "bbbb0002"}
			for _, got := range []assignmentsAnswer{first, second} {
				if !slices.Equal(got.Members, alive) || got.Of != 40 {
					t.Fatalf("after the join: members %v of %d checks", got.Members, got.Of)
				}
				if got.HandoverAt.Before(joinedAt.Add(probe.MemberHandover-time.Second)) || !got.HandoverAt.Equal(second.HandoverAt) {
					t.Errorf("handover at %v, want one moment about %s after the join (%v)", got.HandoverAt, probe.MemberHandover, joinedAt)
				}
			}
			k1, k2 := keys(first), keys(second)
			all := slices.Sorted(slices.Values(append(slices.Clone(k1), k2...)))
			if len(k1) == 0 || len(k2) == 0 || len(all) != 40 || len(slices.Compact(all)) != 40 {
				t.Fatalf("shares: %d and %d checks, %d distinct of 40", len(k1), len(k2), len(slices.Compact(all)))
			}
			for _, k := range k2 {
				if probe.OwnerOf(k, alive) != "bbbb0002" {
					t.Errorf("check %s given to the second member, rendezvous hashing gives it to the first", k)
				}
			}

			// Results of a check of the second's share, from the first, are
			// taken: shares move while results travel.
			batch := fmt.Sprintf(`{"epoch": "aaaa0001", "records": [{"seq": 1, "key": %q, "result": {"ok": true}}]}`, k2[0])
			type taken struct {
				Ack     string `json:"ack"`
				Refused int    `json:"refused"`
			}
			var got taken
			status, _, body := call("POST", "/api/v1/probe/results", m1, "", batch)
			if err := json.Unmarshal([]byte(body), &got); status != 200 || err != nil || got != (taken{"1", 0}) {
				t.Fatalf("results of another member's check: %d %s", status, body)
			}
			status, _, body = call("POST", "/api/v1/probe/results", m2, "", `{"epoch": "bbbb0002", "records": []}`)
			if err := json.Unmarshal([]byte(body), &got); status != 200 || err != nil || got != (taken{"0", 0}) {
				t.Fatalf("heartbeat: %d %s", status, body)
			}
			bad := []struct{ member, body, want string }{
				{"aaaa0001; name=bad name", `{"epoch": "aaaa0001", "records": []}`, `Vigie-Member: invalid probe member: name \"bad name\"`},
				{"aaaa0001; heartbeat=1h", `{"epoch": "aaaa0001", "records": []}`, "heartbeat: want a duration from 250ms to 1m0s"},
				{m1, `{"epoch": "bbbb0002", "records": []}`, `epoch: \"bbbb0002\" is not the member named in Vigie-Member (\"aaaa0001\")`},
			}
			for _, c := range bad {
				status, _, body := call("POST", "/api/v1/probe/results", c.member, "", c.body)
				if status != 400 || !strings.Contains(body, c.want) {
					t.Errorf("member %q, batch %s: %d %s; want 400 saying %s", c.member, c.body, status, body, c.want)
				}
			}
			if status, _, body := call("GET", "/api/v1/probe/assignments", "a?b", "", ""); status != 400 || !strings.Contains(body, "want the probe buffer's id first") {
				t.Errorf("assignments with a bad member: %d %s", status, body)
			}
			// A change of checks reaches each member as a delta cut to its
			// share, while the members stay the same.
			beat := func() {
				t.Helper()
				for _, m := range []struct{ hello, epoch string }{{m1, "aaaa0001"}, {m2, "bbbb0002"}} {
					if status, _, body := call("POST", "/api/v1/probe/results", m.hello, "", `{"epoch": "`+m.epoch+`", "records": []}`); status != 200 {
						t.Fatalf("heartbeat: %d %s", status, body)
					}
				}
			}
			beat()
			_, tagA := poll(m1, "")
			_, tagB := poll(m2, "")
			for i := range 8 {
				c := check.Check{Asset: "web1", Name: fmt.Sprintf("c%02d", i), Kind: check.TCP, Address: "127.0.0.1:2", Locations: []string{"paris"}}
				if _, err := a.Inventory.SaveCheck(ctx, c, inventory.Update); err != nil {
					t.Fatal(err)
				}
			}
			beat()
			type deltaAnswer struct {
				Delta   bool          `json:"delta"`
				Changed []check.Check `json:"changed"`
			}
			delta := func(member, etag string) deltaAnswer {
				t.Helper()
				req, _ := http.NewRequest("GET", srv.URL+"/api/v1/probe/assignments", nil)
				req.Header.Set("Authorization", "Bearer "+token)
				req.Header.Set(probe.MemberHeader, member)
				req.Header.Set("If-None-Match", etag)
				req.Header.Set("Prefer", "delta")
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer func() { _ = resp.Body.Close() }()
				var out deltaAnswer
				if err := json.NewDecoder(resp.Body).Decode(&out); resp.StatusCode != 200 || err != nil {
					t.Fatalf("delta of %s: %d %v", member, resp.StatusCode, err)
				}
				return out
			}
			changedOf := map[string]int{}
			for _, m := range []struct{ hello, id, etag string }{{m1, "aaaa0001", tagA}, {m2, "bbbb0002", tagB}} {
				got := delta(m.hello, m.etag)
				if !got.Delta {
					t.Fatalf("%s got the whole list after a change of checks, want a delta", m.id)
				}
				for _, c := range got.Changed {
					if owner := probe.OwnerOf(c.Key(), alive); owner != m.id || c.Address != "127.0.0.1:2" {
						t.Errorf("%s got %s (%s) in its delta; its owner is %s", m.id, c.Key(), c.Address, owner)
					}
					changedOf[c.Key()]++
				}
			}
			if len(changedOf) != 8 {
				t.Errorf("the deltas carried %d of the 8 changed checks: %v", len(changedOf), changedOf)
			}
			// An ETag of other members gets the whole share.
			if got := delta(m1, `"v1-mstale"`); got.Delta {
				t.Error("a member whose ETag names other members got a delta")
			}
			list, err := a.Members.List(ctx, "paris")
			if err != nil || len(list) != 2 || list[0].Name != "probe-1" || list[1].Heartbeat != 500*time.Millisecond || list[0].LastSeq != 1 {
				t.Fatalf("members stored: %+v %v", list, err)
			}
		})
	}
}

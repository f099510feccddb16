package web_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/detect"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
	"github.com/vigie/vigie/internal/web"
)

// getRaw answers GET path with its status, headers and body.
func (c *client) getRaw(path string) (int, http.Header, []byte) {
	c.t.Helper()
	req, err := http.NewRequest("GET", c.base+path, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("GET %s: %v", path, err)
	}
	return resp.StatusCode, resp.Header, body
}

// walkPages follows the next of each page of path (limit rows a page) to
// the end and returns the rows of every page in turn, checking each
// page's Link header against its next.
func (c *client) walkPages(path, list string, limit int) []json.RawMessage {
	c.t.Helper()
	var all []json.RawMessage
	cursor := ""
	for pages := 0; ; pages++ {
		if pages > 1000 {
			c.t.Fatalf("%s: the pages never end", path)
		}
		u, _ := url.Parse(path)
		q := u.Query()
		q.Set("limit", fmt.Sprint(limit))
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		u.RawQuery = q.Encode()
		status, hdr, body := c.getRaw(u.String())
		if status != http.StatusOK {
			c.t.Fatalf("GET %s: %d %s", u, status, body)
		}
		var page map[string]json.RawMessage
		if err := json.Unmarshal(body, &page); err != nil {
			c.t.Fatal(err)
		}
		var rows []json.RawMessage
		if err := json.Unmarshal(page[list], &rows); err != nil {
			c.t.Fatalf("GET %s: %s: %v", u, list, err)
		}
		if len(rows) > limit || (len(rows) == 0 && pages > 0) {
			c.t.Fatalf("GET %s: %d rows (the previous page's next promised more)", u, len(rows))
		}
		all = append(all, rows...)
		next, ok := page["next"]
		if !ok {
			if link := hdr.Get("Link"); link != "" {
				c.t.Fatalf("GET %s: the last page links to %s", u, link)
			}
			return all
		}
		if len(rows) != limit {
			c.t.Fatalf("GET %s: a page of %d before the end", u, len(rows))
		}
		if err := json.Unmarshal(next, &cursor); err != nil {
			c.t.Fatal(err)
		}
		q.Set("cursor", cursor)
		if want := "<" + u.Path + "?" + q.Encode() + `>; rel="next"`; hdr.Get("Link") != want {
			c.t.Fatalf("GET %s: Link %q, want %q", u, hdr.Get("Link"), want)
		}
	}
}

// stream reads path with format=ndjson, a row a line.
func (c *client) stream(path string) []json.RawMessage {
	c.t.Helper()
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	status, hdr, body := c.getRaw(path + sep + "format=ndjson")
	if status != http.StatusOK || hdr.Get("Content-Type") != "application/x-ndjson" {
		c.t.Fatalf("GET %s as ndjson: %d %s", path, status, hdr.Get("Content-Type"))
	}
	var out []json.RawMessage
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := bytes.Clone(sc.Bytes())
		if !json.Valid(line) {
			c.t.Fatalf("GET %s as ndjson: line %q", path, line)
		}
		out = append(out, line)
	}
	return out
}

// pagedHost is an inventory of 120 sites (an http check each, some also
// a located tcp one) and 40 VMs (a tcp check each).
func pagedHost() string {
	var b, checks strings.Builder
	b.WriteString("assets:\n")
	checks.WriteString("checks:\n")
	for i := range 120 {
		fmt.Fprintf(&b, "  - {name: site%03d, kind: site, url: https://site%03d.example/}\n", i, i)
		if i%3 == 0 {
			fmt.Fprintf(&checks, "  - {asset: site%03d, name: port, kind: tcp, address: 127.0.0.1:80, locations: [%s]}\n", i, []string{"paris", "montreal"}[i%2])
		}
	}
	for i := range 40 {
		fmt.Fprintf(&b, "  - {name: vm%02d, kind: vm, address: 127.0.0.%d:22}\n", i, i+1)
	}
	return b.String() + checks.String()
}

// fillDetection writes states and signals of the host's checks straight
// into the server's database.
func fillDetection(t *testing.T, dsn string) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s := detect.NewStore(db)
	t0 := time.Date(2026, 12, 7, 3, 0, 0, 0, time.UTC)
	var rows []detect.StateRow
	var signals []detect.Signal
	for i := range 120 {
		key := fmt.Sprintf("site%03d/http", i)
		st := []detect.State{detect.Up, detect.Down, detect.Unknown}[i%3]
		for _, loc := range []string{"", "montreal", "paris"} {
			rows = append(rows, detect.StateRow{Check: key, Location: loc, State: st, Since: t0})
		}
		signals = append(signals, detect.Signal{Kind: detect.CheckDown, Check: key, Asset: key[:7],
			Location: []string{"paris", "montreal"}[i%2], At: t0.Add(time.Duration(i) * time.Second), From: detect.Up, To: detect.Down,
			Source: detect.SourceProbe})
	}
	if err := s.SaveStates(ctx, rows); err != nil {
		t.Fatal(err)
	}
	if err := s.Append(ctx, signals); err != nil {
		t.Fatal(err)
	}
}

// TestListsPageFilterAndStream: the states, the checks (declared and
// effective) and the signals walked a page at a time with small limits
// give each row once, in order, the same rows as the stream of the whole
// list and as one big page; filters keep their rows only.
func TestListsPageFilterAndStream(t *testing.T) {
	for _, e := range storetest.Engines {
		t.Run(string(e), func(t *testing.T) {
			c := startServer(t, e)
			if status, body := c.do("POST", "/api/v1/import?name=host.yaml", "application/yaml", []byte(pagedHost())); status != http.StatusOK {
				t.Fatalf("import: %d %v", status, body)
			}
			fillDetection(t, c.dsn)
			// Streams cross many batches, as a large list's do.
			t.Cleanup(web.SetStreamBatch(16))
			lists := []struct {
				path, list string
				count      int
				field      string // a field every row of the list has with value
				value      string
			}{
				{"/api/v1/states", "states", 360, "", ""},
				{"/api/v1/states?state=down", "states", 120, "state", "down"},
				{"/api/v1/states?location=paris", "states", 120, "location", "paris"},
				{"/api/v1/states?asset=site007", "states", 3, "check", "site007/http"},
				{"/api/v1/checks?effective=true", "checks", 200, "", ""},
				{"/api/v1/checks?effective=true&kind=tcp", "checks", 80, "kind", "tcp"},
				{"/api/v1/checks?effective=true&location=paris", "checks", 180, "", ""},
				{"/api/v1/checks?effective=true&asset=site003", "checks", 2, "asset", "site003"},
				{"/api/v1/checks", "checks", 40, "kind", "tcp"},
				{"/api/v1/signals", "signals", 120, "kind", "check-down"},
				{"/api/v1/signals?location=paris", "signals", 60, "location", "paris"},
			}
			for _, l := range lists {
				streamed := c.stream(l.path)
				if len(streamed) != l.count {
					t.Fatalf("%s: %d rows streamed, want %d", l.path, len(streamed), l.count)
				}
				for _, limit := range []int{1, 7, 1000} {
					paged := c.walkPages(l.path, l.list, limit)
					if got, want := joinRows(paged), joinRows(streamed); got != want {
						t.Fatalf("%s limit %d: pages\n%s\nstream\n%s", l.path, limit, got, want)
					}
				}
				seen := map[string]bool{}
				for _, row := range streamed {
					var m map[string]any
					if err := json.Unmarshal(row, &m); err != nil {
						t.Fatal(err)
					}
					id := fmt.Sprint(m["check"], m["asset"], m["name"], m["location"], m["id"])
					if seen[id] {
						t.Fatalf("%s: %s twice", l.path, id)
					}
					seen[id] = true
					if l.field != "" && m[l.field] != l.value {
						t.Fatalf("%s: row %s", l.path, row)
					}
				}
			}
		})
	}
}

func joinRows(rows []json.RawMessage) string {
	var b strings.Builder
	for _, r := range rows {
		var v any
		_ = json.Unmarshal(r, &v)
		canon, _ := json.Marshal(v)
		b.Write(canon)
		b.WriteByte('\n')
	}
	return b.String()
}

// TestListsRefuseBadPagingAndFilters: a bad limit, format, state or
// cursor (edited, cut, another list's) is a 400 naming the parameter.
func TestListsRefuseBadPagingAndFilters(t *testing.T) {
	c := startServer(t, store.SQLite)
	c.walkPages("/api/v1/states", "states", 5) // an empty list is one page
	cursor := func(parts ...string) string {
		raw, _ := json.Marshal(parts)
		return base64.RawURLEncoding.EncodeToString(raw)
	}
	cases := []struct{ path, param string }{
		{"/api/v1/states?limit=0", "limit"},
		{"/api/v1/states?limit=10001", "limit"},
		{"/api/v1/checks?effective=true&limit=ten", "limit"},
		{"/api/v1/signals?limit=1001", "limit"},
		{"/api/v1/states?format=xml", "format"},
		{"/api/v1/states?format=ndjson&limit=5", "limit"},
		{"/api/v1/states?state=sideways", "state"},
		{"/api/v1/states?cursor=not-base64!", "cursor"},
		{"/api/v1/states?cursor=" + cursor("checks", "a", "http"), "cursor"},
		{"/api/v1/states?cursor=" + cursor("states", "a/http"), "cursor"},
		{"/api/v1/checks?cursor=" + base64.RawURLEncoding.EncodeToString([]byte(`{"a":1}`)), "cursor"},
		{"/api/v1/signals?cursor=" + cursor("signals", "x"), "cursor"},
		{"/api/v1/signals?cursor=" + cursor("signals", "5") + "&before=4", "before"},
		{"/api/v1/signals?before=0", "before"},
		{"/api/v1/signals?location=paris&since=yesterday", "since"},
	}
	for _, tc := range cases {
		status, body := c.json("GET", tc.path, "")
		msg, _ := body["message"].(string)
		if status != http.StatusBadRequest || !strings.HasPrefix(msg, tc.param+":") {
			t.Errorf("GET %s: %d %v, want a 400 naming %s", tc.path, status, body, tc.param)
		}
	}
}

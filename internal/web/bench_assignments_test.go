package web_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/app"
	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/simulate"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// BenchmarkAssignmentsFirstPage1M measures, over loopback HTTP, the first
// page (5,000 checks, a remote probe's page) of the assignments of a
// location of a generated 1,000,000-site host, the second page, and the
// first page after each change of one site; the baseline, measured once in
// the same run, is the whole answer a probe read before pages. The pages
// come from the effective set in memory, whatever the engine: SQLite only
// holds the host. The first page after the set's load (its shards sorted
// once) is measured once too. It takes minutes and gigabytes: -short
// skips it.
//
//	go test ./internal/web -run '^$' -bench AssignmentsFirstPage1M -benchtime 50x -timeout 60m
func BenchmarkAssignmentsFirstPage1M(b *testing.B) {
	if testing.Short() {
		b.Skip("the 1,000,000-site host takes minutes and gigabytes to build")
	}
	ctx := context.Background()
	inv := simulate.Generate(simulate.Params{Sites: pagedBenchSites})
	site := ""
	for i := range inv.Assets {
		if inv.Assets[i].Kind == inventory.KindSite {
			site = inv.Assets[i].Name
			break
		}
	}
	dir := b.TempDir()
	if err := simulate.WriteFile(dir, inv); err != nil {
		b.Fatal(err)
	}
	inv = nil //nolint:ineffassign,wastedassign // the generated host is not needed anymore: let it go before the import
	a, err := app.Open(ctx, app.Config{DB: storetest.DSN(b, store.SQLite)})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = a.Close() })
	importHost(b, a.Inventory, dir)
	token, err := a.Locations.Add(ctx, "paris")
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler())
	b.Cleanup(srv.Close)
	// get answers the request's size in bytes and the cursor of the next
	// page, read from the Link header.
	get := func(query string) (int64, string) {
		req, _ := http.NewRequest("GET", srv.URL+"/api/v1/probe/assignments"+query, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		defer func() { _ = resp.Body.Close() }()
		n, err := io.Copy(io.Discard, resp.Body)
		if err != nil || resp.StatusCode != 200 {
			b.Fatalf("assignments%s: %d %v", query, resp.StatusCode, err)
		}
		_, next, _ := strings.Cut(resp.Header.Get("Link"), "cursor=")
		next, _, _ = strings.Cut(next, "&")
		next, _, _ = strings.Cut(next, ">")
		return n, next
	}
	set, err := a.Inventory.Effective(ctx) // as at a server's start: loaded once
	if err != nil {
		b.Fatal(err)
	}
	const page = "?limit=5000"
	t0 := time.Now()
	_, next := get(page)
	cold := time.Since(t0)
	t0 = time.Now()
	size, _ := get("")
	full := time.Since(t0)
	b.Logf("%d effective checks; first page after the load %s; whole answer %d MB in %s", set.Len(), cold.Round(time.Millisecond), size>>20, full.Round(time.Millisecond))

	change := 0
	cases := []struct {
		name   string
		before func()
		query  string
	}{
		{"first-page", nil, page},
		{"second-page", nil, page + "&cursor=" + next},
		{"first-page-after-a-change", func() {
			as, err := a.Inventory.Asset(ctx, site)
			if err != nil {
				b.Fatal(err)
			}
			change++
			as.URL = fmt.Sprintf("https://changed.example/%d", change)
			if _, err := a.Inventory.SaveAsset(ctx, as, inventory.Update); err != nil {
				b.Fatal(err)
			}
		}, page},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			var took time.Duration
			for range b.N {
				if c.before != nil {
					c.before()
				}
				t0 := time.Now()
				get(c.query)
				took += time.Since(t0)
			}
			per := took / time.Duration(b.N)
			b.ReportMetric(float64(per.Microseconds())/1000, "page-ms")
			b.ReportMetric(float64(full.Milliseconds()), "full-answer-ms")
			b.ReportMetric(float64(full)/float64(per), "full/page")
			b.ReportMetric(float64(cold.Milliseconds()), "first-page-after-load-ms")
		})
	}
}

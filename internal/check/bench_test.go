package check

import (
	"context"
	"testing"
)

// BenchmarkHTTPCheck measures one http check against a loopback server,
// each on a fresh connection as in production.
func BenchmarkHTTPCheck(b *testing.B) {
	srv := startHTTP(b, siteHandler())
	e := NewEngine(Options{})
	c := &Check{Kind: HTTP, URL: srv.URL + "/", BodyContains: "welcome"}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if res := e.Run(ctx, c); !res.OK {
			b.Fatal(res.Message)
		}
	}
}

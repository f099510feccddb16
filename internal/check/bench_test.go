package check

import (
	"context"
	"io"
	"net/http"
	"testing"
)

// BenchmarkHTTPCheck measures one http check against a loopback server,
// each on a fresh connection as in production. Its baseline is
// BenchmarkHTTPTransport: the same request by net/http's client.
func BenchmarkHTTPCheck(b *testing.B) {
	srv := startHTTP(b, siteHandler())
	e := NewEngine(Options{})
	c := &Check{Kind: HTTP, URL: srv.URL + "/", HTTPOptions: &HTTPOptions{BodyContains: "welcome"}}
	ctx := context.Background()
	b.ReportAllocs()
	cpu := startCPU()
	for b.Loop() {
		if res := e.Run(ctx, c); !res.OK {
			b.Fatal(res.Message)
		}
	}
	cpu.report(b)
}

// BenchmarkHTTPTransport is the baseline of BenchmarkHTTPCheck: net/http's
// client with keep-alives off, reading the same answer.
func BenchmarkHTTPTransport(b *testing.B) {
	srv := startHTTP(b, siteHandler())
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	b.ReportAllocs()
	cpu := startCPU()
	for b.Loop() {
		resp, err := client.Get(srv.URL + "/")
		if err != nil {
			b.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || len(body) == 0 {
			b.Fatal(err)
		}
	}
	cpu.report(b)
}

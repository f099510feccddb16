package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestProgressShowsRowsOnATerminalOnly(t *testing.T) {
	var buf bytes.Buffer
	if p := newProgress(&buf); p.on {
		t.Fatal("a buffer is not a terminal")
	}
	p := &progress{w: &buf, on: true}
	p.stage("validating")
	p.rows(500, 1000)
	p.rows(1000, 1000)
	p.done()
	out := buf.String()
	for _, want := range []string{"validating…", "writing 1000/1000 rows (100%)"} {
		if !strings.Contains(out, want) {
			t.Errorf("progress output %q lacks %q", out, want)
		}
	}
	if !strings.HasSuffix(out, "\r\033[K") {
		t.Errorf("progress does not clear its line at the end: %q", out)
	}
	buf.Reset()
	quiet := &progress{w: &buf}
	quiet.stage("x")
	quiet.rows(1, 2)
	quiet.done()
	if buf.Len() != 0 {
		t.Fatalf("progress off wrote %q", buf.String())
	}
}

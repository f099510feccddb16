package main

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestProcessLogsAreRedacted(t *testing.T) {
	const token = "vigie_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	var buf bytes.Buffer
	e := &env{stderr: &buf, getenv: func(string) string { return "" }}
	logger(e).Info("request with "+token, "dsn", "postgres://u:pw1@db/v")
	quietLogger(e).Warn("failed", "err", errors.New("Authorization: Bearer pw2"))
	out := buf.String()
	for _, leak := range []string{token, "pw1", "pw2"} {
		if strings.Contains(out, leak) {
			t.Errorf("logs hold %q:\n%s", leak, out)
		}
	}
	if strings.Count(out, "[REDACTED]") != 3 {
		t.Errorf("want three redactions:\n%s", out)
	}
}

func TestCommandErrorsAreRedacted(t *testing.T) {
	r := vigie(t, "", "", "migrate", "--db", "host=db user=u password='p w3' dbname=v")
	if r.code != 1 || strings.Contains(r.stderr, "w3") || !strings.Contains(r.stderr, "password=") {
		t.Fatalf("code %d, stderr %q", r.code, r.stderr)
	}
}

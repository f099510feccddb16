package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func envWith(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestUnknownLogSettingsAreRefused(t *testing.T) {
	cases := []struct {
		name string
		vars map[string]string
		args []string
		want string
	}{
		{"level", map[string]string{"VIGIE_LOG": "verbose"}, []string{"version"},
			`vigie: VIGIE_LOG="verbose": want debug, info, warn or error (empty means info)`},
		{"format env", map[string]string{"VIGIE_LOG_FORMAT": "xml"}, []string{"version"},
			`vigie: VIGIE_LOG_FORMAT="xml": want json or text`},
		{"format flag", nil, []string{"--log-format", "logfmt", "version"},
			`vigie: --log-format="logfmt": want json or text`},
		{"flag without value", nil, []string{"--log-format"}, `vigie: --log-format: want json or text`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(t.Context(), c.args, &env{stdout: &out, stderr: &errb, getenv: envWith(c.vars)})
			if code != 2 || strings.TrimSpace(errb.String()) != c.want {
				t.Fatalf("code %d, stderr %q, want 2 and %q", code, errb.String(), c.want)
			}
		})
	}
}

func TestKnownLogSettingsAreAccepted(t *testing.T) {
	for _, level := range []string{"", "debug", "info", "warn", "error", "DEBUG"} {
		var out, errb bytes.Buffer
		e := &env{stdout: &out, stderr: &errb, getenv: envWith(map[string]string{"VIGIE_LOG": level, "VIGIE_LOG_FORMAT": "text"})}
		if code := run(t.Context(), []string{"--log-format=json", "version"}, e); code != 0 {
			t.Errorf("VIGIE_LOG=%q: code %d, stderr %q", level, code, errb.String())
		}
	}
}

func TestJSONLogsAreRedactedToo(t *testing.T) {
	const token = "vigie_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	for _, e := range []*env{
		{getenv: envWith(map[string]string{"VIGIE_LOG_FORMAT": "json", "VIGIE_LOG": "debug"})},
		{getenv: envWith(map[string]string{"VIGIE_LOG": "debug"}), logFormat: "json"},
	} {
		var buf bytes.Buffer
		e.stderr = &buf
		logger(e).Debug("request with "+token, "dsn", "postgres://u:pw1@db/v")
		quietLogger(e).Warn("failed", "err", "Authorization: Bearer pw2")
		lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
		if len(lines) != 2 {
			t.Fatalf("want 2 lines (debug level on), got %q", buf.String())
		}
		for _, l := range lines {
			var rec map[string]any
			if err := json.Unmarshal([]byte(l), &rec); err != nil {
				t.Fatalf("not JSON: %q: %v", l, err)
			}
		}
		for _, leak := range []string{token, "pw1", "pw2"} {
			if strings.Contains(buf.String(), leak) {
				t.Errorf("JSON logs hold %q:\n%s", leak, buf.String())
			}
		}
		if strings.Count(buf.String(), "[REDACTED]") != 3 {
			t.Errorf("want three redactions:\n%s", buf.String())
		}
	}
}

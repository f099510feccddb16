package main

import (
	"strings"
	"testing"
)

func TestServeFlagsAreChecked(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"certificate without key", []string{"--tls-cert", "c.pem"}, "--tls-cert and --tls-key together"},
		{"key without certificate", []string{"--tls-key", "k.pem"}, "--tls-cert and --tls-key together"},
		{"bad trusted proxy", []string{"--trusted-proxy", "127.0.0.1", "--trusted-proxy", "::1,10.0.0.0/33"}, `"10.0.0.0/33"`},
		{"negative max-conns", []string{"--max-conns", "-1"}, "--max-conns"},
		{"embed origin with a path", []string{"--embed-origin", "https://panel.example.net", "--embed-origin", "https://panel.example.net/account"},
			`--embed-origin: frame ancestor "https://panel.example.net/account"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := vigie(t, "sqlite:"+t.TempDir()+"/v.db", "", append([]string{"serve"}, c.args...)...)
			if r.code != 2 || !strings.Contains(r.stderr, c.want) {
				t.Fatalf("code %d, stderr %q; want 2 and %q", r.code, r.stderr, c.want)
			}
		})
	}
}

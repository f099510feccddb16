package heartbeat

import (
	"strings"
	"testing"
)

func TestParseTokenAcceptsOnlyWellFormedTokens(t *testing.T) {
	good, lookup, hash := newToken()
	if !strings.HasPrefix(good, "hb_"+lookup+"_") || len(good) != len("hb_")+16+1+43 {
		t.Fatalf("newToken() = %q with lookup %q", good, lookup)
	}
	l, secret, ok := parseToken(good)
	if !ok || l != lookup || !secretMatches(secret, hash) {
		t.Fatalf("parseToken(%q) = %q, %q, %v", good, l, secret, ok)
	}
	tests := []struct{ name, token string }{
		{"empty", ""},
		{"other prefix", "vg_" + good[3:]},
		{"upper-case lookup", "hb_" + strings.ToUpper(lookup) + good[3+len(lookup):]},
		{"non-hex lookup", "hb_" + strings.Repeat("z", len(lookup)) + good[3+len(lookup):]},
		{"missing separator", strings.Replace(good, "_", "", 2) + "__"},
		{"short", good[:len(good)-1]},
		{"long", good + "A"},
		{"bad base64", good[:len(good)-1] + "!"},
		{"non-canonical base64", good[:len(good)-1] + "B"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.token == good {
				t.Skip("mutation left the token unchanged")
			}
			if _, _, ok := parseToken(tt.token); ok {
				t.Errorf("parseToken(%q) accepted it", tt.token)
			}
		})
	}
}

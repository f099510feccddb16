package auth

import (
	"strings"
	"testing"
)

func TestNewSecretIsWellFormedAndUnique(t *testing.T) {
	secret, lookup := newSecret()
	if !strings.HasPrefix(secret, "vigie_"+lookup+"_") || len(lookup) != 16 {
		t.Fatalf("secret %q with lookup %q: want vigie_<16 hex>_<random>", secret, lookup)
	}
	got, ok := parseSecret(secret)
	if !ok || got != lookup {
		t.Fatalf("parseSecret(%q) = %q, %v; want %q, true", secret, got, ok, lookup)
	}
	if other, _ := newSecret(); other == secret {
		t.Fatalf("two secrets are equal: %q", secret)
	}
}

func TestParseSecretRefusesMalformed(t *testing.T) {
	const good = "vigie_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	if _, ok := parseSecret(good); !ok {
		t.Fatalf("parseSecret(%q) refused the reference secret", good)
	}
	tests := []struct{ name, secret string }{
		{"empty", ""},
		{"prefix only", "vigie_"},
		{"other prefix", "vigiE_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},
		{"upper-case lookup", "vigie_0123456789ABCDEF_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},
		{"lookup not hex", "vigie_0123456789abcdeg_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},
		{"wrong separator", "vigie_0123456789abcdef-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},
		{"truncated", good[:len(good)-1]},
		{"too long", good + "A"},
		{"not base64url", "vigie_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA+"},
		{"non-canonical base64", "vigie_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB"},
		{"bearer prefix kept", "Bearer " + good[:len(good)-7]},
		{"trailing space", good[:len(good)-1] + " "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if lookup, ok := parseSecret(tt.secret); ok {
				t.Fatalf("parseSecret(%q) = %q, true; want refused", tt.secret, lookup)
			}
		})
	}
}

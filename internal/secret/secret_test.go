package secret

import (
	"strings"
	"testing"
)

func TestTokensRoundTripAndRefuseOthers(t *testing.T) {
	f := Format{Prefix: "hb_"}
	token, lookup, hash := f.New()
	l, s, ok := f.Parse(token)
	if !ok || l != lookup || !Matches(s, hash) {
		t.Fatalf("Parse(%q) = %q, %q, %v", token, l, s, ok)
	}
	if other, _, _ := f.New(); other == token {
		t.Fatal("two tokens alike")
	}
	bad := []string{
		"", "vloc_" + token[3:], strings.ToUpper(token), token + "x", token[:len(token)-1],
		"hb_" + strings.Repeat("z", 16) + token[19:],
	}
	for _, b := range bad {
		if _, _, ok := f.Parse(b); ok {
			t.Errorf("Parse(%q) accepted it", b)
		}
	}
	if Matches(s+"x", hash) {
		t.Fatal("a wrong secret matched")
	}
}

package inventory

import "testing"

func TestComponentIDFoldsNames(t *testing.T) {
	for name, want := range map[string]string{
		"Hébergement mutualisé": "hebergement-mutualise",
		"  DNS / Mail  ":        "dns-mail",
		"VPS 2":                 "vps-2",
		"Œuvre":                 "uvre",
	} {
		if got := ComponentID(name); got != want {
			t.Errorf("ComponentID(%q) = %q, want %q", name, got, want)
		}
	}
}

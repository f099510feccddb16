package inventory

import (
	"slices"
	"testing"
)

func TestSearchFindsNamesByPrefixFirstThenBySubstringIgnoringCase(t *testing.T) {
	g := NewGraph(smallHost(), 1)
	for _, tc := range []struct {
		q     string
		limit int
		want  []string
	}{
		{"site", 10, []string{"site1", "site2"}},
		{"1", 10, []string{"db1", "dc1", "hv1", "site1", "vm1", "vps1"}},
		{"V", 10, []string{"vm1", "vps1", "hv1"}},
		{"V", 2, []string{"vm1", "vps1"}},
		{"te2", 10, []string{"site2"}},
		{"nothing", 10, nil},
		{"  ", 10, nil},
	} {
		if got := g.Search(tc.q, tc.limit); !slices.Equal(got, tc.want) {
			t.Errorf("Search(%q, %d) = %v, want %v", tc.q, tc.limit, got, tc.want)
		}
	}
}

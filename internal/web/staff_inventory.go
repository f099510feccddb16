package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/store"
)

// inventorySearchLimit is how many assets the search page lists.
const inventorySearchLimit = 50

// inventoryListMax caps the lists of a customer's assets and of an
// asset's dependents of one kind.
const inventoryListMax = 1000

// inventoryView is the inventory browser's page.
type inventoryView struct {
	Query string
	// Searched is set once a query was typed; Result is its answer and
	// Took the time it took, in milliseconds.
	Searched bool
	Result   inventory.SearchResult
	Took     string
	// Listing is a customer's assets (Owner) or an asset's dependents of
	// one kind (Of, Kind); Cut is set when it stops at inventoryListMax.
	Owner, OwnerName, Of, Kind string
	Listing                    []inventory.AssetHit
	ListTotal                  int
	Cut                        bool
	Assets                     int
}

// showInventory is the search page: it works without JavaScript (a form
// sent by GET); console_search.js updates the results as one types.
func (h *inventoryPages) showInventory(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	if err := h.d.Inventory.LoadGraph(r.Context()); err != nil {
		h.failPage(w, r, err)
		return
	}
	g := h.d.Inventory.Graph()
	q := r.URL.Query()
	view := inventoryView{Query: strings.TrimSpace(q.Get("q")), Owner: q.Get("owner"), Of: q.Get("of"), Kind: q.Get("kind"), Assets: g.Len()}
	if view.Query != "" {
		start := time.Now()
		view.Searched, view.Result = true, g.Search(view.Query, inventorySearchLimit)
		view.Took = strconv.FormatFloat(float64(time.Since(start).Microseconds())/1000, 'f', 1, 64)
	}
	var names []string
	switch {
	case view.Owner != "":
		c, err := h.d.Inventory.Customer(r.Context(), view.Owner)
		if err != nil {
			h.failPage(w, r, err)
			return
		}
		view.OwnerName = c.Name
		names = g.Owned(view.Owner, "")
	case view.Of != "":
		if g.Kind(view.Of) == "" {
			h.failPage(w, r, store.NotFound("asset", view.Of))
			return
		}
		for _, d := range g.Dependents(view.Of) {
			if view.Kind == "" || g.Kind(d) == view.Kind {
				names = append(names, d)
			}
		}
	}
	view.ListTotal = len(names)
	if len(names) > inventoryListMax {
		names, view.Cut = names[:inventoryListMax], true
	}
	for _, n := range names {
		view.Listing = append(view.Listing, inventory.AssetHit{Name: n, Kind: g.Kind(n), Owner: g.Owner(n)})
	}
	h.renderPage(w, r, http.StatusOK, "staff_inventory", h.text(v.Lang, "ConsoleInvTitle"), view)
}

// searchInventory answers the live search of the inventory page.
func (h *inventoryPages) searchInventory(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit := 20
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 200 {
			h.fail(w, r, badRequest("limit: want a number from 1 to 200, got %q", s))
			return
		}
		limit = n
	}
	res, err := h.d.Inventory.Search(r.Context(), q.Get("q"), limit)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

// kindCounts counts names by kind, kinds in order, for the collapsed
// nodes of the asset graph.
func kindCounts(g *inventory.Graph, names []string) (kinds []string, counts map[string]int) {
	counts = map[string]int{}
	for _, n := range names {
		k := g.Kind(n)
		if counts[k] == 0 {
			kinds = append(kinds, k)
		}
		counts[k]++
	}
	slices.Sort(kinds)
	return kinds, counts
}

package web

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/inventory"
)

// affectedShown is how many customers the page lists; the CSV has them
// all.
const affectedShown = 200

// affectedView is the customers and sites an incident affects, filtered.
type affectedView struct {
	// Q is the filter as typed.
	Q string
	// Customers are the customers kept by the filter, at most the page's
	// share; Matched counts them all, Total every affected customer and
	// Sites every affected site.
	Customers             []affectedCustomer
	Matched, Total, Sites int
	// CSV is the export's link, with the filter.
	CSV string
}

// affectedCustomer is one affected customer with their affected sites.
type affectedCustomer struct {
	ID, Name string
	Sites    []string
}

// affected lists the customers an incident affects (those its impact
// recorded) with their sites in its scope (from the inventory as it is
// now), keeping those whose id, name or a site contains q; at most limit
// customers (0: all).
func (h *incPages) affected(ctx context.Context, inc *incident.Incident, q string, limit int) (affectedView, error) {
	q = strings.TrimSpace(q)
	view := affectedView{Q: q, CSV: "/staff/incidents/" + strconv.FormatInt(inc.ID, 10) + "/affected.csv"}
	if q != "" {
		view.CSV += "?q=" + url.QueryEscape(q)
	}
	names, err := h.customerNames(ctx)
	if err != nil {
		return view, err
	}
	g := h.d.Inventory.Graph()
	sites := map[string][]string{}
	for _, n := range g.Scope(inc.RootAssets) {
		if g.Kind(n) != inventory.KindSite {
			continue
		}
		view.Sites++
		if o := g.Owner(n); o != "" {
			sites[o] = append(sites[o], n)
		}
	}
	ids := slices.Clone(inc.Impact.Customers)
	for id := range sites {
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	view.Total = len(ids)
	needle := strings.ToLower(q)
	for _, id := range ids {
		c := affectedCustomer{ID: id, Name: names[id], Sites: sites[id]}
		if needle != "" && !c.matches(needle) {
			continue
		}
		view.Matched++
		if limit == 0 || len(view.Customers) < limit {
			view.Customers = append(view.Customers, c)
		}
	}
	return view, nil
}

// sitesShown is how many of a customer's sites the page names.
const sitesShown = 8

// Shown are the sites the page names; More how many it leaves to the CSV.
func (c affectedCustomer) Shown() []string { return c.Sites[:min(len(c.Sites), sitesShown)] }

// More is how many sites the page does not name.
func (c affectedCustomer) More() int { return max(0, len(c.Sites)-sitesShown) }

// matches reports whether the customer's id, name or one of the sites
// contains needle, lower-case.
func (c affectedCustomer) matches(needle string) bool {
	if strings.Contains(strings.ToLower(c.ID), needle) || strings.Contains(strings.ToLower(c.Name), needle) {
		return true
	}
	return slices.ContainsFunc(c.Sites, func(s string) bool { return strings.Contains(strings.ToLower(s), needle) })
}

// customerNames reads every customer's name by id, a page at a time.
func (h *incPages) customerNames(ctx context.Context) (map[string]string, error) {
	out := map[string]string{}
	after := ""
	for {
		page, err := h.d.Inventory.Customers(ctx, inventory.CustomerFilter{After: after, Limit: inventory.MaxPage})
		if err != nil {
			return nil, err
		}
		for _, c := range page {
			out[c.ID] = c.Name
		}
		if len(page) < inventory.MaxPage {
			return out, nil
		}
		after = page[len(page)-1].ID
	}
}

// exportAffected downloads the affected customers and sites the filter
// keeps as CSV: one row per site, a customer without an affected site on
// a row of its own; cells a spreadsheet would run are defused.
func (h *incPages) exportAffected(w http.ResponseWriter, r *http.Request) {
	id, err := incidentID(r)
	if err != nil {
		h.failPage(w, r, err)
		return
	}
	inc, err := h.d.Incidents.Get(r.Context(), id)
	if err != nil {
		h.failPage(w, r, err)
		return
	}
	view, err := h.affected(r.Context(), &inc, r.URL.Query().Get("q"), 0)
	if err != nil {
		h.failPage(w, r, err)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/csv; charset=utf-8")
	hd.Set("Content-Disposition", `attachment; filename="vigie-incident-`+strconv.FormatInt(id, 10)+`-affected.csv"`)
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Content-Type-Options", "nosniff")
	cw := csv.NewWriter(w)
	rows := [][]string{{"customer", "customer_name", "site"}}
	for _, c := range view.Customers {
		if len(c.Sites) == 0 {
			rows = append(rows, []string{auth.SafeCell(c.ID), auth.SafeCell(c.Name), ""})
		}
		for _, s := range c.Sites {
			rows = append(rows, []string{auth.SafeCell(c.ID), auth.SafeCell(c.Name), auth.SafeCell(s)})
		}
	}
	if err := cw.WriteAll(rows); err != nil {
		h.log.ErrorContext(r.Context(), "affected export cut short", "incident", id, "err", err)
	}
}

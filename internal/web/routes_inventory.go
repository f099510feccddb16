package web

import (
	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/report"
)

// maxImportForm caps an import posted from the browser: a pasted or
// uploaded file, carried again by the confirmation form.
const maxImportForm = 32 << 20

// inventoryRoutes registers the inventory browser of the staff console:
// search, one page per asset, and imports from the browser.
func (s *Server) inventoryRoutes(rt *router) {
	if s.d.Sessions == nil || s.d.Inventory == nil {
		return
	}
	h := &inventoryPages{Server: s,
		reader: &report.Reader{Inventory: s.d.Inventory, Detection: s.d.Detection, Maintenance: s.d.Maintenance, Incidents: s.d.Incidents}}
	rt.surface = "staff pages"
	read := staffPage(auth.PermRead)
	search := []string{"q: part of an asset's name, a customer's id or name (prefix matches first)"}
	rt.handle("GET /staff/inventory", read, classAPI, doc{summary: "The inventory browser: search assets and customers by name; a customer's assets; an asset's dependents of one kind",
		query: append(search, "owner: a customer id: their assets", "of: an asset: its dependents (with kind: of that kind)", "kind: with of")}, h.showInventory)
	rt.handle("GET /staff/inventory/search", read, classAPI, doc{summary: "Search the inventory as JSON, for live search as one types: the first assets whose names start with q, then those holding it, and customers",
		query: append(search, "limit: at most this many of each (default 20, at most 200)")}, h.searchInventory)
	rt.handle("GET /staff/assets/{name}", read, classAPI, doc{summary: "An asset's page: dependencies and dependents drawn as a graph, checks with latency and uptime, host facts and compliance, backups, owner, open incidents and tickets"}, h.showAsset)
	imp := staffPage(auth.PermImport).withBody(maxImportForm)
	rt.handle("GET /staff/import", imp, classImport, doc{summary: "Import inventory files from the browser: paste or upload YAML or CSV"}, h.showImport)
	rt.handle("POST /staff/import", imp, classImport, doc{summary: "Dry-run an import and show its plan and its line-numbered problems; with confirm, apply exactly the plan shown (refused, and planned again, if the inventory changed since)"}, h.postImport)
	rt.surface = "staff"
}

// inventoryPages serves the inventory browser.
type inventoryPages struct {
	*Server
	reader *report.Reader
}
